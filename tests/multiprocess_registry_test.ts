// Two kvflow processes sharing one KV file (or one KV Connect database) register versions of one model at the same time, as a
// scaled-out server (or Deno Deploy isolates) would: every version number is handed out once.
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { openSharedDatabase, SHARED_DATABASE_KINDS } from "./helpers/shared_database.ts";
import { getJson, postJson, startServer } from "./server_helpers.ts";

const API = "/api/2.0/mlflow";

for (const { kind, ignore } of SHARED_DATABASE_KINDS) {
  Deno.test({
    name: `[${kind}] concurrent model-versions/create across processes gives distinct numbers`,
    ignore,
  }, async () => {
    // Over KV Connect at most 8 at once: more concurrent writers is issue 12 §1's test.
    const versions = kind === "kvconnect" ? 8 : 40;
    const db = await openSharedDatabase(kind);
    const first = await startServer({ kvPath: db.kvPath, env: db.env });
    const second = await startServer({ kvPath: db.kvPath, env: db.env });
    try {
      const exp = await postJson(first.url, `${API}/experiments/create`, { name: "mp" });
      const run = await postJson(first.url, `${API}/runs/create`, {
        experiment_id: exp.body.experiment_id,
      });
      const info =
        (run.body as { run: { info: { artifact_uri: string; run_id: string } } }).run.info;
      strictEqual(
        (await postJson(second.url, `${API}/registered-models/create`, { name: "shared" })).status,
        200,
      );
      const source = `${info.artifact_uri}/model`;
      const results = await Promise.all(
        Array.from(
          { length: versions },
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
        .map((r) =>
          Number((r.body as { model_version: { version: string } }).model_version.version)
        )
        .sort((a, b) => a - b);
      deepStrictEqual(numbers, Array.from({ length: versions }, (_, i) => i + 1));
      const got = await getJson(first.url, `${API}/registered-models/get`, { name: "shared" });
      const rm = got.body as { registered_model: { latest_versions: { version: string }[] } };
      deepStrictEqual(rm.registered_model.latest_versions.map((v) => v.version), [
        String(versions),
      ]);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      await db.close();
    }
  });
}
