/**
 * The committed openapi.yaml is exactly what the route specs produce, and it covers every route.
 * On failure, run `deno task openapi` and commit the result.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
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
  assert.equal(documented.size, 49 + 22 + 20 + 3 + 3);
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
