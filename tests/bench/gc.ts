/**
 * `deno run -A tests/bench/gc.ts [--points N] [--runs N]`: how fast gc purges, on a KV file in a
 * temp dir (in-process, no HTTP): one deleted run with N metric points (10 keys, in log-batch
 * calls of 1000), then a deleted experiment of N small runs (a param, a tag and a metric each).
 * Prints seconds, KV keys deleted per second and the process's peak RSS; a whole-database scan
 * afterwards checks that no key names the purged run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createKvStore } from "../../store/kv/mod.ts";
import { LOCAL_KV_COMMIT_LIMITS } from "../../store/kv/commit_limits.ts";
import { runGc } from "../../store/ops/gc.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    points: { type: "string", default: "1000000" },
    runs: { type: "string", default: "2000" },
  },
});
const POINTS = Number(values.points);
const RUNS = Number(values.runs);
const dir = await Deno.makeTempDir({ prefix: "kvflow-gc-bench-" });
const kv = await Deno.openKv(`${dir}/gc.kv`);
const store = await createKvStore(kv, {
  stagingSweepIntervalMs: 0,
  commitLimits: LOCAL_KV_COMMIT_LIMITS,
});
try {
  const exp = await store.createExperiment({ name: "gc-bench" });
  const run = (await store.createRun({ experimentId: exp })).info.run_id;
  for (let i = 0; i < POINTS; i += 1000) {
    const metrics = Array.from({ length: Math.min(1000, POINTS - i) }, (_, j) => {
      const n = i + j;
      return { key: `m${n % 10}`, value: n, timestamp: 1_700_000_000_000 + n, step: n };
    });
    await store.logBatch(run, { metrics });
  }
  await store.deleteRun(run);
  let keys = 0;
  const count = (l: string) => {
    const m = /: (\d+) keys deleted/.exec(l);
    if (m) keys += Number(m[1]);
  };
  let t0 = performance.now();
  await runGc(store, undefined, { runIds: [run], onProgress: count });
  let s = (performance.now() - t0) / 1000;
  console.log(
    `run with ${POINTS} points: ${keys} keys in ${s.toFixed(2)} s (${
      (keys / s).toFixed(0)
    } keys/s)`,
  );

  const big = await store.createExperiment({ name: "gc-bench-exp" });
  for (let i = 0; i < RUNS; i++) {
    const r = (await store.createRun({ experimentId: big })).info.run_id;
    await store.logBatch(r, {
      params: [{ key: "p", value: `${i}` }],
      tags: [{ key: "t", value: `${i}` }],
      metrics: [{ key: "loss", value: i, timestamp: 1, step: 0 }],
    });
  }
  await store.deleteExperiment(big);
  keys = 0;
  t0 = performance.now();
  const result = await runGc(store, undefined, { experimentIds: [big], onProgress: count });
  s = (performance.now() - t0) / 1000;
  console.log(
    `experiment with ${RUNS} runs: ${keys} keys in ${s.toFixed(2)} s (${
      (RUNS / s).toFixed(0)
    } runs/s)`,
  );
  if (result.experiment_ids.length !== 1) throw new Error("experiment not purged");
  let left = 0;
  for await (const e of kv.list({ prefix: [] })) if (e.key.includes(run)) left++;
  if (left !== 0) throw new Error(`${left} keys still name the run`);
  console.log(`peak RSS ${(Deno.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (at the end)`);
} finally {
  await store.stopBackgroundWork();
  kv.close();
  await Deno.remove(dir, { recursive: true });
}
