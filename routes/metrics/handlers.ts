/**
 * Metric-history handlers. The bulk and downsampled reads live in `store/history_views.ts`, which
 * also range-checks their arguments (so any caller gets the same rules).
 *
 * @module
 */
import {
  bulkIntervalByRun,
  type DownsampledRun,
  getMetricHistoryBulk,
  getMetricHistoryDownsampled,
  HISTORY_PAGE,
  type MetricWithRunId,
} from "../../store/history_views.ts";
import type { Handler } from "../app_env.ts";
import { downsampledBulkReply } from "./downsampled_bulk.ts";
import { json, jsonListStream } from "../respond.ts";
import type { Metric } from "../../store/types.ts";
import type * as routes from "./routes.ts";

export const getHistory: Handler<typeof routes.getHistory> = async (c) => {
  const { run_id, metric_key, max_results, page_token } = c.req.valid("query");
  const store = c.var.store;
  // Unlike MLflow 3 (an empty page), an absent max_results returns every point. Anything larger
  // than one read page is streamed page by page, so memory stays flat whatever the history's
  // size (8.5M points in one string overflowed V8's string limit: issue 10 #6).
  const want = max_results ?? Infinity;
  const streamed = want > HISTORY_PAGE && (want === Infinity || Number.isSafeInteger(want));
  const first = await store.getMetricHistory(run_id, metric_key, {
    maxResults: streamed ? HISTORY_PAGE : max_results,
    pageToken: page_token,
  });
  if (!streamed || first.nextPageToken === undefined) {
    return json(c, { metrics: first.items, next_page_token: first.nextPageToken }, 200);
  }
  let token: string | undefined;
  async function* pages(): AsyncGenerator<Metric[]> {
    let page = first;
    let sent = 0;
    for (;;) {
      yield page.items;
      sent += page.items.length;
      token = page.nextPageToken;
      if (token === undefined || sent >= want) return;
      page = await store.getMetricHistory(run_id, metric_key, {
        maxResults: Math.min(HISTORY_PAGE, want - sent),
        pageToken: token,
      });
    }
  }
  const res = jsonListStream("metrics", pages(), () => ({ next_page_token: token }));
  // The body is the route's JSON shape, only written in pieces.
  return res as unknown as ReturnType<typeof json<GetHistoryBody, 200>>;
};

/** The JSON body of `get-history`, for the streamed reply's type. */
type GetHistoryBody = { metrics: Metric[]; next_page_token: string | undefined };

export const getHistoryBulkInterval: Handler<typeof routes.getHistoryBulkInterval> = async (c) => {
  const q = c.req.valid("query");
  // Up to 100 runs × 25,000 points: written run by run rather than as one string.
  const runs = await bulkIntervalByRun(c.var.store, {
    runIds: q.run_ids,
    metricKey: q.metric_key,
    startStep: q.start_step,
    endStep: q.end_step,
    maxResults: q.max_results,
  });
  const res = jsonListStream("metrics", runs, () => ({}));
  return res as unknown as ReturnType<typeof json<{ metrics: MetricWithRunId[] }, 200>>;
};

export const getHistoryBulk: Handler<typeof routes.getHistoryBulk> = async (c) => {
  const q = c.req.valid("query");
  const metrics = await getMetricHistoryBulk(c.var.store, {
    runIds: q.run_id,
    metricKey: q.metric_key,
    maxResults: q.max_results,
  });
  return json(c, { metrics }, 200);
};

export const getHistoryDownsampled: Handler<typeof routes.getHistoryDownsampled> = async (c) => {
  const q = c.req.valid("query");
  const result = await getMetricHistoryDownsampled(c.var.store, {
    runId: q.run_id,
    metricKey: q.metric_key,
    buckets: q.buckets,
    x: q.x,
    startX: q.start,
    endX: q.end,
  });
  return json(c, result, 200);
};

export const getHistoryDownsampledBulk: Handler<typeof routes.getHistoryDownsampledBulk> = async (
  c,
) => {
  const res = await downsampledBulkReply(c.var.store, c.req.valid("query"));
  return res as unknown as ReturnType<typeof json<{ runs: DownsampledRun[] }, 200>>;
};
