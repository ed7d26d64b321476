/**
 * What every route needs (design.md convention 16): one declaration per route the app serves,
 * keyed `METHOD path` exactly as Hono registers it (`app.routes`), so the auth middleware (later)
 * looks the matched route up here and handlers never check permissions themselves.
 * `tests/route_permissions_test.ts` fails when a route has no declaration or a declaration no
 * route, so a new route cannot ship without one.
 *
 * The MLflow endpoints follow ../shared/mlflow-rest.md §8 and ../shared/mlflow-auth-traffic.md §6.
 * Where MLflow leaves a hole (`/get-artifact`, `upload-artifact`, `get-history-bulk`, the proxy's
 * listing: authentication only), kvflow checks the run or experiment like its siblings, as issue
 * 11 §5 asks. `/ajax-api/…` needs no entries: routing maps it onto `/api/…` (routes/mod.ts), so
 * the twin gets the same declaration, as MLflow's checks do.
 *
 * @example
 * ```ts
 * permissionFor("POST", "/api/2.0/mlflow/runs/create");
 * // { resource: "experiment", action: "update", id: { from: "body", field: "experiment_id" } }
 * ```
 *
 * @module
 */
import type { Capability } from "./permissions.ts";

/** The kinds of thing a declaration is checked against. */
export type Resource =
  | "experiment"
  | "run"
  | "registered_model"
  | "logged_model"
  | "artifact_path"
  | "model_version"
  | "user"
  | "server"
  | "public";

/**
 * What a route does. The four capabilities are checked against the caller's effective level on
 * the resource; the rest need no grant:
 * - `create`: any authenticated user; the creator is granted MANAGE on what they made.
 * - `admin`: admins only.
 * - `authenticated`: any authenticated user (searches additionally filter, see `filter`).
 * - `none`: no credentials needed at all.
 */
export type Action = Capability | "create" | "admin" | "authenticated" | "none";

/** Where the resource's id is in the validated request. */
export interface IdLocation {
  /** GET routes read the query string, POST/PATCH/DELETE the JSON body, `:name` the path. */
  from: "body" | "query" | "path";
  /** The field's name on the wire (`run_id`, not the legacy `run_uuid`, which decoding copies). */
  field: string;
  /**
   * What the field holds when it is not the resource's id: an experiment's `name`
   * (`get-by-name`) or an artifact-proxy path whose leading `^\d+/` segment is the experiment
   * id (no such segment: the default permission applies, as in MLflow).
   */
  holds?: "name" | "artifact_path";
  /** The field repeats (`?run_id=a&run_id=b`): every id must pass. */
  many?: true;
}

/**
 * Resources checked through a grant. How each resolves to the resource a grant names:
 * `experiment` by id (or name); `run` and `logged_model` → their experiment; `artifact_path` →
 * the experiment id in its leading segment; `registered_model` by `name`; `model_version` → its
 * registered model (`name`).
 */
export type GrantedResource =
  | "experiment"
  | "run"
  | "logged_model"
  | "artifact_path"
  | "registered_model"
  | "model_version";

/** Needs a capability on one resource found in the request. */
export interface ResourceCheck {
  resource: GrantedResource;
  action: Capability;
  id: IdLocation;
}

/** Creates an experiment or registered model: authenticated; the creator then gets MANAGE. */
export interface CreateCheck {
  resource: "experiment" | "registered_model";
  action: "create";
}

/** A search: authenticated; results are only the items the caller can read (pages refilled). */
export interface SearchCheck {
  resource: "experiment" | "run" | "logged_model" | "registered_model" | "model_version";
  action: "authenticated";
  filter: "readable";
}

/** A user endpoint about the user named by `id`: that user or an admin. */
export interface SelfCheck {
  resource: "user";
  action: "read" | "update";
  id: IdLocation;
}

/** Admin only, or any authenticated user, or nobody's business. */
export interface PlainCheck {
  resource: "server" | "user";
  action: "admin" | "authenticated";
}

/** Open to anyone, with or without credentials. */
export interface PublicCheck {
  resource: "public";
  action: "none";
}

/** One route's declaration. */
export type RoutePermission =
  | ResourceCheck
  | CreateCheck
  | SearchCheck
  | SelfCheck
  | PlainCheck
  | PublicCheck;

const API = "/api/2.0/mlflow";
const PROXY = "/api/2.0/mlflow-artifacts";

const q = (field: string): IdLocation => ({ from: "query", field });
const b = (field: string): IdLocation => ({ from: "body", field });
const p = (field: string): IdLocation => ({ from: "path", field });

const on = (resource: GrantedResource, action: Capability, id: IdLocation): ResourceCheck => ({
  resource,
  action,
  id,
});
const search = (resource: SearchCheck["resource"]): SearchCheck => ({
  resource,
  action: "authenticated",
  filter: "readable",
});
const AUTHENTICATED: PlainCheck = { resource: "server", action: "authenticated" };
const PUBLIC: PublicCheck = { resource: "public", action: "none" };
const ADMIN: PlainCheck = { resource: "server", action: "admin" };
const USER_ADMIN: PlainCheck = { resource: "user", action: "admin" };
const USER_SELF: PlainCheck = { resource: "user", action: "authenticated" };

/**
 * What a request no route matches needs: credentials, so an anonymous caller learns nothing
 * (not even which paths exist) and gets 401 rather than 404, as MLflow authenticates every path
 * but static files and `/health`.
 */
export const UNMATCHED_PERMISSION: RoutePermission = AUTHENTICATED;

/** Every route's declaration, keyed `METHOD path` as in `app.routes`. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, RoutePermission>> = Object.freeze({
  // ---- server -------------------------------------------------------------------------------
  "GET /health": PUBLIC,
  // MLflow protects /version (only /static*, /favicon.ico and /health are open).
  "GET /version": AUTHENTICATED,
  "GET /openapi.json": AUTHENTICATED,
  // Served only with --expose-prometheus. Admins only: request counts by route and status, and
  // the process's memory, are the operator's business.
  "GET /metrics": ADMIN,

  // ---- experiments --------------------------------------------------------------------------
  [`POST ${API}/experiments/create`]: { resource: "experiment", action: "create" },
  [`GET ${API}/experiments/get`]: on("experiment", "read", q("experiment_id")),
  // kvflow's extension: key names of the experiment's runs, a read of the experiment.
  [`GET ${API}/experiments/list-keys`]: on("experiment", "read", q("experiment_id")),
  [`GET ${API}/experiments/get-by-name`]: on("experiment", "read", {
    ...q("experiment_name"),
    holds: "name",
  }),
  [`POST ${API}/experiments/search`]: search("experiment"),
  [`GET ${API}/experiments/search`]: search("experiment"),
  [`POST ${API}/experiments/update`]: on("experiment", "update", b("experiment_id")),
  [`POST ${API}/experiments/delete`]: on("experiment", "delete", b("experiment_id")),
  [`POST ${API}/experiments/restore`]: on("experiment", "delete", b("experiment_id")),
  [`POST ${API}/experiments/set-experiment-tag`]: on("experiment", "update", b("experiment_id")),
  [`POST ${API}/experiments/delete-experiment-tag`]: on(
    "experiment",
    "update",
    b("experiment_id"),
  ),

  // ---- runs (a run's permission is its experiment's) ----------------------------------------
  [`POST ${API}/runs/create`]: on("experiment", "update", b("experiment_id")),
  [`GET ${API}/runs/get`]: on("run", "read", q("run_id")),
  [`POST ${API}/runs/update`]: on("run", "update", b("run_id")),
  [`POST ${API}/runs/delete`]: on("run", "delete", b("run_id")),
  [`POST ${API}/runs/restore`]: on("run", "delete", b("run_id")),
  [`POST ${API}/runs/log-metric`]: on("run", "update", b("run_id")),
  [`POST ${API}/runs/log-parameter`]: on("run", "update", b("run_id")),
  [`POST ${API}/runs/set-tag`]: on("run", "update", b("run_id")),
  [`POST ${API}/runs/delete-tag`]: on("run", "update", b("run_id")),
  // kvflow's permanent deletes (issue 13): MANAGE, as only a manager may drop data for good.
  [`POST ${API}/runs/delete-permanently`]: on("run", "manage", b("run_id")),
  [`POST ${API}/experiments/delete-permanently`]: on("experiment", "manage", b("experiment_id")),
  [`POST ${API}/gc`]: ADMIN,
  [`POST ${API}/runs/log-batch`]: on("run", "update", b("run_id")),
  [`POST ${API}/runs/log-model`]: on("run", "update", b("run_id")),
  // MLflow checks nothing here (auth traffic §6, from source); it writes datasets into the run,
  // and issue 11 §4 says datasets inherit their experiment's permission, so: update.
  [`POST ${API}/runs/log-inputs`]: on("run", "update", b("run_id")),
  // MLflow's 3.x log-outputs links logged models to a run: a write to the run, like log-inputs.
  [`POST ${API}/runs/outputs`]: on("run", "update", b("run_id")),
  // MLflow 3 filters by the requested experiment_ids; kvflow filters results (issue 11 §4).
  [`POST ${API}/runs/search`]: search("run"),
  // kvflow's CSV export reads whole experiments: READ on every one named.
  [`GET ${API}/runs/export-csv`]: on("experiment", "read", { ...q("experiment_ids"), many: true }),

  // ---- metrics (reads of a run) -------------------------------------------------------------
  [`GET ${API}/metrics/get-history`]: on("run", "read", q("run_id")),
  // MLflow leaves the bulk reads unchecked (auth traffic §6); they read runs like get-history.
  [`GET ${API}/metrics/get-history-bulk-interval`]: on("run", "read", {
    ...q("run_ids"),
    many: true,
  }),
  [`GET ${API}/metrics/get-history-bulk`]: on("run", "read", { ...q("run_id"), many: true }),
  // kvflow's extension: the same points as get-history, bucketed.
  [`GET ${API}/metrics/get-history-downsampled`]: on("run", "read", q("run_id")),
  // …and for many runs at once: every run named must be readable, like the bulk reads.
  [`GET ${API}/metrics/get-history-downsampled-bulk`]: on("run", "read", {
    ...q("run_ids"),
    many: true,
  }),

  // ---- logged models (their experiment's permission) ----------------------------------------
  [`POST ${API}/logged-models/search`]: search("logged_model"),
  [`POST ${API}/logged-models`]: on("experiment", "update", b("experiment_id")),
  [`GET ${API}/logged-models/:model_id`]: on("logged_model", "read", p("model_id")),
  // PATCH on the model is finalize: an update.
  [`PATCH ${API}/logged-models/:model_id`]: on("logged_model", "update", p("model_id")),
  [`DELETE ${API}/logged-models/:model_id`]: on("logged_model", "delete", p("model_id")),
  [`PATCH ${API}/logged-models/:model_id/tags`]: on("logged_model", "update", p("model_id")),
  // §8's table: a logged model's delete-tag needs delete (unlike a run's or a model's tag).
  [`DELETE ${API}/logged-models/:model_id/tags/:tag_key{.+}`]: on(
    "logged_model",
    "delete",
    p("model_id"),
  ),
  [`POST ${API}/logged-models/:model_id/params`]: on("logged_model", "update", p("model_id")),
  [`GET ${API}/logged-models/:model_id/artifacts/directories`]: on(
    "logged_model",
    "read",
    p("model_id"),
  ),

  // ---- model registry (by registered-model name) --------------------------------------------
  [`POST ${API}/registered-models/create`]: { resource: "registered_model", action: "create" },
  // Rename moves the grants to new_name (3.1.3's behaviour); the check is on the old name.
  [`POST ${API}/registered-models/rename`]: on("registered_model", "update", b("name")),
  [`PATCH ${API}/registered-models/update`]: on("registered_model", "update", b("name")),
  [`DELETE ${API}/registered-models/delete`]: on("registered_model", "delete", b("name")),
  [`GET ${API}/registered-models/get`]: on("registered_model", "read", q("name")),
  [`GET ${API}/registered-models/search`]: search("registered_model"),
  [`POST ${API}/registered-models/get-latest-versions`]: on(
    "registered_model",
    "read",
    b("name"),
  ),
  [`GET ${API}/registered-models/get-latest-versions`]: on("registered_model", "read", q("name")),
  [`POST ${API}/registered-models/set-tag`]: on("registered_model", "update", b("name")),
  // Auth traffic §6: a registered model's delete-tag is an update (a version's tag is a delete).
  [`DELETE ${API}/registered-models/delete-tag`]: on("registered_model", "update", b("name")),
  [`POST ${API}/registered-models/alias`]: on("registered_model", "update", b("name")),
  [`DELETE ${API}/registered-models/alias`]: on("registered_model", "delete", b("name")),
  [`GET ${API}/registered-models/alias`]: on("registered_model", "read", q("name")),
  [`POST ${API}/model-versions/create`]: on("model_version", "update", b("name")),
  [`PATCH ${API}/model-versions/update`]: on("model_version", "update", b("name")),
  [`POST ${API}/model-versions/transition-stage`]: on("model_version", "update", b("name")),
  [`DELETE ${API}/model-versions/delete`]: on("model_version", "delete", b("name")),
  [`GET ${API}/model-versions/get`]: on("model_version", "read", q("name")),
  [`GET ${API}/model-versions/get-download-uri`]: on("model_version", "read", q("name")),
  // MLflow 2.17/3.1 leave it unfiltered, 3.11 filters; kvflow filters (issue 11 §4).
  [`GET ${API}/model-versions/search`]: search("model_version"),
  [`POST ${API}/model-versions/set-tag`]: on("model_version", "update", b("name")),
  [`DELETE ${API}/model-versions/delete-tag`]: on("model_version", "delete", b("name")),

  // ---- artifact proxy (experiment id = leading path segment) --------------------------------
  // MLflow checks only the default permission on a listing; kvflow reads the path like a GET.
  [`GET ${PROXY}/artifacts`]: on("artifact_path", "read", {
    ...q("path"),
    holds: "artifact_path",
  }),
  [`GET ${PROXY}/artifacts/:artifact_path{.+}`]: on("artifact_path", "read", {
    ...p("artifact_path"),
    holds: "artifact_path",
  }),
  [`PUT ${PROXY}/artifacts/:artifact_path{.+}`]: on("artifact_path", "update", {
    ...p("artifact_path"),
    holds: "artifact_path",
  }),
  [`DELETE ${PROXY}/artifacts/:artifact_path{.+}`]: on("artifact_path", "delete", {
    ...p("artifact_path"),
    holds: "artifact_path",
  }),
  // A multipart upload is a PUT in parts: create, complete and abort all need update.
  [`POST ${PROXY}/mpu/create/:artifact_path{.+}`]: on("artifact_path", "update", {
    ...p("artifact_path"),
    holds: "artifact_path",
  }),
  [`POST ${PROXY}/mpu/complete/:artifact_path{.+}`]: on("artifact_path", "update", {
    ...p("artifact_path"),
    holds: "artifact_path",
  }),
  [`POST ${PROXY}/mpu/abort/:artifact_path{.+}`]: on("artifact_path", "update", {
    ...p("artifact_path"),
    holds: "artifact_path",
  }),

  // ---- run artifacts (MLflow leaves get-artifact and upload-artifact unchecked) -------------
  [`GET ${API}/artifacts/list`]: on("run", "read", q("run_id")),
  [`POST ${API}/upload-artifact`]: on("run", "update", q("run_id")),
  "GET /get-artifact": on("run", "read", q("run_id")),
  "GET /model-versions/get-artifact": on("model_version", "read", q("name")),

  // ---- users, grants and API tokens (served only with auth; auth traffic §4, §6) ------------
  // users/get and update-password: the user themself or an admin; the rest of users/*: admins.
  [`POST ${API}/users/create`]: USER_ADMIN,
  [`GET ${API}/users/get`]: { resource: "user", action: "read", id: q("username") },
  [`PATCH ${API}/users/update-password`]: { resource: "user", action: "update", id: b("username") },
  [`PATCH ${API}/users/update-admin`]: USER_ADMIN,
  [`DELETE ${API}/users/delete`]: USER_ADMIN,
  [`GET ${API}/users/list`]: USER_ADMIN,
  // kvflow's: the caller themself, and their own tokens.
  [`GET ${API}/users/current`]: USER_SELF,
  [`POST ${API}/users/tokens/create`]: USER_SELF,
  [`GET ${API}/users/tokens/list`]: USER_SELF,
  [`DELETE ${API}/users/tokens/revoke`]: USER_SELF,
  // Grants on a resource need MANAGE on it; the resource's existence is never checked (MLflow).
  [`POST ${API}/experiments/permissions/create`]: on("experiment", "manage", b("experiment_id")),
  [`GET ${API}/experiments/permissions/get`]: on("experiment", "manage", q("experiment_id")),
  [`PATCH ${API}/experiments/permissions/update`]: on("experiment", "manage", b("experiment_id")),
  [`DELETE ${API}/experiments/permissions/delete`]: on("experiment", "manage", b("experiment_id")),
  [`GET ${API}/experiments/permissions/list`]: on("experiment", "manage", q("experiment_id")),
  [`POST ${API}/registered-models/permissions/create`]: on("registered_model", "manage", b("name")),
  [`GET ${API}/registered-models/permissions/get`]: on("registered_model", "manage", q("name")),
  [`PATCH ${API}/registered-models/permissions/update`]: on(
    "registered_model",
    "manage",
    b("name"),
  ),
  [`DELETE ${API}/registered-models/permissions/delete`]: on(
    "registered_model",
    "manage",
    b("name"),
  ),
  [`GET ${API}/registered-models/permissions/list`]: on("registered_model", "manage", q("name")),

  // ---- UI (registered with all() plus a GET-only guard) -------------------------------------
  // Static assets are open (MLflow: /static*); pages need a login. Each page checks what it
  // shows against the caller's access itself (ui/page_access.ts: lists filtered, an unreadable
  // item's page is the 403 page), and islands fetch further data through the API routes above.
  "ALL /static/:file": PUBLIC,
  "ALL /": AUTHENTICATED,
  "ALL /experiments/:experimentId": AUTHENTICATED,
  "ALL /experiments/compare/:ids": AUTHENTICATED,
  "ALL /runs/:runId": AUTHENTICATED,
  "ALL /compare": AUTHENTICATED,
  "ALL /models": AUTHENTICATED,
  "ALL /models/:name{.+}/versions/:version{[0-9]+}": AUTHENTICATED,
  "ALL /models/:name{.+}": AUTHENTICATED,
  // MLflow 3's prompts are registered models: each prompt page checks `registeredModel(name)`.
  "ALL /prompts": AUTHENTICATED,
  "ALL /prompts/:name{.+}": AUTHENTICATED,
  "ALL /logged-models/:modelId": AUTHENTICATED,
  // The API reference: the same document as GET /openapi.json, to the same callers.
  "ALL /docs": AUTHENTICATED,
  // Served only with auth. Admins only on the users page: a browser gets the UI's 403 page
  // (authorizeRequest's forbiddenPage hook), a script the API's JSON refusal; its changes go
  // through the admin-only users/* endpoints. The tokens page shows the caller's own tokens.
  "ALL /admin/users": ADMIN,
  "ALL /settings/tokens": AUTHENTICATED,
  // The login form is open; logout checks the session cookie and its CSRF token itself
  // (routes/auth/login.ts), so an ended session can still clear its cookie.
  "ALL /login": PUBLIC,
  "ALL /logout": PUBLIC,
});

/** Maps an `/ajax-api/…` path onto its `/api/…` twin, as routes/mod.ts's routing does. */
function apiTwin(path: string): string {
  return path.startsWith("/ajax-api/") ? `/api/${path.slice("/ajax-api/".length)}` : path;
}

/**
 * The declaration of the route Hono matched: `method` is the request's, `routePath` the matched
 * route's pattern (`c.req.routePath` of the handler, e.g. `/api/2.0/mlflow/logged-models/:model_id`).
 * HEAD falls back to GET (Hono answers HEAD with the GET handler) and any method to an `ALL`
 * registration. Undefined for an unknown route: the caller must then deny, never allow.
 */
export function permissionFor(method: string, routePath: string): RoutePermission | undefined {
  const path = apiTwin(routePath);
  const m = method.toUpperCase();
  const candidates = m === "HEAD" ? [`HEAD ${path}`, `GET ${path}`] : [`${m} ${path}`];
  candidates.push(`ALL ${path}`);
  for (const key of candidates) {
    if (Object.hasOwn(ROUTE_PERMISSIONS, key)) return ROUTE_PERMISSIONS[key];
  }
  return undefined;
}
