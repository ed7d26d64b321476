/**
 * Pure data shaping for the metric chart: wire points → x/y arrays in the chosen x mode, EMA
 * smoothing, and the log-scale guard. Kept free of DOM and uPlot so it is unit-testable.
 *
 * @module
 */
import { type WireMetric, wireNumber } from "./api.ts";

/** The chart's x axis: the step, the wall-clock time, or seconds since the run started. */
export type XMode = "step" | "wall" | "relative";

/** One metric's series: x ascending, y with `null` for gaps (NaN, ±Infinity, log of ≤ 0). */
export interface Series {
  x: number[];
  y: (number | null)[];
}

/** The `x` parameter of `get-history-downsampled` for a mode. */
export function apiX(mode: XMode): "step" | "timestamp" {
  return mode === "step" ? "step" : "timestamp";
}

/**
 * Converts an x value of the chart back to the API's unit (step, or ms since the epoch) — used
 * for the zoomed range's `start`/`end`.
 */
export function toApiX(mode: XMode, x: number, startTime: number): number {
  if (mode === "step") return Math.round(x);
  if (mode === "wall") return Math.round(x * 1000);
  return Math.round(x * 1000 + startTime);
}

/** An API x (a step, or ms since the epoch) in `mode`'s units: the inverse of {@linkcode toApiX}. */
function fromApiX(mode: XMode, x: number, startTime: number): number {
  if (mode === "step") return x;
  return mode === "wall" ? x / 1000 : (x - startTime) / 1000;
}

/** A value as a chart draws it: a gap for NaN, ±Infinity and the ±MAX_VALUE they are stored as. */
const plotY = (v: number): number | null =>
  Number.isFinite(v) && Math.abs(v) < Number.MAX_VALUE ? v : null;

/** Wire points (in x order) → a series in `mode`'s units (seconds for the time modes). */
export function toSeries(points: WireMetric[], mode: XMode, startTime: number): Series {
  const x: number[] = [];
  const y: (number | null)[] = [];
  for (const p of points) {
    x.push(fromApiX(mode, mode === "step" ? p.step : p.timestamp, startTime));
    y.push(plotY(wireNumber(p.value)));
  }
  return { x, y };
}

/**
 * {@linkcode toSeries} of points given as parallel lists (the bulk read's `format=xy`): `x` is
 * the API's x for `mode` (steps, or timestamps for the time modes), values already numbers.
 */
export function xyToSeries(
  cols: { x: number[]; values: number[] },
  mode: XMode,
  startTime: number,
): Series {
  const x = mode === "step" ? cols.x : cols.x.map((t) => fromApiX(mode, t, startTime));
  return { x, y: cols.values.map(plotY) };
}

/**
 * Exponential moving average with TensorBoard's debiasing; `weight` 0 is the raw data. Gaps stay
 * gaps and do not reset the average.
 */
export function smooth(y: (number | null)[], weight: number): (number | null)[] {
  if (!(weight > 0)) return y;
  let last = 0;
  let n = 0;
  return y.map((v) => {
    if (v === null) return null;
    last = last * weight + (1 - weight) * v;
    n++;
    return last / (1 - Math.pow(weight, n));
  });
}

/** For a log scale: values ≤ 0 become gaps. */
export function positiveOnly(y: (number | null)[]): (number | null)[] {
  return y.map((v) => (v !== null && v > 0 ? v : null));
}

/**
 * Aligns several series on the union of their x values (uPlot's data layout): `[xs, ys1, …]` with
 * `null` where a series has no point at an x.
 */
export function align(series: Series[]): [number[], ...(number | null)[][]] {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const index = new Map<number, number>();
  xs.forEach((x, i) => index.set(x, i));
  const out: [number[], ...(number | null)[][]] = [xs];
  for (const s of series) {
    const ys: (number | null)[] = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => (ys[index.get(x)!] = s.y[i] ?? ys[index.get(x)!]));
    out.push(ys);
  }
  return out;
}
