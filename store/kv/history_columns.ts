/**
 * Metric history read as columns (`getMetricHistoryColumns`): chunks are already stored as
 * columns, so a history without late points is their concatenation plus the loose points, with
 * no object per point, from its start or from a page token's point on (the chunk covering it is
 * found by key, and its earlier points skipped by a binary search). Late points waiting to be
 * merged take the point-by-point merge of `readHistoryPoints`, whose result is converted. *
 * @module
 */
import { toColumns } from "../metric_columns.ts";
import type { MetricColumnsPage } from "../types.ts";
import { metricChunksPrefix, metricPointsPrefix, type PointSortKey, runMetricKey } from "./keys.ts";
import {
  type Chunk,
  cmpPointKey,
  coveringChunk,
  type MetricHead,
  type Point,
  type PointExtra,
  pointFromKey,
  readHistoryPoints,
} from "./metric_history.ts";

/** Columns without a page token: what one read returns. */
export type Columns = Omit<MetricColumnsPage, "nextPageToken">;

/**
 * Reads points in history order strictly after `after` (from the start when null), at most
 * `limit + 1` of them so the caller can tell whether another page exists, as columns. Must run
 * inside `readConsistently`, like `readHistoryPoints`: the metric head it trusts is checked
 * against the same run head. `known` is the metric's head when the caller read it in that same
 * window (null: there is none).
 */
export async function readHistoryColumns(
  kv: Deno.Kv,
  runId: string,
  key: string,
  after: PointSortKey | null,
  limit: number,
  known?: MetricHead | null,
): Promise<Columns> {
  const head = known !== undefined
    ? known
    : (await kv.get<MetricHead>(runMetricKey(runId, key))).value;
  // No head (no such metric, or never seen here) or points to merge: the general path.
  if (head === null || (head.late ?? 0) > 0) {
    return toColumns(await readHistoryPoints(kv, runId, key, after, limit));
  }
  const want = limit === Infinity ? Infinity : limit + 1;
  const prefix = metricChunksPrefix(runId, key);
  const start = after === null ? undefined : (await coveringChunk(kv, runId, key, after))?.key;
  const chunks: { chunk: Chunk; from: number }[] = [];
  let n = 0;
  for await (const e of kv.list<Chunk>(start ? { prefix, start } : { prefix })) {
    const from = after === null ? 0 : firstAfter(e.value, after);
    if (from === e.value.ts.length) continue;
    chunks.push({ chunk: e.value, from });
    n += e.value.ts.length - from;
    if (n >= want) break;
  }
  // Loose points lie above every chunk; the head counts them (an upper bound), so none: no read.
  const loose: Point[] = [];
  if (n < want && head.loose > 0) {
    const lp = metricPointsPrefix(runId, key);
    const list = after === null
      ? kv.list<PointExtra | 0>({ prefix: lp })
      : kv.list<PointExtra | 0>({ prefix: lp, start: [...lp, ...after] });
    for await (const e of list) {
      const p = pointFromKey(e.key, e.value);
      if (after !== null && cmpPointKey(p, after) <= 0) continue;
      loose.push(p);
      if (n + loose.length >= want) break;
    }
  }
  const total = Math.min(want, n + loose.length);
  const out: Columns = {
    timestamps: new Float64Array(total),
    steps: new Float64Array(total),
    values: new Float64Array(total),
  };
  let at = 0;
  for (const { chunk: c, from } of chunks) {
    const take = Math.min(c.ts.length - from, total - at);
    // `slice`, not `subarray`: it also takes a plain array, should a chunk ever hold one.
    const part = (col: Float64Array) =>
      from === 0 && take === col.length ? col : col.slice(from, from + take);
    out.timestamps.set(part(c.ts), at);
    out.steps.set(part(c.st), at);
    out.values.set(part(c.v), at);
    at += take;
  }
  for (const p of loose) {
    if (at === total) break;
    out.timestamps[at] = p.timestamp;
    out.steps[at] = p.step;
    out.values[at] = p.value;
    at++;
  }
  return out;
}

/**
 * The index of the first point of `c` whose sort key lies above `after` (`c.ts.length` when
 * none does): a binary search, since a chunk's points are in sort-key order.
 */
function firstAfter(c: Chunk, after: PointSortKey): number {
  let lo = 0, hi = c.ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = { timestamp: c.ts[mid], step: c.st[mid], value: c.v[mid] };
    if (cmpPointKey(p, after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
