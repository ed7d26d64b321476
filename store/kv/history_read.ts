/** Metric history reads in KV, as point objects or as columns. */
import { invalidParam } from "../errors.ts";
import { decodePageToken, encodePageToken } from "../page_token.ts";
import type { Metric, MetricColumnsPage, MetricHistoryOptions, Page } from "../types.ts";
import { type PointSortKey, runHeadKey, runKey, runMetricKey } from "./keys.ts";
import { type Columns, readHistoryColumns } from "./history_columns.ts";
import { type MetricHead, readHistoryPoints, sortKeyOf, toMetric } from "./metric_history.ts";
import type { RunHead } from "./records.ts";
import type { KvContext } from "./run_write.ts";
import { readConsistently } from "./snapshot.ts";

function isSortKey(c: unknown): c is PointSortKey {
  return Array.isArray(c) && c.length === 4 && c.every((x) => typeof x === "number") &&
    (c[3] === 0 || c[3] === 1);
}

/**
 * One consistent read of at most `limit + 1` points after the page token's point, or null for
 * an unknown run. The token holds the last point returned, so pages stay exact while points are
 * appended.
 */
async function readPage<T>(
  ctx: KvContext,
  runId: string,
  key: string,
  opts: MetricHistoryOptions,
  read: (after: PointSortKey | null, limit: number, head?: MetricHead | null) => Promise<T>,
  cache?: PageCache<T>,
): Promise<{ points: T; limit: number } | null> {
  const limit = opts.maxResults ?? Infinity;
  if (limit !== Infinity && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw invalidParam(
      `Invalid value ${limit} for parameter 'max_results' supplied: it must be a positive integer`,
    );
  }
  const token = decodePageToken(opts.pageToken);
  if (token.cursor !== undefined && !isSortKey(token.cursor)) {
    throw invalidParam(`Invalid page token '${opts.pageToken}'`);
  }
  const after = (token.cursor as PointSortKey | undefined) ?? null;
  // Validated against the run head: every write to the run, and every batch still being
  // applied, shows there, and a compaction moves points between chunks and loose keys. First
  // one optimistic try that reads the run, its head and the metric's head in one call (a chart
  // of 100 runs makes 100 of these reads, and each KV call costs more than its points); when a
  // write overtakes it, or a batch is pending, readConsistently's retries and lease take over.
  const [run, head, metric] = await ctx.kv.getMany<[unknown, RunHead, MetricHead]>([
    runKey(runId),
    runHeadKey(runId),
    runMetricKey(runId, key),
  ]);
  if (run.value === null) return null;
  if (!head.value?.pending) {
    const vs = head.versionstamp;
    // A whole history read under this very head: nothing can have changed since.
    const hit = after === null && vs !== null ? cache?.get(vs) : undefined;
    if (hit !== undefined) return { points: hit, limit };
    const points = await read(after, limit, metric.value);
    const again = await ctx.kv.get(runHeadKey(runId));
    if (again.versionstamp === vs) {
      if (after === null && vs !== null) cache?.set(vs, points, limit);
      return { points, limit };
    }
  }
  const points = await readConsistently(ctx, runId, () => read(after, limit));
  return { points, limit };
}

/**
 * The history cache as one read form sees it: `set` is given every first page read, and keeps it
 * only when it is the whole history (no more than `limit` points).
 */
interface PageCache<T> {
  get(versionstamp: string): T | undefined;
  set(versionstamp: string, page: T, limit: number): void;
}

/** The token of the page that follows a page ending at this point. */
const tokenAfter = (p: { timestamp: number; step: number; value: number }) =>
  encodePageToken({ cursor: [...sortKeyOf(p)] });

/** Returns one page of a metric's history in (timestamp, step, value) order. */
export async function getMetricHistory(
  ctx: KvContext,
  runId: string,
  key: string,
  opts: MetricHistoryOptions = {},
): Promise<Page<Metric>> {
  const read = await readPage(
    ctx,
    runId,
    key,
    opts,
    (after, limit) => readHistoryPoints(ctx.kv, runId, key, after, limit),
  );
  if (read === null) return { items: [] };
  const { points, limit } = read;
  const more = points.length > limit;
  const page = more ? points.slice(0, limit) : points;
  const items = page.map((p) => toMetric(key, p));
  if (!more) return { items };
  return { items, nextPageToken: tokenAfter(page[page.length - 1]) };
}

/** {@linkcode getMetricHistory} as columns, with the same pages and tokens. */
export async function getMetricHistoryColumns(
  ctx: KvContext,
  runId: string,
  key: string,
  opts: MetricHistoryOptions = {},
): Promise<MetricColumnsPage> {
  const read = await readPage(
    ctx,
    runId,
    key,
    opts,
    (after, limit, head) => readHistoryColumns(ctx.kv, runId, key, after, limit, head),
    {
      get: (vs) => ctx.historyCache.get(runId, key, vs),
      set: (vs, page, limit) => {
        if (page.values.length <= limit) ctx.historyCache.set(runId, key, vs, page);
      },
    },
  );
  const empty = new Float64Array(0);
  if (read === null) return { timestamps: empty, steps: empty, values: empty };
  const { points, limit } = read;
  if (points.values.length <= limit) return points;
  const cut = (c: Float64Array) => c.subarray(0, limit);
  const page: Columns = {
    timestamps: cut(points.timestamps),
    steps: cut(points.steps),
    values: cut(points.values),
  };
  const i = limit - 1;
  const nextPageToken = tokenAfter({
    timestamp: page.timestamps[i],
    step: page.steps[i],
    value: page.values[i],
  });
  return { ...page, nextPageToken };
}
