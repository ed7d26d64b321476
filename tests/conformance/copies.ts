/** Conformance: results are detached copies, and inputs are copied on the way in. */
import assert from "node:assert/strict";
import { datasetInput, metric, newRun, param, randomExperimentName, tag } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

/** Registers the copy-semantics tests. */
export function copyConformance(test: Define): void {
  test("getRun() and createRun() return copies", async (store) => {
    const { run, runId } = await newRun(store, { runName: "r" });
    await store.logBatch(runId, {
      metrics: [metric("m", 1)],
      params: [param("p", "1")],
      tags: [tag("t", "1")],
    });
    await store.logInputs(runId, [datasetInput("ds", "d", [tag("k", "v")])], [{ model_id: "m-1" }]);
    const before = structuredClone(await store.getRun(runId));
    const got = await store.getRun(runId);
    got.info.status = "KILLED";
    got.info.run_name = "mutated";
    got.data.metrics[0].value = 99;
    got.data.params[0].value = "99";
    got.data.tags.push(tag("x", "y"));
    got.inputs.dataset_inputs[0].tags[0].value = "mutated";
    got.inputs.dataset_inputs[0].dataset.name = "mutated";
    got.inputs.model_inputs.push({ model_id: "m-2" });
    got.outputs.model_outputs.push({ model_id: "m-3", step: 0 });
    run.info.lifecycle_stage = "deleted";
    run.data.tags.length = 0;
    assert.deepEqual(await store.getRun(runId), before);
  });

  test("getExperiment() and searchExperiments() return copies", async (store) => {
    const name = randomExperimentName();
    const id = await store.createExperiment({ name, tags: [tag("a", "1")] });
    const before = structuredClone(await store.getExperiment(id));
    const got = await store.getExperiment(id);
    got.name = "mutated";
    got.tags[0].value = "mutated";
    got.tags.push(tag("b", "2"));
    const found = (await store.searchExperiments({ filter: `name = '${name}'` })).items[0];
    found.lifecycle_stage = "deleted";
    found.tags.length = 0;
    const byName = await store.getExperimentByName(name);
    byName.artifact_location = "mutated";
    assert.deepEqual(await store.getExperiment(id), before);
  });

  test("searchRuns(), updateRun() and getMetricHistory() return copies", async (store) => {
    const { experimentId, runId } = await newRun(store);
    await store.logBatch(runId, { metrics: [metric("m", 1)], params: [param("p", "1")] });
    const before = structuredClone(await store.getRun(runId));
    const found = (await store.searchRuns({ experimentIds: [experimentId] })).items[0];
    found.info.status = "KILLED";
    found.data.params[0].value = "mutated";
    const info = await store.updateRun(runId, {});
    info.end_time = 1;
    const history = await store.getMetricHistory(runId, "m");
    history.items[0].value = 42;
    assert.deepEqual(await store.getRun(runId), before);
    assert.deepEqual((await store.getMetricHistory(runId, "m")).items, [metric("m", 1)]);
  });

  test("createExperiment(), createRun(), logBatch() and logInputs() copy their inputs", async (store) => {
    const expTags = [tag("a", "1")];
    const id = await store.createExperiment({ name: randomExperimentName(), tags: expTags });
    expTags[0].value = "mutated";
    expTags.push(tag("b", "2"));
    assert.deepEqual((await store.getExperiment(id)).tags, [tag("a", "1")]);

    const runTags = [tag("t", "1")];
    const { runId } = await newRun(store, { experimentId: id, runName: "r", tags: runTags });
    runTags[0].value = "mutated";
    const m = metric("m", 1);
    const p = param("p", "1");
    const t = tag("t2", "1");
    await store.logBatch(runId, { metrics: [m], params: [p], tags: [t] });
    const input = datasetInput("ds", "d", [tag("k", "v")]);
    await store.logInputs(runId, [input]);
    m.value = 2;
    p.value = "2";
    t.value = "2";
    input.tags[0].value = "mutated";
    input.dataset.source = "mutated";
    const run = await store.getRun(runId);
    assert.deepEqual(run.data.metrics, [metric("m", 1)]);
    assert.deepEqual(run.data.params, [param("p", "1")]);
    assert.deepEqual(run.data.tags, [tag("mlflow.runName", "r"), tag("t", "1"), tag("t2", "1")]);
    assert.deepEqual(run.inputs.dataset_inputs, [datasetInput("ds", "d", [tag("k", "v")])]);
    assert.deepEqual((await store.getMetricHistory(runId, "m")).items, [metric("m", 1)]);
  });
}
