/**
 * `store/history_views.ts` on both backends: every case runs once on the memory store and once on
 * the KV store (`:memory:`), since the views must only rely on the `TrackingStore` contract.
 */
import assert from "node:assert/strict";
import {
  COLUMN_PAGE,
  getMetricHistoryBulk,
  getMetricHistoryBulkInterval,
  getMetricHistoryDownsampled,
  KeptPointsBudget,
  type MetricWithRunId,
  sampleSteps,
} from "./history_views.ts";
import { createKvStore } from "./kv/mod.ts";
import { createMemoryStore } from "./memory/mod.ts";
import type { Metric, TrackingStore } from "./types.ts";

const BACKENDS: Record<string, () => Promise<{ store: TrackingStore; close(): void }>> = {
  memory: () => Promise.resolve({ store: createMemoryStore(), close() {} }),
  kv: async () => {
    const kv = await Deno.openKv(":memory:");
    return { store: await createKvStore(kv), close: () => kv.close() };
  },
};

/** Registers `fn` as one test per backend. */
function bothBackends(name: string, fn: (store: TrackingStore) => Promise<void>) {
  for (const [backend, open] of Object.entries(BACKENDS)) {
    Deno.test(`${name} [${backend}]`, async () => {
      const { store, close } = await open();
      try {
        await fn(store);
      } finally {
        close();
      }
    });
  }
}

const T0 = 1_700_000_000_000;

/** Logs points in batches of 1000 (the log-batch limit). */
async function log(store: TrackingStore, runId: string, points: Omit<Metric, "key">[], key = "m") {
  for (let i = 0; i < points.length; i += 1000) {
    await store.logBatch(runId, {
      metrics: points.slice(i, i + 1000).map((p) => ({ key, ...p })),
    });
  }
}

async function newRun(store: TrackingStore): Promise<string> {
  return (await store.createRun({ experimentId: "0" })).info.run_id;
}

/** One point per step, value = step, timestamp = T0 + step. */
const bySteps = (steps: number[]) =>
  steps.map((step) => ({ step, value: step, timestamp: T0 + step }));

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

const stepsOf = (ms: { step: number }[]) => [...new Set(ms.map((m) => m.step))];

/** Rejects with INVALID_PARAMETER_VALUE and a message matching `re`. */
async function rejectsInvalid(p: Promise<unknown>, re: RegExp) {
  await assert.rejects(p, (e: Error & { code?: string }) => {
    assert.equal(e.code, "INVALID_PARAMETER_VALUE");
    assert.match(e.message, re);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// get-history-bulk-interval

Deno.test("sampleSteps: all steps when few, else even spacing plus the last", () => {
  const steps = Float64Array.from(range(0, 1000));
  assert.deepEqual(sampleSteps(Float64Array.from([1, 5, 9]), 0, 10, 5), [1, 5, 9]);
  assert.deepEqual(sampleSteps(steps, 0, 999, 4), [0, 250, 500, 750, 999]);
  // A range that does not start at the first step still gets its samples (MLflow drops them).
  assert.deepEqual(sampleSteps(steps, 200, 300, 5), [200, 220, 240, 260, 280, 300]);
  assert.deepEqual(sampleSteps(steps, 2000, 3000, 5), []);
});

bothBackends(
  "bulk-interval: even spread of pooled steps plus each run's min and max",
  async (s) => {
    const a = await newRun(s), b = await newRun(s);
    await log(s, a, bySteps(range(0, 1000)));
    await log(s, b, bySteps([5, 250, 517]));
    const got = await getMetricHistoryBulkInterval(s, {
      runIds: [b, a],
      metricKey: "m",
      maxResults: 10,
    });
    const even = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999];
    // b first (request order); b's own min 5 and max 517 are added for both runs' benefit.
    assert.deepEqual(got.filter((m) => m.run_id === b).map((m) => m.step), [5, 517]);
    assert.deepEqual(
      got.filter((m) => m.run_id === a).map((m) => m.step),
      [...even, 5, 517].sort((x, y) => x - y),
    );
    assert.equal(got[0].run_id, b);
    assert.deepEqual(got[0], { key: "m", value: 5, timestamp: T0 + 5, step: 5, run_id: b });
  },
);

bothBackends("bulk-interval: every point at a chosen step, by run, step, timestamp", async (s) => {
  const a = await newRun(s);
  // Logged out of order; step 1 has three points, two of them at one timestamp.
  await log(s, a, [
    { step: 2, value: 20, timestamp: T0 + 1 },
    { step: 1, value: 12, timestamp: T0 + 9 },
    { step: 1, value: 11, timestamp: T0 + 5 },
    { step: 1, value: 10, timestamp: T0 + 5 },
    { step: 0, value: 0, timestamp: T0 + 7 },
  ]);
  const got = await getMetricHistoryBulkInterval(s, { runIds: [a], metricKey: "m" });
  assert.deepEqual(got.map((m) => [m.step, m.timestamp - T0, m.value]), [
    [0, 7, 0],
    [1, 5, 10],
    [1, 5, 11],
    [1, 9, 12],
    [2, 1, 20],
  ]);
});

bothBackends("bulk-interval: a step range filters samples and per-run extremes", async (s) => {
  const a = await newRun(s), b = await newRun(s), c = await newRun(s);
  await log(s, a, bySteps(range(0, 1000)));
  await log(s, b, bySteps([5, 250, 517]));
  await log(s, c, bySteps([210, 290]));
  const got = await getMetricHistoryBulkInterval(s, {
    runIds: [a, b, c],
    metricKey: "m",
    startStep: 200,
    endStep: 300,
    maxResults: 5,
  });
  // Samples of [200, 300]: 200, 220, 240, 260, 280 and the last, 300. c's min and max lie in the
  // range and are added; a's (0, 999) and b's (5, 517) do not, so b's 250 is not picked.
  const of = (id: string) => stepsOf(got.filter((m) => m.run_id === id));
  assert.deepEqual(of(a), [200, 210, 220, 240, 260, 280, 290, 300]);
  assert.deepEqual(of(b), []);
  assert.deepEqual(of(c), [210, 290]);
});

bothBackends("bulk-interval: negative steps, unknown runs and keys", async (s) => {
  const a = await newRun(s);
  await log(s, a, bySteps([-5, 0, 5]));
  const got = await getMetricHistoryBulkInterval(s, {
    runIds: [a, "f".repeat(32)],
    metricKey: "m",
  });
  assert.deepEqual(got.map((m) => m.step), [-5, 0, 5]); // MLflow would start at 0
  assert.deepEqual(await getMetricHistoryBulkInterval(s, { runIds: [a], metricKey: "nope" }), []);
  // A run id named twice is read once.
  assert.equal(
    (await getMetricHistoryBulkInterval(s, { runIds: [a, a], metricKey: "m" })).length,
    3,
  );
});

bothBackends("bulk-interval: at most 25,000 points per run", async (s) => {
  const a = await newRun(s);
  await log(s, a, range(0, 25_010).map((i) => ({ step: 0, value: i, timestamp: T0 + i })));
  const got = await getMetricHistoryBulkInterval(s, { runIds: [a], metricKey: "m" });
  assert.equal(got.length, 25_000);
  assert.equal(got[24_999].value, 24_999);
});

bothBackends("bulk-interval: invalid arguments are INVALID_PARAMETER_VALUE", async (s) => {
  const id = await newRun(s);
  const call = (o: Partial<Parameters<typeof getMetricHistoryBulkInterval>[1]>) =>
    getMetricHistoryBulkInterval(s, { runIds: [id], metricKey: "m", ...o });
  await rejectsInvalid(call({ runIds: [] }), /at least one run_id/);
  await rejectsInvalid(
    call({ runIds: range(0, 101).map((i) => `r${i}`) }),
    /at most 100 run_ids\. Received 101/,
  );
  await rejectsInvalid(call({ metricKey: "" }), /metric_key/);
  await rejectsInvalid(call({ startStep: 1 }), /both must be specified/);
  await rejectsInvalid(call({ endStep: 1 }), /both must be specified/);
  await rejectsInvalid(call({ startStep: 5, endStep: 4 }), /start_step=5 and end_step=4/);
  for (const maxResults of [0, 2501, 1.5, NaN]) {
    await rejectsInvalid(call({ maxResults }), /max_results must be an integer between 1 and 2500/);
  }
  await rejectsInvalid(call({ runIds: ["../x"] }), /run_id/);
  assert.equal((await call({ startStep: 3, endStep: 3, maxResults: 1 })).length, 0);
});

// ---------------------------------------------------------------------------------------------
// get-history-bulk

bothBackends("bulk: runs by id, histories in order, cut at max_results", async (s) => {
  const ids = [await newRun(s), await newRun(s), await newRun(s)];
  for (const id of ids) await log(s, id, bySteps([2, 0, 1]));
  const sorted = [...ids].sort();
  const all = await getMetricHistoryBulk(s, { runIds: [...ids, ids[0]], metricKey: "m" });
  assert.deepEqual(
    all.map((m) => [m.run_id, m.step]),
    sorted.flatMap((id) => [[id, 0], [id, 1], [id, 2]]),
  );
  const cut = await getMetricHistoryBulk(s, { runIds: ids, metricKey: "m", maxResults: 4 });
  assert.deepEqual(cut.map((m: MetricWithRunId) => [m.run_id, m.step]), [
    [sorted[0], 0],
    [sorted[0], 1],
    [sorted[0], 2],
    [sorted[1], 0],
  ]);
  // Above 25,000 is read as 25,000, as MLflow does.
  assert.equal(
    (await getMetricHistoryBulk(s, { runIds: ids, metricKey: "m", maxResults: 1e6 })).length,
    9,
  );
  await rejectsInvalid(getMetricHistoryBulk(s, { runIds: [], metricKey: "m" }), /at least one/);
  await rejectsInvalid(
    getMetricHistoryBulk(s, { runIds: ids, metricKey: "m", maxResults: 0 }),
    /max_results/,
  );
});

// ---------------------------------------------------------------------------------------------
// Downsampling

bothBackends("downsampled: a single spike survives in a 1,000,000-point series", async (s) => {
  const id = await newRun(s);
  const SPIKE = 654_321;
  const points = range(0, 1_000_000).map((step) => ({
    step,
    value: step === SPIKE ? 1000 : Math.sin(step) * 1e-3,
    timestamp: T0 + step,
  }));
  await log(s, id, points);
  const got = await getMetricHistoryDownsampled(s, { runId: id, metricKey: "m", buckets: 1000 });
  assert.equal(got.total_points, 1_000_000);
  assert.equal(got.exact, false);
  assert.equal(got.nan_points, 0);
  assert.ok(got.metrics.length <= 2 * 1000 + 2, `${got.metrics.length} points`);
  assert.ok(got.metrics.length >= 2 * 1000, `${got.metrics.length} points`);
  assert.deepEqual(got.metrics.find((m) => m.value === 1000), {
    key: "m",
    value: 1000,
    timestamp: T0 + SPIKE,
    step: SPIKE,
  });
  assert.equal(got.metrics[0].step, 0);
  assert.equal(got.metrics.at(-1)!.step, 999_999);
  const steps = got.metrics.map((m) => m.step);
  assert.deepEqual(steps, [...steps].sort((a, b) => a - b));
  assert.equal(new Set(steps).size, steps.length);
});

bothBackends("downsampled: few points are returned exactly, in step order", async (s) => {
  const id = await newRun(s);
  // Step order and timestamp order disagree.
  await log(s, id, [
    { step: 3, value: 1, timestamp: T0 },
    { step: 1, value: 2, timestamp: T0 + 1 },
    { step: 2, value: 3, timestamp: T0 + 2 },
  ]);
  const got = await getMetricHistoryDownsampled(s, { runId: id, metricKey: "m", buckets: 2 });
  assert.deepEqual(got.metrics.map((m) => m.step), [1, 2, 3]);
  assert.equal(got.exact, true);
  assert.equal(got.total_points, 3);
  const byTime = await getMetricHistoryDownsampled(s, {
    runId: id,
    metricKey: "m",
    buckets: 2,
    x: "timestamp",
  });
  assert.deepEqual(byTime.metrics.map((m) => m.step), [3, 1, 2]);
});

bothBackends("downsampled: bucket edges and a narrower x range", async (s) => {
  const id = await newRun(s);
  await log(s, id, bySteps(range(0, 10)));
  // [0, 9] in 2 buckets: 0–4 and 5–9 (9, the top edge, joins the last bucket).
  const two = await getMetricHistoryDownsampled(s, { runId: id, metricKey: "m", buckets: 2 });
  assert.equal(two.exact, false);
  assert.deepEqual(two.metrics.map((m) => m.step), [0, 4, 5, 9]);
  const mid = await getMetricHistoryDownsampled(s, {
    runId: id,
    metricKey: "m",
    buckets: 1,
    startX: 2,
    endX: 7,
  });
  assert.equal(mid.total_points, 6);
  assert.deepEqual(mid.metrics.map((m) => m.step), [2, 7]);
  const byTime = await getMetricHistoryDownsampled(s, {
    runId: id,
    metricKey: "m",
    buckets: 1,
    x: "timestamp",
    startX: T0 + 8,
  });
  assert.deepEqual(byTime.metrics.map((m) => m.step), [8, 9]);
});

bothBackends(
  "downsampled: a range within a page or the budget is read once, a longer one twice",
  async (s) => {
    const id = await newRun(s);
    // One page and a bit: the history comes in two pages.
    const total = COLUMN_PAGE + 5_000;
    await log(s, id, bySteps(range(0, total)));
    let reads = 0;
    const counting: TrackingStore = {
      ...s,
      getMetricHistoryColumns: (...args) => (reads++, s.getMetricHistoryColumns(...args)),
    };
    // 1,000 points in range into 10 buckets: bucketed from what the one pass kept.
    const short = await getMetricHistoryDownsampled(counting, {
      runId: id,
      metricKey: "m",
      buckets: 10,
      endX: 999,
    });
    assert.equal(short.exact, false);
    assert.deepEqual(stepsOf(short.metrics).slice(0, 3), [0, 99, 100]);
    assert.equal(reads, 2, "one pass over the history: its two pages");
    // More than a read keeps of its own (a page): kept on the process's budget, read once.
    const budget = new KeptPointsBudget(10_000);
    reads = 0;
    const long = await getMetricHistoryDownsampled(counting, {
      runId: id,
      metricKey: "m",
      buckets: 10,
    }, budget);
    assert.equal(long.total_points, total);
    assert.equal(reads, 2);
    // The budget is whole again, and a read it cannot cover takes a second pass, same answer.
    assert.equal(budget.borrow(10_000), true);
    reads = 0;
    const twice = await getMetricHistoryDownsampled(counting, {
      runId: id,
      metricKey: "m",
      buckets: 10,
    }, budget);
    assert.equal(reads, 4);
    assert.deepEqual(twice, long);
    budget.release(10_000);
  },
);

bothBackends("downsampled: one point, one x, an empty range, an unknown run", async (s) => {
  const one = await newRun(s);
  await log(s, one, bySteps([42]));
  const single = await getMetricHistoryDownsampled(s, { runId: one, metricKey: "m", buckets: 1 });
  assert.deepEqual(single, {
    metrics: [{ key: "m", value: 42, timestamp: T0 + 42, step: 42 }],
    total_points: 1,
    nan_points: 0,
    exact: true,
  });

  const flat = await newRun(s);
  const values = [5, 6, 7, -1, 8, 9, 50, 7, 6, 5];
  await log(s, flat, values.map((value, i) => ({ step: 3, value, timestamp: T0 + i })));
  const same = await getMetricHistoryDownsampled(s, { runId: flat, metricKey: "m", buckets: 2 });
  // All in bucket 0: first, min (-1), max (50), last; in timestamp order.
  assert.deepEqual(same.metrics.map((m) => m.value), [5, -1, 50, 5]);
  assert.equal(same.exact, false);

  const empty = { metrics: [], total_points: 0, nan_points: 0, exact: true };
  assert.deepEqual(
    await getMetricHistoryDownsampled(s, { runId: one, metricKey: "m", startX: 43, endX: 99 }),
    empty,
  );
  assert.deepEqual(
    await getMetricHistoryDownsampled(s, { runId: "a".repeat(32), metricKey: "m" }),
    empty,
  );
});

bothBackends("downsampled: NaN points are counted and shown, never a min or max", async (s) => {
  const id = await newRun(s);
  // Bucket 0 = steps 0–9, bucket 1 = 10–19; NaN at steps 3, 4 and 15.
  await log(
    s,
    id,
    range(0, 20).map((step) => ({
      step,
      value: [3, 4, 15].includes(step) ? NaN : step % 10,
      timestamp: T0 + step,
    })),
  );
  const got = await getMetricHistoryDownsampled(s, { runId: id, metricKey: "m", buckets: 2 });
  assert.equal(got.exact, false);
  assert.equal(got.nan_points, 3);
  assert.deepEqual(
    got.metrics.map((m) => [m.step, m.value]),
    [[0, 0], [3, NaN], [9, 9], [10, 0], [15, NaN], [19, 9]],
  );
  const all = await getMetricHistoryDownsampled(s, { runId: id, metricKey: "m", buckets: 10 });
  assert.equal(all.exact, true);
  assert.equal(all.metrics.filter((m) => Number.isNaN(m.value)).length, 3);
});

bothBackends("downsampled: invalid arguments are INVALID_PARAMETER_VALUE", async (s) => {
  const id = await newRun(s);
  const call = (o: Partial<Parameters<typeof getMetricHistoryDownsampled>[1]>) =>
    getMetricHistoryDownsampled(s, { runId: id, metricKey: "m", ...o });
  for (const buckets of [0, 10_001, 2.5]) {
    await rejectsInvalid(call({ buckets }), /buckets must be an integer between 1 and 10000/);
  }
  await rejectsInvalid(call({ x: "value" as "step" }), /x must be 'step' or 'timestamp'/);
  await rejectsInvalid(call({ startX: 5, endX: 4 }), /start=5, end=4/);
  await rejectsInvalid(call({ startX: NaN }), /start must be a number/);
  await rejectsInvalid(call({ metricKey: "" }), /metric_key/);
  await rejectsInvalid(call({ runId: "../x" }), /run_id/);
});
