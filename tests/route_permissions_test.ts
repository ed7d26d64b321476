/**
 * Every route the app serves declares what it needs (design.md convention 16), and the
 * declarations mean what MLflow's basic-auth app means (../shared/mlflow-rest.md §8,
 * ../shared/mlflow-auth-traffic.md §6). A new route without a declaration fails here.
 */
import assert from "node:assert/strict";
import { decide } from "../routes/auth/decide.ts";
import {
  type IdLocation,
  permissionFor,
  ROUTE_PERMISSIONS,
  type RoutePermission,
  UNMATCHED_PERMISSION,
} from "../routes/auth/route_permissions.ts";
import { createApp } from "../routes/mod.ts";
import { createServerMetrics } from "../routes/monitoring/server_metrics.ts";
import { buildOpenApiDocument } from "../routes/openapi_document.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { Permission } from "../store/auth/types.ts";

// With auth and metrics, so the routes served only then (the user, permission and token
// endpoints, the users and tokens pages, /metrics) are enumerated too.
const app = createApp({
  store: createMemoryStore(),
  auth: { store: createMemoryAuthStore(), defaultPermission: "READ" },
  metrics: createServerMetrics("test"),
});

/**
 * The `METHOD path` of every route the app serves. `app.use` middleware is registered as `ALL`
 * too; it is told apart by its pattern (`…*`) or by sharing its path with a real route
 * (`decodeRequest` on `/get-artifact`). The UI's pages are `all()` routes and are kept.
 */
function servedRoutes(): string[] {
  const methodPaths = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => r.path));
  const keys = new Set<string>();
  for (const r of app.routes) {
    if (r.method === "ALL" && (r.path.endsWith("*") || methodPaths.has(r.path))) continue;
    keys.add(`${r.method} ${r.path}`);
  }
  return [...keys];
}

Deno.test("route permissions: every route the app serves has a declaration", () => {
  const served = servedRoutes();
  // Guard against the enumeration itself going blind (e.g. a Hono upgrade changing `routes`).
  assert.ok(served.length >= 80, `only ${served.length} routes found`);
  for (const key of ["GET /health", "POST /api/2.0/mlflow/runs/create", "ALL /static/:file"]) {
    assert.ok(served.includes(key), key);
  }
  const missing = served.filter((k) => !Object.hasOwn(ROUTE_PERMISSIONS, k));
  assert.deepEqual(
    missing,
    [],
    `routes without a permission declaration in routes/auth/route_permissions.ts:\n  ${
      missing.join("\n  ")
    }`,
  );
});

Deno.test("route permissions: no declaration is stale (each names a served route)", () => {
  const served = new Set(servedRoutes());
  const stale = Object.keys(ROUTE_PERMISSIONS).filter((k) => !served.has(k));
  assert.deepEqual(stale, [], `declarations no route matches:\n  ${stale.join("\n  ")}`);
});

// ---- the id each declaration reads exists in its route's request schema ----------------------

type Json = Record<string, unknown>;
const doc = buildOpenApiDocument(app) as unknown as Json;

function deref(schema: Json): Json {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.replace("#/components/schemas/", "");
  return ((doc.components as Json).schemas as Json)[name] as Json;
}

/** The fields a route's request carries in `from`, read from the OpenAPI document. */
function requestFields(method: string, honoPath: string, from: IdLocation["from"]): string[] {
  const path = honoPath.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
  const op = ((doc.paths as Json)[path] as Json | undefined)?.[method.toLowerCase()] as
    | Json
    | undefined;
  assert.ok(op, `${method} ${path} is not in the OpenAPI document`);
  if (from === "body") {
    const body = (op.requestBody as Json | undefined)?.content as Json | undefined;
    const schema = (body?.["application/json"] as Json | undefined)?.schema as Json | undefined;
    return schema ? Object.keys((deref(schema).properties as Json | undefined) ?? {}) : [];
  }
  const params = (op.parameters as Json[] | undefined) ?? [];
  return params.filter((p) => p.in === from).map((p) => p.name as string);
}

Deno.test("route permissions: every declared id field is in the route's request schema", () => {
  for (const [key, perm] of Object.entries(ROUTE_PERMISSIONS)) {
    if (!("id" in perm)) continue;
    const [method, path] = key.split(" ");
    const fields = requestFields(method, path, perm.id.from);
    assert.ok(
      fields.includes(perm.id.field),
      `${key}: no ${perm.id.from} field ${perm.id.field} (has ${fields.join(", ")})`,
    );
  }
});

// ---- the contract, written independently from §8's table -------------------------------------

/**
 * MLflow's endpoints and what §8 / auth traffic §6 say each needs, as `resource action`. Kept
 * apart from the declarations on purpose: this is the contract, the table is the code.
 */
const CONTRACT: Record<string, string> = {
  "POST experiments/create": "experiment create",
  "GET experiments/get": "experiment read",
  "GET experiments/get-by-name": "experiment read",
  "POST experiments/search": "experiment authenticated",
  "POST experiments/update": "experiment update",
  "POST experiments/set-experiment-tag": "experiment update",
  "POST experiments/delete": "experiment delete",
  "POST experiments/restore": "experiment delete",
  "POST runs/create": "experiment update",
  "POST logged-models": "experiment update",
  "GET runs/get": "run read",
  "GET metrics/get-history": "run read",
  "GET artifacts/list": "run read",
  "GET metrics/get-history-bulk-interval": "run read",
  "POST runs/update": "run update",
  "POST runs/log-metric": "run update",
  "POST runs/log-batch": "run update",
  "POST runs/log-model": "run update",
  "POST runs/set-tag": "run update",
  "POST runs/delete-tag": "run update",
  "POST runs/log-parameter": "run update",
  "POST upload-artifact": "run update",
  "POST runs/delete": "run delete",
  "POST runs/restore": "run delete",
  "POST runs/search": "run authenticated",
  "GET logged-models/:model_id": "logged_model read",
  "GET logged-models/:model_id/artifacts/directories": "logged_model read",
  "PATCH logged-models/:model_id": "logged_model update",
  "PATCH logged-models/:model_id/tags": "logged_model update",
  "POST logged-models/:model_id/params": "logged_model update",
  "DELETE logged-models/:model_id": "logged_model delete",
  "DELETE logged-models/:model_id/tags/:tag_key{.+}": "logged_model delete",
  "POST logged-models/search": "logged_model authenticated",
  "POST registered-models/create": "registered_model create",
  "GET registered-models/get": "registered_model read",
  "POST registered-models/get-latest-versions": "registered_model read",
  "GET model-versions/get": "model_version read",
  "GET model-versions/get-download-uri": "model_version read",
  "GET registered-models/alias": "registered_model read",
  "PATCH registered-models/update": "registered_model update",
  "POST registered-models/rename": "registered_model update",
  "POST registered-models/set-tag": "registered_model update",
  "DELETE registered-models/delete-tag": "registered_model update",
  "POST registered-models/alias": "registered_model update",
  "POST model-versions/create": "model_version update",
  "PATCH model-versions/update": "model_version update",
  "POST model-versions/transition-stage": "model_version update",
  "POST model-versions/set-tag": "model_version update",
  "DELETE registered-models/delete": "registered_model delete",
  "DELETE model-versions/delete": "model_version delete",
  "DELETE model-versions/delete-tag": "model_version delete",
  "DELETE registered-models/alias": "registered_model delete",
  "GET registered-models/search": "registered_model authenticated",
  "GET model-versions/search": "model_version authenticated",
  // Auth traffic §6: self-or-admin, admin only, and MANAGE on the resource.
  "GET users/get": "user read",
  "PATCH users/update-password": "user update",
  "POST users/create": "user admin",
  "PATCH users/update-admin": "user admin",
  "DELETE users/delete": "user admin",
  "POST experiments/permissions/create": "experiment manage",
  "GET experiments/permissions/get": "experiment manage",
  "PATCH experiments/permissions/update": "experiment manage",
  "DELETE experiments/permissions/delete": "experiment manage",
  "POST registered-models/permissions/create": "registered_model manage",
  "GET registered-models/permissions/get": "registered_model manage",
  "PATCH registered-models/permissions/update": "registered_model manage",
  "DELETE registered-models/permissions/delete": "registered_model manage",
  // kvflow's extensions (brief): admin, the caller themself, MANAGE on the resource.
  "GET users/list": "user admin",
  "GET users/current": "user authenticated",
  "POST users/tokens/create": "user authenticated",
  "GET users/tokens/list": "user authenticated",
  "DELETE users/tokens/revoke": "user authenticated",
  "GET experiments/permissions/list": "experiment manage",
  "GET registered-models/permissions/list": "registered_model manage",
};

Deno.test("route permissions: MLflow's endpoints need what §8 says", () => {
  for (const [key, want] of Object.entries(CONTRACT)) {
    const [method, rel] = key.split(" ");
    const perm = permissionFor(method, `/api/2.0/mlflow/${rel}`);
    assert.ok(perm, `${key}: no declaration`);
    assert.equal(`${perm.resource} ${perm.action}`, want, key);
  }
  const proxy = "/api/2.0/mlflow-artifacts/artifacts/:artifact_path{.+}";
  for (const [method, action] of [["GET", "read"], ["PUT", "update"], ["DELETE", "delete"]]) {
    const perm = permissionFor(method, proxy);
    assert.deepEqual(
      perm && { resource: perm.resource, action: perm.action, id: "id" in perm && perm.id },
      {
        resource: "artifact_path",
        action,
        id: { from: "path", field: "artifact_path", holds: "artifact_path" },
      },
    );
  }
  assert.deepEqual(permissionFor("GET", "/health"), { resource: "public", action: "none" });
  assert.deepEqual(permissionFor("GET", "/static/:file"), { resource: "public", action: "none" });
  for (const path of ["/version", "/openapi.json", "/", "/experiments/:experimentId"]) {
    assert.equal(permissionFor("GET", path)?.action, "authenticated", path);
  }
  // Run endpoints are resolved through the run (→ its experiment), by run_id.
  assert.deepEqual(permissionFor("POST", "/api/2.0/mlflow/runs/log-batch"), {
    resource: "run",
    action: "update",
    id: { from: "body", field: "run_id" },
  });
  assert.deepEqual(permissionFor("POST", "/api/2.0/mlflow/runs/create"), {
    resource: "experiment",
    action: "update",
    id: { from: "body", field: "experiment_id" },
  });
});

Deno.test("route permissions: permissionFor maps /ajax-api, HEAD and all() routes", () => {
  const runsGet = permissionFor("GET", "/api/2.0/mlflow/runs/get");
  assert.ok(runsGet);
  assert.equal(permissionFor("GET", "/ajax-api/2.0/mlflow/runs/get"), runsGet);
  assert.equal(permissionFor("HEAD", "/api/2.0/mlflow/runs/get"), runsGet);
  assert.equal(permissionFor("get", "/api/2.0/mlflow/runs/get"), runsGet);
  assert.equal(permissionFor("POST", "/api/2.0/mlflow/runs/get"), undefined);
  assert.equal(permissionFor("GET", "/nope"), undefined);
  assert.equal(permissionFor("GET", "toString"), undefined);
  assert.equal(permissionFor("DELETE", "/compare")?.action, "authenticated");
  assert.equal(UNMATCHED_PERMISSION.action, "authenticated");
});

// ---- the generated matrix: declaration × caller → decision ------------------------------------

type CallerKind = "anonymous" | Permission | "admin";
const CALLERS: CallerKind[] = ["anonymous", "NO_PERMISSIONS", "READ", "EDIT", "MANAGE", "admin"];

/**
 * The oracle, from §8 by hand: which non-admin levels may do each capability; 401 without
 * credentials except for public routes; admins everything; users/* self or admin.
 */
const LEVELS_ALLOWED: Record<string, string[]> = {
  read: ["READ", "EDIT", "MANAGE"],
  update: ["EDIT", "MANAGE"],
  delete: ["MANAGE"],
  manage: ["MANAGE"],
};

function oracle(perm: RoutePermission, caller: CallerKind, self: boolean): string {
  if (perm.resource === "public") return "allow";
  if (caller === "anonymous") return "unauthenticated";
  if (caller === "admin") return "allow";
  if (perm.action === "admin") return "forbidden";
  if (perm.action === "authenticated" || perm.action === "create") return "allow";
  if (perm.resource === "user") return self ? "allow" : "forbidden";
  return LEVELS_ALLOWED[perm.action].includes(caller) ? "allow" : "forbidden";
}

const DEFAULTS: Permission[] = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"];

Deno.test("route permissions: matrix of every declaration × caller matches the §8 oracle", () => {
  let cases = 0;
  for (const [key, perm] of Object.entries(ROUTE_PERMISSIONS)) {
    for (const caller of CALLERS) {
      for (const self of [true, false]) {
        const user = caller === "anonymous"
          ? null
          : { username: "bob", isAdmin: caller === "admin" };
        const level = caller === "anonymous" || caller === "admin" ? undefined : caller;
        const want = oracle(perm, caller, self);
        const target = self ? "bob" : "alice";
        // The level as an explicit grant, whatever the default…
        for (const defaultPermission of DEFAULTS) {
          const got = decide({
            permission: perm,
            caller: user,
            grant: level,
            defaultPermission,
            targetUsername: target,
          });
          assert.equal(got, want, `${key} × ${caller} (grant, default ${defaultPermission})`);
          cases++;
        }
        // …and as the default with no grant.
        const got = decide({
          permission: perm,
          caller: user,
          grant: null,
          defaultPermission: level ?? "NO_PERMISSIONS",
          targetUsername: target,
        });
        assert.equal(got, want, `${key} × ${caller} (no grant)`);
        cases++;
      }
    }
  }
  assert.ok(cases >= Object.keys(ROUTE_PERMISSIONS).length * CALLERS.length);
  // Every route but the public ones refuses an anonymous caller.
  const open = Object.entries(ROUTE_PERMISSIONS)
    .filter(([, perm]) =>
      decide({ permission: perm, caller: null, defaultPermission: "MANAGE" }) === "allow"
    )
    .map(([k]) => k)
    .sort();
  // The login form and logout (which checks the session and its CSRF token itself) are open too.
  assert.deepEqual(open, ["ALL /login", "ALL /logout", "ALL /static/:file", "GET /health"]);
  // A READ user cannot write: no route with a capability above read lets READ through.
  for (const [key, perm] of Object.entries(ROUTE_PERMISSIONS)) {
    if ("id" in perm && perm.resource !== "user" && perm.action !== "read") {
      const got = decide({
        permission: perm,
        caller: { username: "bob", isAdmin: false },
        grant: "READ",
        defaultPermission: "MANAGE",
      });
      assert.equal(got, "forbidden", key);
    }
  }
});
