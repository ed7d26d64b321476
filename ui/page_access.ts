/**
 * What the pages need from auth (issue 11 §6) beside `c.var.access()` (the viewer's read
 * predicates; everything without auth), which lists pass to the store's searches as `visible`
 * (pages refilled past hidden items) and item pages check before showing anything: whether a
 * missing entity may be reported as missing, and the viewer's effective level on one resource
 * for the "Access" panel. Pages check access themselves: the middleware only authenticates
 * them, since a page shows many items and only the page knows which.
 *
 * @example
 * ```ts
 * if (!(await c.var.access()).experiment(id)) return forbidden(c, EXPERIMENT_FORBIDDEN);
 * const level = await viewerLevel(c, { experimentId: id }); // "MANAGE": show the panel
 * ```
 *
 * @module
 */
import type { Context } from "hono";
import { canRead } from "../routes/auth/permissions.ts";
import type { Permission } from "../store/auth/types.ts";
import type { UiEnv } from "./render.tsx";

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
