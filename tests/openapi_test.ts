/**
 * The committed openapi.yaml is exactly what the route specs produce, and it covers every route.
 * On failure, run `deno task openapi` and commit the result.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { permissionFor } from "../routes/auth/route_permissions.ts";
import { createApp } from "../routes/mod.ts";
import { buildOpenApiDocument, renderOpenApiYaml } from "../routes/openapi.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";

/** The app as the document describes it: with auth, so the user and permission routes are served. */
const authApp = () =>
  createApp({
    store: createMemoryStore(),
    auth: { store: createMemoryAuthStore(), defaultPermission: "READ" },
  });

const committedText = () => Deno.readTextFile(new URL("../openapi.yaml", import.meta.url));

Deno.test("openapi.yaml equals a freshly built document (run `deno task openapi` if not)", async () => {
  const app = authApp();
  assert.deepEqual(parse(await committedText()), buildOpenApiDocument(app));
  assert.equal(await committedText(), renderOpenApiYaml());
});

Deno.test("openapi.yaml is OpenAPI 3.1 titled kvflow and lists every route", async () => {
  const doc = parse(await committedText());
  assert.equal(doc.openapi, "3.1.0");
  assert.equal(doc.info.title, "kvflow");
  assert.match(doc.info.description, /\/ajax-api\/2\.0\//);
  const app = authApp();
  const served = new Set(
    app.routes
      .filter((r) => r.method !== "ALL" && r.path !== "/openapi.json")
      // Hono's `:artifact_path{.+}` is the document's `{artifact_path}`.
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)(\{[^/]*\})?/g, "{$1}")}`),
  );
  const documented = new Set(
    Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
  );
  assert.deepEqual([...documented].sort(), [...served].sort());
  for (
    const rpc of [
      "post /api/2.0/mlflow/experiments/create",
      "get /api/2.0/mlflow/experiments/search",
      "post /api/2.0/mlflow/experiments/search",
      "post /api/2.0/mlflow/experiments/delete-experiment-tag",
      "get /api/2.0/mlflow/runs/get",
      "post /api/2.0/mlflow/runs/log-batch",
      "post /api/2.0/mlflow/runs/log-inputs",
      "get /api/2.0/mlflow/metrics/get-history",
      "get /api/2.0/mlflow/metrics/get-history-bulk",
      "get /api/2.0/mlflow/metrics/get-history-bulk-interval",
      "get /api/2.0/mlflow/metrics/get-history-downsampled",
      "get /api/2.0/mlflow/metrics/get-history-downsampled-bulk",
      "get /api/2.0/mlflow/experiments/list-keys",
      "get /api/2.0/mlflow/runs/export-csv",
      "get /health",
      "get /version",
      "get /api/2.0/mlflow-artifacts/artifacts",
      "get /api/2.0/mlflow-artifacts/artifacts/{artifact_path}",
      "put /api/2.0/mlflow-artifacts/artifacts/{artifact_path}",
      "delete /api/2.0/mlflow-artifacts/artifacts/{artifact_path}",
      "post /api/2.0/mlflow-artifacts/mpu/create/{artifact_path}",
      "post /api/2.0/mlflow-artifacts/mpu/complete/{artifact_path}",
      "post /api/2.0/mlflow-artifacts/mpu/abort/{artifact_path}",
      "get /api/2.0/mlflow/artifacts/list",
      "post /api/2.0/mlflow/upload-artifact",
      "get /get-artifact",
      "post /api/2.0/mlflow/logged-models",
      "post /api/2.0/mlflow/logged-models/search",
      "get /api/2.0/mlflow/logged-models/{model_id}",
      "patch /api/2.0/mlflow/logged-models/{model_id}",
      "delete /api/2.0/mlflow/logged-models/{model_id}",
      "patch /api/2.0/mlflow/logged-models/{model_id}/tags",
      "delete /api/2.0/mlflow/logged-models/{model_id}/tags/{tag_key}",
      "post /api/2.0/mlflow/logged-models/{model_id}/params",
      "get /api/2.0/mlflow/logged-models/{model_id}/artifacts/directories",
      "post /api/2.0/mlflow/runs/outputs",
      "post /api/2.0/mlflow/registered-models/create",
      "get /api/2.0/mlflow/registered-models/search",
      "post /api/2.0/mlflow/registered-models/alias",
      "get /api/2.0/mlflow/registered-models/alias",
      "delete /api/2.0/mlflow/registered-models/alias",
      "patch /api/2.0/mlflow/registered-models/update",
      "post /api/2.0/mlflow/model-versions/create",
      "get /api/2.0/mlflow/model-versions/get-download-uri",
      "get /api/2.0/mlflow/model-versions/search",
      "delete /api/2.0/mlflow/model-versions/delete",
      "post /api/2.0/mlflow/users/create",
      "get /api/2.0/mlflow/users/current",
      "delete /api/2.0/mlflow/users/tokens/revoke",
      "post /api/2.0/mlflow/experiments/permissions/create",
      "get /api/2.0/mlflow/registered-models/permissions/list",
      "post /api/2.0/mlflow/gc",
      "post /api/2.0/mlflow/runs/delete-permanently",
      "post /api/2.0/mlflow/experiments/delete-permanently",
      "get /model-versions/get-artifact",
    ]
  ) {
    assert.ok(documented.has(rpc), rpc);
  }
  // 39 before MLflow 3 logged models, which add 9 logged-models routes and runs/outputs.
  // The model registry adds 22: 13 registered-models routes (get-latest-versions as POST and GET,
  // alias as POST, GET and DELETE) and 9 model-versions routes.
  // Auth adds 20: 7 users routes, 3 token routes and 5 permission routes per resource kind.
  // Permanent delete (issue 13) adds 3: gc, runs/ and experiments/delete-permanently.
  // Issue 14 adds 3: metrics/get-history-downsampled-bulk (the chart view),
  // experiments/list-keys (the runs table's column chooser) and runs/export-csv (the CSV export).
  // Issue 17 adds 1: /model-versions/get-artifact (its /ajax-api twin is routed, not documented).
  assert.equal(documented.size, 49 + 22 + 20 + 3 + 3 + 1);
});

Deno.test("openapi.yaml documents artifact bodies as binary and no raw Hono patterns", async () => {
  const text = await committedText();
  assert.doesNotMatch(text, /\{artifact_path\{/);
  const doc = parse(text);
  const file = doc.paths["/api/2.0/mlflow-artifacts/artifacts/{artifact_path}"];
  assert.deepEqual(file.put.requestBody.content["application/octet-stream"].schema, {
    type: "string",
    format: "binary",
  });
  assert.ok(file.get.responses["206"].content["application/octet-stream"]);
  assert.ok(
    doc.paths["/api/2.0/mlflow/upload-artifact"].post.requestBody
      .content["application/octet-stream"],
  );
});

// ---- what SDK generators need (issue 16) -----------------------------------------------------

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  path: string;
  op: Json;
}

/** Every operation of the committed document. */
async function operations(): Promise<{ doc: Json; ops: Operation[] }> {
  const doc = parse(await committedText()) as Json;
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) ops.push({ method, path, op: op as Json });
  }
  return { doc, ops };
}

Deno.test("openapi.yaml: every operation has a unique lowerCamelCase operationId", async () => {
  const { ops } = await operations();
  const ids = ops.map(({ op }) => op.operationId as string);
  for (const [i, id] of ids.entries()) {
    assert.match(id ?? "", /^[a-z][a-zA-Z0-9]*$/, `${ops[i].method} ${ops[i].path}: ${id}`);
  }
  assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
  // MLflow's RPC names, where there is one; kvflow's own in the same style.
  const expected: Record<string, string> = {
    "post /api/2.0/mlflow/experiments/create": "createExperiment",
    "get /api/2.0/mlflow/experiments/get-by-name": "getExperimentByName",
    "post /api/2.0/mlflow/experiments/search": "searchExperiments",
    "post /api/2.0/mlflow/runs/create": "createRun",
    "post /api/2.0/mlflow/runs/log-parameter": "logParam",
    "post /api/2.0/mlflow/runs/log-batch": "logBatch",
    "post /api/2.0/mlflow/runs/search": "searchRuns",
    "get /api/2.0/mlflow/metrics/get-history": "getMetricHistory",
    "get /api/2.0/mlflow/metrics/get-history-bulk-interval": "getMetricHistoryBulkInterval",
    "get /api/2.0/mlflow/metrics/get-history-downsampled": "getMetricHistoryDownsampled",
    "get /api/2.0/mlflow/metrics/get-history-downsampled-bulk": "getMetricHistoryDownsampledBulk",
    "get /api/2.0/mlflow/artifacts/list": "listArtifacts",
    "put /api/2.0/mlflow-artifacts/artifacts/{artifact_path}": "uploadArtifact",
    "get /api/2.0/mlflow-artifacts/artifacts/{artifact_path}": "downloadArtifact",
    "post /api/2.0/mlflow-artifacts/mpu/create/{artifact_path}": "createMultipartUpload",
    "patch /api/2.0/mlflow/logged-models/{model_id}": "finalizeLoggedModel",
    "post /api/2.0/mlflow/registered-models/create": "createRegisteredModel",
    "get /api/2.0/mlflow/registered-models/alias": "getModelVersionByAlias",
    "post /api/2.0/mlflow/model-versions/transition-stage": "transitionModelVersionStage",
    "get /api/2.0/mlflow/model-versions/get-download-uri": "getModelVersionDownloadUri",
    "patch /api/2.0/mlflow/users/update-password": "updateUserPassword",
    "post /api/2.0/mlflow/experiments/permissions/create": "createExperimentPermission",
    "get /health": "health",
    "get /version": "version",
  };
  const byRoute = new Map(ops.map(({ method, path, op }) => [`${method} ${path}`, op.operationId]));
  for (const [route, id] of Object.entries(expected)) assert.equal(byRoute.get(route), id, route);
});

Deno.test("openapi.yaml: one resource tag, a summary and a description per operation", async () => {
  const { doc, ops } = await operations();
  const tags = doc.tags as { name: string; description: string }[];
  assert.deepEqual(tags.map((t) => t.name), [
    "Experiments",
    "Runs",
    "Metrics",
    "Artifacts",
    "Logged models",
    "Model registry",
    "Users and permissions",
    "Server",
  ]);
  for (const t of tags) assert.ok(t.description.length > 0, t.name);
  const names = new Set(tags.map((t) => t.name));
  const used = new Set<string>();
  for (const { method, path, op } of ops) {
    const where = `${method} ${path}`;
    const opTags = op.tags as string[];
    assert.equal(opTags.length, 1, where);
    assert.ok(names.has(opTags[0]), `${where}: ${opTags[0]}`);
    used.add(opTags[0]);
    assert.ok(typeof op.summary === "string" && op.summary.length > 0, `${where}: summary`);
    assert.ok(
      typeof op.description === "string" && op.description.length > 0,
      `${where}: description`,
    );
  }
  assert.deepEqual([...used].sort(), [...names].sort(), "every tag is used");
});

Deno.test("openapi.yaml: the core requests carry examples", async () => {
  const { ops } = await operations();
  const byId = new Map(ops.map(({ op }) => [op.operationId, op]));
  const bodyExample = (id: string) =>
    // deno-lint-ignore no-explicit-any
    (byId.get(id) as any)?.requestBody?.content?.["application/json"]?.example;
  for (const id of ["createExperiment", "createRun", "logBatch", "searchRuns"]) {
    assert.ok(bodyExample(id), id);
  }
  assert.equal(bodyExample("createRegisteredModel").name, "fraud-classifier");
  const params = byId.get("getMetricHistory")!.parameters as { name: string; schema: Json }[];
  for (const name of ["run_id", "metric_key"]) {
    assert.ok(params.find((p) => p.name === name)?.schema.example, name);
  }
});

Deno.test("openapi.yaml: servers, license, and security exactly where auth applies", async () => {
  const { doc, ops } = await operations();
  assert.deepEqual((doc.servers as Json[]).map((s) => s.url), ["/"]);
  assert.ok(((doc.info as Json).license as Json).name);
  const schemes = (doc.components as Json).securitySchemes as Record<string, Json>;
  assert.deepEqual(schemes.basicAuth.type, "http");
  assert.deepEqual(schemes.basicAuth.scheme, "basic");
  assert.deepEqual(schemes.bearerAuth.scheme, "bearer");
  assert.deepEqual(doc.security, [{ basicAuth: [] }, { bearerAuth: [] }]);
  // `security: []` exactly on what the auth middleware lets through without credentials.
  const app = authApp();
  const publicRoutes = new Set(
    app.routes
      .filter((r) => r.method !== "ALL" && r.path !== "/openapi.json")
      .filter((r) => permissionFor(r.method, r.path)?.action === "none")
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)(\{[^/]*\})?/g, "{$1}")}`),
  );
  assert.deepEqual([...publicRoutes], ["get /health"]);
  for (const { method, path, op } of ops) {
    const open = publicRoutes.has(`${method} ${path}`);
    assert.deepEqual(op.security, open ? [] : undefined, `${method} ${path}`);
  }
});

Deno.test("openapi.yaml: every operation documents its errors as {error_code, message}", async () => {
  const { doc, ops } = await operations();
  const shared = (doc.components as Json).responses as Record<string, Json>;
  /** A reply's object, following a `$ref` into `components.responses`. */
  const reply = (r: Json) =>
    typeof r.$ref === "string" ? shared[r.$ref.replace("#/components/responses/", "")] : r;
  for (const { method, path, op } of ops) {
    const where = `${method} ${path}`;
    const responses = op.responses as Record<string, Json>;
    const statuses = Object.keys(responses);
    for (const status of statuses.filter((s) => Number(s) >= 400)) {
      // deno-lint-ignore no-explicit-any
      const json = (reply(responses[status]) as any).content?.["application/json"]?.schema;
      assert.deepEqual(json, { $ref: "#/components/schemas/ApiError" }, `${where} ${status}`);
    }
    if (path === "/health") continue; // answers 200 or nothing: no input, no credentials
    assert.ok(statuses.includes("401") && statuses.includes("429"), `${where}: 401, 429`);
    if (path === "/version") continue;
    for (const status of ["400", "401", "403", "404", "429", "503"]) {
      assert.ok(statuses.includes(status), `${where}: ${status}`);
    }
    // A body read under a byte cap: every non-GET call but the proxy's streamed PUT and DELETE.
    const capped = method !== "get" && !path.startsWith("/api/2.0/mlflow-artifacts/artifacts/");
    assert.equal(statuses.includes("413"), capped, `${where}: 413`);
    assert.equal(statuses.includes("408"), capped || method === "put", `${where}: 408`);
  }
});
