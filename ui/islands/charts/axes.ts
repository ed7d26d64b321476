/**
 * @module
 * Tick spacing and labels for the metric charts' axes (run page and compare page), kept pure so
 * they are unit-tested (tests/ui_chart_axes_test.ts). uPlot's defaults label a zoomed step axis
 * `152.5`, relative time in raw seconds (`10,680`) and any value under 0.001 `0` (so a log axis
 * called its floor "0"); these replace them.
 */
import { formatTick } from "../compare/scale.ts";
import type { XMode } from "../run_page/chart_data.ts";

/**
 * Tick increments for the step axis: 1, 2 and 5 × 10ⁿ, never below 1, so a zoomed step axis
 * shows only whole steps (uPlot starts ticks at a multiple of the increment).
 */
export const STEP_INCRS: number[] = Array.from(
  { length: 16 },
  (_, e) => [1, 2, 5].map((m) => m * 10 ** e),
).flat();

/** Tick increments for relative time, in seconds: round seconds, minutes, hours, then days. */
export const DURATION_INCRS: number[] = [
  ...[1, 2, 5, 10, 15, 30],
  ...[1, 2, 5, 10, 15, 30].map((m) => m * 60),
  ...[1, 2, 3, 6, 12].map((h) => h * 3600),
  ...[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].map((d) => d * 86400),
];

/**
 * Seconds as `h:mm:ss` (`m:ss` under an hour; a leading `-` before the start); fractions of a
 * second only when `s` has them and is under a minute, as a zoomed axis needs.
 *
 * @example
 * ```ts
 * formatElapsed(10680); // "2:58:00"
 * formatElapsed(75); // "1:15"
 * formatElapsed(0.25); // "0:00.25"
 * ```
 */
export function formatElapsed(s: number): string {
  if (!Number.isFinite(s)) return "";
  const sign = s < 0 ? "-" : "";
  const a = Math.abs(s);
  const whole = Math.floor(a + 1e-9);
  const frac = a - whole > 1e-6 && a < 60
    ? String(Number((a - whole).toFixed(3))).slice(1) // ".25"
    : "";
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = String(whole % 60).padStart(2, "0") + frac;
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, "0")}:${sec}` : `${sign}${m}:${sec}`;
}

/** A y-axis (or step) tick label: never `0` for a value that is not zero (`1e-4`, `0.0025`). */
export function formatValueTick(v: number): string {
  return formatTick(v);
}

/** The x axis title for a mode. */
export function xAxisLabel(mode: XMode): string {
  return mode === "step" ? "Step" : mode === "wall" ? "Time" : "Time since start (h:mm:ss)";
}

/** What a chart's axis options need from uPlot: the parts these helpers fill in. */
export interface AxisTicks {
  incrs?: number[];
  values?: (u: unknown, splits: number[]) => string[];
}

const labels = (fmt: (v: number) => string) => (_u: unknown, splits: number[]) =>
  splits.map((v) => (v == null ? "" : fmt(v)));

/**
 * The x axis's increments and labels for `mode`: whole steps, or round durations as `h:mm:ss`;
 * wall time keeps uPlot's own date ticks (empty object).
 */
export function xTicks(mode: XMode): AxisTicks {
  if (mode === "step") {
    return {
      incrs: STEP_INCRS,
      values: labels((v) => v.toLocaleString("en-US")),
    };
  }
  if (mode === "relative") return { incrs: DURATION_INCRS, values: labels(formatElapsed) };
  return {};
}

/**
 * The x series' options: how the hovered x value reads in the legend (`2:58:00`, not
 * `10,680`); wall time keeps uPlot's date.
 */
export function xSeries(mode: XMode): { label: string; value?: (u: unknown, v: number) => string } {
  if (mode === "step") return { label: "Step" };
  if (mode === "wall") return { label: "Time" };
  return { label: "Since start", value: (_u, v) => (v == null ? "" : formatElapsed(v)) };
}

/** The y axis's labels (linear or log): short, and never `0` for a small value. */
export function yTicks(): AxisTicks {
  return { values: labels(formatValueTick) };
}

/** Most grid lines a log axis keeps at every 1–9 × 10ⁿ; past it, only the powers of ten. */
export const LOG_GRID_MAX = 12;

/**
 * The splits a log axis draws grid lines and ticks at: uPlot puts one at each 1–9 × 10ⁿ, which
 * over five decades of a 220 px card is a block of ~45 lines; past {@linkcode LOG_GRID_MAX},
 * only the powers of ten stay (null: not drawn). A linear axis keeps all.
 */
export function sparseLogSplits(splits: number[], log: boolean): (number | null)[] {
  if (!log || splits.length <= LOG_GRID_MAX) return splits;
  return splits.map((v) => {
    const e = Math.log10(v);
    return Math.abs(e - Math.round(e)) < 1e-9 ? v : null;
  });
}
