/**
 * Metric points as parallel columns ({@linkcode MetricColumnsPage}), for backends whose history
 * is held as point objects.
 *
 * @module
 */
import type { MetricColumnsPage } from "./types.ts";

/** The points of a history page as columns, with the page's token. */
export function toColumns(
  points: readonly { timestamp: number; step: number; value: number }[],
  nextPageToken?: string,
): MetricColumnsPage {
  const n = points.length;
  const page: MetricColumnsPage = {
    timestamps: new Float64Array(n),
    steps: new Float64Array(n),
    values: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const p = points[i];
    page.timestamps[i] = p.timestamp;
    page.steps[i] = p.step;
    page.values[i] = p.value;
  }
  if (nextPageToken !== undefined) page.nextPageToken = nextPageToken;
  return page;
}
