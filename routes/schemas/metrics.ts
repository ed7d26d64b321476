/**
 * Metric-history wire schemas: MLflow's `get-history`, the web UI's bulk reads, and kvflow's
 * downsampled chart read.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type {
  DownsampledHistory,
  DownsampledRun,
  MetricWithRunId,
} from "../../store/history_views.ts";
import {
  Int64,
  MaxResults,
  pageResponse,
  PageToken,
  repeated,
  RequiredString,
  type Wire,
  WireDouble,
} from "./common.ts";
import { MetricSchema } from "./runs.ts";

export const GetMetricHistoryQuery = z.object({
  run_id: RequiredString,
  run_uuid: z.string().optional().openapi({ deprecated: true, description: "Legacy run_id." }),
  metric_key: RequiredString,
  max_results: MaxResults.openapi({ description: "Absent means every point in one page." }),
  page_token: PageToken,
});

export const GetMetricHistoryResponse = pageResponse("metrics", MetricSchema)
  .openapi("GetMetricHistoryReply");

/** A point of a multi-run read: always names its run. */
export const MetricWithRunIdSchema = z.object({
  key: z.string(),
  value: WireDouble,
  timestamp: z.number().int(),
  step: z.number().int(),
  run_id: z.string(),
}).openapi("MetricWithRunId") satisfies z.ZodType<Wire<MetricWithRunId>>;

export const GetMetricHistoryBulkIntervalQuery = z.object({
  run_ids: repeated(RequiredString).openapi({
    type: "array",
    items: { type: "string" },
    description: "1–100 run ids, repeated (`?run_ids=a&run_ids=b`). Results follow this order.",
  }),
  metric_key: RequiredString,
  start_step: Int64.optional().openapi({
    description:
      "First step of the range (inclusive); give both start_step and end_step or neither.",
  }),
  end_step: Int64.optional().openapi({
    description: "Last step of the range (inclusive); must be ≥ start_step.",
  }),
  max_results: MaxResults.openapi({
    description: "About how many distinct steps to sample, 1–2500; default 2500.",
  }),
});

export const GetMetricHistoryBulkQuery = z.object({
  run_id: repeated(RequiredString).openapi({
    type: "array",
    items: { type: "string" },
    description: "1–100 run ids, repeated (`?run_id=a&run_id=b`). Results are ordered by run id.",
  }),
  metric_key: RequiredString,
  max_results: MaxResults.openapi({
    description: "Points in total, ≥ 1; default 25000, and larger values are read as 25000.",
  }),
});

export const MetricsWithRunIdResponse = z.object({
  metrics: z.array(MetricWithRunIdSchema).optional(),
}).openapi("MetricsWithRunIdReply");

export const GetMetricHistoryDownsampledQuery = z.object({
  run_id: RequiredString,
  metric_key: RequiredString,
  buckets: Int64.optional().openapi({
    description: "Equal-width buckets over the x range, 1–10000; default 1000.",
  }),
  x: z.enum(["step", "timestamp"]).optional().openapi({
    description: "The x axis the buckets split; default `step`.",
  }),
  start: Int64.optional().openapi({
    description: "Smallest x to include (inclusive); default the data's own.",
  }),
  end: Int64.optional().openapi({
    description: "Largest x to include (inclusive), ≥ start; default the data's own.",
  }),
});

export const GetMetricHistoryDownsampledResponse = z.object({
  metrics: z.array(MetricSchema).optional().openapi({
    description: "Per bucket the min- and max-value point and the first NaN point, plus the " +
      "first and last point; de-duplicated, in x order. Every point when `exact`.",
  }),
  total_points: z.number().int().openapi({ description: "Points within the x range." }),
  nan_points: z.number().int().openapi({ description: "How many of those are NaN." }),
  exact: z.boolean().openapi({
    description: "True when `metrics` is every point in the range (≤ 2 × buckets of them).",
  }),
}).openapi("GetMetricHistoryDownsampledReply") satisfies z.ZodType<Wire<DownsampledHistory>>;

export const GetMetricHistoryDownsampledBulkQuery = z.object({
  run_ids: repeated(RequiredString).openapi({
    type: "array",
    items: { type: "string" },
    description: "1–100 run ids, repeated (`?run_ids=a&run_ids=b`); duplicates are ignored " +
      "(but counted towards the 100). Results follow this order.",
  }),
  metric_key: RequiredString,
  buckets: GetMetricHistoryDownsampledQuery.shape.buckets,
  x: GetMetricHistoryDownsampledQuery.shape.x,
  start: GetMetricHistoryDownsampledQuery.shape.start,
  end: GetMetricHistoryDownsampledQuery.shape.end,
  format: z.enum(["points", "columns", "xy"]).optional().openapi({
    description: "`points` (default): each run's `metrics`, as `get-history-downsampled` " +
      "has them. `columns`: the same points as three parallel lists, `steps`, `timestamps` " +
      "and `values`, and no `metrics`; less than half the bytes, for charts of many runs. " +
      "`xy`: only what a chart draws, two parallel lists: `x` (the axis `x` names: steps or " +
      "timestamps) and `values`.",
  }),
});

/** Wire form of a metric value: a number, or the string a non-finite one is sent as. */
const WireValue = z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"])]);

/**
 * One run of `get-history-downsampled-bulk`: that run's `get-history-downsampled` reply, its
 * points either as `metrics` or, with `format=columns`, as parallel lists.
 */
export const DownsampledRunSchema = GetMetricHistoryDownsampledResponse.extend({
  run_id: z.string(),
  steps: z.array(z.number().int()).optional().openapi({
    description: "With `format=columns`: the points' steps, in x order.",
  }),
  timestamps: z.array(z.number().int()).optional().openapi({
    description: "With `format=columns`: the points' timestamps (ms), in the same order.",
  }),
  x: z.array(z.number().int()).optional().openapi({
    description: "With `format=xy`: the points' steps or timestamps (as `x` asked), in x order.",
  }),
  values: z.array(WireValue).optional().openapi({
    description: "With `format=columns` or `xy`: the points' values, in the same order; NaN " +
      "and ±Infinity as the strings `NaN`, `Infinity`, `-Infinity`.",
  }),
}).openapi("DownsampledRun") satisfies z.ZodType<Wire<DownsampledRun>>;

export const GetMetricHistoryDownsampledBulkResponse = z.object({
  runs: z.array(DownsampledRunSchema).optional().openapi({
    description: "One entry per requested run that has the key, in request order; runs " +
      "unknown or without the key are left out (none at all: the field is absent).",
  }),
}).openapi("GetMetricHistoryDownsampledBulkReply");
