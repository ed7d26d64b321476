/**
 * Metric history read as columns (`getMetricHistoryColumns`): chunks are already stored as
 * columns, so a history without late points is their concatenation plus the loose points, with
 * no object per point. Anything else (a page after a cursor, late points waiting to be merged)
 * takes the point-by-point merge of `readHistoryPoints` and converts its result.
 *
 * @module
 */
import { toColumns } from "../metric_columns.ts";
import type { MetricColumnsPage } from "../types.ts";
import { metricChunksPrefix, metricPointsPrefix, type PointSortKey, runMetricKey } from "./keys.ts";
import {
  type Chunk,
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
  const head = after !== null
    ? null
    : known !== undefined
    ? known
    : (await kv.get<MetricHead>(runMetricKey(runId, key))).value;
  // No head (no such metric, or never seen here) or points to merge: the general path.
  if (head === null || (head.late ?? 0) > 0) {
    return toColumns(await readHistoryPoints(kv, runId, key, after, limit));
  }
  const want = limit === Infinity ? Infinity : limit + 1;
  const chunks: Chunk[] = [];
  let n = 0;
  for await (const e of kv.list<Chunk>({ prefix: metricChunksPrefix(runId, key) })) {
    chunks.push(e.value);
    n += e.value.ts.length;
    if (n >= want) break;
  }
  // Loose points lie above every chunk; the head counts them (an upper bound), so none: no read.
  const loose: Point[] = [];
  if (n < want && head.loose > 0) {
    const prefix = metricPointsPrefix(runId, key);
    for await (const e of kv.list<PointExtra | 0>({ prefix })) {
      loose.push(pointFromKey(e.key, e.value));
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
  for (const c of chunks) {
    const take = Math.min(c.ts.length, total - at);
    // `slice`, not `subarray`: it also takes a plain array, should a chunk ever hold one.
    const part = (col: Float64Array) => take === col.length ? col : col.slice(0, take);
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
