/**
 * The `search` section of `deno task bench`: runs/search latency against the search issue's
 * targets, on a KV file seeded over HTTP the way a client fills it.
 *
 * Seeding: one large experiment (100k runs), one small one (10k, the size of MLflow's figure) and
 * a set of 100 experiments of ~100 runs for the cross-experiment query. Every run gets
 * `runs/create` (with a start_time) and one `runs/log-batch` with 10 params, 10 metrics and 5
 * tags. A run's contents come from a PRNG seeded by its number, and the bench keeps a small
 * summary of each run, so the exact expected answer of every query is computed client-side: a
 * response is checked against it (order, filter, count) rather than merely for being non-empty.
 *
 * Bounds: seeding stops at a time budget (the cross-experiment set is cut first, and the output
 * says so); each query gets a time budget for its 22 requests, and each request a timeout that is
 * reported as MISSED rather than hanging the run. A wrong answer or a non-200 aborts the bench
 * (exit 1): a figure for a broken search would be meaningless.
 *
 * @module
 */
import type { RunningServer } from "../server_helpers.ts";
import { API, BenchError, createExperiment, drive, median, post, type Result } from "./common.ts";

/** Sizes and time budgets of the search section. */
export interface SearchSizes {
  /** Runs in the large experiment; the 20/50 ms targets are defined for 100k. */
  bigRuns: number;
  /** Runs in the small experiment; MLflow's 868 ms figure is for 10k. */
  smallRuns: number;
  /** Experiments of the cross-experiment tag query (all of them go into `experiment_ids`). */
  tagExperiments: number;
  tagRunsPerExperiment: number;
  /**
   * Soft budget for all seeding. The two single experiments are seeded in full (their targets
   * are defined for their sizes); the cross-experiment set gets what is left.
   */
  seedSeconds: number;
  /** Hard cap on seeding one set, so a store that slows down cannot stall the run. */
  maxSeedSecondsPerSet: number;
  /** Per search request; a timeout is reported as MISSED. */
  requestTimeoutMs: number;
  /** Budget for one query's warm-ups and samples together. */
  querySeconds: number;
  /** Page size when paging through a whole result (~10% of the large experiment). */
  pagingPage: number;
  /** Budget for paging through a whole result. */
  pagingSeconds: number;
}

export const FULL_SEARCH: SearchSizes = {
  bigRuns: 100_000,
  smallRuns: 10_000,
  tagExperiments: 100,
  tagRunsPerExperiment: 100,
  seedSeconds: 300,
  maxSeedSecondsPerSet: 900,
  requestTimeoutMs: 30_000,
  querySeconds: 60,
  pagingPage: 1000,
  pagingSeconds: 120,
};

// Quick keeps 100 experiments in the tag query (its shape, 100 ids, is what is measured) but
// gives each only 10 runs; its smaller pages keep the paging walk at ~10 pages.
export const QUICK_SEARCH: SearchSizes = {
  bigRuns: 10_000,
  smallRuns: 1_000,
  tagExperiments: 100,
  tagRunsPerExperiment: 10,
  seedSeconds: 60,
  maxSeedSecondsPerSet: 120,
  requestTimeoutMs: 10_000,
  querySeconds: 15,
  pagingPage: 100,
  pagingSeconds: 30,
};

/** Concurrent seeding clients; a handful of training jobs logging at once. */
const SEED_CLIENTS = 8;
const WARMUPS = 2;
const SAMPLES = 20;
const PAGE = 100;

// ---------------------------------------------------------------------------------------------
// Seeded data

/** What the bench remembers of a seeded run: enough to compute every query's answer. */
interface Seeded {
  id: string;
  experimentId: string;
  startTime: number;
  p1: string;
  p2: string;
  m1: number;
  t0: string;
}

interface KeyValue {
  key: string;
  value: string;
}

interface RunContent {
  startTime: number;
  params: KeyValue[];
  metrics: { key: string; value: number; timestamp: number; step: number }[];
  tags: KeyValue[];
}

/** mulberry32: tiny, fast and good enough to spread values evenly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0 = 1_700_000_000_000;
// p1 = 'x' for ~10% of runs, p2 in {a, b} for ~20%, t0 = 'v7' for ~5%: selective, never empty.
const P1 = ["x", "y", "z", "w", "u", "v", "s", "t", "q", "r"];
const P2 = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
const T0_VALUES = Array.from({ length: 20 }, (_, k) => `v${k}`);

/**
 * The contents of run `i` of seeding set `set`, the same on every call. Start times follow the
 * run number one second apart, but `floor(i * 0.95)` gives every ~20th run the start time of its
 * predecessor, so the `run_id` tiebreak of the default order is exercised.
 */
function runContent(set: number, i: number): RunContent {
  const r = prng(Math.imul(set + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const startTime = T0 + 1000 * Math.floor(i * 0.95);
  return {
    startTime,
    params: [
      { key: "p0", value: `run-${set}-${i}` },
      { key: "p1", value: pick(P1) },
      { key: "p2", value: pick(P2) },
      { key: "p3", value: pick(["0.1", "0.03", "0.01", "0.003", "0.001"]) },
      { key: "p4", value: pick(["16", "32", "64", "128", "256"]) },
      { key: "p5", value: pick(["adam", "adamw", "sgd", "rmsprop"]) },
      ...Array.from({ length: 4 }, (_, k) => ({
        key: `p${6 + k}`,
        value: String(Math.floor(r() * 1000)),
      })),
    ],
    metrics: Array.from({ length: 10 }, (_, k) => ({
      key: `m${k}`,
      value: r(),
      timestamp: startTime,
      step: 0,
    })),
    tags: [
      { key: "t0", value: pick(T0_VALUES) },
      { key: "t1", value: pick(["train", "eval", "test"]) },
      { key: "t2", value: `user${Math.floor(r() * 50)}` },
      { key: "t3", value: `git-${(Math.floor(r() * 2 ** 32)).toString(16)}` },
      { key: "t4", value: pick(["gpu", "cpu"]) },
    ],
  };
}

interface SeededSet {
  runs: Seeded[];
  seconds: number;
}

/**
 * Seeds up to `total` runs of set `set` with {@linkcode SEED_CLIENTS} clients, stopping at
 * `maxSeconds`. Run `i` goes to `experimentOf(i)`.
 */
async function seedSet(
  server: RunningServer,
  set: number,
  total: number,
  maxSeconds: number,
  experimentOf: (i: number) => string,
): Promise<SeededSet> {
  const runs: Seeded[] = new Array(total);
  // A seeding set can take minutes: a heartbeat shows the run is alive and how fast it goes.
  let count = 0;
  const started = performance.now();
  const heartbeat = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    console.log(`  … ${count.toLocaleString("en-US")} runs in ${s.toFixed(0)} s`);
  }, 30_000);
  try {
    const { done, seconds } = await drive(SEED_CLIENTS, total, maxSeconds, async (i) => {
      const c = runContent(set, i);
      const experimentId = experimentOf(i);
      const created = await post(
        server,
        "runs/create",
        JSON.stringify({ experiment_id: experimentId, start_time: c.startTime, user_id: "bench" }),
      );
      const id: string = JSON.parse(created).run.info.run_id;
      await post(
        server,
        "runs/log-batch",
        JSON.stringify({ run_id: id, params: c.params, metrics: c.metrics, tags: c.tags }),
      );
      runs[i] = {
        id,
        experimentId,
        startTime: c.startTime,
        p1: c.params[1].value,
        p2: c.params[2].value,
        m1: c.metrics[1].value,
        t0: c.tags[0].value,
      };
      count++;
    });
    // drive awaits every started call, so runs[0, done) are all filled.
    return { runs: runs.slice(0, done), seconds };
  } finally {
    clearInterval(heartbeat);
  }
}

// ---------------------------------------------------------------------------------------------
// Queries and their expected answers

/** The parts of a returned run the checks read. */
interface WireRun {
  info: { run_id: string; experiment_id: string; start_time: number | string };
  data?: {
    params?: KeyValue[];
    metrics?: { key: string; value: number | string }[];
    tags?: KeyValue[];
  };
}

interface SearchPage {
  runs?: WireRun[];
  next_page_token?: string;
}

const valueOf = (items: KeyValue[] | undefined, key: string) =>
  items?.find((x) => x.key === key)?.value;
const metricOf = (run: WireRun, key: string) =>
  run.data?.metrics?.find((m) => m.key === key)?.value;

/** MLflow's implicit order, and the tiebreak of every other: start_time DESC, run_id ASC. */
function byDefaultOrder(a: Seeded, b: Seeded): number {
  return b.startTime - a.startTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

interface Query {
  label: string;
  /** The runs/search request, as the Python client sends it. */
  request: {
    experiment_ids: string[];
    filter?: string;
    order_by?: string[];
    max_results: number;
    run_view_type: "ACTIVE_ONLY";
  };
  /** Every seeded run that matches, in the order the server must return them. */
  expected: Seeded[];
  /** The filter, checked on the run as the server returned it. */
  matches: (run: WireRun) => boolean;
  target: number;
  mlflow?: number;
}

function query(
  label: string,
  scope: Seeded[],
  experimentIds: string[],
  filter: { text?: string; seeded: (r: Seeded) => boolean; wire: (r: WireRun) => boolean },
  order: { by?: string[]; compare: (a: Seeded, b: Seeded) => number },
  target: number,
  mlflow?: number,
): Query {
  const expected = scope.filter(filter.seeded).sort(order.compare);
  if (expected.length === 0) {
    throw new BenchError(`${label}: the seeded data has no match, so the query measures nothing`);
  }
  return {
    label,
    request: {
      experiment_ids: experimentIds,
      ...(filter.text ? { filter: filter.text } : {}),
      ...(order.by ? { order_by: order.by } : {}),
      max_results: PAGE,
      run_view_type: "ACTIVE_ONLY",
    },
    expected,
    matches: filter.wire,
    target,
    mlflow,
  };
}

/**
 * Checks one page against the expected answer. Every page must have the expected size; `full`
 * also compares the run ids in order, the filter on the returned data, the experiment scope and
 * the presence of a next-page token (done once per query: it costs more than the request).
 */
function verifyPage(q: Query, page: SearchPage, full: boolean) {
  const runs = page.runs ?? [];
  const want = q.expected.slice(0, q.request.max_results);
  if (runs.length !== want.length) {
    throw new BenchError(`${q.label}: ${runs.length} runs returned, expected ${want.length}`);
  }
  if (!full) return;
  const scope = new Set(q.request.experiment_ids);
  runs.forEach((run, i) => {
    if (run.info.run_id !== want[i].id) {
      throw new BenchError(
        `${q.label}: run ${i} is ${run.info.run_id}, expected ${want[i].id} ` +
          `(start_time ${want[i].startTime}, m1 ${want[i].m1})`,
      );
    }
    if (!q.matches(run) || !scope.has(run.info.experiment_id)) {
      throw new BenchError(`${q.label}: run ${run.info.run_id} does not match the query`);
    }
  });
  const more = q.expected.length > want.length;
  if (more !== Boolean(page.next_page_token)) {
    throw new BenchError(`${q.label}: next_page_token ${more ? "missing" : "unexpected"}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Timing

/**
 * POSTs one runs/search; resolves to the elapsed time and body, or `undefined` on timeout. The
 * clock covers the request and reading the body, not parsing it.
 */
async function searchOnce(
  server: RunningServer,
  body: string,
  timeoutMs: number,
): Promise<{ ms: number; text: string } | undefined> {
  const start = performance.now();
  let status: number;
  let text: string;
  try {
    const res = await fetch(`${server.url}${API}/runs/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    if (err instanceof DOMException && err.name === "TimeoutError") return undefined;
    throw err;
  }
  const ms = performance.now() - start;
  if (status !== 200) throw new BenchError(`POST runs/search → ${status}: ${text.slice(0, 300)}`);
  return { ms, text };
}

/** Warm-ups, then up to {@linkcode SAMPLES} timed requests within the query's budget. */
async function timeQuery(server: RunningServer, q: Query, sizes: SearchSizes): Promise<Result> {
  const body = JSON.stringify(q.request);
  const warm: number[] = [];
  const samples: number[] = [];
  const deadline = performance.now() + sizes.querySeconds * 1000;
  let timedOut = false;
  for (let i = 0; i < WARMUPS + SAMPLES; i++) {
    if (i > 0 && performance.now() >= deadline) break;
    const r = await searchOnce(server, body, sizes.requestTimeoutMs);
    if (!r) {
      timedOut = true;
      break;
    }
    verifyPage(q, JSON.parse(r.text), i === 0);
    (i < WARMUPS ? warm : samples).push(r.ms);
  }

  const row = {
    bench: "search",
    label: q.label,
    unit: "ms",
    goal: "max" as const,
    target: q.target,
    mlflow: q.mlflow,
  };
  const matches = `${q.expected.length.toLocaleString("en-US")} matching runs`;
  const seconds = sizes.requestTimeoutMs / 1000;
  if (timedOut) {
    // Any timeout misses a millisecond target; the requests before it still say how far off.
    const before = [...warm, ...samples];
    return {
      ...row,
      value: NaN,
      note: `request ${before.length + 1} timed out after ${seconds} s` +
        (before.length ? `; median of the ${before.length} before: ${fmtMs(median(before))}` : "") +
        `; ${matches}`,
    };
  }
  if (samples.length === 0) {
    // A slow store: the budget ran out during the warm-ups, so they are the only figures.
    return {
      ...row,
      value: median(warm),
      note: `only ${warm.length} request(s) within ${sizes.querySeconds} s, warm-ups included; ` +
        matches,
    };
  }
  return {
    ...row,
    value: median(samples),
    note: `median of ${samples.length}` +
      (samples.length < SAMPLES ? ` (time budget ${sizes.querySeconds} s)` : "") +
      `, p90 ${fmtMs(quantile(samples, 0.9))}; ${matches}`,
  };
}

/**
 * Pages through the whole result of `q` with pages of `sizes.pagingPage`, checking that the
 * concatenated pages are exactly the expected runs in order (so each is seen exactly once). The
 * figure is the sum of the request times; client-side JSON parsing is left out.
 */
async function pageThrough(server: RunningServer, q: Query, sizes: SearchSizes): Promise<Result> {
  const ids: string[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  let ms = 0;
  let stopped: string | undefined;
  const maxPages = Math.ceil(q.expected.length / sizes.pagingPage) + 2;
  const deadline = performance.now() + sizes.pagingSeconds * 1000;
  do {
    if (pages >= maxPages) {
      throw new BenchError(`${q.label}: still a next_page_token after ${pages} pages`);
    }
    if (performance.now() >= deadline) {
      stopped = `stopped after ${pages} pages (time budget ${sizes.pagingSeconds} s)`;
      break;
    }
    const body = JSON.stringify({
      ...q.request,
      max_results: sizes.pagingPage,
      ...(token ? { page_token: token } : {}),
    });
    const r = await searchOnce(server, body, sizes.requestTimeoutMs);
    if (!r) {
      stopped = `page ${pages + 1} timed out after ${sizes.requestTimeoutMs / 1000} s`;
      break;
    }
    ms += r.ms;
    pages++;
    const page: SearchPage = JSON.parse(r.text);
    for (const run of page.runs ?? []) {
      const id = run.info.run_id;
      if (seen.has(id)) throw new BenchError(`${q.label}: run ${id} returned twice`);
      if (!q.matches(run)) throw new BenchError(`${q.label}: run ${id} does not match`);
      seen.add(id);
      ids.push(id);
    }
    token = page.next_page_token || undefined;
  } while (token);

  const row = {
    bench: "search",
    label: q.label,
    unit: "ms",
    goal: "max" as const,
  };
  if (stopped) {
    return { ...row, value: NaN, note: `${stopped}; ${ids.length} runs so far` };
  }
  const want = q.expected.map((r) => r.id);
  const at = want.findIndex((id, i) => ids[i] !== id);
  if (ids.length !== want.length || at !== -1) {
    throw new BenchError(
      `${q.label}: ${ids.length} runs over ${pages} pages, expected ${want.length}` +
        (at === -1 ? "" : `; first difference at position ${at}`),
    );
  }
  const all = ids.length.toLocaleString("en-US");
  const pageCount = `${pages} page${pages === 1 ? "" : "s"}`;
  return { ...row, value: ms, note: `${pageCount}, all ${all} seeded matches once, in order` };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function fmtMs(ms: number): string {
  return `${ms < 100 ? ms.toFixed(1) : Math.round(ms).toLocaleString("en-US")} ms`;
}

/** `100k` for round thousands, else the number with separators. */
function count(n: number): string {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString("en-US");
}

// ---------------------------------------------------------------------------------------------
// Memory

/**
 * The server's resident set now and at its peak (VmRSS, VmHWM), in MB, from /proc; undefined
 * where /proc is missing (not Linux). `deno run` executes the server in the spawned process
 * itself, so its pid is the server's.
 */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number } | undefined> {
  let status: string;
  try {
    status = await Deno.readTextFile(`/proc/${pid}/status`);
  } catch {
    return undefined;
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

// ---------------------------------------------------------------------------------------------

/** The `search` bench: seed, then time each query, page through one result, read the RSS. */
export async function benchSearch(
  server: RunningServer,
  sizes: { search: SearchSizes },
): Promise<Result[]> {
  const s = sizes.search;
  const results: Result[] = [];
  const memoryBefore = await memoryOf(server.process.pid);

  // --- Seeding
  const big = await createExperiment(server);
  const small = await createExperiment(server);
  const tagExperiments: string[] = [];
  for (let k = 0; k < s.tagExperiments; k++) tagExperiments.push(await createExperiment(server));

  const seedStart = performance.now();
  const elapsed = () => (performance.now() - seedStart) / 1000;
  const report = (what: string, set: SeededSet) =>
    console.log(
      `search: seeded ${set.runs.length.toLocaleString("en-US")} runs ${what} in ` +
        `${set.seconds.toFixed(1)} s (${Math.round(set.runs.length / set.seconds)} runs/s)`,
    );
  console.log(
    `search: seeding ${count(s.bigRuns)} + ${count(s.smallRuns)} + ` +
      `${s.tagExperiments} × ${s.tagRunsPerExperiment} runs with ${SEED_CLIENTS} clients…`,
  );
  const bigSet = await seedSet(server, 0, s.bigRuns, s.maxSeedSecondsPerSet, () => big);
  report("in the large experiment", bigSet);
  const smallSet = await seedSet(server, 1, s.smallRuns, s.maxSeedSecondsPerSet, () => small);
  report("in the small experiment", smallSet);
  // Round-robin over the experiments, so a cut by the budget leaves them evenly filled. At least
  // a tenth of the budget, so a slow start still leaves the query something to find.
  const tagTotal = s.tagExperiments * s.tagRunsPerExperiment;
  const tagBudget = Math.max(s.seedSeconds - elapsed(), s.seedSeconds / 10);
  const tagSet = await seedSet(
    server,
    2,
    tagTotal,
    Math.min(tagBudget, s.maxSeedSecondsPerSet),
    (i) => tagExperiments[i % tagExperiments.length],
  );
  report(`in ${s.tagExperiments} experiments`, tagSet);
  const seedSeconds = elapsed();

  const seeded = bigSet.runs.length + smallSet.runs.length + tagSet.runs.length;
  const cut = [
    bigSet.runs.length < s.bigRuns ? `large experiment cut to ${bigSet.runs.length}` : "",
    smallSet.runs.length < s.smallRuns ? `small experiment cut to ${smallSet.runs.length}` : "",
    tagSet.runs.length < tagTotal
      ? `${s.tagExperiments}-experiment set reduced from ${tagTotal} to ${tagSet.runs.length} ` +
        `runs by the ${s.seedSeconds} s seeding budget`
      : "",
  ].filter(Boolean);
  if (cut.length) console.log(`search: ${cut.join("; ")}`);
  results.push({
    bench: "search",
    label: `seed: runs/create + log-batch(10 params, 10 metrics, 5 tags), ${SEED_CLIENTS} clients`,
    value: seeded / seedSeconds,
    unit: "runs/s",
    goal: "min",
    note: `${seeded.toLocaleString("en-US")} runs in ${seedSeconds.toFixed(0)} s` +
      (cut.length ? `; ${cut.join("; ")}` : ""),
  });

  // --- Queries
  const bigN = count(bigSet.runs.length);
  const m1AndX = {
    text: "metrics.m1 > 0.5 and params.p1 = 'x'",
    seeded: (r: Seeded) => r.m1 > 0.5 && r.p1 === "x",
    wire: (r: WireRun) => Number(metricOf(r, "m1")) > 0.5 && valueOf(r.data?.params, "p1") === "x",
  };
  const byM1Desc = {
    by: ["metrics.m1 DESC"],
    compare: (a: Seeded, b: Seeded) => b.m1 - a.m1 || byDefaultOrder(a, b),
  };
  const smallIs10k = smallSet.runs.length === 10_000;
  const queries = [
    query(
      `first ${PAGE} runs, default order, ${bigN} runs`,
      bigSet.runs,
      [big],
      { seeded: () => true, wire: () => true },
      { compare: byDefaultOrder },
      20,
    ),
    query(
      `m1 > 0.5 and p1 = 'x' by m1 DESC, top ${PAGE}, ${bigN} runs`,
      bigSet.runs,
      [big],
      m1AndX,
      byM1Desc,
      50,
    ),
    query(
      `m1 > 0.5 and p1 = 'x' by m1 DESC, top ${PAGE}, ${count(smallSet.runs.length)} runs`,
      smallSet.runs,
      [small],
      m1AndX,
      byM1Desc,
      20,
      smallIs10k ? 868 : undefined, // MLflow's figure is for 10k runs only
    ),
    query(
      `tags.t0 = 'v7' in ${s.tagExperiments} experiments (${count(tagSet.runs.length)} runs), ` +
        `top ${PAGE}`,
      tagSet.runs,
      tagExperiments,
      {
        text: "tags.t0 = 'v7'",
        seeded: (r) => r.t0 === "v7",
        wire: (r) => valueOf(r.data?.tags, "t0") === "v7",
      },
      { compare: byDefaultOrder },
      50,
    ),
    query(
      `p2 = 'a' OR p2 = 'b' by start_time DESC, top ${PAGE}, ${bigN} runs`,
      bigSet.runs,
      [big],
      {
        text: "params.p2 = 'a' OR params.p2 = 'b'",
        seeded: (r) => r.p2 === "a" || r.p2 === "b",
        wire: (r) => ["a", "b"].includes(valueOf(r.data?.params, "p2") ?? ""),
      },
      // start_time DESC is already the implicit tiebreak's first part, so the order is the default.
      { by: ["attributes.start_time DESC"], compare: byDefaultOrder },
      50,
    ),
  ];
  console.log(`search: timing ${queries.length} queries, then paging…`);
  for (const q of queries) results.push(await timeQuery(server, q, s));

  const pageQuery = query(
    `page through p1 = 'x' by ${s.pagingPage}, ${bigN} runs (total)`,
    bigSet.runs,
    [big],
    {
      text: "params.p1 = 'x'",
      seeded: (r) => r.p1 === "x",
      wire: (r) => valueOf(r.data?.params, "p1") === "x",
    },
    { compare: byDefaultOrder },
    0, // reported, not a target
  );
  const paged = await pageThrough(server, pageQuery, s);
  results.push(paged);

  // --- Memory
  const memory = await memoryOf(server.process.pid);
  if (memory) {
    results.push({
      bench: "search",
      label: "server RSS after the searches",
      value: memory.rss,
      unit: "MB",
      goal: "max",
      note: `peak ${Math.round(memory.peak)} MB` +
        (memoryBefore ? `; ${Math.round(memoryBefore.rss)} MB before seeding` : "") +
        `; ${seeded.toLocaleString("en-US")} runs seeded`,
    });
  }
  return results;
}
