/** Conformance: run creation, naming, get, update, delete and restore. */
import assert from "node:assert/strict";
import { assertMlflowError, chars, newRun, randomExperimentName, T0, tag } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

const RUN_NAME_TAG = "mlflow.runName";
const NOT_ACTIVE = (id: string) =>
  `The run ${id} must be in the 'active' state. Current state is deleted.`;
const BAD_ID = `Invalid value "bad id!" for parameter 'run_id' supplied`;

/** Registers the run lifecycle tests. */
export function runConformance(test: Define): void {
  test("createRun() returns a RUNNING run with MLflow's info fields", async (store) => {
    const experimentId = await store.createExperiment({ name: randomExperimentName() });
    const run = await store.createRun({
      experimentId,
      userId: "alice",
      runName: "r1",
      startTime: T0,
      tags: [tag("mlflow.user", "alice")],
    });
    const id = run.info.run_id;
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.deepEqual(run.info, {
      run_id: id,
      run_uuid: id,
      run_name: "r1",
      experiment_id: experimentId,
      user_id: "alice",
      status: "RUNNING",
      start_time: T0,
      artifact_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts`,
      lifecycle_stage: "active",
    });
    assert.deepEqual(run.data, {
      metrics: [],
      params: [],
      tags: [tag(RUN_NAME_TAG, "r1"), tag("mlflow.user", "alice")],
    });
    assert.deepEqual(run.inputs, { dataset_inputs: [], model_inputs: [] });
    assert.deepEqual(run.outputs, { model_outputs: [] });
    assert.deepEqual(await store.getRun(id), run);
  });

  test("createRun() defaults to experiment 0, empty user_id and start_time now", async (store) => {
    for (const experimentId of [undefined, ""]) {
      const before = Date.now();
      const run = await store.createRun({ experimentId });
      assert.equal(run.info.experiment_id, "0");
      assert.equal(run.info.user_id, "");
      assert.ok(run.info.start_time >= before && run.info.start_time <= Date.now());
      assert.equal(run.info.end_time, undefined);
      assert.equal(run.info.artifact_uri, `mlflow-artifacts:/0/${run.info.run_id}/artifacts`);
    }
  });

  test("createRun() derives artifact_uri from the experiment's artifact_location", async (store) => {
    const experimentId = await store.createExperiment({
      name: randomExperimentName(),
      artifactLocation: "mlflow-artifacts:/team-a/prefix",
    });
    const run = await store.createRun({ experimentId });
    assert.equal(
      run.info.artifact_uri,
      `mlflow-artifacts:/team-a/prefix/${run.info.run_id}/artifacts`,
    );
  });

  test("createRun() keeps run_name and the mlflow.runName tag in sync", async (store, t) => {
    const nameTag = (tags: { key: string; value: string }[]) =>
      tags.filter((x) => x.key === RUN_NAME_TAG);
    await t.step("run_name alone writes the tag", async () => {
      const run = await store.createRun({ runName: "alone" });
      assert.equal(run.info.run_name, "alone");
      assert.deepEqual(nameTag(run.data.tags), [tag(RUN_NAME_TAG, "alone")]);
    });
    await t.step("the tag alone names the run", async () => {
      const run = await store.createRun({ tags: [tag(RUN_NAME_TAG, "from-tag")] });
      assert.equal(run.info.run_name, "from-tag");
      assert.deepEqual(nameTag(run.data.tags), [tag(RUN_NAME_TAG, "from-tag")]);
    });
    await t.step("equal run_name and tag are accepted", async () => {
      const run = await store.createRun({ runName: "same", tags: [tag(RUN_NAME_TAG, "same")] });
      assert.equal(run.info.run_name, "same");
      assert.deepEqual(nameTag(run.data.tags), [tag(RUN_NAME_TAG, "same")]);
    });
    await t.step("different run_name and tag are rejected", async () => {
      await assertMlflowError(
        store.createRun({ runName: "a", tags: [tag(RUN_NAME_TAG, "b")] }),
        "INVALID_PARAMETER_VALUE",
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different " +
          "values (run_name='a', mlflow.runName='b').",
      );
    });
    await t.step("neither gives a random adjective-noun-NNN name", async () => {
      const run = await store.createRun({});
      assert.match(run.info.run_name, /^[a-z]+-[a-z]+-\d{1,3}$/);
      assert.ok(run.info.run_name.length <= 20);
      assert.deepEqual(nameTag(run.data.tags), [tag(RUN_NAME_TAG, run.info.run_name)]);
    });
  });

  test("createRun() rejects a missing or deleted experiment", async (store) => {
    await assertMlflowError(
      store.createRun({ experimentId: "999" }),
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=999 exists",
    );
    const experimentId = await store.createExperiment({ name: randomExperimentName() });
    await store.deleteExperiment(experimentId);
    await assertMlflowError(
      store.createRun({ experimentId }),
      "INVALID_PARAMETER_VALUE",
      `The experiment ${experimentId} must be in the 'active' state. Current state is deleted.`,
    );
  });

  test("createRun() validates tag keys and truncates long tag values", async (store) => {
    const run = await store.createRun({ tags: [tag("long", chars(8001))] });
    const long = run.data.tags.find((x) => x.key === "long");
    assert.equal(long?.value, chars(8000));
    await assertMlflowError(
      store.createRun({ tags: [tag("../up", "v")] }),
      "INVALID_PARAMETER_VALUE",
      /^Invalid tag name: '\.\.\/up'\. Names may be treated as files/,
    );
  });

  test("getRun() rejects an unknown or malformed run id", async (store) => {
    const missing = "0123456789abcdef0123456789abcdef";
    await assertMlflowError(
      store.getRun(missing),
      "RESOURCE_DOES_NOT_EXIST",
      `Run with id=${missing} not found`,
    );
    await assertMlflowError(store.getRun("bad id!"), "INVALID_PARAMETER_VALUE", BAD_ID);
    await assertMlflowError(store.getRun(""), "INVALID_PARAMETER_VALUE");
    await assertMlflowError(store.getRun(`a${chars(256, "b")}`), "INVALID_PARAMETER_VALUE");
  });

  test("getRun() returns deleted runs", async (store) => {
    const { runId } = await newRun(store);
    await store.deleteRun(runId);
    const run = await store.getRun(runId);
    assert.equal(run.info.lifecycle_stage, "deleted");
    assert.equal(run.info.status, "RUNNING");
  });

  test("updateRun() changes only the given fields and returns the new info", async (store) => {
    const { run, runId } = await newRun(store, { runName: "before" });
    const info = await store.updateRun(runId, { status: "FINISHED", endTime: T0 + 10 });
    assert.deepEqual(info, { ...run.info, status: "FINISHED", end_time: T0 + 10 });
    assert.deepEqual((await store.getRun(runId)).info, info);
    assert.deepEqual(await store.updateRun(runId, {}), info);
  });

  test("updateRun() allows any status transition", async (store) => {
    const { runId } = await newRun(store);
    for (
      const status of ["FINISHED", "RUNNING", "FAILED", "SCHEDULED", "KILLED", "RUNNING"] as const
    ) {
      assert.equal((await store.updateRun(runId, { status })).status, status);
    }
  });

  test("updateRun() run_name also upserts the mlflow.runName tag", async (store) => {
    const { runId } = await newRun(store, { runName: "old" });
    const info = await store.updateRun(runId, { runName: "new" });
    assert.equal(info.run_name, "new");
    const run = await store.getRun(runId);
    assert.equal(run.info.run_name, "new");
    assert.deepEqual(run.data.tags, [tag(RUN_NAME_TAG, "new")]);
  });

  test("updateRun() rejects an unknown status, a deleted run and bad ids", async (store) => {
    const { runId } = await newRun(store);
    await assertMlflowError(
      store.updateRun(runId, { status: "DONE" as "FINISHED" }),
      "INVALID_PARAMETER_VALUE",
      "Invalid value 'DONE' for parameter 'status' supplied. " +
        "Must be one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED",
    );
    await store.deleteRun(runId);
    await assertMlflowError(
      store.updateRun(runId, { status: "FINISHED" }),
      "INVALID_PARAMETER_VALUE",
      NOT_ACTIVE(runId),
    );
    await assertMlflowError(
      store.updateRun("0123456789abcdef0123456789abcdef", {}),
      "RESOURCE_DOES_NOT_EXIST",
    );
    await assertMlflowError(store.updateRun("bad id!", {}), "INVALID_PARAMETER_VALUE", BAD_ID);
  });

  test("deleteRun() and restoreRun() are idempotent soft deletes", async (store) => {
    const { runId } = await newRun(store);
    await store.restoreRun(runId);
    await store.deleteRun(runId);
    await store.deleteRun(runId);
    assert.equal((await store.getRun(runId)).info.lifecycle_stage, "deleted");
    await store.restoreRun(runId);
    await store.restoreRun(runId);
    assert.equal((await store.getRun(runId)).info.lifecycle_stage, "active");
  });

  test("regression: restoreRun() of a run whose experiment is deleted is INVALID_STATE, not a silent no-op (issue 10 #11)", async (store) => {
    const { experimentId, runId } = await newRun(store);
    const { runId: alsoDeleted } = await newRun(store, { experimentId });
    await store.deleteRun(alsoDeleted);
    await store.deleteExperiment(experimentId);
    for (const id of [runId, alsoDeleted]) {
      await assertMlflowError(
        store.restoreRun(id),
        "INVALID_STATE",
        `Cannot restore run ${id} because its experiment ${experimentId} is deleted; ` +
          "restore the experiment first.",
      );
      assert.equal((await store.getRun(id)).info.lifecycle_stage, "deleted");
    }
    // Deleting a run of a deleted experiment stays allowed (and idempotent); restoring the
    // experiment brings every run back, as before.
    await store.deleteRun(runId);
    await store.restoreExperiment(experimentId);
    assert.equal((await store.getRun(runId)).info.lifecycle_stage, "active");
    assert.equal((await store.getRun(alsoDeleted)).info.lifecycle_stage, "active");
    await store.restoreRun(runId);
  });

  test("deleteRun() and restoreRun() reject unknown and malformed ids", async (store) => {
    const missing = "0123456789abcdef0123456789abcdef";
    const msg = `Run with id=${missing} not found`;
    await assertMlflowError(store.deleteRun(missing), "RESOURCE_DOES_NOT_EXIST", msg);
    await assertMlflowError(store.restoreRun(missing), "RESOURCE_DOES_NOT_EXIST", msg);
    await assertMlflowError(store.deleteRun("bad id!"), "INVALID_PARAMETER_VALUE", BAD_ID);
    await assertMlflowError(store.restoreRun("bad id!"), "INVALID_PARAMETER_VALUE", BAD_ID);
  });
}
