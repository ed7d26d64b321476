/**
 * Run search and metric-history reads in KV. Search scans each experiment's run index and applies
 * the shared evaluator; the indexed planner of the search issue replaces the scan.
 */
import { invalidParam } from "../errors.ts";
import { decodePageToken, encodePageToken } from "../page_token.ts";
import { searchRunsIn } from "../search/mod.ts";
import type { Metric, MetricHistoryOptions, Page, Run, SearchRunsOptions } from "../types.ts";
import { type PointSortKey, runKey, runMetricKey, runsByExperimentPrefix } from "./keys.ts";
import { readHistoryPoints, sortKeyOf, toMetric } from "./metric_history.ts";
import { readRun } from "./runs.ts";
import type { KvContext } from "./run_write.ts";
import { rollForwardAll } from "./staged_batch.ts";
import { readConsistently } from "./snapshot.ts";

/** Maps with bounded concurrency, so a large scan does not flood KV with requests. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Searches runs of the given experiments. */
export async function searchRuns(ctx: KvContext, opts: SearchRunsOptions): Promise<Page<Run>> {
  searchRunsIn([], opts); // rejects a bad filter, order, max_results or token before any I/O
  await rollForwardAll(ctx.kv);
  const ids: string[] = [];
  for (const expId of new Set(opts.experimentIds)) {
    for await (const e of ctx.kv.list<string>({ prefix: runsByExperimentPrefix(expId) })) {
      ids.push(e.value);
    }
  }
  const runs = await mapLimit(ids, 16, (id) => readRun(ctx, id));
  return searchRunsIn(runs, opts);
}

function isSortKey(c: unknown): c is PointSortKey {
  return Array.isArray(c) && c.length === 4 && c.every((x) => typeof x === "number") &&
    (c[3] === 0 || c[3] === 1);
}

/**
 * Returns one page of a metric's history in (timestamp, step, value) order. The page token holds
 * the last point returned, so pages stay exact while points are appended.
 */
export async function getMetricHistory(
  ctx: KvContext,
  runId: string,
  key: string,
  opts: MetricHistoryOptions = {},
): Promise<Page<Metric>> {
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
  const run = await ctx.kv.get(runKey(runId));
  if (run.value === null) return { items: [] };
  const points = await readConsistently(
    ctx,
    runId,
    () => readHistoryPoints(ctx.kv, runId, key, after, limit),
    runMetricKey(runId, key),
  );
  const more = points.length > limit;
  const page = more ? points.slice(0, limit) : points;
  const items = page.map((p) => toMetric(key, p));
  if (!more) return { items };
  return {
    items,
    nextPageToken: encodePageToken({ cursor: [...sortKeyOf(page[page.length - 1])] }),
  };
}
