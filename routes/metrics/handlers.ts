/**
 * Metric-history handler.
 *
 * @module
 */
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
