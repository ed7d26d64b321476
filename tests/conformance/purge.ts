/**
 * Conformance: permanent deletion (store/purge_types.ts): what gc lists, what each purge removes,
 * what it refuses, and that a restore racing a purge leaves the run whole or gone.
 */
import assert from "node:assert/strict";
import type { GcCandidate, PurgeTarget } from "../../store/purge_types.ts";
import type { TrackingStore } from "../../store/types.ts";
import {
  assertMlflowError,
  datasetInput,
  metric,
  newRun,
  param,
  randomExperimentName,
  T0,
  tag,
} from "../fixtures.ts";
import type { Define } from "./_harness.ts";

/** Restore/purge races the conformance test runs (each on a fresh run). */
export const PURGE_RACE_ROUNDS = 20;

/**
 * Runs `a` and `b` together, one of them started a few ms late (by round), so that over the
 * rounds each wins some races: started in the same tick, a restore's shorter commit path
 * always won.
 */
function race<A, B>(round: number, a: () => Promise<A>, b: () => Promise<B>) {
  const d = round % 4;
  const later = <T>(ms: number, f: () => Promise<T>) =>
    new Promise((r) => setTimeout(r, ms)).then(f);
  return Promise.allSettled([later(d % 2 ? 0 : d, a), later(d % 2 ? d : 0, b)]);
}

/**
 * Races `restore` against `purge` (see {@linkcode race}) and returns what `read` finds after, or
 * null when it throws (the entity is gone); asserts that exactly the side matching that outcome
 * succeeded.
 */
async function restoreRacingPurge<T>(
  round: number,
  restore: () => Promise<unknown>,
  purge: () => Promise<unknown>,
  read: () => Promise<T>,
): Promise<T | null> {
  const [restored, purged] = await race(round, restore, purge);
  const after = await read().catch(() => null);
  const gone = after === null;
  assert.equal(purged.status, gone ? "fulfilled" : "rejected");
  assert.equal(restored.status, gone ? "rejected" : "fulfilled");
  return after;
}

async function candidates(store: TrackingStore, q = {}): Promise<GcCandidate[]> {
  return await Array.fromAsync(store.listGcCandidates(q));
}

/** A run with params, tags, metrics (history with a model point) and a dataset input. */
async function fullRun(store: TrackingStore, experimentId?: string) {
  const r = await newRun(store, experimentId ? { experimentId } : {});
  const model = await store.createLoggedModel({ experimentId: r.experimentId });
  await store.logBatch(r.runId, {
    params: [param("lr", "0.1")],
    tags: [tag("team", "a")],
    metrics: [
      metric("loss", 1, T0, 0),
      metric("loss", 0.5, T0 + 1, 1),
      { ...metric("acc", 0.9, T0, 0), model_id: model.info.model_id },
    ],
  });
  await store.logInputs(r.runId, [datasetInput("ds", "d1")]);
  return { ...r, modelId: model.info.model_id };
}

/** Registers the purge conformance tests. */
export function purgeConformance(test: Define): void {
  test("purgeRun() removes a deleted run and everything read through it", async (store) => {
    const { runId, experimentId, modelId } = await fullRun(store);
    await store.deleteRun(runId);
    await store.purgeRun(runId);
    await assertMlflowError(store.getRun(runId), "RESOURCE_DOES_NOT_EXIST");
    const page = await store.searchRuns({ experimentIds: [experimentId], runViewType: "ALL" });
    assert.deepEqual(page.items, []);
    assert.deepEqual((await store.getMetricHistory(runId, "loss")).items, []);
    // The model's points logged by the purged run go with it; the model itself stays.
    const model = await store.getLoggedModel(modelId);
    assert.deepEqual(model.data.metrics, []);
    await assertMlflowError(store.restoreRun(runId), "RESOURCE_DOES_NOT_EXIST");
  });

  test("purgeRun() refuses an active run and an unknown one", async (store) => {
    const { runId } = await newRun(store);
    await assertMlflowError(store.purgeRun(runId), "INVALID_PARAMETER_VALUE");
    assert.equal((await store.getRun(runId)).info.lifecycle_stage, "active");
    await assertMlflowError(store.purgeRun("0".repeat(32)), "RESOURCE_DOES_NOT_EXIST");
  });

  test("purgeRun() purges a run deleted with its experiment", async (store) => {
    const { runId, experimentId } = await newRun(store);
    await store.deleteExperiment(experimentId);
    await store.purgeRun(runId);
    await assertMlflowError(store.getRun(runId), "RESOURCE_DOES_NOT_EXIST");
    assert.equal((await store.getExperiment(experimentId)).lifecycle_stage, "deleted");
  });

  test("purgeRun() calls onMarked with the run's artifact URI", async (store) => {
    const { runId, run } = await newRun(store);
    await store.deleteRun(runId);
    const marked: PurgeTarget[] = [];
    await store.purgeRun(runId, { onMarked: (t) => void marked.push(t) });
    assert.deepEqual(marked, [{
      kind: "run",
      id: runId,
      experiment_id: run.info.experiment_id,
      artifact_uri: run.info.artifact_uri,
    }]);
  });

  test("purgeExperiment() removes it with its runs and models and frees its name", async (store) => {
    const name = randomExperimentName("gc");
    const experimentId = await store.createExperiment({ name, tags: [tag("k", "v")] });
    const { runId, modelId } = await fullRun(store, experimentId);
    await store.deleteExperiment(experimentId);
    const seen: string[] = [];
    await store.purgeExperiment(experimentId, { onMarked: (t) => void seen.push(t.kind) });
    assert.deepEqual(seen.sort(), ["experiment", "logged_model", "run"]);
    await assertMlflowError(store.getExperiment(experimentId), "RESOURCE_DOES_NOT_EXIST");
    await assertMlflowError(store.getExperimentByName(name), "RESOURCE_DOES_NOT_EXIST");
    await assertMlflowError(store.getRun(runId), "RESOURCE_DOES_NOT_EXIST");
    await assertMlflowError(store.getLoggedModel(modelId), "RESOURCE_DOES_NOT_EXIST");
    await assertMlflowError(store.restoreExperiment(experimentId), "RESOURCE_DOES_NOT_EXIST");
    const again = await store.createExperiment({ name });
    assert.notEqual(again, experimentId);
    assert.equal((await store.getExperimentByName(name)).experiment_id, again);
    assert.deepEqual((await store.getExperiment(again)).tags, []);
  });

  test("purgeExperiment() refuses an active experiment and Default", async (store) => {
    const experimentId = await store.createExperiment({ name: randomExperimentName() });
    await assertMlflowError(store.purgeExperiment(experimentId), "INVALID_PARAMETER_VALUE");
    await assertMlflowError(store.purgeExperiment("0"), "INVALID_PARAMETER_VALUE");
    await assertMlflowError(store.purgeExperiment("987654"), "RESOURCE_DOES_NOT_EXIST");
  });

  test("purgeLoggedModel() removes a deleted model and refuses a live one", async (store) => {
    const experimentId = await store.createExperiment({ name: randomExperimentName() });
    const model = await store.createLoggedModel({ experimentId });
    const id = model.info.model_id;
    await assertMlflowError(store.purgeLoggedModel(id), "INVALID_PARAMETER_VALUE");
    await store.deleteLoggedModel(id);
    await store.purgeLoggedModel(id);
    await assertMlflowError(store.purgeLoggedModel(id), "RESOURCE_DOES_NOT_EXIST");
  });

  test("listGcCandidates() lists deleted runs, models and experiments", async (store) => {
    const live = await store.createExperiment({ name: randomExperimentName() });
    const { runId } = await newRun(store, { experimentId: live });
    const { runId: keep } = await newRun(store, { experimentId: live });
    await store.deleteRun(runId);
    const model = await store.createLoggedModel({ experimentId: live });
    await store.deleteLoggedModel(model.info.model_id);
    const gone = await store.createExperiment({ name: randomExperimentName() });
    await newRun(store, { experimentId: gone });
    await store.deleteExperiment(gone);
    const all = await candidates(store);
    const ids = all.map((c) => `${c.kind}:${c.id}`).sort();
    assert.deepEqual(
      ids,
      [`experiment:${gone}`, `logged_model:${model.info.model_id}`, `run:${runId}`].sort(),
    );
    assert.ok(all.every((c) => !c.purging && c.deleted_time > 0));
    assert.ok(!ids.includes(`run:${keep}`));
    // Nothing was deleted a day before it was.
    assert.deepEqual(await candidates(store, { deletedBefore: T0 - 86_400_000 }), []);
  });

  test("listGcCandidates() checks named ids before listing any", async (store) => {
    const { runId, experimentId } = await newRun(store);
    await store.deleteRun(runId);
    const named = await candidates(store, { runIds: [runId] });
    assert.deepEqual(named.map((c) => c.id), [runId]);
    const other = await newRun(store, { experimentId });
    await assertMlflowError(
      candidates(store, { runIds: [runId, other.runId] }),
      "INVALID_PARAMETER_VALUE",
    );
    await assertMlflowError(
      candidates(store, { runIds: ["f".repeat(32)] }),
      "RESOURCE_DOES_NOT_EXIST",
    );
    await assertMlflowError(
      candidates(store, { experimentIds: [experimentId] }),
      "INVALID_PARAMETER_VALUE",
    );
  });

  test("restoreExperiment() racing purgeExperiment() leaves it whole or gone", async (store) => {
    for (let i = 0; i < PURGE_RACE_ROUNDS / 2; i++) {
      const name = randomExperimentName("race");
      const experimentId = await store.createExperiment({ name });
      const { runId } = await newRun(store, { experimentId });
      await store.logBatch(runId, { params: [param("p", "1")] });
      await store.deleteExperiment(experimentId);
      const exp = await restoreRacingPurge(
        i,
        () => store.restoreExperiment(experimentId),
        () => store.purgeExperiment(experimentId),
        () => store.getExperiment(experimentId),
      );
      if (exp === null) {
        await assertMlflowError(store.getRun(runId), "RESOURCE_DOES_NOT_EXIST");
        await store.createExperiment({ name });
      } else {
        assert.equal(exp.lifecycle_stage, "active");
        const run = await store.getRun(runId);
        assert.equal(run.info.lifecycle_stage, "active");
        assert.deepEqual(run.data.params, [param("p", "1")]);
      }
    }
  });

  test("restoreRun() racing purgeRun() leaves the run whole or gone", async (store) => {
    const experimentId = await store.createExperiment({ name: randomExperimentName() });
    const outcomes = new Set<string>();
    for (let i = 0; i < PURGE_RACE_ROUNDS; i++) {
      const { runId } = await newRun(store, { experimentId });
      await store.logBatch(runId, { params: [param("p", `${i}`)], metrics: [metric("m", i)] });
      await store.deleteRun(runId);
      const run = await restoreRacingPurge(
        i,
        () => store.restoreRun(runId),
        () => store.purgeRun(runId),
        () => store.getRun(runId),
      );
      if (run === null) {
        assert.deepEqual((await store.getMetricHistory(runId, "m")).items, []);
        outcomes.add("gone");
      } else {
        assert.equal(run.info.lifecycle_stage, "active");
        assert.deepEqual(run.data.params, [param("p", `${i}`)]);
        assert.equal((await store.getMetricHistory(runId, "m")).items.length, 1);
        outcomes.add("whole");
      }
    }
    assert.ok(outcomes.size >= 1);
  });
}
