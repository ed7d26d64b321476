/**
 * Pure geometry of the compare page's canvases (parallel coordinates, scatter): axes built from
 * the runs' values (numeric or categorical), positions on them, "nice" ticks, the colour ramp of
 * "colour by metric", chart bucket budgets and nearest-line hit testing. No DOM: unit-tested in
 * tests/ui_compare_test.ts.
 *
 * @module
 */
import { numericParam } from "../../shared/compare.ts";

/** A numeric axis over `[min, max]` (min === max when all values are equal). */
export interface NumericAxis {
  kind: "num";
  min: number;
  max: number;
  /** Place values by their logarithm (only set where {@linkcode canLog} allows it). */
  log?: boolean;
}

/** A categorical axis: its distinct values, sorted (numbers-as-text sort naturally). */
export interface CategoricalAxis {
  kind: "cat";
  categories: string[];
}

/** One axis of a chart. */
export type Axis = NumericAxis | CategoricalAxis;

/** A run's value for an axis: a number, a string (a categorical param), or null (not logged). */
export type AxisValue = number | string | null;

/**
 * Values as numbers when every present value reads as one (param strings like `"0.01"` count),
 * else null: the axis is then categorical.
 */
export function asNumbers(values: readonly AxisValue[]): (number | null)[] | null {
  const out: (number | null)[] = [];
  for (const v of values) {
    if (v === null) {
      out.push(null);
    } else if (typeof v === "number") {
      out.push(Number.isFinite(v) ? v : null);
    } else {
      const n = numericParam(v);
      if (n === null) return null;
      out.push(n);
    }
  }
  return out;
}

/**
 * The axis for a column of values: numeric over their range when all read as numbers (and at
 * least one is present), else categorical over the distinct strings.
 *
 * @example
 * ```ts
 * buildAxis(["0.1", "0.3", null]); // { kind: "num", min: 0.1, max: 0.3 }
 * buildAxis(["adam", "sgd", "adam"]); // { kind: "cat", categories: ["adam", "sgd"] }
 * ```
 */
export function buildAxis(values: readonly AxisValue[]): Axis {
  const nums = asNumbers(values);
  if (nums && nums.some((n) => n !== null)) {
    let min = Infinity;
    let max = -Infinity;
    for (const n of nums) {
      if (n === null) continue;
      if (n < min) min = n;
      if (n > max) max = n;
    }
    return { kind: "num", min, max };
  }
  const cats = new Set<string>();
  for (const v of values) if (v !== null) cats.add(String(v));
  const collator = new Intl.Collator("en", { numeric: true });
  return { kind: "cat", categories: [...cats].sort(collator.compare) };
}

/**
 * Where `value` sits on `axis`, from 0 (bottom / left) to 1; null when it is missing or not on
 * the axis. A numeric axis with one value, or a single category, puts it in the middle.
 */
export function position(axis: Axis, value: AxisValue): number | null {
  if (value === null) return null;
  if (axis.kind === "num") {
    const n = typeof value === "number" ? value : numericParam(value);
    if (n === null || !Number.isFinite(n)) return null;
    if (axis.max === axis.min) return 0.5;
    if (axis.log) {
      if (n <= 0) return null;
      return (Math.log10(n) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min));
    }
    return (n - axis.min) / (axis.max - axis.min);
  }
  const i = axis.categories.indexOf(String(value));
  if (i < 0) return null;
  return axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
}

/**
 * About `count` round tick values covering `[min, max]` (steps of 1, 2 or 5 × 10ⁿ), all inside
 * the range. One value for an empty range.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) {
    // Kill float noise: 0.30000000000000004 → 0.3.
    ticks.push(Number(v.toPrecision(12)));
    if (ticks.length > 50) break;
  }
  return ticks;
}

/**
 * Whether `axis` may take a log scale: numeric, every value positive, and not a single value.
 *
 * @example
 * ```ts
 * canLog({ kind: "num", min: 1e-4, max: 0.1 }); // true
 * canLog({ kind: "num", min: 0, max: 0.1 }); // false
 * ```
 */
export function canLog(axis: Axis): boolean {
  return axis.kind === "num" && axis.min > 0 && axis.max > axis.min;
}

/**
 * Tick values of a log axis over `[min, max]` (min > 0): the powers of ten inside it, thinned
 * to about `count`; over less than three decades also their 2× and 5× (`0.001, 0.002, 0.005,
 * 0.01`); linear ticks when even those give fewer than two.
 */
export function logTicks(min: number, max: number, count = 5): number[] {
  if (!(min > 0) || !(max > min)) return niceTicks(min, max, count);
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const steps = hi - lo >= 3 ? [1] : [1, 2, 5];
  const every = Math.max(1, Math.ceil((hi - lo + 1) / Math.max(1, count)));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += every) {
    for (const m of steps) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks.length >= 2 ? ticks : niceTicks(min, max, count);
}

/**
 * The labelled ticks of a parallel-coordinates axis, as `[position 0–1, label]`, bottom first.
 * A numeric axis always labels its minimum and maximum at its two ends (round ticks too close
 * to an end give way), so no axis end is left unlabelled; a categorical one labels at most
 * `maxCats` categories, always the first and the last.
 *
 * @example
 * ```ts
 * axisTicks({ kind: "num", min: 0.13, max: 0.87 });
 * // [[0, "0.13"], [0.46…, "0.4"], [0.73…, "0.6"], [1, "0.87"]]
 * ```
 */
export function axisTicks(axis: Axis, count = 5, maxCats = 12): [number, string][] {
  if (axis.kind === "cat") {
    const c = axis.categories;
    const every = c.length <= maxCats ? 1 : Math.ceil(c.length / maxCats);
    return c.flatMap((cat, j): [number, string][] =>
      j % every === 0 || j === c.length - 1 ? [[position(axis, cat) ?? 0, cat]] : []
    ).filter(([t], j, all) => j === all.length - 1 || all.length < 2 || 1 - t > 0.5 / maxCats);
  }
  if (axis.max === axis.min) return [[0.5, formatTick(axis.min)]];
  // Round ticks closer than this to an end would collide with the end's label.
  const gap = 0.08;
  const inner =
    (axis.log ? logTicks(axis.min, axis.max, count) : niceTicks(axis.min, axis.max, count))
      .map((v): [number, string] => [position(axis, v) ?? 0, formatTick(v)])
      .filter(([t]) => t > gap && t < 1 - gap);
  return [[0, formatTick(axis.min)], ...inner, [1, formatTick(axis.max)]];
}

/** A tick or value label: short, without float noise (`1.5e-5`, `0.001`, `12,000`). */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(1).replace(/\.0e/, "e");
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return String(Number(v.toPrecision(4)));
}

/**
 * The "colour by" ramp (blue → purple → red → orange): readable on light and dark
 * backgrounds, and not a red/green pair.
 */
export const RAMP = ["#3a5bd9", "#8e3fc4", "#d63a5b", "#ef8a2a"] as const;

function hex(c: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];
}

/** The ramp's colour at `t` ∈ [0, 1] (clamped) as `rgb(r g b)`. */
export function rampColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = hex(RAMP[i]);
  const b = hex(RAMP[i + 1]);
  const mix = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  return `rgb(${mix[0]} ${mix[1]} ${mix[2]})`;
}

/**
 * The ends of the "colour by" legend for `axis` — `[low, high]` labels of the ramp — or `null`
 * when every run has the same value (one number or one category): a ramp from `0.1765` to
 * `0.1765` says nothing, so the legend shows that one value instead.
 *
 * @example
 * ```ts
 * legendEnds({ kind: "num", min: 0.1, max: 0.5 }); // ["0.1", "0.5"]
 * legendEnds({ kind: "num", min: 0.1765, max: 0.1765 }); // null
 * ```
 */
export function legendEnds(axis: Axis): [string, string] | null {
  if (axis.kind === "num") {
    return axis.max === axis.min ? null : [formatTick(axis.min), formatTick(axis.max)];
  }
  const c = axis.categories;
  return c.length <= 1 ? null : [c[0], c[c.length - 1]];
}

/** The one value of an axis whose runs all share it (see {@linkcode legendEnds}). */
export function singleValue(axis: Axis): string {
  return axis.kind === "num" ? formatTick(axis.min) : axis.categories[0] ?? "";
}

/**
 * Buckets per downsampled history request when `runs` series share one chart: about 20 000
 * points per chart in all, between 100 and 1000 buckets per run.
 */
export function bucketsFor(runs: number): number {
  return Math.max(100, Math.min(1000, Math.floor(10_000 / Math.max(1, runs))));
}

/** Distance from point `p` to segment `a`–`b` (all `[x, y]`). */
export function segmentDistance(
  p: readonly [number, number],
  a: readonly [number, number],
  b: readonly [number, number],
): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0
    ? 0
    : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/**
 * The polyline nearest `p` within `radius` (index into `lines`), or -1. A polyline is a list of
 * runs of connected points (gaps split it); a single point counts as a dot.
 */
export function nearestLine(
  lines: readonly (readonly (readonly [number, number])[][])[],
  p: readonly [number, number],
  radius: number,
): number {
  let best = -1;
  let bestD = radius;
  lines.forEach((parts, i) => {
    for (const part of parts) {
      for (let k = 0; k < part.length; k++) {
        const d = k === 0
          ? Math.hypot(p[0] - part[0][0], p[1] - part[0][1])
          : segmentDistance(p, part[k - 1], part[k]);
        if (d <= bestD) {
          bestD = d;
          best = i;
        }
      }
    }
  });
  return best;
}
