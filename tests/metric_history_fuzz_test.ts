/**
 * Metric history model check: random sequences of `log-metric` / `log-batch` applied to the KV
 * store, through two handles on one KV file as two server processes would (one after another and
 * concurrently), and to the memory store as the oracle. Every write must succeed and every read
 * (whole and paged history, latest values, `runs/search` by metric, the chart views) must agree.
 *
 * The generators aim at the KV layout's edges: enough points to pass `COMPACT_AT` and sometimes
 * fill 1000-point chunks, steps clustered around the same few ranges so later points land below,
 * inside, between and above packed chunks, reversed and shuffled batches, exact duplicates,
 * NaN/±Inf, and MLflow 3 extras (`model_id`, dataset) that make chunks split by size.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { createApp } from "../routes/mod.ts";
import {
  getMetricHistoryBulk,
  getMetricHistoryBulkInterval,
  getMetricHistoryDownsampled,
} from "../store/history_views.ts";
import { createKvStore } from "../store/kv/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { Metric, TrackingStore } from "../store/types.ts";
import { checkProperty } from "./helpers/fuzz.ts";

const T0 = 1_700_000_000_000;
const KEYS = ["m", "n"];
const LONG_MODEL_ID = "m-" + "0123456789abcdef".repeat(2);

/** A run of points by step; how they are ordered, stamped and valued is part of it. */
interface Segment {
  base: number;
  count: number;
  stride: number;
  order: "asc" | "desc" | "shuffle";
  /** Timestamps rise with the step, are all equal, or rise every 64 steps. */
  ts: "step" | "const" | "cluster";
  /** Which value/extras family (-1: mixed per step); a family fixes both, so repeats are exact. */
  variant: number;
  /** Some steps get NaN / ±Inf instead. */
  special: boolean;
  seed: number;
}

/** One write: a segment of one metric of one run, by one KV handle. */
interface Op {
  run: number;
  key: number;
  handle: number;
  /** One `log-metric` per point rather than `log-batch`. */
  single: boolean;
  /** Runs concurrently with the previous op (on the KV store). */
  together: boolean;
  seg: Segment;
}

interface Scenario {
  runs: number;
  ops: Op[];
  pageSizes: number[];
  buckets: number;
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * The point of `step` in a segment's family. Values are never 0, so (step, timestamp, value)
 * ties, which make "latest" depend on arrival order, only occur between identical points.
 *
 * A NaN/±Inf point is the same point in every family, and a repeat keeps the extras of its first
 * copy; with `concurrent` (ops racing each other, so "first" is up to the race) its extras follow
 * from the point itself, so that both sides agree whichever copy lands first.
 */
function pointAt(seg: Segment, key: string, step: number, concurrent: boolean): Metric {
  const variant = seg.variant >= 0 ? seg.variant : Math.abs(step * 7 + seg.seed) % 3;
  const timestamp = seg.ts === "step"
    ? T0 + step * 10
    : seg.ts === "const"
    ? T0
    : T0 + Math.floor(step / 64) * 1000;
  let value = variant === 0
    ? (step % 97) + 0.5
    : variant === 1
    ? -(step % 89) - 0.25
    : step * 1.5 + 0.125;
  let extras = variant;
  if (seg.special) {
    const r = ((step % 7) + 7) % 7;
    if (r === 0 || r === 3 || r === 5) {
      value = r === 0 ? NaN : r === 3 ? Infinity : -Infinity;
      if (concurrent) extras = Math.abs(step) % 3;
    }
  }
  const m: Metric = { key, value, timestamp, step };
  if (extras === 1) Object.assign(m, { model_id: "m-1", dataset_name: "d", dataset_digest: "g" });
  if (extras === 2) m.model_id = LONG_MODEL_ID;
  return m;
}

function expand(seg: Segment, key: string, concurrent: boolean): Metric[] {
  const steps = Array.from({ length: seg.count }, (_, i) => seg.base + i * seg.stride);
  if (seg.order === "desc") steps.reverse();
  if (seg.order === "shuffle") {
    const rand = mulberry32(seg.seed);
    for (let i = steps.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [steps[i], steps[j]] = [steps[j], steps[i]];
    }
  }
  return steps.map((s) => pointAt(seg, key, s, concurrent));
}

const segmentArb = (maxCount: number): fc.Arbitrary<Segment> =>
  fc.record({
    // Clustered so that later segments overlap, undercut and extend earlier ones.
    base: fc.oneof(
      fc.integer({ min: -20, max: 40 }),
      fc.integer({ min: 90, max: 420 }),
      fc.integer({ min: 950, max: 1100 }),
      fc.integer({ min: 0, max: 2100 }),
    ),
    count: fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 1, max: Math.min(20, maxCount) }) },
      { weight: 3, arbitrary: fc.integer({ min: 1, max: Math.min(250, maxCount) }) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: maxCount }) },
    ),
    stride: fc.constantFrom(1, 1, 2, 3),
    order: fc.constantFrom("asc", "asc", "desc", "shuffle"),
    ts: fc.constantFrom("step", "step", "const", "cluster"),
    variant: fc.constantFrom(0, 0, 1, 2, -1),
    special: fc.boolean(),
    seed: fc.integer(),
  });

const opArb = (maxCount: number, maxSingle: number): fc.Arbitrary<Op> =>
  fc.record({
    run: fc.nat(2),
    key: fc.nat(KEYS.length - 1),
    handle: fc.nat(1),
    single: fc.boolean(),
    together: fc.boolean(),
    seg: segmentArb(maxCount),
  }).map((op) =>
    op.single ? { ...op, seg: { ...op.seg, count: Math.min(op.seg.count, maxSingle) } } : op
  );

const scenarioArb = (maxOps: number, maxCount: number, maxSingle: number) =>
  fc.record({
    runs: fc.integer({ min: 1, max: 3 }),
    ops: fc.array(opArb(maxCount, maxSingle), { minLength: 1, maxLength: maxOps }),
    pageSizes: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 4 }),
    buckets: fc.integer({ min: 1, max: 40 }),
    // Half the scenarios pile every op onto one metric, so that it grows past 1000-point chunks.
    focus: fc.boolean(),
  }).map(({ focus, ...s }): Scenario => ({
    ...s,
    ops: s.ops.map((op) => focus ? { ...op, run: 0, key: 0 } : { ...op, run: op.run % s.runs }),
  }));

/** Ops grouped into what runs concurrently. */
function groups(ops: Op[]): Op[][] {
  const out: Op[][] = [];
  for (const op of ops) {
    if (op.together && out.length > 0) out[out.length - 1].push(op);
    else out.push([op]);
  }
  return out;
}

/** Two stores on one temporary KV file, as two server processes see it. */
async function withTwoKvHandles<T>(fn: (stores: TrackingStore[]) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-history-fuzz-" });
  const kvs: Deno.Kv[] = [];
  try {
    kvs.push(await Deno.openKv(`${dir}/mlruns.kv`));
    const first = await createKvStore(kvs[0]);
    kvs.push(await Deno.openKv(`${dir}/mlruns.kv`));
    return await fn([first, await createKvStore(kvs[1])]);
  } finally {
    for (const kv of kvs) kv.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The wire shows -0 as 0; nothing else may differ. */
const norm = (ms: Metric[]) => ms.map((m) => Object.is(m.value, -0) ? { ...m, value: 0 } : m);
const withoutRunId = (ms: (Metric & { run_id?: string })[]) =>
  ms.map(({ run_id: _, ...m }) => m as Metric);

/** One side of the comparison: a store (KV handles or memory) and its run ids. */
interface Side {
  stores: TrackingStore[];
  runIds: string[];
  expId: string;
}

async function setUp(stores: TrackingStore[], runs: number): Promise<Side> {
  const expId = await stores[0].createExperiment({ name: "history-fuzz" });
  const runIds: string[] = [];
  for (let i = 0; i < runs; i++) {
    // Distinct start times, so runs/search ties break the same way on both sides.
    const run = await stores[0].createRun({ experimentId: expId, startTime: T0 + i * 1000 });
    runIds.push(run.info.run_id);
  }
  return { stores, runIds, expId };
}

function applyOp(side: Side, op: Op, concurrent: boolean): Promise<void> | void {
  const store = side.stores[op.handle % side.stores.length];
  const runId = side.runIds[op.run];
  const metrics = expand(op.seg, KEYS[op.key], concurrent);
  if (!op.single) return store.logBatch(runId, { metrics });
  return (async () => {
    for (const m of metrics) await store.logBatch(runId, { metrics: [m] });
  })();
}

async function readPaged(store: TrackingStore, runId: string, key: string, sizes: number[]) {
  const pages: Metric[][] = [];
  let pageToken: string | undefined;
  for (let i = 0;; i++) {
    const page = await store.getMetricHistory(runId, key, {
      maxResults: sizes[i % sizes.length],
      pageToken,
    });
    pages.push(norm(page.items));
    if (!page.nextPageToken) return pages;
    pageToken = page.nextPageToken;
  }
}

/** Everything a client can read about the histories, with run ids replaced by run indexes. */
async function observe(side: Side, s: Scenario, handle: number) {
  const store = side.stores[handle % side.stores.length];
  const out: Record<string, unknown> = {};
  for (const [r, runId] of side.runIds.entries()) {
    const run = await store.getRun(runId);
    out[`run ${r} latest`] = norm(
      [...run.data.metrics].sort((a, b) => a.key.localeCompare(b.key)),
    );
    for (const key of KEYS) {
      const at = `run ${r} ${key}`;
      out[`${at} history`] = norm((await store.getMetricHistory(runId, key)).items);
      out[`${at} pages`] = await readPaged(store, runId, key, s.pageSizes);
      out[`${at} bulk`] = norm(
        withoutRunId(await getMetricHistoryBulk(store, { runIds: [runId], metricKey: key })),
      );
      out[`${at} interval`] = norm(withoutRunId(
        await getMetricHistoryBulkInterval(store, {
          runIds: [runId],
          metricKey: key,
          maxResults: s.buckets,
        }),
      ));
      for (const x of ["step", "timestamp"] as const) {
        const d = await getMetricHistoryDownsampled(store, {
          runId,
          metricKey: key,
          buckets: s.buckets,
          x,
        });
        out[`${at} downsampled by ${x}`] = { ...d, metrics: norm(d.metrics) };
      }
    }
  }
  for (const key of KEYS) {
    for (const dir of ["ASC", "DESC"]) {
      const page = await store.searchRuns({
        experimentIds: [side.expId],
        orderBy: [`metrics.${key} ${dir}`],
      });
      out[`search by ${key} ${dir}`] = page.items.map((run) =>
        side.runIds.indexOf(run.info.run_id)
      );
    }
  }
  return out;
}

async function modelCheck(s: Scenario): Promise<void> {
  await withTwoKvHandles(async (kvStores) => {
    const kv = await setUp(kvStores, s.runs);
    const mem = await setUp([createMemoryStore()], s.runs);
    for (const group of groups(s.ops)) {
      const concurrent = group.length > 1;
      await Promise.all(group.map((op) => applyOp(kv, op, concurrent)));
      for (const op of group) await applyOp(mem, op, concurrent);
    }
    const want = await observe(mem, s, 0);
    for (const handle of [0, 1]) {
      const got = await observe(kv, s, handle);
      for (const what of Object.keys(want)) {
        assert.deepStrictEqual(got[what], want[what], `${what} (KV handle ${handle})`);
      }
    }
  });
}

Deno.test("metric history model check: KV (two handles) agrees with memory", async () => {
  await checkProperty(
    "metric history model check: KV (two handles) agrees with memory",
    fc.asyncProperty(scenarioArb(10, 1000, 20), modelCheck),
    { numRuns: 25, share: 0.75 },
  );
});

// Through the HTTP app, so that a route-level failure (a 500) counts as a failure too.

type App = ReturnType<typeof createApp>;
const API = "/api/2.0/mlflow";

async function call(app: App, method: "GET" | "POST", path: string, args: unknown) {
  const res = method === "POST"
    ? await app.request(`${API}/${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(args),
    })
    : await app.request(
      `${API}/${path}?${new URLSearchParams(args as Record<string, string>)}`,
    );
  const text = await res.text();
  assert.equal(res.status, 200, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** The wire form of a point ("NaN"/"Infinity" as MLflow's JSON writes them). */
function wire(m: Metric): Record<string, unknown> {
  const value = Number.isFinite(m.value) ? m.value : String(m.value);
  return { ...m, value };
}

async function httpCheck(s: Scenario): Promise<void> {
  await withTwoKvHandles(async (kvStores) => {
    const kvApps = kvStores.map((store) => createApp({ store }));
    const memApp = createApp({ store: createMemoryStore() });
    const setUpApp = async (app: App) => {
      const { experiment_id } = await call(app, "POST", "experiments/create", { name: "h" });
      const runIds: string[] = [];
      for (let i = 0; i < s.runs; i++) {
        const body = await call(app, "POST", "runs/create", {
          experiment_id,
          start_time: T0 + i * 1000,
        });
        runIds.push(body.run.info.run_id);
      }
      return { experiment_id, runIds };
    };
    const kv = await setUpApp(kvApps[0]);
    const mem = await setUpApp(memApp);
    const apply = async (app: App, runIds: string[], op: Op, concurrent: boolean) => {
      const metrics = expand(op.seg, KEYS[op.key], concurrent).map(wire);
      const run_id = runIds[op.run];
      if (!op.single) return void await call(app, "POST", "runs/log-batch", { run_id, metrics });
      for (const m of metrics) await call(app, "POST", "runs/log-metric", { run_id, ...m });
    };
    for (const group of groups(s.ops)) {
      const concurrent = group.length > 1;
      await Promise.all(group.map((op) => apply(kvApps[op.handle], kv.runIds, op, concurrent)));
      for (const op of group) await apply(memApp, mem.runIds, op, concurrent);
    }
    const observeApp = async (app: App, side: { experiment_id: string; runIds: string[] }) => {
      const out: Record<string, unknown> = {};
      for (const [r, run_id] of side.runIds.entries()) {
        out[`run ${r} latest`] = (await call(app, "GET", "runs/get", { run_id })).run.data.metrics;
        for (const metric_key of KEYS) {
          const at = `run ${r} ${metric_key}`;
          out[`${at} history`] = await call(app, "GET", "metrics/get-history", {
            run_id,
            metric_key,
          });
          const pages: unknown[] = [];
          let page_token: string | undefined;
          for (let i = 0;; i++) {
            const q: Record<string, string> = {
              run_id,
              metric_key,
              max_results: String(s.pageSizes[i % s.pageSizes.length]),
            };
            if (page_token) q.page_token = page_token;
            const body = await call(app, "GET", "metrics/get-history", q);
            pages.push(body.metrics ?? []);
            if (!body.next_page_token) break;
            page_token = body.next_page_token;
          }
          out[`${at} pages`] = pages;
          out[`${at} downsampled`] = await call(app, "GET", "metrics/get-history-downsampled", {
            run_id,
            metric_key,
            buckets: String(s.buckets),
          });
          const interval = await call(app, "GET", "metrics/get-history-bulk-interval", {
            run_ids: run_id,
            metric_key,
            max_results: String(s.buckets),
          });
          out[`${at} interval`] = (interval.metrics ?? []).map((
            { run_id: _, ...m }: Record<string, unknown>,
          ) => m);
        }
      }
      // The bulk chart read of every run at once: each entry is that run's downsampled answer,
      // runs without the key left out, the rest in the order asked (here: reversed).
      for (const metric_key of KEYS) {
        const asked = [...side.runIds].reverse();
        const bulk = await call(app, "GET", "metrics/get-history-downsampled-bulk", [
          ...asked.map((id) => ["run_ids", id]),
          ["metric_key", metric_key],
          ["buckets", String(s.buckets)],
        ]);
        const listed = (bulk.runs ?? []).map(({ run_id, ...rest }: Record<string, unknown>) => {
          const r = side.runIds.indexOf(run_id as string);
          assert.deepStrictEqual(rest, out[`run ${r} ${metric_key} downsampled`], `bulk ${r}`);
          return r;
        });
        const withKey = asked.map((id) => side.runIds.indexOf(id)).filter((r) =>
          (out[`run ${r} ${metric_key} downsampled`] as { total_points: number }).total_points > 0
        );
        assert.deepStrictEqual(listed, withKey, `bulk ${metric_key}`);
        out[`bulk ${metric_key}`] = listed;
      }
      for (const key of KEYS) {
        const body = await call(app, "POST", "runs/search", {
          experiment_ids: [side.experiment_id],
          order_by: [`metrics.${key} DESC`],
        });
        out[`search by ${key}`] = (body.runs ?? []).map((run: { info: { run_id: string } }) =>
          side.runIds.indexOf(run.info.run_id)
        );
      }
      return out;
    };
    const want = await observeApp(memApp, mem);
    for (const app of kvApps) {
      const got = await observeApp(app, kv);
      for (const what of Object.keys(want)) assert.deepStrictEqual(got[what], want[what], what);
    }
  });
}

Deno.test("metric history model check over HTTP: no 500s, KV agrees with memory", async () => {
  await checkProperty(
    "metric history model check over HTTP: no 500s, KV agrees with memory",
    fc.asyncProperty(scenarioArb(6, 400, 8), httpCheck),
    { numRuns: 12, share: 0.25 },
  );
});
