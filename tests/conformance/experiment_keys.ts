/** Conformance: listExperimentKeys (the distinct param, metric and tag keys of an experiment). */
import assert from "node:assert/strict";
import { assertMlflowError, metric, newRun, param, tag } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

/** Registers the listExperimentKeys tests. */
export function experimentKeysConformance(test: Define): void {
  test("listExperimentKeys() lists each key once, sorted, from every run of the experiment", async (store) => {
    const { experimentId, runId: a } = await newRun(store);
    const { runId: b } = await newRun(store, { experimentId });
    const { runId: other } = await newRun(store);
    await store.logBatch(a, {
      params: [param("lr", "0.1"), param("depth", "3")],
      metrics: [metric("loss", 1), metric("acc", NaN)],
      tags: [tag("team", "x")],
    });
    await store.logBatch(b, {
      params: [param("lr", "0.2"), param("only_b", "1")],
      metrics: [metric("loss", 2)],
      tags: [tag("team", "y"), tag("ß", "1")],
    });
    await store.logBatch(other, { params: [param("elsewhere", "1")] });
    await store.deleteRun(b); // a deleted run's keys still count
    const keys = await store.listExperimentKeys(experimentId);
    assert.deepEqual(keys.paramKeys, ["depth", "lr", "only_b"]);
    assert.deepEqual(keys.metricKeys, ["acc", "loss"]);
    assert.ok(keys.tagKeys.includes("team") && keys.tagKeys.includes("ß"));
    assert.ok(keys.tagKeys.includes("mlflow.runName"), "system tags are listed too");
    assert.deepEqual(keys.tagKeys, [...keys.tagKeys].sort());
    assert.equal(keys.truncated, false);
  });

  test("listExperimentKeys() drops a deleted tag, and caps each list at the limit", async (store) => {
    const { experimentId, runId } = await newRun(store);
    await store.logBatch(runId, {
      params: ["p1", "p2", "p3"].map((k) => param(k, "v")),
      tags: [tag("gone", "1")],
    });
    await store.deleteTag(runId, "gone");
    assert.ok(!(await store.listExperimentKeys(experimentId)).tagKeys.includes("gone"));
    const capped = await store.listExperimentKeys(experimentId, 2);
    assert.deepEqual(capped.paramKeys, ["p1", "p2"]);
    assert.equal(capped.truncated, true);
    assert.equal((await store.listExperimentKeys(experimentId, 3)).truncated, false);
  });

  test("listExperimentKeys() finds keys past a key many runs share", async (store) => {
    const { experimentId } = await newRun(store);
    // 120 runs share `common` (more than one list batch of the KV backend), one has `rare`.
    for (let i = 0; i < 120; i++) {
      const { runId } = await newRun(store, { experimentId });
      await store.logBatch(runId, {
        params: [param("common", String(i)), ...(i === 119 ? [param("rare", "1")] : [])],
      });
    }
    const keys = await store.listExperimentKeys(experimentId);
    assert.deepEqual(keys.paramKeys, ["common", "rare"]);
  });

  test("listExperimentKeys() of an unknown experiment is RESOURCE_DOES_NOT_EXIST", async (store) => {
    await assertMlflowError(store.listExperimentKeys("987654"), "RESOURCE_DOES_NOT_EXIST");
    const { experimentId } = await newRun(store);
    const empty = await store.listExperimentKeys(experimentId);
    assert.deepEqual([empty.paramKeys, empty.metricKeys, empty.truncated], [[], [], false]);
  });
}
