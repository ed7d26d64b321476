/**
 * Metric-history handlers. The bulk and downsampled reads live in `store/history_views.ts`, which
 * also range-checks their arguments (so any caller gets the same rules).
 *
 * @module
 */
import {
  getMetricHistoryBulk,
  getMetricHistoryBulkInterval,
  getMetricHistoryDownsampled,
} from "../../store/history_views.ts";
import type { Handler } from "../app_env.ts";
import { json } from "../respond.ts";
import type * as routes from "./routes.ts";

export const getHistory: Handler<typeof routes.getHistory> = async (c) => {
  const { run_id, metric_key, max_results, page_token } = c.req.valid("query");
  // Unlike MLflow 3 (an empty page), an absent max_results returns every point.
  const page = await c.var.store.getMetricHistory(run_id, metric_key, {
    maxResults: max_results,
    pageToken: page_token,
  });
  return json(c, { metrics: page.items, next_page_token: page.nextPageToken }, 200);
};

export const getHistoryBulkInterval: Handler<typeof routes.getHistoryBulkInterval> = async (c) => {
  const q = c.req.valid("query");
  const metrics = await getMetricHistoryBulkInterval(c.var.store, {
    runIds: q.run_ids,
    metricKey: q.metric_key,
    startStep: q.start_step,
    endStep: q.end_step,
    maxResults: q.max_results,
  });
  return json(c, { metrics }, 200);
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
