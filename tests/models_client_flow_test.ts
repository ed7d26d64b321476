/**
 * Issue 6's "done when", as the MLflow 3.x Python client drives it over real HTTP, on both
 * artifact backends (local directory and S3 through s3rver):
 *
 * 1. `mlflow.sklearn.autolog()` + `fit`: a run with params, a dataset input, and `log_model`'s
 *    3.x sequence — create the LoggedModel, `runs/outputs`, metrics carrying `model_id`, the
 *    model files PUT under `<experiment>/models/<model_id>/artifacts`, finalize READY;
 * 2. `mlflow.register_model("models:/<model_id>", name)`: registered model, version 1 with the
 *    `models:/` source, and the client's `mlflow.modelVersions` tag on the logged model;
 * 3. `set_registered_model_alias(name, "champion", 1)`;
 * 4. `mlflow.pyfunc.load_model("models:/name@champion")` (and `models:/name/1`, and the
 *    Production stage): alias → version → download URI → list and GET every file, which must
 *    match what was uploaded byte for byte.
 *
 * Request bodies follow mlflow-client-traffic.md (3.1.3 smoke run).
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository, openArtifactRepository } from "../artifacts/mod.ts";
import type { ArtifactRepository } from "../artifacts/types.ts";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { clientCreateRunBody } from "./api/_helpers.ts";
import { artifactBaseUrl, jsonOf, noise, sha256 } from "./helpers/client.ts";
import { startS3rver } from "./helpers/s3rver.ts";

const UA = { "User-Agent": "mlflow-python-client/3.1.3" };
const text = (s: string) => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;

/** The files `mlflow.sklearn.log_model` writes (a pickled model is opaque bytes). */
function modelFiles(): Map<string, Uint8Array<ArrayBuffer>> {
  return new Map([
    ["MLmodel", text("artifact_path: model\nflavors:\n  sklearn:\n    pickled_model: model.pkl\n")],
    ["model.pkl", noise(70_000, 3)],
    ["conda.yaml", text("dependencies:\n- python=3.11\n")],
    ["python_env.yaml", text("python: 3.11\n")],
    ["requirements.txt", text("scikit-learn==1.5.0\n")],
    ["metadata/estimator.html", text("<div>LogisticRegression()</div>")],
  ]);
}

async function modelsFlow(repo: ArtifactRepository): Promise<void> {
  const app = createApp({ store: createMemoryStore(), artifacts: repo });
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const tracking = `http://127.0.0.1:${server.addr.port}`;
  const api = `${tracking}/api/2.0/mlflow`;
  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${api}/${path}`, {
      method,
      headers: body === undefined ? UA : { ...UA, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const getJson = async (path: string, query: Record<string, string>) =>
    await jsonOf(await fetch(`${api}/${path}?${new URLSearchParams(query)}`, { headers: UA }));

  // --- 1. autolog + fit
  const expId = (await jsonOf(await send("POST", "experiments/create", { name: "autolog" })))
    .experiment_id;
  const run = (await jsonOf(await send("POST", "runs/create", clientCreateRunBody(expId)))).run;
  const runId: string = run.info.run_id;
  const params = [{ key: "C", value: "1.0" }, { key: "max_iter", value: "50" }];
  await jsonOf(await send("POST", "runs/log-batch", { run_id: runId, params }));
  await jsonOf(
    await send("POST", "runs/log-inputs", {
      run_id: runId,
      datasets: [{
        tags: [{ key: "mlflow.data.context", value: "train" }],
        dataset: {
          name: "dataset",
          digest: "6f1ed002",
          source_type: "code",
          source: '{"tags": {"mlflow.source.name": "train.py"}}',
          schema: '{"mlflow_tensorspec": {"features": "[]"}}',
        },
      }],
    }),
  );

  // log_model, 3.x
  const created = (await jsonOf(
    await send("POST", "logged-models", {
      experiment_id: expId,
      name: "model",
      source_run_id: runId,
      params,
      tags: [{ key: "mlflow.user", value: "root" }],
    }),
  )).model;
  const modelId: string = created.info.model_id;
  assert.match(modelId, /^m-[0-9a-f]{32}$/);
  assert.equal(created.info.status, "LOGGED_MODEL_PENDING");
  assert.equal(created.info.artifact_uri, `mlflow-artifacts:/${expId}/models/${modelId}/artifacts`);
  assert.deepEqual(
    await jsonOf(
      await send("POST", "runs/outputs", {
        run_id: runId,
        models: [{ model_id: modelId, step: 0 }],
      }),
    ),
    {},
  );
  const now = Date.now();
  await jsonOf(
    await send("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [
        { key: "training_score", value: 0.96, timestamp: now, step: 0, model_id: modelId },
        { key: "training_accuracy", value: 0.96, timestamp: now, step: 0, model_id: modelId },
      ],
    }),
  );
  const files = modelFiles();
  const modelBase = artifactBaseUrl(tracking, created.info.artifact_uri);
  for (const [path, bytes] of files) {
    const res = await fetch(`${modelBase}/${path}`, { method: "PUT", headers: UA, body: bytes });
    assert.deepEqual(await jsonOf(res), {}, path);
  }
  const ready = (await jsonOf(
    await send("PATCH", `logged-models/${modelId}`, {
      model_id: modelId,
      status: "LOGGED_MODEL_READY",
    }),
  )).model;
  assert.equal(ready.info.status, "LOGGED_MODEL_READY");
  await jsonOf(
    await send("POST", "runs/update", {
      run_id: runId,
      run_uuid: runId,
      status: "FINISHED",
      end_time: now + 1000,
    }),
  );

  const model = (await getJson(`logged-models/${modelId}`, {})).model;
  assert.deepEqual(
    model.data.metrics.map((m: { key: string; value: number }) => [m.key, m.value]).sort(),
    [["training_accuracy", 0.96], ["training_score", 0.96]],
  );
  const finished = (await getJson("runs/get", { run_id: runId })).run;
  assert.deepEqual(finished.outputs.model_outputs, [{ model_id: modelId, step: 0 }]);
  assert.equal(finished.inputs.dataset_inputs[0].dataset.name, "dataset");
  const found = await jsonOf(
    await send("POST", "logged-models/search", {
      experiment_ids: [expId],
      filter: "name = 'model'",
    }),
  );
  assert.deepEqual(found.models.map((m: { info: { model_id: string } }) => m.info.model_id), [
    modelId,
  ]);

  // --- 2. register_model("models:/<model_id>", "clf")
  const name = "clf";
  const rm = (await jsonOf(await send("POST", "registered-models/create", { name })))
    .registered_model;
  assert.equal(rm.name, name);
  const mv = (await jsonOf(
    await send("POST", "model-versions/create", {
      name,
      source: `models:/${modelId}`,
      run_id: runId,
      model_id: modelId,
    }),
  )).model_version;
  assert.equal(mv.version, "1");
  assert.equal(mv.source, `models:/${modelId}`);
  assert.equal(mv.status, "READY");
  assert.deepEqual(
    await jsonOf(
      await send("PATCH", `logged-models/${modelId}/tags`, {
        tags: [{ key: "mlflow.modelVersions", value: JSON.stringify([{ name, version: "1" }]) }],
      }),
    ),
    {},
  );

  // --- 3. set_registered_model_alias
  assert.deepEqual(
    await jsonOf(
      await send("POST", "registered-models/alias", { name, alias: "champion", version: "1" }),
    ),
    {},
  );

  // --- 4. load_model("models:/clf@champion"), "models:/clf/1" and the Production stage.
  const byAlias = (await getJson("registered-models/alias", { name, alias: "champion" }))
    .model_version;
  assert.equal(byAlias.version, "1");
  assert.deepEqual(byAlias.aliases, ["champion"]);
  const downloadUri = (await getJson("model-versions/get-download-uri", {
    name,
    version: byAlias.version,
  })).artifact_uri;
  assert.equal(downloadUri, created.info.artifact_uri);
  await assertDownloads(tracking, downloadUri, created.info.artifact_uri, files);

  await jsonOf(
    await send("POST", "model-versions/transition-stage", {
      name,
      version: "1",
      stage: "Production",
      archive_existing_versions: false,
    }),
  );
  const production = (await jsonOf(
    await send("POST", "registered-models/get-latest-versions", { name, stages: ["Production"] }),
  )).model_versions;
  assert.deepEqual(production.map((v: { version: string }) => v.version), ["1"]);
  const registered = (await getJson("registered-models/get", { name })).registered_model;
  assert.deepEqual(registered.aliases, [{ alias: "champion", version: "1" }]);
}

/**
 * Downloads a model directory the way the client does (one list per directory, one GET per
 * file) and compares every file with what was uploaded.
 */
async function assertDownloads(
  tracking: string,
  downloadUri: string,
  artifactUri: string,
  files: Map<string, Uint8Array<ArrayBuffer>>,
): Promise<void> {
  const listRoot = /^mlflow-artifacts:\/(.*)$/.exec(artifactUri)![1];
  const base = artifactBaseUrl(tracking, downloadUri);
  const got = new Map<string, Uint8Array<ArrayBuffer>>();
  const walk = async (sub: string): Promise<void> => {
    const path = sub === "" ? listRoot : `${listRoot}/${sub}`;
    const listing = await jsonOf(
      await fetch(
        `${tracking}/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path })}`,
        { headers: UA },
      ),
    );
    for (const f of (listing.files ?? []) as { path: string; is_dir: boolean }[]) {
      const rel = sub === "" ? f.path : `${sub}/${f.path}`;
      if (f.is_dir) {
        await walk(rel);
        continue;
      }
      const res = await fetch(`${base}/${rel}`, { headers: UA });
      assert.equal(res.status, 200, rel);
      got.set(rel, new Uint8Array(await res.arrayBuffer()));
    }
  };
  await walk("");
  assert.deepEqual([...got.keys()].sort(), [...files.keys()].sort());
  for (const [path, bytes] of files) {
    assert.equal(await sha256(got.get(path)!), await sha256(bytes), `${path} byte for byte`);
  }
}

Deno.test("MLflow 3 client: autolog, log_model, register, alias, load — local artifacts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-models-flow-" });
  try {
    await modelsFlow(createLocalArtifactRepository({ rootDir: `${dir}/artifacts` }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MLflow 3 client: autolog, log_model, register, alias, load — S3 (s3rver)", async () => {
  const s3 = await startS3rver({ buckets: ["kvflow"] });
  try {
    await modelsFlow(openArtifactRepository("s3://kvflow/models-flow", {
      MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
    }));
  } finally {
    await s3.stop();
  }
});
