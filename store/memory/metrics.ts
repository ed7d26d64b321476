/** Metric series of the in-memory store: dedupe, latest value, and history reads with paging. */
import { decodePageToken, encodePageToken } from "../page_token.ts";
import { toColumns } from "../metric_columns.ts";
import type { Metric, MetricHistoryOptions, Page, TrackingStore } from "../types.ts";
import type { MemoryState, MetricSeries, RunRecord, SyncMethods } from "./state.ts";

type MetricMethods = SyncMethods<
  Pick<TrackingStore, "getMetricHistory" | "getMetricHistoryColumns">
>;

/** MLflow compares metric values with NaN read as 0 (it stores NaN as 0 plus a flag). */
function num(v: number): number {
  return Number.isNaN(v) ? 0 : v;
}

/** History order: (timestamp, step, value), NaN after a real 0 so the order is total. */
function compareHistory(a: Metric, b: Metric): number {
  return a.timestamp - b.timestamp || a.step - b.step || num(a.value) - num(b.value) ||
    Number(Number.isNaN(a.value)) - Number(Number.isNaN(b.value));
}

/** Whether `a` is later than `b` by MLflow's latest-metric rule: max (step, timestamp, value). */
function isLater(a: Metric, b: Metric): boolean {
  return (a.step - b.step || a.timestamp - b.timestamp || num(a.value) - num(b.value)) > 0;
}

/** A point's identity; MLflow's unique key is (key, timestamp, step, value, is_nan). */
function pointId(m: Metric): string {
  return `${m.timestamp}|${m.step}|${Number.isNaN(m.value) ? "NaN" : m.value}`;
}

/** Appends one point to a run, ignoring exact repeats and keeping the latest value current. */
export function addMetric(rec: RunRecord, m: Metric): void {
  const point = { ...m };
  const series = rec.metrics.get(m.key);
  const latest = { key: m.key, value: m.value, timestamp: m.timestamp, step: m.step };
  if (!series) {
    rec.metrics.set(m.key, { points: [point], sorted: true, seen: new Set([pointId(m)]), latest });
    return;
  }
  const id = pointId(m);
  if (series.seen.has(id)) return;
  series.seen.add(id);
  const last = series.points[series.points.length - 1];
  if (series.sorted && compareHistory(last, point) > 0) series.sorted = false;
  series.points.push(point);
  if (isLater(latest, series.latest)) series.latest = latest;
}

function orderedPoints(series: MetricSeries): Metric[] {
  if (!series.sorted) {
    series.points.sort(compareHistory);
    series.sorted = true;
  }
  return series.points;
}

/** Builds the metric-history part of the memory store over shared state. */
export function metricMethods(s: MemoryState): MetricMethods {
  /** The page's points (the stored objects themselves) and the next page's token. */
  const pageOf = (runId: string, key: string, opts: MetricHistoryOptions) => {
    const start = decodePageToken(opts.pageToken).offset ?? 0;
    const series = s.runs.get(runId)?.metrics.get(key);
    if (!series) return { points: [] };
    const points = orderedPoints(series);
    const end = opts.maxResults === undefined ? points.length : start + opts.maxResults;
    const token = end < points.length ? encodePageToken({ offset: end }) : undefined;
    return { points: points.slice(start, end), token };
  };
  return {
    getMetricHistory(runId, key, opts = {}): Page<Metric> {
      const { points, token } = pageOf(runId, key, opts);
      const items = points.map((p) => ({ ...p }));
      return token === undefined ? { items } : { items, nextPageToken: token };
    },
    getMetricHistoryColumns(runId, key, opts = {}) {
      const { points, token } = pageOf(runId, key, opts);
      return toColumns(points, token);
    },
  };
}
