/** Metric history reads in KV. */
import { invalidParam } from "../errors.ts";
import { decodePageToken, encodePageToken } from "../page_token.ts";
import type { Metric, MetricHistoryOptions, Page } from "../types.ts";
import { type PointSortKey, runKey } from "./keys.ts";
import { readHistoryPoints, sortKeyOf, toMetric } from "./metric_history.ts";
import type { KvContext } from "./run_write.ts";
import { readConsistently } from "./snapshot.ts";

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
  // Validated against the run head: every write to the run, and every batch still being
  // applied, shows there, and a compaction moves points between chunks and loose keys.
  const points = await readConsistently(
    ctx,
    runId,
    () => readHistoryPoints(ctx.kv, runId, key, after, limit),
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
