/**
 * The KV store answers `runs/get` and `runs/search` from a run's summary when it holds the whole
 * run (issue 12 §3): whatever a run holds, both give exactly what the memory store (the
 * reference) gives for the same calls, including keys named like object properties (`__proto__`),
 * values too long for the summary, datasets, model inputs and outputs, deleted tags and renames,
 * and runs written before the summary could hold a whole run.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runByExperimentKey, runKey } from "../store/kv/keys.ts";
import { createKvStore } from "../store/kv/mod.ts";
import type { RunRecord } from "../store/kv/records.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { Run, TrackingStore } from "../store/types.ts";

type Step = (store: TrackingStore, runId: string, experimentId: string) => Promise<unknown>;

const SCENARIOS: Record<string, Step[]> = {
  "plain params, metrics and tags": [
    (s, id) =>
      s.logBatch(id, {
        params: [{ key: "b", value: "2" }, { key: "a", value: "1" }, { key: "é", value: "3" }],
        metrics: [
          { key: "loss", value: 0.5, timestamp: 1, step: 0 },
          { key: "loss", value: 0.25, timestamp: 2, step: 1 },
          { key: "nan", value: NaN, timestamp: 1, step: 0 },
        ],
        tags: [{ key: "z", value: "last" }, { key: "Z", value: "upper" }],
      }),
  ],
  "keys named like object properties": [
    (s, id) =>
      s.logBatch(id, {
        params: [{ key: "__proto__", value: "p" }, { key: "constructor", value: "c" }],
        metrics: [{ key: "__proto__", value: 1, timestamp: 1, step: 0 }],
        tags: [{ key: "__proto__", value: "t" }, { key: "toString", value: "s" }],
      }),
  ],
  "a value too long for the summary": [
    (s, id) => s.logBatch(id, { params: [{ key: "long", value: "x".repeat(600) }] }),
  ],
  "a dataset input": [
    (s, id) =>
      s.logInputs(id, [{
        tags: [{ key: "mlflow.data.context", value: "train" }],
        dataset: { name: "d", digest: "abc", source_type: "local", source: "{}" },
      }]),
  ],
  "a model input": [(s, id) => s.logInputs(id, [], [{ model_id: "m-1" }])],
  "a model output": [(s, id) => s.logOutputs(id, [{ model_id: "m-2", step: 3 }])],
  "a deleted tag and a rename": [
    (s, id) => s.logBatch(id, { tags: [{ key: "gone", value: "1" }, { key: "kept", value: "2" }] }),
    (s, id) => s.deleteTag(id, "gone"),
    (s, id) => s.updateRun(id, { runName: "renamed", status: "FINISHED", endTime: 9 }),
  ],
  "a deleted run": [(s, id) => s.deleteRun(id)],
};

/** A run without what differs between stores by design (ids, artifact locations). */
function comparable(run: Run): unknown {
  const { run_id: _a, run_uuid: _b, experiment_id: _c, artifact_uri: _d, ...info } = run.info;
  return { ...run, info };
}

async function play(store: TrackingStore, steps: Step[]): Promise<Run[]> {
  const exp = await store.createExperiment({ name: "e" });
  const run = await store.createRun({ experimentId: exp, runName: "r", startTime: 5 });
  for (const step of steps) await step(store, run.info.run_id, exp);
  const got = await store.getRun(run.info.run_id);
  const found = await store.searchRuns({ experimentIds: [exp], runViewType: "ALL" });
  assert.equal(found.items.length, 1);
  return [got, found.items[0]];
}

for (const [name, steps] of Object.entries(SCENARIOS)) {
  Deno.test(`KV runs/get and runs/search equal the memory store's: ${name}`, async () => {
    const kv = await Deno.openKv(":memory:");
    const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
    try {
      const expected = (await play(createMemoryStore(), steps)).map(comparable);
      const actual = (await play(store, steps)).map(comparable);
      assert.deepEqual(actual, expected);
    } finally {
      await store.stopBackgroundWork();
      kv.close();
    }
  });
}

Deno.test("KV runs/get and runs/search read a run written before summaries held whole runs", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  try {
    const exp = await store.createExperiment({ name: "e" });
    const { info } = await store.createRun({ experimentId: exp, startTime: 5 });
    await store.logInputs(info.run_id, [], [{ model_id: "m-1" }]);
    // As an older kvflow left it: a summary without `c` or `x`, the run index holding the id.
    const key = runKey(info.run_id);
    const rec = (await kv.get<RunRecord>(key)).value!;
    const { c: _c, x: _x, ...old } = rec.s!;
    await kv.atomic().set(key, { ...rec, s: old })
      .set(runByExperimentKey(exp, 5, info.run_id), info.run_id).commit();
    // A fresh process, so nothing cached stands in for the stored record.
    const fresh = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
    const got = await fresh.getRun(info.run_id);
    assert.deepEqual(got.inputs.model_inputs, [{ model_id: "m-1" }]);
    const found = await fresh.searchRuns({ experimentIds: [exp] });
    assert.deepEqual(found.items[0].inputs.model_inputs, [{ model_id: "m-1" }]);
    await fresh.stopBackgroundWork();
  } finally {
    await store.stopBackgroundWork();
    kv.close();
  }
});
