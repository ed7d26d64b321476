/** A run that touches every kind of key a run can have, for purge tests. */
import type { TrackingStore } from "../../store/types.ts";
import { datasetInput, metric, param, randomExperimentName, T0, tag } from "../fixtures.ts";

/** What {@linkcode richRun} made. */
export interface RichRun {
  experimentId: string;
  experimentName: string;
  runId: string;
  /** A model the run produced (source run, output) and logged points against. */
  modelId: string;
  registeredModel: string;
}

/**
 * Creates (in `experimentId`, or a new experiment) a run with params, tags, an 850-metric batch
 * (KV stages it across commits), a metric history long enough for chunks plus a late point,
 * points logged against a logged model it produced and used, a dataset with a schema too large for
 * one value, and a registered model version made from it.
 */
export async function richRun(store: TrackingStore, experimentId?: string): Promise<RichRun> {
  const experimentName = randomExperimentName("gc");
  const expId = experimentId ??
    await store.createExperiment({ name: experimentName, tags: [tag("owner", "gc")] });
  const run = await store.createRun({ experimentId: expId, startTime: T0, tags: [tag("t0", "x")] });
  const runId = run.info.run_id;
  await store.logBatch(runId, {
    params: Array.from({ length: 100 }, (_, i) => param(`p${i}`, `v${i}`)),
    tags: Array.from({ length: 50 }, (_, i) => tag(`t${i}`, `v${i}`)),
    metrics: Array.from({ length: 850 }, (_, i) => metric(`m${i}`, i, T0, 0)),
  });
  for (let b = 0; b < 3; b++) {
    await store.logBatch(runId, {
      metrics: Array.from(
        { length: 100 },
        (_, i) => metric("loss", i, T0 + b * 100 + i, b * 100 + i),
      ),
    });
  }
  await store.logBatch(runId, { metrics: [metric("loss", NaN, T0 - 5, 1)] }); // late
  const model = await store.createLoggedModel({ experimentId: expId, sourceRunId: runId });
  const modelId = model.info.model_id;
  await store.logOutputs(runId, [{ model_id: modelId, step: 0 }]);
  await store.logInputs(runId, [datasetInput("ds", "d1")], [{ model_id: modelId }]);
  await store.logInputs(runId, [{
    tags: [],
    dataset: {
      name: "big",
      digest: "d2",
      source_type: "local",
      source: "s",
      schema: "x".repeat(40_000),
    },
  }]);
  await store.logBatch(runId, {
    metrics: [{ ...metric("acc", 0.9, T0, 0), model_id: modelId }],
  });
  const registeredModel = randomExperimentName("rm");
  await store.createRegisteredModel({ name: registeredModel });
  await store.createModelVersion({
    name: registeredModel,
    source: `${run.info.artifact_uri}/model`,
    runId,
  });
  return { experimentId: expId, experimentName, runId, modelId, registeredModel };
}
