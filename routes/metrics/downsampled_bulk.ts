/**
 * The reply of `get-history-downsampled-bulk`, built in one place for the route and for the
 * experiment page, which sends its chart cards' first replies inside the page
 * (ui/page_replies.ts): both give the same bytes for the same query.
 *
 * @module
 */
import type { z } from "@hono/zod-openapi";
import { bulkDownsampledByRun, type DownsampledRun } from "../../store/history_views.ts";
import type { TrackingStore } from "../../store/types.ts";
import { jsonListStream } from "../respond.ts";
import type { GetMetricHistoryDownsampledBulkQuery } from "../schemas/metrics.ts";

/** The parsed query of `get-history-downsampled-bulk`. */
export type DownsampledBulkQuery = z.infer<typeof GetMetricHistoryDownsampledBulkQuery>;

/**
 * The 200 reply for `q`, streamed run by run while the next runs are read (up to 100 runs ×
 * ~20,000 points). Bad arguments reject before anything is read or sent, with the store's
 * MLflow-style error.
 */
export async function downsampledBulkReply(
  store: TrackingStore,
  q: DownsampledBulkQuery,
): Promise<Response> {
  const runs = await bulkDownsampledByRun(store, {
    runIds: q.run_ids,
    metricKey: q.metric_key,
    buckets: q.buckets,
    x: q.x,
    startX: q.start,
    endX: q.end,
  });
  return jsonListStream(
    "runs",
    q.format === "columns" || q.format === "xy" ? asColumns(runs, q.format, q.x ?? "step") : runs,
    () => ({}),
  );
}

/** A bulk reply's run with its points as parallel lists (`format=columns` or `xy`). */
type ColumnsRun = Omit<DownsampledRun, "metrics"> & {
  steps?: number[];
  timestamps?: number[];
  x?: number[];
  values: number[];
};

/**
 * `format=columns` and `xy`: the same runs and points without an object and a repeated key per
 * point, which more than halves the bytes a chart of 100 runs parses; `xy` keeps only the x the
 * buckets split and the value (non-finite values still go out as strings, by the reply's
 * encoder).
 */
async function* asColumns(
  runs: AsyncIterable<DownsampledRun[]>,
  format: "columns" | "xy",
  x: "step" | "timestamp",
): AsyncGenerator<ColumnsRun[]> {
  for await (const chunk of runs) {
    yield chunk.map(({ metrics, ...rest }) =>
      format === "xy"
        ? {
          ...rest,
          x: metrics.map((m) => x === "step" ? m.step : m.timestamp),
          values: metrics.map((m) => m.value),
        }
        : {
          ...rest,
          steps: metrics.map((m) => m.step),
          timestamps: metrics.map((m) => m.timestamp),
          values: metrics.map((m) => m.value),
        }
    );
  }
}
