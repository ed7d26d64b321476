/**
 * Metric-history wire schemas.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { MaxResults, PageToken, RequiredString } from "./common.ts";
import { MetricSchema } from "./runs.ts";

export const GetMetricHistoryQuery = z.object({
  run_id: RequiredString,
  run_uuid: z.string().optional().openapi({ deprecated: true, description: "Legacy run_id." }),
  metric_key: RequiredString,
  max_results: MaxResults.openapi({ description: "Absent means every point in one page." }),
  page_token: PageToken,
});

export const GetMetricHistoryResponse = z.object({
  metrics: z.array(MetricSchema).optional(),
  next_page_token: z.string().optional(),
}).openapi("GetMetricHistoryResponse");
