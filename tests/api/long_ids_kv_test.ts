/**
 * Ids and names too long to exist must get a 4xx, not a 500: on the KV backend they would
 * otherwise become keys over Deno KV's 2 KiB limit, which the database refuses with an exception.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createKvStore } from "../../store/kv/mod.ts";

const LONG_ID = "1".repeat(3000);
const LONG = "a".repeat(3000);

const CASES: [string, string, unknown?][] = [
  ["GET", `/api/2.0/mlflow/experiments/get?experiment_id=${LONG_ID}`],
  ["GET", `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${LONG}`],
  ["GET", `/api/2.0/mlflow/experiments/list-keys?experiment_id=${LONG_ID}`],
  ["POST", "/api/2.0/mlflow/experiments/delete", { experiment_id: LONG_ID }],
  ["POST", "/api/2.0/mlflow/experiments/restore", { experiment_id: LONG_ID }],
  ["POST", "/api/2.0/mlflow/experiments/update", { experiment_id: LONG_ID, new_name: "x" }],
  [
    "POST",
    "/api/2.0/mlflow/experiments/set-experiment-tag",
    { experiment_id: LONG_ID, key: "k", value: "v" },
  ],
  [
    "POST",
    "/api/2.0/mlflow/experiments/delete-experiment-tag",
    { experiment_id: LONG_ID, key: "k" },
  ],
  ["POST", "/api/2.0/mlflow/experiments/search", { filter: `name = '${LONG}'` }],
  ["POST", "/api/2.0/mlflow/runs/create", { experiment_id: LONG_ID }],
  ["GET", `/api/2.0/mlflow/runs/get?run_id=${LONG}`],
  ["POST", "/api/2.0/mlflow/runs/search", { experiment_ids: [LONG_ID] }],
  ["POST", "/api/2.0/mlflow/runs/search", { experiment_ids: ["0", LONG_ID] }],
  ["GET", `/api/2.0/mlflow/metrics/get-history?run_id=abc&metric_key=${LONG}`],
  ["POST", "/api/2.0/mlflow/logged-models", { experiment_id: LONG_ID }],
  ["GET", `/api/2.0/mlflow/logged-models/m-${LONG}`],
  ["POST", "/api/2.0/mlflow/logged-models/search", { experiment_ids: [LONG_ID] }],
  ["GET", `/api/2.0/mlflow/registered-models/get?name=${LONG}`],
  ["POST", "/api/2.0/mlflow/registered-models/create", { name: LONG }],
  ["GET", `/api/2.0/mlflow/model-versions/get?name=${LONG}&version=1`],
  ["GET", `/experiments/${LONG_ID}`],
  ["GET", `/runs/${LONG}`],
  ["GET", `/models/${LONG}`],
  ["GET", `/logged-models/m-${LONG}`],
];

Deno.test("over-long ids and names get 4xx answers on the KV backend", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const app = createApp({ store: await createKvStore(kv) });
    for (const [method, path, body] of CASES) {
      const res = await app.request(path, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      assert.ok(res.status >= 200 && res.status < 500, `${method} ${path.slice(0, 70)}: ${text}`);
    }
  } finally {
    kv.close();
  }
});
