/**
 * The pages that exist only with auth on (issue 11 §6): `/admin/users` for admins and
 * `/settings/tokens` for any logged-in user. Both read the auth store for their first paint;
 * their islands change things through MLflow's user endpoints and kvflow's token endpoints.
 *
 * @module
 */
import type { Context, Handler } from "hono";
import type { AppEnv } from "../routes/app_env.ts";
import type { AuthOptions } from "../routes/auth/middleware.ts";
import type { AssetLoader } from "./assets.ts";
import { middlewarePage } from "./unavailable.ts";
import type { User } from "../store/auth/types.ts";
import { ForbiddenPage } from "./pages/ForbiddenPage.tsx";
import { TokensPage } from "./pages/TokensPage.tsx";
import { UsersPage } from "./pages/UsersPage.tsx";
import { renderPage, type UiEnv } from "./render.tsx";

/** Users on the first paint of `/admin/users`; the island loads further pages. */
export const USERS_PAGE_SIZE = 100;

/** The viewer and the auth options; these routes are mounted only with auth, behind a login. */
function authed(c: Context<UiEnv>): { user: User; auth: AuthOptions } {
  const { user, auth } = c.var;
  // The middleware authenticated every caller before a page handler runs.
  if (user === undefined || auth === undefined) throw new Error("auth pages need auth on");
  return { user, auth };
}

/**
 * The 403 page the auth middleware answers a browser with for a page its caller may not open
 * (route_permissions.ts declares `/admin/users` admin-only).
 */
export function forbiddenChallenge(assets: AssetLoader): (c: Context<AppEnv>) => Promise<Response> {
  return middlewarePage(assets, (ui) =>
    renderPage(
      ui,
      <ForbiddenPage message="Only administrators can open this page." />,
      { title: "Permission denied", status: 403 },
    ));
}

/** `GET /admin/users`: every user; the middleware lets only admins in (route_permissions.ts). */
export const usersPage: Handler<UiEnv> = async (c) => {
  const { user, auth } = authed(c);
  const page = await auth.store.listUsers({ maxResults: USERS_PAGE_SIZE });
  const admin = {
    users: page.users,
    nextPageToken: page.nextPageToken ?? null,
    viewer: user.username,
  };
  return renderPage(c, <UsersPage admin={admin} />, { title: "Users" });
};

/** `GET /settings/tokens`: the viewer's own API tokens (never the secrets). */
export const tokensPage: Handler<UiEnv> = async (c) => {
  const { user, auth } = authed(c);
  const tokens = await auth.store.listTokens(user.username);
  return renderPage(c, <TokensPage tokens={{ tokens, username: user.username }} />, {
    title: "API tokens",
  });
};
