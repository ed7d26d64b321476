import assert from "node:assert/strict";
import { createMemoryStore } from "../../store/memory/mod.ts";
import { modelVersionSourceTargets } from "./model_version_source.ts";

async function setup() {
  const store = createMemoryStore({
    allowedArtifactRoots: ["mlflow-artifacts:/", "s3://bucket/prefix"],
  });
  const exp = await store.createExperiment({ name: "e" });
  const elsewhere = await store.createExperiment({
    name: "s3",
    artifactLocation: "s3://bucket/prefix/custom",
  });
  const run = await store.createRun({ experimentId: exp });
  const model = await store.createLoggedModel({ experimentId: elsewhere, name: "lm" });
  return { store, exp, elsewhere, runId: run.info.run_id, modelId: model.info.model_id };
}

const experiment = (id: string) => ({ kind: "experiment", id });

Deno.test("modelVersionSourceTargets() names the run, logged model, model or location read", async () => {
  const { store, exp, elsewhere, runId, modelId } = await setup();
  const targets = (args: Record<string, unknown>) => modelVersionSourceTargets(store, args);
  assert.deepEqual(await targets({ name: "m", source: `runs:/${runId}/model` }), [
    experiment(exp),
  ]);
  assert.deepEqual(await targets({ name: "m", source: `RUNS:/${runId}` }), [experiment(exp)]);
  assert.deepEqual(
    await targets({
      name: "m",
      source: `mlflow-artifacts:/${exp}/${runId}/artifacts/m`,
      run_id: runId,
    }),
    [experiment(exp)],
    "with run_id the run's experiment alone: the store keeps the source inside the run",
  );
  assert.deepEqual(await targets({ name: "m", source: `models:/${modelId}` }), [
    experiment(elsewhere),
  ]);
  assert.deepEqual(
    await targets({ name: "m", source: `models:/${modelId}`, model_id: modelId, run_id: runId }),
    [experiment(exp), experiment(elsewhere), experiment(elsewhere)],
  );
  assert.deepEqual(await targets({ name: "m", source: "models:/other/3" }), [
    { kind: "registered_model", name: "other" },
  ]);
  assert.deepEqual(await targets({ name: "m", source: "models:/a/b@champion" }), [
    { kind: "registered_model", name: "a/b" },
  ]);
  // A location: the leading segment (the artifact proxy's rule) and the experiments holding it.
  assert.deepEqual(await targets({ name: "m", source: `mlflow-artifacts:/${exp}/x/y` }), [
    experiment(exp),
    experiment(exp),
  ]);
  assert.deepEqual(await targets({ name: "m", source: "mlflow-artifacts:/%3" + `${exp}/x` }), [
    experiment(exp),
  ], "percent-escapes are decoded as the proxy decodes them");
  assert.deepEqual(await targets({ name: "m", source: "s3://bucket/prefix/custom/run/m" }), [
    experiment(elsewhere),
  ]);
  assert.deepEqual(await targets({ name: "m", source: "s3://bucket/prefix/customer/m" }), []);
  assert.deepEqual(await targets({ name: "m", source: "mlflow-artifacts:/free/m" }), []);
});

Deno.test("modelVersionSourceTargets() gives null for unknown runs and logged models, nothing for junk", async () => {
  const { store } = await setup();
  const targets = (args: Record<string, unknown>) => modelVersionSourceTargets(store, args);
  const missing = "0123456789abcdef0123456789abcdef";
  assert.deepEqual(await targets({ name: "m", source: `runs:/${missing}/m` }), [null]);
  assert.deepEqual(await targets({ name: "m", source: "runs:/not a run id/m" }), [null]);
  assert.deepEqual(await targets({ name: "m", source: "models:/m-nope" }), [null]);
  assert.deepEqual(await targets({ name: "m", source: "x", run_id: missing }), [null]);
  for (const source of ["", "relative/path", "runs://host/x", "runs:/", "models:/", 7, null]) {
    assert.deepEqual(await targets({ name: "m", source }), [], String(source));
  }
});
