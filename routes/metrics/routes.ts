/**
 * Metric-history endpoint specs (mlflow-rest.md §4.3, §1.1), relative to `/api/2.0/mlflow` (and,
 * through the app's alias, `/ajax-api/2.0/mlflow`, where MLflow's web UI calls the bulk reads).
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import {
  GetMetricHistoryBulkIntervalQuery,
  GetMetricHistoryBulkQuery,
  GetMetricHistoryDownsampledBulkQuery,
  GetMetricHistoryDownsampledBulkResponse,
  GetMetricHistoryDownsampledQuery,
  GetMetricHistoryDownsampledResponse,
  GetMetricHistoryQuery,
  GetMetricHistoryResponse,
  MetricsWithRunIdResponse,
} from "../schemas/metrics.ts";
import { queryExamples, replies } from "../spec.ts";

const tags = ["Metrics"];

export const getHistory = createRoute({
  operationId: "getMetricHistory",
  method: "get",
  path: "/metrics/get-history",
  tags,
  summary: "Get a metric's history",
  description: "Every point of one metric of a run, in (timestamp, step, value) order; an " +
    "unknown run or key gives none. Without `max_results` every point comes in one page (MLflow " +
    "3.x answers an empty page plus a token then); with it, pages follow `next_page_token`, " +
    "present only when another page exists. MLflow's client (`get_metric_history`) asks for " +
    "pages of 25,000.",
  request: {
    query: queryExamples(GetMetricHistoryQuery, {
      run_id: "4f1c1a6e0b8d4c55a1b5f3e2d9c7a601",
      metric_key: "loss",
      max_results: 25000,
    }),
  },
  responses: replies(GetMetricHistoryResponse, "A page of metric points"),
});

export const getHistoryBulkInterval = createRoute({
  operationId: "getMetricHistoryBulkInterval",
  method: "get",
  path: "/metrics/get-history-bulk-interval",
  tags,
  summary: "Get several runs' metric histories, sampled by step",
  description: "Several runs' points at about `max_results` evenly sampled steps, for MLflow's " +
    "web UI charts. MLflow's sampling: the steps of all runs are pooled, about `max_results` of " +
    "those within the range are picked at even spacing, and each run's own min and max step in " +
    "the range are added. Every point at those steps is returned, ordered by run (as given), " +
    "step and timestamp; at most 25000 per run. Without a range, all steps are in range. " +
    "Unknown runs or keys contribute nothing.",
  request: { query: GetMetricHistoryBulkIntervalQuery },
  responses: replies(MetricsWithRunIdResponse, "Points tagged with their run"),
});

export const getHistoryBulk = createRoute({
  operationId: "getMetricHistoryBulk",
  method: "get",
  path: "/metrics/get-history-bulk",
  tags,
  summary: "Get several runs' full metric histories",
  description: "Full histories of one metric of up to 100 runs, each point with its run_id " +
    "(MLflow's web UI). Runs sorted by id, each history in (timestamp, step, value) order, cut off " +
    "after `max_results` points in total. MLflow serves it only under `/ajax-api`.",
  request: { query: GetMetricHistoryBulkQuery },
  responses: replies(MetricsWithRunIdResponse, "Points tagged with their run"),
});

export const getHistoryDownsampled = createRoute({
  operationId: "getMetricHistoryDownsampled",
  method: "get",
  path: "/metrics/get-history-downsampled",
  tags,
  summary: "Get a metric's history, downsampled for a chart",
  description:
    "kvflow extension: a metric min/max-downsampled into equal-width x buckets. Splits [start, end] of the chosen x axis into `buckets` equal-width buckets and " +
    "keeps, per bucket, the point with the smallest and the one with the largest value, plus " +
    "the first NaN point of a bucket that has any and the first and last point overall: a " +
    "single spike is never lost, and at most about 2 × buckets points come back. NaN points " +
    "are also counted in `nan_points`. With at most 2 × buckets points in range, all are " +
    "returned and `exact` is true. Not part of MLflow.",
  request: { query: GetMetricHistoryDownsampledQuery },
  responses: replies(GetMetricHistoryDownsampledResponse, "The downsampled points"),
});

export const getHistoryDownsampledBulk = createRoute({
  operationId: "getMetricHistoryDownsampledBulk",
  method: "get",
  path: "/metrics/get-history-downsampled-bulk",
  tags,
  summary: "Get several runs' metric histories, downsampled for a chart",
  description: "kvflow extension: one metric of up to 100 runs, each min/max-downsampled, for " +
    "chart views. For each run in `run_ids` (in that order) exactly what `get-history-downsampled` " +
    "answers for it with the same `buckets`, `x`, `start` and `end`: per bucket the min- and " +
    "max-value point (a spike is never lost), the first NaN point, and the first and last " +
    "point. Runs unknown or without the key are left out; a run whose points all lie outside " +
    "the range is listed with no points. Every argument is checked before anything is read. " +
    "Not part of MLflow.",
  request: { query: GetMetricHistoryDownsampledBulkQuery },
  responses: replies(GetMetricHistoryDownsampledBulkResponse, "Each run's downsampled points"),
});
