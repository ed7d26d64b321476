// Two kvflow processes sharing one KV file register versions of one model at the same time, as a
// scaled-out server (or Deno Deploy isolates) would: every version number is handed out once.
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { getJson, postJson, startServer } from "./server_helpers.ts";

const API = "/api/2.0/mlflow";

Deno.test("concurrent model-versions/create across processes gives distinct numbers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-mp-registry-" });
  const kvPath = `${dir}/mlruns.kv`;
  const first = await startServer({ kvPath });
  const second = await startServer({ kvPath });
  try {
    const exp = await postJson(first.url, `${API}/experiments/create`, { name: "mp" });
    const run = await postJson(first.url, `${API}/runs/create`, {
      experiment_id: exp.body.experiment_id,
    });
    const info = (run.body as { run: { info: { artifact_uri: string; run_id: string } } }).run.info;
    strictEqual(
      (await postJson(second.url, `${API}/registered-models/create`, { name: "shared" })).status,
      200,
    );
    const source = `${info.artifact_uri}/model`;
    const results = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          postJson([first, second][i % 2].url, `${API}/model-versions/create`, {
            name: "shared",
            source,
            run_id: info.run_id,
          }),
      ),
    );
    for (const r of results) strictEqual(r.status, 200, JSON.stringify(r.body));
    const numbers = results
      .map((r) => Number((r.body as { model_version: { version: string } }).model_version.version))
      .sort((a, b) => a - b);
    deepStrictEqual(numbers, Array.from({ length: 40 }, (_, i) => i + 1));
    const got = await getJson(first.url, `${API}/registered-models/get`, { name: "shared" });
    const rm = got.body as { registered_model: { latest_versions: { version: string }[] } };
    deepStrictEqual(rm.registered_model.latest_versions.map((v) => v.version), ["40"]);
  } finally {
    await Promise.all([first.stop(), second.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
});
