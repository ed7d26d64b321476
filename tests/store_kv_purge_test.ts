/**
 * KV purges leave no key behind: after a purge, a scan of every key in the database finds none
 * naming the run (or the experiment's own keys), also when the purge was killed part-way and
 * finished by a later gc.
 */
import assert from "node:assert/strict";
import { createKvStore } from "../store/kv/mod.ts";
import { keysNaming, keysOfExperiment } from "./helpers/kv_scan.ts";
import { richRun } from "./helpers/rich_run.ts";
import { assertMlflowError } from "./fixtures.ts";

class Killed extends Error {}

Deno.test("purgeRun() leaves no key naming the run", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const { runId, registeredModel } = await richRun(store);
  assert.ok((await keysNaming(kv, runId)).length > 1000);
  await store.deleteRun(runId);
  await store.purgeRun(runId);
  assert.deepEqual(await keysNaming(kv, runId), []);
  // A version registered from the run keeps its record (MLflow's gc keeps it too).
  assert.equal((await store.getModelVersion(registeredModel, "1")).run_id, runId);
});

Deno.test("purgeExperiment() leaves no key of the experiment, its runs or its models", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const a = await richRun(store);
  const b = await richRun(store, a.experimentId);
  const model = await store.createLoggedModel({ experimentId: a.experimentId });
  await store.deleteLoggedModel(model.info.model_id);
  await store.deleteExperiment(a.experimentId);
  await store.purgeExperiment(a.experimentId);
  for (const id of [a.runId, b.runId, a.modelId, b.modelId, model.info.model_id]) {
    assert.deepEqual(await keysNaming(kv, id), [], id);
  }
  assert.deepEqual(await keysOfExperiment(kv, a.experimentId, a.experimentName), []);
});

Deno.test("purgeRun() killed after its mark or after a batch is finished by the next gc", async (t) => {
  for (const killAt of ["mark", "batch 1", "batch 3"]) {
    await t.step(killAt, async () => {
      using kv = await Deno.openKv(":memory:");
      const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
      const { runId } = await richRun(store);
      await store.deleteRun(runId);
      let batches = 0;
      await assert.rejects(
        store.purgeRun(runId, {
          onMarked: () => {
            if (killAt === "mark") throw new Killed();
          },
          onBatch: () => {
            if (`batch ${++batches}` === killAt) throw new Killed();
          },
        }),
        Killed,
      );
      // Gone for readers and writers already; a later gc lists it first and finishes it.
      await assertMlflowError(store.getRun(runId), "RESOURCE_DOES_NOT_EXIST");
      await assertMlflowError(store.restoreRun(runId), "RESOURCE_DOES_NOT_EXIST");
      await assertMlflowError(
        store.logBatch(runId, { params: [{ key: "late", value: "1" }] }),
        "RESOURCE_DOES_NOT_EXIST",
      );
      const [first] = await Array.fromAsync(store.listGcCandidates({}));
      assert.deepEqual([first.kind, first.id, first.purging], ["run", runId, true]);
      await store.purgeRun(runId);
      assert.deepEqual(await keysNaming(kv, runId), []);
    });
  }
});

Deno.test("purgeExperiment() killed inside a run's purge is finished by the next gc", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const a = await richRun(store);
  await store.deleteExperiment(a.experimentId);
  await assert.rejects(
    store.purgeExperiment(a.experimentId, {
      onBatch: (target) => {
        if (target.kind === "run") throw new Killed();
      },
    }),
    Killed,
  );
  await assertMlflowError(store.getExperiment(a.experimentId), "RESOURCE_DOES_NOT_EXIST");
  await assertMlflowError(store.restoreExperiment(a.experimentId), "RESOURCE_DOES_NOT_EXIST");
  const names = await store.createExperiment({ name: a.experimentName }); // name already free
  const left = await Array.fromAsync(store.listGcCandidates({}));
  assert.deepEqual(left.map((c) => [c.kind, c.purging]), [["run", true], ["experiment", true]]);
  for (const c of left) {
    if (c.kind === "run") await store.purgeRun(c.id);
    else await store.purgeExperiment(c.id);
  }
  assert.deepEqual(await keysNaming(kv, a.runId), []);
  assert.deepEqual(await keysNaming(kv, a.modelId), []);
  assert.deepEqual(await keysOfExperiment(kv, a.experimentId, "-"), []);
  assert.equal((await store.getExperimentByName(a.experimentName)).experiment_id, names);
});
