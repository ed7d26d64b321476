import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { createKvStore } from "./mod.ts";

// Two stores on one KV handle have separate run caches, exactly like two processes or isolates.
async function twoProcesses() {
  const kv = await Deno.openKv(":memory:");
  return { kv, a: await createKvStore(kv), b: await createKvStore(kv) };
}

Deno.test("writeRun() replans from KV when another process wrote the run behind its cache", async (t) => {
  await t.step("params stay immutable", async () => {
    const { kv, a, b } = await twoProcesses();
    const id = (await a.createRun({ experimentId: "0" })).info.run_id; // a's cache: no params
    await b.logBatch(id, { params: [{ key: "lr", value: "0.1" }] });
    await rejects(
      a.logBatch(id, { params: [{ key: "lr", value: "0.2" }] }),
      /Changing param values/,
    );
    deepStrictEqual((await a.getRun(id)).data.params, [{ key: "lr", value: "0.1" }]);
    kv.close();
  });
  await t.step("latest metric and history include the other process's points", async () => {
    const { kv, a, b } = await twoProcesses();
    const id = (await a.createRun({ experimentId: "0" })).info.run_id;
    await a.logBatch(id, { metrics: [{ key: "m", value: 1, timestamp: 1, step: 1 }] });
    await b.logBatch(id, { metrics: [{ key: "m", value: 5, timestamp: 5, step: 5 }] });
    await a.logBatch(id, { metrics: [{ key: "m", value: 2, timestamp: 2, step: 2 }] });
    deepStrictEqual((await b.getRun(id)).data.metrics, [{
      key: "m",
      value: 5,
      timestamp: 5,
      step: 5,
    }]);
    deepStrictEqual((await a.getMetricHistory(id, "m")).items.map((p) => p.value), [1, 2, 5]);
    kv.close();
  });
  await t.step("a run deleted by another process rejects writes", async () => {
    const { kv, a, b } = await twoProcesses();
    const id = (await a.createRun({ experimentId: "0" })).info.run_id;
    await a.logBatch(id, { tags: [{ key: "t", value: "1" }] });
    await b.deleteRun(id);
    await rejects(
      a.logBatch(id, { tags: [{ key: "t", value: "2" }] }),
      /must be in the 'active' state/,
    );
    kv.close();
  });
  await t.step("runs/create rejects an experiment another process deleted", async () => {
    const { kv, a, b } = await twoProcesses();
    const exp = await a.createExperiment({ name: "e" });
    await a.createRun({ experimentId: exp }); // a now caches the experiment
    await b.deleteExperiment(exp);
    await rejects(a.createRun({ experimentId: exp }), /must be in the 'active' state/);
    kv.close();
  });
  await t.step("a run deleted again after its experiment's restore is deleted", async () => {
    const { kv, a } = await twoProcesses();
    const exp = await a.createExperiment({ name: "e" });
    const id = (await a.createRun({ experimentId: exp })).info.run_id;
    await a.deleteRun(id);
    await a.deleteExperiment(exp);
    await a.restoreExperiment(exp); // reactivates the run; a's run cache still holds the old epoch
    await a.deleteRun(id);
    strictEqual((await a.getRun(id)).info.lifecycle_stage, "deleted");
    kv.close();
  });
  await t.step("a run restored by another process accepts writes", async () => {
    const { kv, a, b } = await twoProcesses();
    const id = (await a.createRun({ experimentId: "0" })).info.run_id;
    await a.deleteRun(id); // a caches the run as deleted
    await b.restoreRun(id);
    await a.logBatch(id, { tags: [{ key: "t", value: "1" }] });
    strictEqual((await b.getRun(id)).data.tags.some((t) => t.key === "t"), true);
    kv.close();
  });
  await t.step("an experiment deleted by another process rejects writes to its runs", async () => {
    const { kv, a, b } = await twoProcesses();
    const exp = await a.createExperiment({ name: "e" });
    const id = (await a.createRun({ experimentId: exp })).info.run_id;
    await b.deleteExperiment(exp);
    await rejects(
      a.logBatch(id, { tags: [{ key: "t", value: "2" }] }),
      /must be in the 'active' state/,
    );
    kv.close();
  });
});

Deno.test("writeRun() keeps every write of many concurrent writers across two caches", async () => {
  const { kv, a, b } = await twoProcesses();
  const id = (await a.createRun({ experimentId: "0" })).info.run_id;
  const writers = [a, b, a, b, a, b, a, b].map((s, w) =>
    (async () => {
      for (let i = 0; i < 40; i++) {
        await s.logBatch(id, {
          metrics: [{ key: "m", value: w * 1000 + i, timestamp: w * 1000 + i, step: i }],
          params: [{ key: `p${w}_${i}`, value: "v" }],
        });
      }
    })()
  );
  await Promise.all(writers);
  const run = await a.getRun(id);
  strictEqual(run.data.params.length, 320);
  strictEqual((await b.getMetricHistory(id, "m")).items.length, 320);
  kv.close();
});
