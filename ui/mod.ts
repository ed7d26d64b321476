/**
 * kvflow's web UI: server-rendered Preact pages with interactive islands, mounted by `createApp`
 * at `/`. Its routes (`/`, `/experiments/:id`, `/experiments/compare/:ids`, `/runs/:id`,
 * `/compare`, `/models`, `/models/:name`, `/models/:name/versions/:n`, `/prompts`,
 * `/prompts/:name`, `/logged-models/:id`, `/docs`, `/login`, `/logout`, `/static/*`, and with
 * auth `/admin/users` and `/settings/tokens`) never overlap the API's (`/api`, `/ajax-api`,
 * `/health`, `/version`, `/openapi.json`, `/get-artifact`).
 *
 * See ui/README.md for the layout and for how to add a page or an island.
 *
 * @example
 * ```ts
 * app.route("/", createUi());
 * ```
 *
 * @module
 */
/// <reference types="./dom_lib_compat.d.ts" />
import { Hono, type MiddlewareHandler } from "hono";
import { compress } from "hono/compress";
import { errorResponse } from "../routes/errors.ts";
import { type AssetLoader, createAssetLoader } from "./assets.ts";
import {
  comparePage,
  experimentPage,
  experimentsComparePage,
  experimentsPage,
  loggedModelPage,
  modelsPage,
  modelVersionPage,
  registeredModelPage,
  runPage,
  staticFile,
} from "./handlers.tsx";
import { tokensPage, usersPage } from "./auth_handlers.tsx";
import { promptPage, promptsPage } from "./prompt_handlers.tsx";
import { loginRoute, logoutRoute } from "./login.tsx";
import type { UiEnv } from "./render.tsx";
import { withAssetsOr503 } from "./unavailable.ts";
import { docsPage } from "./docs_handler.tsx";

export type { UiEnv } from "./render.tsx";
export { type AssetLoader, createAssetLoader } from "./assets.ts";
export { loginChallenge } from "./login.tsx";
export { forbiddenChallenge } from "./auth_handlers.tsx";

/**
 * Pages are registered with `all()` plus this guard rather than `get()`: the app's route list
 * then holds only API routes under a method, which is what `tests/openapi_test.ts` compares with
 * openapi.yaml (and what the 405 fallback scans).
 */
const getOnly: MiddlewareHandler<UiEnv> = async (c, next) => {
  const method = c.req.method;
  if (method !== "GET" && method !== "HEAD") {
    c.header("Allow", "GET, HEAD");
    return errorResponse(c, 405, "ENDPOINT_NOT_FOUND", `Method ${method} is not allowed`);
  }
  await next();
  if (method === "HEAD") c.res = new Response(null, c.res);
};

/** Options of {@linkcode createUi}. */
export interface UiOptions {
  /** Auth is on: also serve the users page (admins) and the API tokens page. */
  auth?: boolean;
}

/**
 * Builds the UI sub-app. Nothing happens until the first UI request, which loads the static files
 * and builds the island bundle if it is missing or stale (see ui/bundle.ts). While that fails,
 * every UI route answers one 503 page (ui/unavailable.ts), and the load is tried again at most
 * every `ASSET_RETRY_INTERVAL_MS`. Pass the app's `assets` loader when something else renders pages
 * too (the auth middleware's login page), so the files are loaded once.
 */
export function createUi(
  assets: AssetLoader = createAssetLoader(),
  opts: UiOptions = {},
): Hono<UiEnv> {
  // Per route, not `use("*")`: a sub-app's `*` middleware would run for the whole app.
  const withAssets: MiddlewareHandler<UiEnv> = async (c, next) => {
    const unavailable = await withAssetsOr503(c, assets);
    if (unavailable) return unavailable;
    await next();
  };

  // Pages carry their first data (a runs table page is ~190 KB of HTML); static files are
  // compressed once in assets.ts instead.
  const page = [getOnly, compress(), withAssets] as const;
  const ui = new Hono<UiEnv>()
    .all("/static/:file", getOnly, withAssets, staticFile)
    .all("/", ...page, experimentsPage)
    // Several experiments in one runs table; the ids are one segment, `1,7,…`.
    .all("/experiments/compare/:ids", ...page, experimentsComparePage)
    .all("/experiments/:experimentId", ...page, experimentPage)
    .all("/runs/:runId", ...page, runPage)
    .all("/compare", ...page, comparePage)
    .all("/models", ...page, modelsPage)
    .all("/docs", ...page, docsPage)
    // A version page first: for a raw `/models/a/versions/1` the version wins; a model named
    // `a/versions/1` is `/models/a%2Fversions%2F1` (the router sees `%2F`, not `/`).
    .all("/models/:name{.+}/versions/:version{[0-9]+}", ...page, modelVersionPage)
    // The rest of the path: a registered model's name may contain `/` (sent encoded or not).
    .all("/models/:name{.+}", ...page, registeredModelPage)
    // MLflow 3's prompt registry; a prompt's name, like a model's, may contain `/`.
    .all("/prompts", ...page, promptsPage)
    .all("/prompts/:name{.+}", ...page, promptPage)
    .all("/logged-models/:modelId", ...page, loggedModelPage)
    // Any method: each answers the ones it takes (login GET and POST, logout POST) itself.
    .all("/login", withAssets, loginRoute)
    .all("/logout", logoutRoute);
  if (opts.auth) {
    ui.all("/admin/users", ...page, usersPage).all("/settings/tokens", ...page, tokensPage);
  }
  return ui;
}
