/**
 * The auth middleware pair `createApp` mounts when `AppDeps.auth` is given (issue 11 §5):
 * {@linkcode authenticateRequest} runs before any body is read, so an anonymous caller gets 401
 * without the server reading (or rejecting) what it sent; {@linkcode authorizeRequest} runs after
 * `decodeRequest`, because most resource ids are only known from the decoded JSON body. Both look
 * the matched route's declaration up in route_permissions.ts and let decide.ts decide; neither
 * knows any route by name except the searches (how each is made safe is below) and
 * `model-versions/create`, whose source the caller must be able to read too.
 *
 * Resolution of the resource a grant names (targets.ts): a run and a logged model → their experiment (one
 * store read, then remembered per process: experiment_ids.ts); a model version → its registered
 * model (the `name` the request carries); an experiment by id, or by name for `get-by-name`; an
 * artifact-proxy path → the experiment id in its leading `^\d+/` segment (none: the default
 * permission, as MLflow).
 *
 * An unknown run, logged model or experiment name: MLflow's check itself answers 404 (auth
 * traffic §6: `runs/get?run_id=doesnotexist` → 404, `get-by-name` of a missing name → 404). kvflow
 * lets the handler answer that 404 only when the caller could read at their default permission;
 * otherwise 403, so a caller who may read nothing cannot probe which ids exist.
 *
 * After a handler succeeded, grant_upkeep.ts keeps grants in step (creator's MANAGE, renamed and
 * deleted registered models).
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AuthStore, Permission, User } from "../../store/auth/types.ts";
import type { AppEnv } from "../app_env.ts";
import { authenticate, isAuthFailure } from "./authenticate.ts";
import { createCredentialCache, type CredentialCache } from "./credential_cache.ts";
import { csrfRefusal } from "./csrf.ts";
import { decide } from "./decide.ts";
import { createExperimentIdCache } from "./experiment_ids.ts";
import { type Access, loadAccess } from "./access.ts";
import { modelVersionSourceTargets } from "./model_version_source.ts";
import { grantCreator, moveModelGrants } from "./grant_upkeep.ts";
import { bodyArgs, grantOn, idValues, type Target, targetOf } from "./targets.ts";
import { canRead } from "./permissions.ts";
import {
  permissionFor,
  type ResourceCheck,
  type RoutePermission,
  type SearchCheck,
  UNMATCHED_PERMISSION,
} from "./route_permissions.ts";
import { currentSession, hasSessionCookie } from "./session_cookie.ts";

/** `createApp`'s auth option: where users and grants live, and what applies without a grant. */
export interface AuthOptions {
  store: AuthStore;
  /** MLflow's `default_permission`: the level on every resource a user holds no grant on. */
  defaultPermission: Permission;
  /** The per-process credential cache; one is created when absent. */
  cache?: CredentialCache;
}

/** MLflow's 403 text (auth traffic §2). */
export const PERMISSION_DENIED_MESSAGE = "Permission denied";

/**
 * The matched route's `{path, index}`: the handler's (not a middleware's) registration; `page`
 * when it is an `all()` registration, which only the UI's pages and forms use.
 */
function matchedRoute(c: Context): { path: string; index: number; page: boolean } | undefined {
  const routes = matchedRoutes(c);
  // A route with a method first; then an `all()` UI page. Middleware is `ALL …*`, or `ALL` on a
  // path a method route shares (`decodeRequest` on `/get-artifact`), so it is passed over.
  let all: { path: string; index: number; page: boolean } | undefined;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i];
    if (r.path.endsWith("*")) continue;
    if (r.method !== "ALL") return { path: r.path, index: i, page: false };
    all ??= { path: r.path, index: i, page: true };
  }
  return all;
}

/** The declaration of the request's route; unknown paths need credentials (then 404/405). */
function declarationOf(
  c: Context,
): { permission: RoutePermission; path?: string; index: number; page: boolean } {
  const route = matchedRoute(c);
  if (route === undefined) return { permission: UNMATCHED_PERMISSION, index: -1, page: false };
  const permission = permissionFor(c.req.method, route.path) ?? UNMATCHED_PERMISSION;
  return { permission, path: route.path, index: route.index, page: route.page };
}

/** The peer's address (the failed-login limiter's per-address key), when the server gave one. */
export function clientAddress(c: Context): string | undefined {
  const env = c.env as { remoteAddr?: { hostname?: unknown } } | undefined;
  const host = env?.remoteAddr?.hostname;
  return typeof host === "string" ? host : undefined;
}

/** What the UI lends {@linkcode authenticateRequest}. */
export interface AuthenticateHooks {
  /**
   * The 401 an anonymous browser gets for a page: the login form (ui/login.tsx), without
   * `WWW-Authenticate`, which would open the browser's own Basic dialog instead.
   */
  loginPage?: (c: Context<AppEnv>) => Response | Promise<Response>;
}

/** What the UI lends {@linkcode authorizeRequest}. */
export interface AuthorizeHooks {
  /**
   * The 403 a browser gets for a page its caller may not open (`/admin/users` for a non-admin):
   * an HTML page rather than the API's JSON error.
   */
  forbiddenPage?: (c: Context<AppEnv>) => Response | Promise<Response>;
}

/**
 * Whether a browser is asking for a page (a navigation), not a script for data: a UI page, or a
 * path no route serves outside the API (a mistyped address gets the form, then its 404, rather
 * than the browser's Basic dialog).
 */
function wantsPage(c: Context, route: { page: boolean; index: number }): boolean {
  const method = c.req.method;
  const unmatchedPage = route.index === -1 && !/^\/(api|ajax-api)\//.test(c.req.path);
  return (route.page || unmatchedPage) && (method === "GET" || method === "HEAD") &&
    (c.req.header("accept") ?? "").includes("text/html");
}

/**
 * The first middleware: 401 (with `WWW-Authenticate`) or 429 for anything but public routes
 * without valid credentials; sets `c.var.user`. Without an `Authorization` header, the
 * `kvflow_session` cookie of a live session authenticates (`authVia: "session"`), and its writes
 * must pass the CSRF checks of csrf.ts (403 otherwise); an `Authorization` header, when present,
 * wins and the cookie is ignored.
 */
export function authenticateRequest(
  opts: AuthOptions,
  hooks: AuthenticateHooks = {},
): MiddlewareHandler<AppEnv> {
  const cache = opts.cache ?? createCredentialCache();
  return async (c, next) => {
    const route = declarationOf(c);
    const { permission } = route;
    if (permission.action === "none") return await next();
    const cookie = c.req.header("cookie");
    const noAuthorization = !c.req.raw.headers.has("authorization");
    if (noAuthorization) {
      const live = await currentSession(opts.store, cookie);
      if (live !== null) {
        const refusal = csrfRefusal(c, live.session.csrf_token);
        if (refusal !== null) return denied(c, refusal);
        c.set("csrfToken", live.session.csrf_token);
        return await proceed(c, next, live.user, "session");
      }
      if (hooks.loginPage && wantsPage(c, route)) return await hooks.loginPage(c);
    }
    const result = await authenticate(opts.store, cache, c.req.raw.headers, clientAddress(c));
    if (isAuthFailure(result)) {
      const { body, status, headers } = result.response;
      const res = new Response(body, { status, headers });
      // A browser whose session ended: its scripts' calls must not open the Basic dialog.
      if (result.reason === "missing" && hasSessionCookie(cookie)) {
        res.headers.delete("www-authenticate");
      }
      return res;
    }
    return await proceed(c, next, result.user, result.via);
  };

  async function proceed(
    c: Context<AppEnv>,
    next: () => Promise<void>,
    user: User,
    via: "password" | "token" | "session",
  ): Promise<void> {
    c.set("user", user);
    c.set("authVia", via);
    let access: Promise<Access> | undefined;
    c.set("access", () => access ??= loadAccess(opts.store, user, opts.defaultPermission));
    await next();
  }
}

function denied(c: Context, message = PERMISSION_DENIED_MESSAGE): Response {
  return c.json({ error_code: "PERMISSION_DENIED", message }, 403);
}

/** Whether `user` may read the experiment `id`. */
async function mayReadExperiment(opts: AuthOptions, user: User, id: string): Promise<boolean> {
  if (user.is_admin) return true;
  const grant = await opts.store.findExperimentPermission(id, user.id);
  return canRead(grant ?? opts.defaultPermission);
}

/**
 * Makes a search safe before its handler runs. `runs/search` and `logged-models/search` name
 * their experiments: unreadable ones are dropped (MLflow's own behaviour for runs, mlflow-rest.md
 * §8), so none left means an empty page. The other searches pass: their handlers hand the store
 * the caller's `c.var.access()` predicates, which leave hidden items out and refill the pages.
 */
async function guardSearch(
  c: Context<AppEnv>,
  opts: AuthOptions,
  check: SearchCheck,
  user: User,
): Promise<Response | undefined> {
  if (user.is_admin || (check.resource !== "run" && check.resource !== "logged_model")) {
    return undefined;
  }
  const args = await bodyArgs(c);
  const ids = Array.isArray(args.experiment_ids) ? args.experiment_ids : [];
  const kept: unknown[] = [];
  for (const id of ids) {
    // A number names the same experiment once validation coerces it; other values fail it.
    const named = typeof id === "string" || typeof id === "number";
    if (!named || await mayReadExperiment(opts, user, String(id))) kept.push(id);
  }
  if (kept.length === ids.length) return undefined;
  // What both handlers answer for a search that matches nothing (logged-models/search would
  // refuse an empty list with a 400 instead).
  if (kept.length === 0) return c.json({}, 200);
  c.req.bodyCache.json = Promise.resolve({ ...args, experiment_ids: kept });
  return undefined;
}

/**
 * Whether a non-admin `user` may read what a new model version's files come from (its run,
 * logged model, source version or artifact location; model_version_source.ts). An unknown run
 * or logged model: the handler's 404 only for a caller who could read it by default.
 */
async function maySourceBeRead(
  c: Context<AppEnv>,
  opts: AuthOptions,
  user: User,
): Promise<boolean> {
  for (const target of await modelVersionSourceTargets(c.var.store, await bodyArgs(c))) {
    const grant = target === null ? null : await grantOn(opts.store, target, user);
    if (!canRead(grant ?? opts.defaultPermission)) return false;
  }
  return true;
}

/**
 * The second middleware, after `decodeRequest`: checks the declared capability on the resource
 * the request names (every one of them for a `many` id), guards searches, and grants a creator
 * MANAGE once the handler succeeded.
 */
export function authorizeRequest(
  opts: AuthOptions,
  hooks: AuthorizeHooks = {},
): MiddlewareHandler<AppEnv> {
  const experiments = createExperimentIdCache();
  return async (c, next) => {
    const route = declarationOf(c);
    const { permission } = route;
    const user = c.var.user;
    if (permission.action === "none") return await next();
    // authenticateRequest ran first; no user here means it was not mounted before this one.
    if (user === undefined) throw new Error("authorizeRequest needs authenticateRequest first");
    const caller = { username: user.username, isAdmin: user.is_admin };
    const defaultPermission = opts.defaultPermission;

    if (permission.action === "authenticated" && "filter" in permission) {
      const refused = await guardSearch(c, opts, permission, user);
      if (refused) return refused;
      return await next();
    }
    if (permission.action === "create") {
      await next();
      await grantCreator(c, opts, user);
      return;
    }
    if (permission.resource === "user") {
      const target = "id" in permission ? (await idValues(c, permission.id, route))[0] : undefined;
      const d = decide({ permission, caller, defaultPermission, targetUsername: target });
      return d === "allow" ? await next() : denied(c);
    }
    if (!("id" in permission)) {
      if (decide({ permission, caller, defaultPermission }) === "allow") return await next();
      return hooks.forbiddenPage && wantsPage(c, route) ? await hooks.forbiddenPage(c) : denied(c);
    }
    if (user.is_admin) {
      await next();
      return await moveModelGrants(c, opts, route.path);
    }

    const check = permission as ResourceCheck;
    const values = await idValues(c, check.id, route);
    // No id: the handler refuses the request; decide on the default so nothing slips through.
    const targets: (Target | null)[] = values.length === 0 ? [{ kind: "default" }] : [];
    for (const v of values) targets.push(await targetOf(c, check, v, experiments));
    for (const target of targets) {
      if (target === null) {
        // Unknown resource: the handler's 404 only for a caller who could read it by default.
        if (!canRead(defaultPermission)) return denied(c);
        continue;
      }
      const grant = await grantOn(opts.store, target, user);
      if (decide({ permission, caller, grant, defaultPermission }) !== "allow") return denied(c);
    }
    if (route.path?.endsWith("/model-versions/create") && !await maySourceBeRead(c, opts, user)) {
      return denied(c);
    }
    await next();
    await moveModelGrants(c, opts, route.path);
  };
}
