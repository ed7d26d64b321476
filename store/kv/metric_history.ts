/**
 * Metric history in KV: packed chunks plus a few loose points.
 *
 * A history of up to millions of points must append cheaply (one small key for a single
 * `log-metric`) and read fast (100k points in a few dozen values). Points are kept in
 * non-overlapping chunks keyed by their smallest point, so KV key order is history order, plus up
 * to `COMPACT_AT` loose points above every chunk. When the loose points pile up they are packed
 * into chunks (folding in a last chunk that has room). A point arriving out of order (at or below
 * the chunks' largest point) is written as a late key of its own, and the chunk whose range holds
 * it takes in its waiting late points at once, only when they number at least
 * `1 / LATE_MERGE_RATIO` of the points it holds: inserting each late point into its chunk rewrote
 * a whole chunk (up to ~24 KB) per point, while this way a late point costs its own key, its
 * deletion and an amortised share of at most ~3 packed points of rewrite, in any arrival order.
 * A count per chunk (read with the late key itself) says when, so no write lists the waiting
 * points until the merge. Readers merge chunks and late points (they never hold the same point).
 * Of exact duplicates (same timestamp, step and value) the first
 * copy stays, extras and all: MLflow's "identical point is ignored".
 *
 * @module
 */
import type { Metric } from "../types.ts";
import {
  metricChunkKey,
  metricChunksPrefix,
  metricLateCountKey,
  metricLateKey,
  metricLatePrefix,
  metricPointKey,
  metricPointsPrefix,
  type PointSortKey,
  runMetricKey,
} from "./keys.ts";
import { estimateSize, type MutationSet } from "./mutations.ts";
import { getManyValues } from "./run_write.ts";

/** How many loose points a metric may have before they are packed into a chunk. */
export const COMPACT_AT = 100;
const CHUNK_POINTS = 1000;
/**
 * An in-order append folds the last chunk in only while it holds fewer points than this: each
 * fold rewrites the chunk, so folding up to a full chunk rewrote ~5.5 chunks' worth of points per
 * chunk filled 100 at a time (a training loop's batch); stopping at half costs ~3 and leaves
 * chunks of at least half a chunk.
 */
export const FOLD_BELOW_POINTS = CHUNK_POINTS / 2;
const CHUNK_BYTES = 48_000;
/**
 * A chunk takes in its waiting late points once they number at least this fraction of its own
 * points: a merge then rewrites at most 1 / ratio + 1 packed points per late point, and deletes
 * at most ~`CHUNK_POINTS * ratio` late keys, which keeps it within one commit's mutations.
 */
export const LATE_MERGE_RATIO = 0.5;

/** MLflow 3 fields a point may carry. */
export interface PointExtra {
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

/** A point without its key (the metric key is implied by where it is stored). */
export interface Point {
  timestamp: number;
  step: number;
  value: number;
  x?: PointExtra;
}

/** A metric's head, stored at `runMetricKey`. */
export interface MetricHead {
  /** The latest point by (step, timestamp, value), what `runs/get` returns. */
  latest: Point;
  /** Loose points written since the last compaction (an upper bound: duplicates count). */
  loose: number;
  /** Sort key of the largest point held in chunks; null when there are no chunks. */
  max: PointSortKey | null;
  /**
   * Sort key of the largest loose point (null when there are none), so that an in-order append
   * above it knows it repeats no stored point without reading. Absent in heads written before
   * it existed, until the next append looks it up.
   */
  top?: PointSortKey | null;
  /**
   * Late points waiting beside the chunks (absent = none). While any wait, an in-order append
   * starts a new chunk rather than folding the last one, so no chunk's range ever changes under
   * the per-chunk counts of waiting points.
   */
  late?: number;
  /**
   * Points in the last chunk as the last in-order append wrote it (absent in older heads): when it
   * is too full to fold, the next append writes a new chunk without reading it. A late merge may
   * change the chunk since; the hint then only costs a read, or leaves a chunk unfolded.
   */
  tail?: number;
}

/** A packed chunk's value: its points as parallel columns, with each point's extras if any. */
export interface Chunk {
  ts: Float64Array;
  st: Float64Array;
  v: Float64Array;
  x?: (PointExtra | 0)[];
}

/** The KV sort key of a point: a NaN sorts as 0, just after a real 0. */
export function sortKeyOf(p: Point): PointSortKey {
  if (Number.isNaN(p.value)) return [p.timestamp, p.step, 0, 1];
  return [p.timestamp, p.step, p.value === 0 ? 0 : p.value, 0];
}

/** Orders sort keys. */
export function compareSortKeys(a: PointSortKey, b: PointSortKey): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
}

/**
 * Orders points as their sort keys order, without building the keys: a sort of thousands of
 * points otherwise allocates two arrays per comparison.
 */
function cmpPoints(a: Point, b: Point): number {
  return a.timestamp - b.timestamp || a.step - b.step || cmpValues(a.value, b.value);
}

/** Orders values as the sort key's last two parts do: NaN as 0, just after a real 0. */
function cmpValues(a: number, b: number): number {
  const an = Number.isNaN(a), bn = Number.isNaN(b);
  return (an ? 0 : a) - (bn ? 0 : b) || (an ? 1 : 0) - (bn ? 1 : 0);
}

/** Orders a point against a sort key, as `compareSortKeys(sortKeyOf(p), sk)` does. */
export function cmpPointKey(p: Point, sk: PointSortKey): number {
  const nan = Number.isNaN(p.value);
  return p.timestamp - sk[0] || p.step - sk[1] || (nan ? 0 : p.value) - sk[2] ||
    (nan ? 1 : 0) - sk[3];
}

const nanAsZero = (v: number) => Number.isNaN(v) ? 0 : v;

/** MLflow's "latest": the maximum of (step, timestamp, value), NaN compared as 0. */
export function isNewer(a: Point, b: Point): boolean {
  return (a.step - b.step || a.timestamp - b.timestamp || nanAsZero(a.value) - nanAsZero(b.value)) >
    0;
}

/** Sorts and drops exact duplicates: the first copy stays, with its extra fields (a stable sort). */
function sortUnique(points: Point[]): Point[] {
  // Points mostly arrive in order (a training loop's steps): check before sorting a copy.
  let inOrder = true, unique = true;
  for (let i = 1; i < points.length; i++) {
    const c = cmpPoints(points[i - 1], points[i]);
    if (c > 0) {
      inOrder = false;
      break;
    }
    if (c === 0) unique = false;
  }
  if (inOrder && unique) return points;
  const sorted = inOrder ? points : [...points].sort(cmpPoints);
  const out: Point[] = [];
  for (const p of sorted) {
    if (out.length === 0 || cmpPoints(out[out.length - 1], p) !== 0) out.push(p);
  }
  return out;
}

/**
 * Bytes a point adds to a chunk: three float64s, plus its extras, whose field names cost as much
 * as short values (three one-letter fields take ~50 bytes, which a size of the values alone
 * underestimated enough for a chunk of such points to pass KV's 64 KiB value limit).
 */
function pointSize(x: PointExtra | 0): number {
  return x ? 26 + estimateSize(x) : 26;
}

/** Decodes a chunk into points. */
export function decodeChunk(c: Chunk): Point[] {
  const out: Point[] = new Array(c.ts.length);
  for (let i = 0; i < c.ts.length; i++) {
    const p: Point = { timestamp: c.ts[i], step: c.st[i], value: c.v[i] };
    const x = c.x?.[i];
    if (x) p.x = x;
    out[i] = p;
  }
  return out;
}

/** A chunk as written: its key and value. */
interface TailChunk {
  key: Deno.KvKey;
  value: Chunk;
}

/** Most last chunks {@linkcode planMetricAppend} keeps in memory (each under ~12 KB). */
export const MAX_CACHED_TAILS = 1_000;

/**
 * The last chunk each metric's latest in-order append wrote, with the head object that append
 * planned. The next append planning from that very object (which the run cache hands out only
 * after that commit landed, and which a lost head check replaces with one read afresh) folds the
 * chunk without reading it back; any other head misses and reads it.
 */
const tails = new Map<string, { head: MetricHead; chunk: TailChunk }>();

/**
 * Writes sorted points as chunks under the size limits: `below`'s points (a stored chunk being
 * folded in, all below `points`) then `points`. Columns are copied straight from the stored
 * chunk, so folding the last chunk into an in-order append decodes none of its points.
 */
function writeChunks(
  m: MutationSet,
  runId: string,
  key: string,
  points: Point[],
  below: Chunk | null = null,
): TailChunk {
  const ln = below ? below.ts.length : 0;
  const n = ln + points.length;
  const hasX = below?.x !== undefined || points.some((p) => p.x);
  const extraAt = (i: number): PointExtra | 0 =>
    i < ln ? below!.x?.[i] ?? 0 : points[i - ln].x ?? 0;
  const emit = (start: number, end: number) => {
    const len = end - start;
    const c: Chunk = {
      ts: new Float64Array(len),
      st: new Float64Array(len),
      v: new Float64Array(len),
    };
    const x: (PointExtra | 0)[] | undefined = hasX ? new Array(len) : undefined;
    let anyExtra = false;
    for (let i = start; i < end; i++) {
      const j = i - start;
      if (i < ln) {
        c.ts[j] = below!.ts[i];
        c.st[j] = below!.st[i];
        c.v[j] = below!.v[i];
      } else {
        const p = points[i - ln];
        c.ts[j] = p.timestamp;
        c.st[j] = p.step;
        c.v[j] = p.value;
      }
      if (x) {
        x[j] = extraAt(i);
        if (x[j]) anyExtra = true;
      }
    }
    if (anyExtra) c.x = x;
    const min = sortKeyOf({ timestamp: c.ts[0], step: c.st[0], value: c.v[0] });
    lastEmitted = { key: metricChunkKey(runId, key, min), value: c };
    m.set(lastEmitted.key, c);
  };
  let lastEmitted: TailChunk | undefined;
  let start = 0, bytes = 0;
  for (let i = 0; i < n; i++) {
    const s = hasX ? pointSize(extraAt(i)) : 26;
    if (i > start && (i - start >= CHUNK_POINTS || bytes + s > CHUNK_BYTES)) {
      emit(start, i);
      start = i;
      bytes = 0;
    }
    bytes += s;
  }
  if (start < n) emit(start, n);
  return lastEmitted!;
}

async function first<T>(iter: Deno.KvListIterator<T>): Promise<Deno.KvEntry<T> | null> {
  for await (const e of iter) return e;
  return null;
}

/** The chunk that covers `sk`: the last chunk starting at or below it, else the first chunk. */
export async function coveringChunk(kv: Deno.Kv, runId: string, key: string, sk: PointSortKey) {
  const prefix = metricChunksPrefix(runId, key);
  return await first(
    kv.list<Chunk>({ prefix, end: [...prefix, ...sk, 0] }, { reverse: true, limit: 1 }),
  ) ??
    await first(kv.list<Chunk>({ prefix }, { limit: 1 }));
}

/**
 * Finds, for sorted out-of-order points, the chunk each belongs in (the last chunk starting at or
 * below it, else the first chunk), with one range scan over the chunks they span rather than one
 * lookup per point.
 */
async function assignToChunks(
  kv: Deno.Kv,
  runId: string,
  key: string,
  sorted: Point[],
): Promise<{ entry: Deno.KvEntry<Chunk>; add: Point[] }[]> {
  if (sorted.length === 0) return [];
  const prefix = metricChunksPrefix(runId, key);
  const first = await coveringChunk(kv, runId, key, sortKeyOf(sorted[0]));
  if (!first) return []; // unreachable while chunks exist, which out-of-order points imply
  // A single point (log-metric) belongs to the covering chunk: no scan for the chunks it spans.
  if (sorted.length === 1) return [{ entry: first, add: sorted }];
  const last = sortKeyOf(sorted[sorted.length - 1]);
  const spanned: Deno.KvEntry<Chunk>[] = [];
  // Points below the first chunk fall back to it, so `last` may sort below the scan's start: then
  // that chunk is the only one they touch (and KV refuses a range whose end is below its start).
  if (compareSortKeys(last, chunkMin(first)) >= 0) {
    for await (const e of kv.list<Chunk>({ start: first.key, end: [...prefix, ...last, 0] })) {
      spanned.push(e);
    }
  }
  if (spanned.length === 0) spanned.push(first);
  const out = spanned.map((entry) => ({ entry, add: [] as Point[] }));
  let c = 0;
  for (const p of sorted) {
    const sk = sortKeyOf(p);
    while (c + 1 < out.length && compareSortKeys(chunkMin(out[c + 1].entry), sk) <= 0) c++;
    out[c].add.push(p);
  }
  return out.filter((t) => t.add.length > 0);
}

/** Whether a chunk holds a point equal to `p` (a binary search of its columns). */
function chunkHas(c: Chunk, p: Point): boolean {
  let lo = 0, hi = c.ts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = c.ts[mid] - p.timestamp || c.st[mid] - p.step || cmpValues(c.v[mid], p.value);
    if (d === 0) return true;
    if (d < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The smallest point of the chunk after `e`, or null when `e` is the last chunk. */
async function nextChunkMin(
  kv: Deno.Kv,
  runId: string,
  key: string,
  e: Deno.KvEntry<Chunk>,
): Promise<PointSortKey | null> {
  const prefix = metricChunksPrefix(runId, key);
  const next = await first(kv.list<Chunk>({ prefix, start: [...e.key, 0] }, { limit: 1 }));
  return next ? chunkMin(next) : null;
}

/**
 * Plans late points (each touched chunk's `add`, sorted): points the chunk or the late keys
 * already hold are dropped; the rest become late keys, or, once a chunk's waiting points reach
 * `LATE_MERGE_RATIO` of its size, the chunk is rewritten with all of them. One `getMany` reads
 * both the late keys and the chunks' counts. Returns the change in the number of waiting points.
 */
async function planLate(
  kv: Deno.Kv,
  m: MutationSet,
  runId: string,
  key: string,
  touched: { entry: Deno.KvEntry<Chunk>; add: Point[] }[],
): Promise<number> {
  const fresh = touched.map((t) => t.add.filter((p) => !chunkHas(t.entry.value, p)));
  const lateKeys = fresh.flat().map((p) => metricLateKey(runId, key, sortKeyOf(p)));
  const countKeys = touched.map((t) => metricLateCountKey(runId, key, chunkMin(t.entry)));
  if (lateKeys.length === 0) return 0;
  const stored = await getManyValues<unknown>(kv, [...lateKeys, ...countKeys]);
  let k = 0, change = 0;
  for (let c = 0; c < touched.length; c++) {
    const add = fresh[c].filter(() => stored[k++] === null);
    if (add.length === 0) continue;
    const { entry } = touched[c];
    const waiting = (stored[lateKeys.length + c] as number | null) ?? 0;
    if (waiting + add.length < entry.value.ts.length * LATE_MERGE_RATIO) {
      for (const p of add) m.set(metricLateKey(runId, key, sortKeyOf(p)), p.x ?? 0);
      m.set(countKeys[c], waiting + add.length);
      change += add.length;
      continue;
    }
    // The chunk's waiting points are the `waiting` late keys just below the next chunk: the
    // count is exact, and every late point below this chunk's range belongs to earlier chunks.
    const waits: Point[] = [];
    if (waiting > 0) {
      const lp = metricLatePrefix(runId, key);
      const next = await nextChunkMin(kv, runId, key, entry);
      const selector = next ? { prefix: lp, end: [...lp, ...next] } : { prefix: lp };
      for await (
        const e of kv.list<PointExtra | 0>(selector, { reverse: true, limit: waiting })
      ) {
        waits.push(pointFromKey(e.key, e.value));
        m.delete(e.key);
      }
      waits.reverse();
    }
    m.delete(entry.key);
    m.delete(countKeys[c]);
    writeChunks(m, runId, key, sortUnique([...decodeChunk(entry.value), ...waits, ...add]));
    change -= waits.length;
  }
  return change;
}

function chunkMin(e: Deno.KvEntry<Chunk>): PointSortKey {
  return e.key.slice(-4) as unknown as PointSortKey;
}

/**
 * Plans appending `points` to one metric of a run: chunk/loose-point writes and the new head.
 * `head` is the metric's current head (null for a new metric).
 */
export async function planMetricAppend(
  kv: Deno.Kv,
  m: MutationSet,
  runId: string,
  key: string,
  head: MetricHead | null,
  points: Point[],
): Promise<void> {
  const pts = sortUnique(points);
  let latest = head?.latest;
  // In arrival order, so that of two tied points the first logged stays latest, as in MLflow.
  for (const p of points) if (!latest || isNewer(p, latest)) latest = p;
  const max = head?.max ?? null;
  const inOrder = max ? pts.filter((p) => cmpPointKey(p, max) > 0) : pts;
  const outOfOrder = max ? pts.filter((p) => cmpPointKey(p, max) <= 0) : [];

  const touched = await assignToChunks(kv, runId, key, outOfOrder);
  const late = (head?.late ?? 0) + await planLate(kv, m, runId, key, touched);

  let loose = head?.loose ?? 0;
  let top = loose === 0 ? null : head?.top;
  let newMax = max;
  let tail = head?.tail;
  let written: TailChunk | undefined;
  const tailId = `${runId}/${key}`;
  if (inOrder.length > 0 && loose + inOrder.length < COMPACT_AT) {
    const known = top === undefined ? await largestLoosePoint(kv, runId, key) : top;
    // Only a point at or below the largest loose one can repeat one, and the stored copy must
    // stay: look those up (an in-order append above them all reads nothing).
    const keys = inOrder.map((p) => metricPointKey(runId, key, sortKeyOf(p)));
    const mayRepeat = inOrder.flatMap((p, i) =>
      known !== null && compareSortKeys(sortKeyOf(p), known) <= 0 ? [i] : []
    );
    const stored = mayRepeat.length === 0
      ? []
      : await getManyValues<PointExtra | 0>(kv, mayRepeat.map((i) => keys[i]));
    const repeats = new Set(mayRepeat.filter((_, j) => stored[j] !== null));
    inOrder.forEach((p, i) => {
      if (repeats.has(i)) return;
      m.set(keys[i], p.x ?? 0);
      loose++;
    });
    const last = sortKeyOf(inOrder[inOrder.length - 1]);
    top = known === null || compareSortKeys(last, known) > 0 ? last : known;
  } else if (inOrder.length > 0) {
    const existing: Point[] = [];
    if (loose > 0) {
      for await (const e of kv.list<PointExtra | 0>({ prefix: metricPointsPrefix(runId, key) })) {
        existing.push(pointFromKey(e.key, e.value));
        m.delete(e.key);
      }
    }
    const merged = existing.length === 0 ? inOrder : sortUnique([...existing, ...inOrder]);
    let below: Chunk | null = null;
    if (touched.length === 0 && max && late === 0 && (head?.tail ?? 0) < FOLD_BELOW_POINTS) {
      // Fold a last chunk with room into the new points so chunks stay near full.
      const prefix = metricChunksPrefix(runId, key);
      const cached = tails.get(tailId);
      const last = cached && cached.head === head
        ? cached.chunk
        : await first(kv.list<Chunk>({ prefix }, { reverse: true, limit: 1 }));
      if (last && last.value.ts.length < FOLD_BELOW_POINTS) {
        m.delete(last.key);
        below = last.value;
      }
    }
    written = writeChunks(m, runId, key, merged, below);
    tail = written.value.ts.length;
    newMax = sortKeyOf(merged[merged.length - 1]);
    loose = 0;
    top = null;
  }
  if (latest) {
    const next: MetricHead = { latest, loose, max: newMax };
    if (top !== undefined) next.top = top;
    if (late > 0) next.late = late;
    if (tail !== undefined) next.tail = tail;
    m.set(runMetricKey(runId, key), next);
    tails.delete(tailId);
    if (written && written.value.ts.length < FOLD_BELOW_POINTS) {
      if (tails.size >= MAX_CACHED_TAILS) tails.delete(tails.keys().next().value!);
      tails.set(tailId, { head: next, chunk: written });
    }
  }
}

async function largestLoosePoint(
  kv: Deno.Kv,
  runId: string,
  key: string,
): Promise<PointSortKey | null> {
  const prefix = metricPointsPrefix(runId, key);
  const e = await first(kv.list<PointExtra | 0>({ prefix }, { reverse: true, limit: 1 }));
  return e ? e.key.slice(-4) as unknown as PointSortKey : null;
}

/** A loose or late point from its key (which holds the point) and value (its extras). */
export function pointFromKey(key: Deno.KvKey, x: PointExtra | 0): Point {
  const n = key.length;
  const nan = key[n - 1] === 1;
  const p: Point = {
    timestamp: key[n - 4] as number,
    step: key[n - 3] as number,
    value: nan ? NaN : key[n - 2] as number,
  };
  if (x) p.x = x;
  return p;
}

/** Turns a stored point into a wire metric. */
export function toMetric(key: string, p: Point): Metric {
  const out: Metric = { key, value: p.value, timestamp: p.timestamp, step: p.step };
  if (p.x?.model_id !== undefined) out.model_id = p.x.model_id;
  if (p.x?.dataset_name !== undefined) out.dataset_name = p.x.dataset_name;
  if (p.x?.dataset_digest !== undefined) out.dataset_digest = p.x.dataset_digest;
  return out;
}

/**
 * Reads points in history order strictly after `after` (from the start when null), at most
 * `limit + 1` of them so the caller can tell whether another page exists. Chunks and late points
 * are merged (they never hold the same point); loose points come after both.
 */
export async function readHistoryPoints(
  kv: Deno.Kv,
  runId: string,
  key: string,
  after: PointSortKey | null,
  limit: number,
): Promise<Point[]> {
  const want = limit === Infinity ? Infinity : limit + 1;
  const out: Point[] = [];
  const keep = (p: Point) => !after || cmpPointKey(p, after) > 0;
  const lp = metricLatePrefix(runId, key);
  const late = after
    ? kv.list<PointExtra | 0>({ prefix: lp, start: [...lp, ...after] })
    : kv.list<PointExtra | 0>({ prefix: lp });
  const pullLate = async () => {
    const r = await late.next();
    return r.done ? null : pointFromKey(r.value.key, r.value.value);
  };
  // Started now, so that the late points' first read overlaps the chunks' (mostly it finds none);
  // awaited only when a late point is taken, not once per chunk point.
  const firstLate = pullLate();
  let q: Point | null | undefined;
  const prefix = metricChunksPrefix(runId, key);
  let start: Deno.KvKey | undefined;
  if (after) start = (await coveringChunk(kv, runId, key, after))?.key;
  const chunks = start ? kv.list<Chunk>({ prefix, start }) : kv.list<Chunk>({ prefix });
  outer: for await (const e of chunks) {
    if (q === undefined) q = await firstLate;
    for (const p of decodeChunk(e.value)) {
      while (q && cmpPoints(q, p) <= 0) {
        if (keep(q)) {
          out.push(q);
          if (out.length >= want) break outer;
        }
        q = await pullLate();
      }
      if (after && cmpPointKey(p, after) <= 0) continue;
      out.push(p);
      if (out.length >= want) break outer;
    }
  }
  if (q === undefined) q = await firstLate;
  while (q && out.length < want) {
    if (keep(q)) out.push(q);
    q = await pullLate();
  }
  if (out.length < want) {
    const lp = metricPointsPrefix(runId, key);
    const loose = after
      ? kv.list<PointExtra | 0>({ prefix: lp, start: [...lp, ...after] })
      : kv.list<PointExtra | 0>({ prefix: lp });
    for await (const e of loose) {
      const p = pointFromKey(e.key, e.value);
      if (!keep(p)) continue;
      out.push(p);
      if (out.length >= want) break;
    }
  }
  return out;
}
