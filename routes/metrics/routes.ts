/**
 * Metric-history endpoint spec (mlflow-rest.md §4.3), relative to `/api/2.0/mlflow`.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import { GetMetricHistoryQuery, GetMetricHistoryResponse } from "../schemas/metrics.ts";
import { replies } from "../spec.ts";

export const getHistory = createRoute({
  method: "get",
  path: "/metrics/get-history",
  tags: ["metrics"],
  summary: "A metric's points in (timestamp, step, value) order; unknown run or key gives none",
  request: { query: GetMetricHistoryQuery },
  responses: replies(GetMetricHistoryResponse, "A page of metric points"),
});
