/**
 * What the pages need from auth (issue 11 §6): the viewer's read access (`c.var.access()`,
 * everything without auth), whether a missing entity may be reported as missing, a page search
 * refilled past hidden items, and the viewer's effective level on one resource for the "Access"
 * panel. Pages check access here themselves: the middleware only authenticates them, since a
 * page shows many items and only the page knows which.
 *
 * @example
 * ```ts
 * const access = await c.var.access();
 * if (!access.experiment(id)) return forbiddenPage(c, "experiment");
 * ```
 *
 * @module
 */
import type { Context } from "hono";
import { canRead } from "../routes/auth/permissions.ts";
import type { Permission } from "../store/auth/types.ts";
import type { Page } from "../store/types.ts";
import type { UiEnv } from "./render.tsx";

/**
 * Store searches one page makes at most while refilling past hidden items; a page that would
 * need more is shown short, with the token to go on (the list's "Load more" continues from
 * there). Each search asks only for the rows still missing, so a page reads no row twice.
 */
export const PAGE_REFILL_MAX_SEARCHES = 20;

/**
 * Up to `maxResults` items `keep` accepts, from consecutive pages of `search`, starting at
 * `pageToken`. Each call asks for exactly the number of rows still missing, so the returned
 * token (the last search's) resumes right after the last row read: nothing is skipped or
 * repeated, and the token is the store's own (the API's searches take it too).
 */
export async function searchKept<T>(
  search: (page: { maxResults: number; pageToken?: string }) => Promise<Page<T>>,
  keep: (item: T) => boolean,
  maxResults: number,
  pageToken?: string,
): Promise<Page<T>> {
  const items: T[] = [];
  let token = pageToken;
  for (let i = 0; i < PAGE_REFILL_MAX_SEARCHES && items.length < maxResults; i++) {
    const page = await search({ maxResults: maxResults - items.length, pageToken: token });
    for (const item of page.items) if (keep(item)) items.push(item);
    token = page.nextPageToken;
    if (token === undefined) break;
  }
  return { items, nextPageToken: token };
}

/**
 * Whether the viewer may learn that an entity does not exist (the 404 page) rather than get the
 * 403 page: as the API middleware does, only when they could read it at the default permission
 * (always without auth, and for admins), so someone who may read nothing cannot probe for ids.
 */
export function mayLearnAbsence(c: Context<UiEnv>): boolean {
  const auth = c.var.auth;
  const user = c.var.user;
  if (auth === undefined || user === undefined || user.is_admin) return true;
  return canRead(auth.defaultPermission);
}

/** The viewer's effective level on one resource: an admin, a level, or null without auth. */
export type ViewerLevel = Permission | "ADMIN" | null;

/**
 * The viewer's effective level on experiment `id` or registered model `name`: their grant, else
 * the server's default permission; `"ADMIN"` for admins; null when auth is off (nobody manages
 * grants then).
 */
export async function viewerLevel(
  c: Context<UiEnv>,
  target: { experimentId: string } | { registeredModel: string },
): Promise<ViewerLevel> {
  const auth = c.var.auth;
  const user = c.var.user;
  if (auth === undefined || user === undefined) return null;
  if (user.is_admin) return "ADMIN";
  const grant = "experimentId" in target
    ? await auth.store.findExperimentPermission(target.experimentId, user.id)
    : await auth.store.findRegisteredModelPermission(target.registeredModel, user.id);
  return grant ?? auth.defaultPermission;
}
