/**
 * @module
 * The charts' colours come from the page's CSS custom properties, so a chart redrawn after a
 * light/dark switch (see `use_scheme.ts`) takes the new theme's colours.
 */
import type uPlot from "uplot";
import type { XMode } from "../run_page/chart_data.ts";
import { sparseLogSplits, xAxisLabel, xTicks, yTicks } from "./axes.ts";

/** The value of CSS custom property `name` on the document, or `fallback` when it is unset. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * The x and y axes of a metric chart (run page card or compare chart) in the theme's muted text
 * and border colours, with kvflow's tick spacing and labels for `mode`.
 */
export function themedAxes(mode: XMode): uPlot.Axis[] {
  const text = cssVar("--text-muted", "#5b6470");
  const grid = cssVar("--border", "#dde1e6");
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
  // A log y axis keeps a readable grid (see sparseLogSplits).
  const filter = (u: uPlot, splits: number[], axisIdx: number) =>
    sparseLogSplits(splits, u.scales[u.axes[axisIdx].scale ?? "y"]?.distr === 3);
  return [
    { ...axis, ...xTicks(mode), label: xAxisLabel(mode) },
    {
      ...axis,
      grid: { ...axis.grid, filter },
      ticks: { ...axis.ticks, filter },
      ...yTicks(),
      size: 60,
    },
  ];
}
