import assert from "node:assert/strict";
import { createKvStore } from "./mod.ts";
import { observeKv, type StoreObserver } from "./observer.ts";

/** An observer that counts what it is told. */
function counting() {
  const seen = { ok: 0, conflict: 0, locked: 0, staged: 0, points: 0 };
  const observer: StoreObserver = {
    onCommit: (ok) => ok ? seen.ok++ : seen.conflict++,
    onLocked: () => seen.locked++,
    onStagedBatch: () => seen.staged++,
    onPoints: (n) => seen.points += n,
  };
  return { seen, observer };
}

Deno.test("observeKv() reports commits, failed checks, sets and deletes, and passes the rest through", async () => {
  using kv = await Deno.openKv(":memory:");
  const { seen, observer } = counting();
  const db = observeKv(kv, observer);
  assert.ok(db instanceof Deno.Kv);
  assert.equal(
    (await db.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 1).commit()).ok,
    true,
  );
  assert.equal(
    (await db.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 2).commit()).ok,
    false,
  );
  await db.set(["b"], 1);
  await db.delete(["b"]);
  assert.deepEqual(seen, { ok: 3, conflict: 1, locked: 0, staged: 0, points: 0 });
  assert.equal((await db.get(["a"])).value, 1);
  assert.equal((await db.getMany([["a"], ["b"]]))[1].value, null);
  assert.equal((await Array.fromAsync(db.list({ prefix: [] }))).length, 1);
});

Deno.test("observeKv() reports a 'database is locked' refusal and rethrows it", async () => {
  const { seen, observer } = counting();
  const locked = new Error("database is locked");
  const fake = { atomic: () => ({ commit: () => Promise.reject(locked) }) } as unknown as Deno.Kv;
  await assert.rejects(observeKv(fake, observer).atomic().commit(), (e) => e === locked);
  assert.equal(seen.locked, 1);
});

Deno.test("createKvStore() with an observer reports points ingested and staged batches", async () => {
  using kv = await Deno.openKv(":memory:");
  const { seen, observer } = counting();
  const store = await createKvStore(kv, { observer, stagingSweepIntervalMs: 0 });
  try {
    const experimentId = await store.createExperiment({ name: "obs" });
    const runId = (await store.createRun({ experimentId })).info.run_id;
    const okBefore = seen.ok;
    await store.logBatch(runId, {
      metrics: [{ key: "m", value: 1, timestamp: 1, step: 0 }, {
        key: "m",
        value: 2,
        timestamp: 2,
        step: 1,
      }],
    });
    assert.equal(seen.points, 2);
    assert.ok(seen.ok > okBefore, "the write's commit was reported");
    assert.equal(seen.staged, 0);
    // Past one commit's 1000 mutations and 800 KiB: the staged path.
    const long = "v".repeat(6000);
    await store.logBatch(runId, {
      metrics: Array.from(
        { length: 900 },
        (_, i) => ({ key: `k${i}`, value: i, timestamp: 1, step: 0 }),
      ),
      params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: long })),
    });
    assert.equal(seen.staged, 1);
    assert.equal(seen.points, 902);
    // A refused batch ingests nothing.
    await assert.rejects(store.logBatch(runId, {
      metrics: [{ key: "m", value: 3, timestamp: 3, step: 2 }],
      params: [{ key: "p0", value: "changed" }],
    }));
    assert.equal(seen.points, 902);
  } finally {
    await store.stopBackgroundWork();
  }
});
