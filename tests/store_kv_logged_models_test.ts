/**
 * KV-only logged-model behaviour the conformance suite cannot show: two stores on one KV file
 * (as two processes or isolates would be) racing on one model, and a log-batch too large for
 * one commit attaching its model metrics all-or-nothing.
 */
import assert from "node:assert/strict";
import { MlflowError } from "../store/errors.ts";
import { createKvStore } from "../store/kv/mod.ts";
import type { Metric, TrackingStore } from "../store/types.ts";
import { T0 } from "./fixtures.ts";

/** Two stores over two handles of one KV file in a temp dir. */
async function withTwoStores(fn: (a: TrackingStore, b: TrackingStore) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-lm-" });
  const path = `${dir}/mlruns.kv`;
  const kvA = await Deno.openKv(path);
  const kvB = await Deno.openKv(path);
  try {
    const a = await createKvStore(kvA);
    const b = await createKvStore(kvB);
    await fn(a, b);
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const point = (modelId: string, key: string, value: number, step = 0): Metric => ({
  key,
  value,
  timestamp: T0 + step,
  step,
  model_id: modelId,
});

Deno.test("createKvStore() two stores: runs logging to one model concurrently lose no points", async () => {
  await withTwoStores(async (a, b) => {
    const experimentId = await a.createExperiment({ name: "race" });
    const id = (await a.createLoggedModel({ experimentId, name: "m" })).info.model_id;
    const r1 = (await a.createRun({ experimentId })).info.run_id;
    const r2 = (await b.createRun({ experimentId })).info.run_id;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 15; i++) {
      writes.push(a.logBatch(r1, { metrics: [point(id, `a${i}`, i), point(id, "shared", i, i)] }));
      writes.push(b.logBatch(r2, { metrics: [point(id, `b${i}`, i), point(id, "shared", -i, i)] }));
      // Model-level writes race with them too (the run writes never touch the model record).
      if (i % 5 === 0) writes.push(b.setLoggedModelTags(id, [{ key: `t${i}`, value: "v" }]));
    }
    await Promise.all(writes);
    const model = await b.getLoggedModel(id);
    const keys = model.data.metrics.map((m) => m.key);
    assert.equal(keys.length, 31);
    for (let i = 0; i < 15; i++) {
      assert.ok(keys.includes(`a${i}`) && keys.includes(`b${i}`), `${i}`);
    }
    const shared = model.data.metrics.find((m) => m.key === "shared")!;
    // Step 14 from both runs: the larger value (14, from r1) is the latest.
    assert.deepEqual([shared.step, shared.value, shared.run_id], [14, 14, r1]);
    assert.deepEqual(model.info.tags.map((t) => t.key), ["t0", "t10", "t5"]);
    assert.deepEqual(await a.getLoggedModel(id), model);
  });
});

Deno.test("createKvStore() two stores: a param logged with two values concurrently keeps one", async () => {
  await withTwoStores(async (a, b) => {
    const experimentId = await a.createExperiment({ name: "params" });
    const id = (await a.createLoggedModel({ experimentId })).info.model_id;
    for (let round = 0; round < 5; round++) {
      const key = `p${round}`;
      const results = await Promise.allSettled([
        a.logLoggedModelParams(id, [{ key, value: "from-a" }]),
        b.logLoggedModelParams(id, [{ key, value: "from-b" }]),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      assert.equal(ok.length, 1, `exactly one write of ${key} succeeds`);
      const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      assert.ok(failed.reason instanceof MlflowError);
      assert.equal(failed.reason.code, "INVALID_PARAMETER_VALUE");
      const winner = results[0].status === "fulfilled" ? "from-a" : "from-b";
      const params = (await b.getLoggedModel(id)).data.params;
      assert.equal(params.find((p) => p.key === key)?.value, winner);
    }
  });
});

Deno.test("createKvStore() a log-batch too large for one commit attaches its model metrics whole", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = await createKvStore(kv);
    const experimentId = await store.createExperiment({ name: "big" });
    const id = (await store.createLoggedModel({ experimentId })).info.model_id;
    const runId = (await store.createRun({ experimentId })).info.run_id;
    const long = "v".repeat(6000);
    // 900 metrics (each a run key, a history key and a model key) plus 100 long params:
    // well past one commit's 1000 mutations and 800 KiB, so it takes the staged path.
    await store.logBatch(runId, {
      metrics: Array.from({ length: 900 }, (_, i) => point(id, `k${i}`, i)),
      params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: long })),
    });
    const model = await store.getLoggedModel(id);
    assert.equal(model.data.metrics.length, 900);
    assert.ok(model.data.metrics.every((m) => m.run_id === runId && m.model_id === id));
    assert.equal((await store.getRun(runId)).data.metrics.length, 900);
    // And one that fails (a changed param) writes nothing anywhere.
    await assert.rejects(
      store.logBatch(runId, {
        metrics: Array.from({ length: 900 }, (_, i) => point(id, `z${i}`, i)),
        params: [{ key: "p0", value: "changed" }],
      }),
      (e) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE",
    );
    assert.equal((await store.getLoggedModel(id)).data.metrics.length, 900);
    assert.equal((await store.getRun(runId)).data.metrics.length, 900);
  } finally {
    kv.close();
  }
});

Deno.test("createKvStore() splits commits by KV's 80 KiB key-size cap (long metric keys)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = await createKvStore(kv);
    const experimentId = await store.createExperiment({ name: "long-keys" });
    const id = (await store.createLoggedModel({ experimentId })).info.model_id;
    const runId = (await store.createRun({ experimentId })).info.run_id;
    // 400 keys of ~240 bytes, each written as a run head, a history point and a model point:
    // ~290 KB of keys, far past what one commit may touch.
    const key = (i: number) => `${"k".repeat(240)}${i}`;
    await store.logBatch(runId, {
      metrics: Array.from({ length: 400 }, (_, i) => point(id, key(i), i)),
    });
    assert.equal((await store.getRun(runId)).data.metrics.length, 400);
    assert.equal((await store.getLoggedModel(id)).data.metrics.length, 400);
    assert.equal((await store.getMetricHistory(runId, key(7))).items.length, 1);
  } finally {
    kv.close();
  }
});
