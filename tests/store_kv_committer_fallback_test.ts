/**
 * Issue 12 §5: when a coalesced commit fails a check (typically one job planned from a cache that
 * another process made stale), its jobs are re-committed on their own, and all at once: they touch
 * disjoint keys, and one after another they cost a KV round trip each.
 */
import { ok } from "node:assert/strict";
import { createKvStore } from "../store/kv/mod.ts";

Deno.test("the jobs of a coalesced commit that failed a check are re-committed concurrently, not one by one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-fallback-" });
  const path = `${dir}/fallback.kv`;
  using kvA = await Deno.openKv(path);
  using kvB = await Deno.openKv(path);
  // Count A's commits in flight; each takes a few ms more, as a remote KV's would.
  let inFlight = 0, most = 0;
  const atomic = kvA.atomic.bind(kvA);
  kvA.atomic = () => {
    const op = atomic();
    const commit = op.commit.bind(op);
    op.commit = async () => {
      most = Math.max(most, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, 5));
        return await commit();
      } finally {
        inFlight--;
      }
    };
    return op;
  };
  const a = await createKvStore(kvA, { stagingSweepIntervalMs: 0 });
  const b = await createKvStore(kvB, { stagingSweepIntervalMs: 0 });
  try {
    const metric = (step: number) => ({
      metrics: [{ key: "m", value: step, timestamp: 1, step }],
    });
    const runs = [];
    for (let i = 0; i < 8; i++) runs.push((await a.createRun({ experimentId: "0" })).info.run_id);
    // Another process writes every run: all of A's cached run states are now stale.
    for (const r of runs) await b.logBatch(r, metric(0));
    most = 0;
    await Promise.all(runs.map((r) => a.logBatch(r, metric(1))));
    ok(most > 1, `at most ${most} commit in flight`);
    for (const r of runs) {
      const history = await b.getMetricHistory(r, "m");
      ok(history.items.length === 2, `${r}: ${JSON.stringify(history)}`);
    }
  } finally {
    await a.stopBackgroundWork();
    await b.stopBackgroundWork();
    await Deno.remove(dir, { recursive: true });
  }
});
