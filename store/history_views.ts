/**
 * Read-only views over metric histories for charts: MLflow's `get-history-bulk-interval` and
 * `get-history-bulk` (the web UI's reads, mlflow-rest.md §4.3, §1.1) and kvflow's min/max
 * downsampling. They are written against `TrackingStore` alone, so the KV and memory backends share
 * one implementation (and one test) and no backend grows chart-specific code.
 *
 * Histories are read in pages of {@linkcode HISTORY_PAGE} points: on the KV store a 1M-point
 * history reads about as fast that way as in one call, and each page's objects can be dropped
 * once folded in. Several runs are read at once, at most {@linkcode READ_CONCURRENCY} at a time.
 *
 * @module
 */
import { invalidParam } from "./errors.ts";
import { checkRunId } from "./validation.ts";
import { mapLimit, mapLimitStream } from "./map_limit.ts";
import { WorkBudget } from "./search/budget.ts";
import type { Metric, MetricColumnsPage, TrackingStore } from "./types.ts";

/** Most run ids one bulk request may name (MLflow's `MAX_RUNS_GET_METRIC_HISTORY_BULK`). */
export const MAX_BULK_RUN_IDS = 100;
/** Upper bound and default of `max_results` in `get-history-bulk-interval`. */
export const MAX_INTERVAL_RESULTS = 2500;
/** Upper bound and default of `max_results` in `get-history-bulk`; also the per-run cap of
 * `get-history-bulk-interval` (MLflow's `MAX_RESULTS_GET_METRIC_HISTORY`). */
export const MAX_BULK_RESULTS = 25_000;
/** Default bucket count of {@linkcode getMetricHistoryDownsampled}. */
export const DEFAULT_BUCKETS = 1000;
/** Most buckets one downsampling request may ask for (≤ ~2×10k points back). */
export const MAX_BUCKETS = 10_000;
/**
 * Page size used to walk a history (the Python client's own). Measured on the KV store
 * (`:memory:`, 1M points, median of 5): pages of 25k ≈ 250–270 ms, one unbounded call about the
 * same, 10k ≈ 400 ms, 100k–250k ≈ 370–410 ms; pages also let each page's objects be freed early.
 */
export const HISTORY_PAGE = 25_000;
/**
 * Page size of a history read as columns (24 bytes a point, no object per point): 2.4 MB a page.
 * Measured on a KV file (1M points): pages of 100k ≈ 310 ms against ≈ 650 ms for pages of 25k,
 * as every page is a few KV calls and a consistency check of its own.
 */
export const COLUMN_PAGE = 100_000;
/** How many runs' histories are read at the same time. */
export const READ_CONCURRENCY = 8;
/**
 * `get-history-bulk-interval` keeps up to this many points from its first read so that it need
 * not read those runs again; runs beyond the budget are re-read (memory stays bounded).
 */
const INTERVAL_CACHE_POINTS = 2_000_000;

/** A metric point tagged with its run, as the bulk endpoints return it. */
export interface MetricWithRunId {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  run_id: string;
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Yields a history page by page, in the store's (timestamp, step, value) order. Between pages it
 * lets the event loop run whenever `SEARCH_SLICE_MS` (search/budget.ts) have passed since it last did: the
 * memory store answers without any I/O, so a long read would otherwise hold the loop throughout.
 */
export function historyPages(
  store: TrackingStore,
  runId: string,
  metricKey: string,
  pageSize: number | undefined = HISTORY_PAGE,
): AsyncGenerator<Metric[]> {
  return paced(async (pageToken) => {
    const page = await store.getMetricHistory(runId, metricKey, {
      maxResults: pageSize,
      pageToken,
    });
    return [page.items, page.items.length, page.nextPageToken];
  });
}

/**
 * The non-empty pages `read` gives, following its tokens. Between pages it lets the event loop
 * run when `SEARCH_SLICE_MS` have passed: the searches' pacing, with no time limit, as reading a
 * long history is not too much work.
 */
async function* paced<P>(
  read: (pageToken: string | undefined) => Promise<[P, number, string | undefined]>,
): AsyncGenerator<P> {
  let pageToken: string | undefined;
  const pacer = new WorkBudget(Infinity);
  do {
    await pacer.step();
    const [page, size, next] = await read(pageToken);
    if (size > 0) yield page;
    pageToken = next;
  } while (pageToken);
}

const withRunId = (m: Metric, runId: string): MetricWithRunId => ({
  key: m.key,
  value: m.value,
  timestamp: m.timestamp,
  step: m.step,
  run_id: runId,
});

// ---------------------------------------------------------------------------------------------
// Validation

function checkInt(name: string, v: number | undefined, min: number, max: number): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < min || v > max)) {
    throw invalidParam(`${name} must be an integer between ${min} and ${max}; got ${v}.`);
  }
}

/** 1–100 run ids, checked before any read; duplicates are dropped (MLflow would repeat them). */
function checkRunIds(endpoint: string, runIds: readonly string[]): string[] {
  if (runIds.length === 0) {
    throw invalidParam(`${endpoint} request must specify at least one run_id.`);
  }
  if (runIds.length > MAX_BULK_RUN_IDS) {
    throw invalidParam(
      `${endpoint} request must specify at most ${MAX_BULK_RUN_IDS} run_ids. ` +
        `Received ${runIds.length} run_ids.`,
    );
  }
  return [...new Set(runIds)];
}

function checkMetricKey(metricKey: string): void {
  if (!metricKey) throw invalidParam("A metric_key must be given.");
}

// ---------------------------------------------------------------------------------------------
// get-history-bulk-interval

/** Arguments of {@linkcode getMetricHistoryBulkInterval}. */
export interface BulkIntervalOptions {
  /** 1–100 run ids; results follow this order. */
  runIds: readonly string[];
  metricKey: string;
  /** Inclusive step range; give both or neither. */
  startStep?: number;
  endStep?: number;
  /** About how many distinct steps to sample, 1–2500; default 2500. */
  maxResults?: number;
}

/** Index of the first element of sorted `a` that is ≥ `v` (or > `v` when `after`). */
function bisect(a: Float64Array, v: number, after: boolean): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v || (after && a[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * MLflow's `_get_sampled_steps_from_steps`: all steps in [start, end] when there are at most
 * `max` of them, else `max` steps at even index spacing plus the last one. (MLflow compares the
 * index with the range's length rather than its end, which drops samples when the range does not
 * start at the first step; that slip is not copied.)
 */
export function sampleSteps(
  sortedSteps: Float64Array,
  start: number,
  end: number,
  max: number,
): number[] {
  const from = bisect(sortedSteps, start, false);
  const to = bisect(sortedSteps, end, true);
  const n = to - from;
  if (n <= max) return Array.from(sortedSteps.subarray(from, to));
  const out: number[] = [];
  const interval = n / max;
  for (let i = 0; i < max; i++) out.push(sortedSteps[from + Math.floor(i * interval)]);
  out.push(sortedSteps[to - 1]);
  return out;
}

/**
 * MLflow's `metrics/get-history-bulk-interval`: pools the steps of all runs, picks about
 * `maxResults` of them evenly (in step order, not by value), adds each run's own min and max step
 * that fall in the range, and returns every point at those steps, ordered by run (as given), then
 * step, then timestamp; at most 25,000 points per run.
 *
 * Without a range MLflow uses [0, largest step], silently dropping negative steps; kvflow uses
 * [smallest step, largest step]. Unknown runs or keys contribute nothing.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for 0 or >100 run ids, a missing key, only one
 * of start/end, start > end, or `maxResults` outside 1–2500; checked before anything is read.
 *
 * @example
 * ```ts
 * const points = await getMetricHistoryBulkInterval(store, { runIds: [a, b], metricKey: "loss" });
 * ```
 */
export async function getMetricHistoryBulkInterval(
  store: TrackingStore,
  opts: BulkIntervalOptions,
): Promise<MetricWithRunId[]> {
  const out: MetricWithRunId[] = [];
  for await (const run of await bulkIntervalByRun(store, opts)) out.push(...run);
  return out;
}

/**
 * {@linkcode getMetricHistoryBulkInterval} one run at a time, for a reply written as it goes: up
 * to 100 runs × 25,000 points is too much to hold as one string. Arguments are checked and the
 * steps chosen before the promise resolves, so errors come before the first point.
 */
export async function bulkIntervalByRun(
  store: TrackingStore,
  opts: BulkIntervalOptions,
): Promise<AsyncIterable<MetricWithRunId[]>> {
  const runIds = checkRunIds("GetMetricHistoryBulkInterval", opts.runIds);
  checkMetricKey(opts.metricKey);
  const { startStep, endStep, maxResults = MAX_INTERVAL_RESULTS } = opts;
  if ((startStep === undefined) !== (endStep === undefined)) {
    throw invalidParam("If either start_step or end_step is specified, both must be specified.");
  }
  checkInt("start_step", startStep, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkInt("end_step", endStep, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (startStep !== undefined && endStep !== undefined && startStep > endStep) {
    throw invalidParam(
      `end_step must be greater than or equal to start_step. ` +
        `Found start_step=${startStep} and end_step=${endStep}.`,
    );
  }
  checkInt("max_results", maxResults, 1, MAX_INTERVAL_RESULTS);

  // Pass 1: every run's steps (pooled) and its own min / max step. Pages are kept while the
  // shared budget allows, so small and medium requests read each history once.
  const pool = new Set<number>();
  let cached = 0;
  const runs = await mapLimit(runIds, READ_CONCURRENCY, async (runId) => {
    let min = Infinity, max = -Infinity;
    let pages: Metric[][] | null = [];
    let kept = 0;
    for await (const page of historyPages(store, runId, opts.metricKey)) {
      for (const m of page) {
        pool.add(m.step);
        if (m.step < min) min = m.step;
        if (m.step > max) max = m.step;
      }
      if (pages === null) continue;
      if (cached + page.length <= INTERVAL_CACHE_POINTS) {
        pages.push(page);
        cached += page.length;
        kept += page.length;
      } else {
        pages = null;
        cached -= kept;
      }
    }
    return { runId, min, max, pages };
  });
  if (pool.size === 0) return (async function* () {})();

  const allSteps = Float64Array.from(pool).sort();
  const start = startStep ?? allSteps[0];
  const end = endStep ?? allSteps[allSteps.length - 1];
  const chosen = new Set(sampleSteps(allSteps, start, end, maxResults));
  for (const r of runs) {
    if (r.min >= start && r.min <= end) chosen.add(r.min);
    if (r.max >= start && r.max <= end) chosen.add(r.max);
  }

  // Pass 2: the points at the chosen steps, from the kept pages or a second read; a window of
  // runs at a time, so only that window's points are held.
  const pointsOf = async (r: (typeof runs)[number]) => {
    const hits: Metric[] = [];
    const collect = (page: Metric[]) => {
      for (const m of page) if (chosen.has(m.step)) hits.push(m);
    };
    if (r.pages) r.pages.forEach(collect);
    else for await (const page of historyPages(store, r.runId, opts.metricKey)) collect(page);
    // Stable sort: points with equal (step, timestamp) keep the history's value order.
    hits.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    return hits.slice(0, MAX_BULK_RESULTS).map((m) => withRunId(m, r.runId));
  };
  return (async function* () {
    for (let i = 0; i < runs.length; i += READ_CONCURRENCY) {
      const window = runs.slice(i, i + READ_CONCURRENCY);
      // A run's kept pages are not needed once its points are out.
      const points = await Promise.all(window.map(pointsOf));
      for (const r of window) r.pages = null;
      yield* points;
    }
  })();
}

// ---------------------------------------------------------------------------------------------
// get-history-bulk

/** Arguments of {@linkcode getMetricHistoryBulk}. */
export interface BulkHistoryOptions {
  /** 1–100 run ids; results are ordered by run id. */
  runIds: readonly string[];
  metricKey: string;
  /** Total points returned, ≥1; default and ceiling 25,000 (larger values are clamped). */
  maxResults?: number;
}

/**
 * MLflow's UI-only `metrics/get-history-bulk`: the full histories of up to 100 runs, runs sorted
 * by id, each in (timestamp, step, value) order, cut off after `maxResults` points in total.
 * Runs are read a window at a time, each only up to what is still missing, so the work stays
 * bounded by the answer's size.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for 0 or >100 run ids, a missing key, or
 * `maxResults` < 1.
 */
export async function getMetricHistoryBulk(
  store: TrackingStore,
  opts: BulkHistoryOptions,
): Promise<MetricWithRunId[]> {
  const runIds = checkRunIds("GetMetricHistoryBulk", opts.runIds).sort();
  checkMetricKey(opts.metricKey);
  checkInt("max_results", opts.maxResults, 1, Number.MAX_SAFE_INTEGER);
  // MLflow clamps rather than rejects a larger max_results.
  const limit = Math.min(opts.maxResults ?? MAX_BULK_RESULTS, MAX_BULK_RESULTS);
  const out: MetricWithRunId[] = [];
  for (let i = 0; i < runIds.length && out.length < limit; i += READ_CONCURRENCY) {
    const want = limit - out.length;
    const window = runIds.slice(i, i + READ_CONCURRENCY);
    const pages = await Promise.all(
      window.map((id) => store.getMetricHistory(id, opts.metricKey, { maxResults: want })),
    );
    pages.forEach((page, k) => {
      for (const m of page.items) {
        if (out.length === limit) return;
        out.push(withRunId(m, window[k]));
      }
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Downsampling

/** Arguments of {@linkcode getMetricHistoryDownsampled}. */
export interface DownsampleOptions {
  runId: string;
  metricKey: string;
  /** Equal-width buckets over the x range, 1–10000; default 1000. */
  buckets?: number;
  /** The x axis: `step` (default) or `timestamp`. */
  x?: "step" | "timestamp";
  /** Inclusive x range; each bound defaults to the data's own. */
  startX?: number;
  endX?: number;
}

/** What {@linkcode getMetricHistoryDownsampled} returns (wire names, as the store uses). */
export interface DownsampledHistory {
  /** The kept points in x order (ties in history order). */
  metrics: Metric[];
  /** Points of the run's metric within the x range, NaN ones included. */
  total_points: number;
  /** How many of those are NaN. */
  nan_points: number;
  /** True when `metrics` is every point in the range (≤ 2 × buckets of them). */
  exact: boolean;
}

/** The downsampling arguments every run of a request shares, checked before anything is read. */
type DownsampleArgs = Omit<DownsampleOptions, "runId">;

/** Checks {@linkcode DownsampleArgs} (the rules of {@linkcode getMetricHistoryDownsampled}). */
function checkDownsample<T extends DownsampleArgs>(opts: T): T {
  checkMetricKey(opts.metricKey);
  const { buckets, x, startX, endX } = opts;
  checkInt("buckets", buckets, 1, MAX_BUCKETS);
  if (x !== undefined && x !== "step" && x !== "timestamp") {
    throw invalidParam(`x must be 'step' or 'timestamp'; got '${x}'.`);
  }
  for (const [name, v] of [["start", startX], ["end", endX]] as const) {
    if (v !== undefined && !Number.isFinite(v)) throw invalidParam(`${name} must be a number.`);
  }
  if (startX !== undefined && endX !== undefined && startX > endX) {
    throw invalidParam(
      `start must be less than or equal to end; got start=${startX}, end=${endX}.`,
    );
  }
  return opts;
}

/**
 * kvflow's chart read: splits the x range into `buckets` equal-width buckets and keeps, per bucket,
 * the point with the smallest and the one with the largest value, plus the first and last point
 * overall, de-duplicated and in x order. A 1,000,000-point metric becomes ≤ ~2 × buckets points,
 * and a single spike survives because it is its bucket's maximum.
 *
 * NaN values have no place in a min/max, so they never compete; instead the first NaN point of
 * every bucket that has one is emitted as well (the wire shows `"NaN"`, so a chart can mark the
 * gap), and `nan_points` counts them all. When the range holds at most 2 × buckets points they are
 * all returned and `exact` is true.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for buckets outside 1–10000, an unknown `x`, or
 * `startX` > `endX`.
 *
 * @example
 * ```ts
 * const { metrics, exact } = await getMetricHistoryDownsampled(store, {
 *   runId, metricKey: "loss", buckets: 500,
 * });
 * ```
 */
export async function getMetricHistoryDownsampled(
  store: TrackingStore,
  opts: DownsampleOptions,
  budget: KeptPointsBudget = SHARED_KEPT_POINTS,
): Promise<DownsampledHistory> {
  const { buckets = DEFAULT_BUCKETS, x = "step", startX, endX } = checkDownsample(opts);

  // Pass 1: count the range and find its first and last point in x order, keeping the pages
  // while they hold at most KEEP points of the range, or more while the process-wide `budget`
  // lends them. Pass 2 buckets the kept pages or, when they could not all be kept, a second
  // read. Memory is O(buckets + one page) per read beyond what the budget bounds, however long
  // the history (issue 10 #6); a history within the budget is read once. Pages are columns,
  // walked with plain loops: an object per point cost more than the read itself.
  const lo = startX ?? -Infinity;
  const hi = endX ?? Infinity;
  const whole = startX === undefined && endX === undefined;
  const inRange = async function* (): AsyncGenerator<Columns> {
    for await (const page of columnPages(store, opts.runId, opts.metricKey)) {
      yield whole ? page : within(page, x, lo, hi);
    }
  };
  const keep = Math.max(2 * buckets, COLUMN_PAGE);
  let n = 0, nan = 0;
  let kept: Columns[] | null = [];
  let keptPoints = 0;
  let borrowed = 0;
  try {
    return await downsample();
  } finally {
    budget.release(borrowed);
  }

  async function downsample(): Promise<DownsampledHistory> {
    // The first point in x order (the earliest of equal x) and the last (the latest of equal x).
    const first = new Picked(1), last = new Picked(1);
    for await (const page of inRange()) {
      const xs = x === "step" ? page.steps : page.timestamps;
      const vs = page.values;
      for (let i = 0; i < xs.length; i++) {
        const xv = xs[i];
        if (vs[i] !== vs[i]) nan++;
        if (n === 0 || xv < first.x[0]) first.take(0, n, page, i, xv);
        if (n === 0 || xv >= last.x[0]) last.take(0, n, page, i, xv);
        n++;
      }
      if (kept !== null) {
        const need = Math.max(0, keptPoints + xs.length - keep) - borrowed;
        if (need <= 0 || budget.borrow(need)) {
          borrowed += Math.max(0, need);
          kept.push(page);
          keptPoints += xs.length;
        } else {
          kept = null;
          budget.release(borrowed);
          borrowed = 0;
        }
      }
    }
    const exact = n <= 2 * buckets;
    let picked: Picked;
    if (exact) {
      // Every point of the range: kept, since the range holds no more than KEEP.
      picked = new Picked(n);
      let at = 0;
      for (const page of kept ?? []) {
        const xs = x === "step" ? page.steps : page.timestamps;
        for (let i = 0; i < xs.length; i++, at++) picked.take(at, at, page, i, xs[i]);
      }
    } else {
      picked = await pickMinMax(
        kept === null ? inRange() : kept,
        x,
        buckets,
        startX ?? first.x[0],
        endX ?? last.x[0],
      );
      picked.add(first, 0);
      picked.add(last, 0);
    }
    return { metrics: picked.sorted(opts.metricKey), total_points: n, nan_points: nan, exact };
  }
}

/** Points that downsampled reads may hold between their two passes, shared by the reads. */
export class KeptPointsBudget {
  #free: number;

  constructor(points: number) {
    this.#free = points;
  }

  /** Takes `n` points if that many are free. */
  borrow(n: number): boolean {
    if (n > this.#free) return false;
    this.#free -= n;
    return true;
  }

  /** Gives back `n` borrowed points. */
  release(n: number): void {
    this.#free += n;
  }
}

/**
 * The process's budget: 2M points (48 MB of columns), so a 1M-point chart is read once while
 * a handful of such reads run at the same time; beyond it reads take a second pass instead.
 */
const SHARED_KEPT_POINTS = new KeptPointsBudget(2_000_000);

/** Pages of a history as columns, paced as {@linkcode historyPages} is. */
function columnPages(store: TrackingStore, runId: string, metricKey: string) {
  return paced(async (pageToken): Promise<[Columns, number, string | undefined]> => {
    const { nextPageToken, ...page } = await store.getMetricHistoryColumns(runId, metricKey, {
      maxResults: COLUMN_PAGE,
      pageToken,
    });
    return [page, page.values.length, nextPageToken];
  });
}

/** A page of points as columns. */
type Columns = Omit<MetricColumnsPage, "nextPageToken">;

/** The points of `page` whose x lies in [lo, hi] (the page itself when all do). */
function within(page: Columns, x: "step" | "timestamp", lo: number, hi: number): Columns {
  const xs = x === "step" ? page.steps : page.timestamps;
  const idx: number[] = [];
  for (let i = 0; i < xs.length; i++) if (xs[i] >= lo && xs[i] <= hi) idx.push(i);
  if (idx.length === xs.length) return page;
  const pick = (c: Float64Array) => Float64Array.from(idx, (i) => c[i]);
  return { timestamps: pick(page.timestamps), steps: pick(page.steps), values: pick(page.values) };
}

/**
 * Points picked out of a history in slots: each slot holds a point's position in the range (its
 * history order), x, timestamp, step and value, or nothing (position -1). Typed arrays rather
 * than an object per pick, since a pick is replaced as often as a bucket finds a new min or max.
 */
class Picked {
  readonly at: Float64Array;
  readonly x: Float64Array;
  readonly ts: Float64Array;
  readonly st: Float64Array;
  readonly v: Float64Array;
  /** Points added from elsewhere, as [position, x, timestamp, step, value]. */
  private readonly extra: [number, number, number, number, number][] = [];
  constructor(readonly size: number) {
    this.at = new Float64Array(size).fill(-1);
    this.x = new Float64Array(size);
    this.ts = new Float64Array(size);
    this.st = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  /** Puts point `i` of `page`, at position `at` of the range, in `slot`. */
  take(slot: number, at: number, page: Columns, i: number, x: number): void {
    this.at[slot] = at;
    this.x[slot] = x;
    this.ts[slot] = page.timestamps[i];
    this.st[slot] = page.steps[i];
    this.v[slot] = page.values[i];
  }
  /** Adds `from`'s `slot` to this set, beside its slots. */
  add(from: Picked, slot: number): void {
    this.extra.push([from.at[slot], from.x[slot], from.ts[slot], from.st[slot], from.v[slot]]);
  }
  /**
   * The picked points as metrics, each position once, in (x, position) order: x order with
   * history order for ties.
   */
  sorted(key: string): Metric[] {
    const rows = this.extra.slice();
    for (let s = 0; s < this.size; s++) {
      if (this.at[s] >= 0) rows.push([this.at[s], this.x[s], this.ts[s], this.st[s], this.v[s]]);
    }
    rows.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const out: Metric[] = [];
    for (let r = 0; r < rows.length; r++) {
      if (r > 0 && rows[r][0] === rows[r - 1][0]) continue;
      out.push({ key, value: rows[r][4], timestamp: rows[r][2], step: rows[r][3] });
    }
    return out;
  }
}

/**
 * The bucket work of {@linkcode getMetricHistoryDownsampled}: per bucket of [lo, hi] the first
 * min, first max and first NaN point of `pages` (the range, in history order), by position in
 * the range.
 */
async function pickMinMax(
  pages: AsyncIterable<Columns> | Iterable<Columns>,
  x: "step" | "timestamp",
  buckets: number,
  lo: number,
  hi: number,
): Promise<Picked> {
  // All points at one x (hi === lo) share bucket 0.
  const scale = hi > lo ? buckets / (hi - lo) : 0;
  // Slots: bucket b's min at b, its max at buckets + b, its first NaN at 2 × buckets + b.
  const out = new Picked(3 * buckets);
  let at = 0;
  for await (const page of pages) {
    const xs = x === "step" ? page.steps : page.timestamps;
    const vs = page.values;
    for (let i = 0; i < xs.length; i++, at++) {
      const xv = xs[i];
      // The top edge (x === hi) belongs to the last bucket rather than a bucket of its own.
      const b = Math.min(buckets - 1, Math.floor((xv - lo) * scale));
      const v = vs[i];
      if (v !== v) {
        if (out.at[2 * buckets + b] < 0) out.take(2 * buckets + b, at, page, i, xv);
        continue;
      }
      if (out.at[b] < 0 || v < out.v[b]) out.take(b, at, page, i, xv);
      if (out.at[buckets + b] < 0 || v > out.v[buckets + b]) {
        out.take(buckets + b, at, page, i, xv);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// get-history-downsampled-bulk

/** Arguments of {@linkcode bulkDownsampledByRun}: one downsampling for each of 1–100 runs. */
export interface BulkDownsampleOptions extends DownsampleArgs {
  /** 1–100 run ids (duplicates dropped); results follow this order. */
  runIds: readonly string[];
}

/** One run's entry in `get-history-downsampled-bulk`: its downsampled history, named. */
export interface DownsampledRun extends DownsampledHistory {
  run_id: string;
}

/**
 * kvflow's chart-view read: {@linkcode getMetricHistoryDownsampled} of one key for each of up to
 * 100 runs, one entry per run that has the key, in the order given (unknown runs and runs without
 * the key are left out). Each entry is exactly the single-run answer, so the min/max buckets and
 * spikes are the same whether a chart asks run by run or in bulk.
 *
 * Runs are read {@linkcode READ_CONCURRENCY} at a time and yielded in order as they finish, so a
 * reply can be written while later runs are read and at most that many answers are held (100
 * runs × 10,000 buckets is up to 2M points). Every argument and run id is checked, and the first
 * run read, before the promise resolves: errors come before the first byte of a reply.
 *
 * A run whose points all lie outside `startX`..`endX` still has the key: it gets an entry with no
 * points (one extra one-point read tells it from a run without the key).
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for 0 or >100 run ids (counted before
 * duplicates are dropped, as the other bulk reads do), a malformed run id, a missing key, or the
 * downsampling arguments {@linkcode getMetricHistoryDownsampled} refuses.
 *
 * @example
 * ```ts
 * for await (const [run] of await bulkDownsampledByRun(store, { runIds, metricKey: "loss" })) {
 *   console.log(run.run_id, run.metrics.length);
 * }
 * ```
 */
export async function bulkDownsampledByRun(
  store: TrackingStore,
  opts: BulkDownsampleOptions,
): Promise<AsyncIterable<DownsampledRun[]>> {
  const runIds = checkRunIds("GetMetricHistoryDownsampledBulk", opts.runIds);
  // Checked here, not by the store's own read, so that no run's error can come mid-reply.
  runIds.forEach(checkRunId);
  const { runIds: _, ...args } = checkDownsample(opts);
  const ranged = args.startX !== undefined || args.endX !== undefined;
  const readRun = async (runId: string): Promise<DownsampledRun | null> => {
    const h = await getMetricHistoryDownsampled(store, { ...args, runId });
    if (h.total_points > 0) return { run_id: runId, ...h };
    if (!ranged) return null;
    const any = await store.getMetricHistory(runId, args.metricKey, { maxResults: 1 });
    return any.items.length > 0 ? { run_id: runId, ...h } : null;
  };
  const runs = mapLimitStream(runIds, READ_CONCURRENCY, readRun);
  // The first read surfaces what only the store checks (e.g. the key's length) before any byte.
  const first = await runs.next();
  return (async function* () {
    if (first.done) return;
    if (first.value) yield [first.value];
    for await (const run of runs) if (run) yield [run];
  })();
}
