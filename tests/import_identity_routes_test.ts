/** The import-only identity fields of the store's create inputs are never reachable over HTTP. */
import assert from "node:assert/strict";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";

const RUN_ID = "0123456789abcdef0123456789abcdef";
const MODEL_ID = "m-00112233445566778899aabbccddeeff";

Deno.test("create routes ignore id and time fields in the body", async () => {
  const app = createApp({ store: createMemoryStore() });
  const post = async (path: string, body: unknown) => {
    const res = await app.request(`/api/2.0/mlflow/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const exp = await post("experiments/create", {
    name: "e",
    experiment_id: "99",
    experimentId: "99",
    creationTime: 5,
    creation_time: 5,
  });
  assert.equal(exp.status, 200);
  assert.equal(exp.body.experiment_id, "1");
  const got = await app.request(`/api/2.0/mlflow/experiments/get?experiment_id=1`);
  assert.notEqual((await got.json()).experiment.creation_time, 5);
  const run = await post("runs/create", {
    experiment_id: "1",
    run_id: RUN_ID,
    runId: RUN_ID,
    artifactUri: "s3://elsewhere",
    artifact_uri: "s3://elsewhere",
  });
  assert.equal(run.status, 200);
  assert.notEqual(run.body.run.info.run_id, RUN_ID);
  assert.match(run.body.run.info.artifact_uri, /^mlflow-artifacts:\/1\//);
  const model = await post("logged-models", {
    experiment_id: "1",
    model_id: MODEL_ID,
    modelId: MODEL_ID,
  });
  assert.equal(model.status, 200);
  assert.notEqual(model.body.model.info.model_id, MODEL_ID);
});
