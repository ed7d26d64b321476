/** Conformance: experiment CRUD, names, artifact locations, tags, delete/restore cascades. */
import assert from "node:assert/strict";
import { assertMlflowError, chars, newRun, randomExperimentName, tag } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

/** Lets the millisecond clock move on, so a bumped last_update_time is strictly greater. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

const NOT_ACTIVE_EXP = (id: string) =>
  `The experiment ${id} must be in the 'active' state. Current state is deleted.`;

/** Registers the experiment tests. */
export function experimentConformance(test: Define): void {
  test("getExperiment() returns the Default experiment 0 from creation", async (store) => {
    const e = await store.getExperiment("0");
    assert.equal(e.experiment_id, "0");
    assert.equal(e.name, "Default");
    assert.equal(e.artifact_location, "mlflow-artifacts:/0");
    assert.equal(e.lifecycle_stage, "active");
    assert.deepEqual(e.tags, []);
    assert.equal((await store.getExperimentByName("Default")).experiment_id, "0");
  });

  test("getExperimentNames() names known experiments, deleted ones included", async (store) => {
    const names = Array.from({ length: 12 }, () => randomExperimentName());
    const ids: string[] = [];
    for (const name of names) ids.push(await store.createExperiment({ name }));
    await store.deleteExperiment(ids[1]);
    await store.renameExperiment(ids[2], "renamed");
    const got = await store.getExperimentNames(["0", ...ids, ids[0], "999", "x".repeat(40)]);
    const want = new Map([["0", "Default"], ...ids.map((id, i) => [id, names[i]] as const)]);
    want.set(ids[2], "renamed");
    assert.deepEqual(new Map([...got].sort()), new Map([...want].sort()));
    assert.equal((await store.getExperimentNames([])).size, 0);
  });

  test("createExperiment() allocates sequential string ids", async (store) => {
    assert.equal(await store.createExperiment({ name: randomExperimentName() }), "1");
    assert.equal(await store.createExperiment({ name: randomExperimentName() }), "2");
    assert.equal(await store.createExperiment({ name: randomExperimentName() }), "3");
  });

  test("createExperiment() stores name, location, times and tags", async (store, t) => {
    await t.step("default location is <root>/<id> and times are now", async () => {
      const before = Date.now();
      const name = randomExperimentName();
      const id = await store.createExperiment({ name, tags: [tag("b", "2"), tag("a", "1")] });
      const e = await store.getExperiment(id);
      assert.equal(e.name, name);
      assert.equal(e.artifact_location, `mlflow-artifacts:/${id}`);
      assert.equal(e.lifecycle_stage, "active");
      assert.ok(e.creation_time >= before && e.creation_time <= Date.now());
      assert.equal(e.last_update_time, e.creation_time);
      assert.deepEqual(e.tags, [tag("a", "1"), tag("b", "2")], "tags sorted by key");
    });
    await t.step("a given location is kept verbatim", async () => {
      const loc = "mlflow-artifacts:/team-a/some/prefix";
      const id = await store.createExperiment({
        name: randomExperimentName(),
        artifactLocation: loc,
      });
      assert.equal((await store.getExperiment(id)).artifact_location, loc);
    });
  });

  test("createExperiment() rejects a name used by an active or deleted experiment", async (store) => {
    const name = randomExperimentName();
    const id = await store.createExperiment({ name });
    const msg = `Experiment(name=${name}) already exists.`;
    await assertMlflowError(store.createExperiment({ name }), "RESOURCE_ALREADY_EXISTS", msg);
    await store.deleteExperiment(id);
    await assertMlflowError(store.createExperiment({ name }), "RESOURCE_ALREADY_EXISTS", msg);
  });

  test("getExperiment() throws RESOURCE_DOES_NOT_EXIST for an unknown id", async (store) => {
    await assertMlflowError(
      store.getExperiment("999"),
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=999 exists",
    );
  });

  test("getExperimentByName() finds active and deleted experiments", async (store) => {
    const name = randomExperimentName();
    const id = await store.createExperiment({ name });
    assert.equal((await store.getExperimentByName(name)).experiment_id, id);
    await store.deleteExperiment(id);
    const e = await store.getExperimentByName(name);
    assert.equal(e.experiment_id, id);
    assert.equal(e.lifecycle_stage, "deleted");
    await assertMlflowError(
      store.getExperimentByName("nope"),
      "RESOURCE_DOES_NOT_EXIST",
      "Could not find experiment with name 'nope'",
    );
  });

  test("renameExperiment() renames and bumps last_update_time", async (store) => {
    const old = randomExperimentName();
    const id = await store.createExperiment({ name: old });
    const before = (await store.getExperiment(id)).last_update_time;
    await tick();
    const name = randomExperimentName();
    await store.renameExperiment(id, name);
    const e = await store.getExperiment(id);
    assert.equal(e.name, name);
    assert.ok(e.last_update_time > before);
    assert.equal((await store.getExperimentByName(name)).experiment_id, id);
    await assertMlflowError(store.getExperimentByName(old), "RESOURCE_DOES_NOT_EXIST");
    // The old name is free again.
    await store.createExperiment({ name: old });
  });

  test("renameExperiment() rejects a name in use with BAD_REQUEST", async (store) => {
    const taken = randomExperimentName();
    const deletedName = randomExperimentName();
    await store.createExperiment({ name: taken });
    await store.deleteExperiment(await store.createExperiment({ name: deletedName }));
    const id = await store.createExperiment({ name: randomExperimentName() });
    for (const name of [taken, deletedName, "Default"]) {
      await assertMlflowError(
        store.renameExperiment(id, name),
        "BAD_REQUEST",
        `Experiment(name=${name}) already exists.`,
      );
    }
  });

  test("renameExperiment() rejects a deleted experiment with INVALID_STATE", async (store) => {
    const id = await store.createExperiment({ name: randomExperimentName() });
    await store.deleteExperiment(id);
    await assertMlflowError(
      store.renameExperiment(id, randomExperimentName()),
      "INVALID_STATE",
      "Cannot rename a non-active experiment.",
    );
  });

  test("renameExperiment() rejects an unknown id or an invalid name", async (store) => {
    await assertMlflowError(
      store.renameExperiment("999", "x"),
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=999 exists",
    );
    const id = await store.createExperiment({ name: randomExperimentName() });
    await assertMlflowError(
      store.renameExperiment(id, ""),
      "INVALID_PARAMETER_VALUE",
      "Invalid experiment name: ''",
    );
    await assertMlflowError(
      store.renameExperiment(id, chars(501)),
      "INVALID_PARAMETER_VALUE",
      /^Experiment name 'x+\.\.\.' had length 501, which exceeded length limit of 500$/,
    );
  });

  test("deleteExperiment() soft-deletes it and all its runs", async (store) => {
    const { experimentId, runId } = await newRun(store);
    const { runId: other } = await newRun(store, { experimentId });
    const { runId: elsewhere } = await newRun(store);
    const before = (await store.getExperiment(experimentId)).last_update_time;
    await tick();
    await store.deleteExperiment(experimentId);
    const e = await store.getExperiment(experimentId);
    assert.equal(e.lifecycle_stage, "deleted");
    assert.ok(e.last_update_time > before);
    assert.equal((await store.getRun(runId)).info.lifecycle_stage, "deleted");
    assert.equal((await store.getRun(other)).info.lifecycle_stage, "deleted");
    assert.equal((await store.getRun(elsewhere)).info.lifecycle_stage, "active");
  });

  test("regression: deleteExperiment() refuses Default ('0') as MLflow's file store does (issue 10 #11)", async (store) => {
    const { runId } = await newRun(store, { experimentId: "0" });
    await assertMlflowError(
      store.deleteExperiment("0"),
      "INVALID_PARAMETER_VALUE",
      "Cannot delete the default experiment '0'. This is an internally reserved experiment.",
    );
    const e = await store.getExperiment("0");
    assert.equal(e.lifecycle_stage, "active");
    assert.equal((await store.getRun(runId)).info.lifecycle_stage, "active");
    await store.createRun({ experimentId: "0" });
  });

  test("deleteExperiment() rejects a deleted or unknown experiment", async (store) => {
    const id = await store.createExperiment({ name: randomExperimentName() });
    await store.deleteExperiment(id);
    await assertMlflowError(
      store.deleteExperiment(id),
      "RESOURCE_DOES_NOT_EXIST",
      `No active experiment with id=${id} exists`,
    );
    await assertMlflowError(
      store.deleteExperiment("999"),
      "RESOURCE_DOES_NOT_EXIST",
      "No active experiment with id=999 exists",
    );
  });

  test("restoreExperiment() reactivates it and all its runs, even ones deleted alone", async (store) => {
    const { experimentId, runId } = await newRun(store);
    const { runId: deletedAlone } = await newRun(store, { experimentId });
    await store.deleteRun(deletedAlone);
    await store.deleteExperiment(experimentId);
    const before = (await store.getExperiment(experimentId)).last_update_time;
    await tick();
    await store.restoreExperiment(experimentId);
    const e = await store.getExperiment(experimentId);
    assert.equal(e.lifecycle_stage, "active");
    assert.ok(e.last_update_time > before);
    assert.equal((await store.getRun(runId)).info.lifecycle_stage, "active");
    assert.equal((await store.getRun(deletedAlone)).info.lifecycle_stage, "active");
  });

  test("restoreExperiment() rejects an active or unknown experiment", async (store) => {
    const id = await store.createExperiment({ name: randomExperimentName() });
    await assertMlflowError(
      store.restoreExperiment(id),
      "RESOURCE_DOES_NOT_EXIST",
      `No deleted experiment with id=${id} exists`,
    );
    await assertMlflowError(
      store.restoreExperiment("999"),
      "RESOURCE_DOES_NOT_EXIST",
      "No deleted experiment with id=999 exists",
    );
  });

  test("setExperimentTag() upserts tags, listed sorted by key", async (store) => {
    const id = await store.createExperiment({ name: randomExperimentName() });
    await store.setExperimentTag(id, "z", "1");
    await store.setExperimentTag(id, "a", "1");
    await store.setExperimentTag(id, "z", "2");
    await store.setExperimentTag(id, "empty", "");
    assert.deepEqual((await store.getExperiment(id)).tags, [
      tag("a", "1"),
      tag("empty", ""),
      tag("z", "2"),
    ]);
  });

  test("setExperimentTag() rejects a deleted or unknown experiment", async (store) => {
    const id = await store.createExperiment({ name: randomExperimentName() });
    await store.deleteExperiment(id);
    await assertMlflowError(
      store.setExperimentTag(id, "k", "v"),
      "INVALID_PARAMETER_VALUE",
      NOT_ACTIVE_EXP(id),
    );
    await assertMlflowError(
      store.setExperimentTag("999", "k", "v"),
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=999 exists",
    );
  });

  test("deleteExperimentTag() removes a tag; a missing one is RESOURCE_DOES_NOT_EXIST", async (store) => {
    const id = await store.createExperiment({
      name: randomExperimentName(),
      tags: [tag("a", "1"), tag("b", "2")],
    });
    await store.deleteExperimentTag(id, "a");
    assert.deepEqual((await store.getExperiment(id)).tags, [tag("b", "2")]);
    await assertMlflowError(
      store.deleteExperimentTag(id, "a"),
      "RESOURCE_DOES_NOT_EXIST",
      `No tag with name: a in experiment with id ${id}`,
    );
    await assertMlflowError(
      store.deleteExperimentTag("999", "a"),
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=999 exists",
    );
    await store.deleteExperiment(id);
    await assertMlflowError(
      store.deleteExperimentTag(id, "b"),
      "INVALID_PARAMETER_VALUE",
      NOT_ACTIVE_EXP(id),
    );
  });
}
