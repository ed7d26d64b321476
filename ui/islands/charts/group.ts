/**
 * @module
 * Grouping for the experiment's chart view: runs that share a param or tag value become one line,
 * the mean across the group's runs at each x, with a band from their min to their max. Pure (no
 * DOM, no uPlot), tested in tests/ui_chart_view_test.ts.
 */
import type { Series } from "../run_page/chart_data.ts";

/** The group of a run without the key. */
export const NO_VALUE = "(not set)";

/** One run's line and the group it falls in. */
export interface GroupedRun extends Series {
  group: string;
}

/** One group's line: the mean of its runs, and their min and max, on one x array. */
export interface GroupLine {
  value: string;
  /** How many runs of the group have points (the legend's count). */
  runs: number;
  x: number[];
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

/** The value of `params.<key>` or `tags.<key>` on a run's data, or {@linkcode NO_VALUE}. */
export function groupValue(
  data: { params: { key: string; value: string }[]; tags: { key: string; value: string }[] },
  groupKey: string,
): string {
  const dot = groupKey.indexOf(".");
  const type = groupKey.slice(0, dot);
  const key = groupKey.slice(dot + 1);
  const list = type === "params" ? data.params : type === "tags" ? data.tags : [];
  return list.find((p) => p.key === key)?.value ?? NO_VALUE;
}

/**
 * A run's value at `xs` (ascending): its own point where it has one at that x, a straight line
 * between its neighbouring points elsewhere, and null outside its range or next to a gap — so
 * runs logged at different steps (or downsampled to different ones) still average point by point.
 */
export function resample(s: Series, xs: readonly number[]): (number | null)[] {
  const out: (number | null)[] = new Array(xs.length).fill(null);
  const n = s.x.length;
  if (n === 0) return out;
  let j = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x < s.x[0] || x > s.x[n - 1]) continue;
    while (j + 1 < n && s.x[j + 1] <= x) j++;
    // The last of equal xs wins (min and max of one bucket can share it).
    if (s.x[j] === x) {
      out[i] = s.y[j] ?? null;
      continue;
    }
    const y0 = s.y[j];
    const y1 = s.y[j + 1];
    if (y0 === null || y1 === null || y0 === undefined || y1 === undefined) continue;
    const t = (x - s.x[j]) / (s.x[j + 1] - s.x[j]);
    out[i] = y0 + (y1 - y0) * t;
  }
  return out;
}

/**
 * The groups of `runs`: for each distinct `group` (sorted, numbers in numeric order), the union
 * of its runs' x values and, at each, the mean, min and max of the runs that have a value there.
 */
export function groupLines(runs: readonly GroupedRun[]): GroupLine[] {
  const byGroup = new Map<string, GroupedRun[]>();
  for (const r of runs) {
    if (r.x.length === 0) continue;
    const list = byGroup.get(r.group) ?? [];
    list.push(r);
    byGroup.set(r.group, list);
  }
  const names = [...byGroup.keys()].sort((a, b) =>
    a.localeCompare(b, "en", { numeric: true, sensitivity: "base" })
  );
  return names.map((value) => {
    const members = byGroup.get(value)!;
    const x = [...new Set(members.flatMap((m) => m.x))].sort((a, b) => a - b);
    const ys = members.map((m) => resample(m, x));
    const mean: (number | null)[] = [];
    const min: (number | null)[] = [];
    const max: (number | null)[] = [];
    for (let i = 0; i < x.length; i++) {
      let sum = 0;
      let n = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (const y of ys) {
        const v = y[i];
        if (v === null) continue;
        sum += v;
        n++;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      mean.push(n ? sum / n : null);
      min.push(n ? lo : null);
      max.push(n ? hi : null);
    }
    return { value, runs: members.length, x, mean, min, max };
  });
}
