/**
 * The chart view's faceted line builder (ui/islands/charts/facet_line.ts) against a stand-in
 * uPlot: points land where uPlot's own scale mapping puts them, gaps are spanned, a log axis
 * skips values ≤ 0.
 *
 * @module
 */
import assert from "node:assert/strict";
import type uPlot from "uplot";
import { facetLine } from "../ui/islands/charts/facet_line.ts";

/** Records what is drawn, in place of the browser's Path2D. */
class RecordingPath {
  readonly ops: [string, number, number][] = [];
  moveTo(x: number, y: number) {
    this.ops.push(["M", x, y]);
  }
  lineTo(x: number, y: number) {
    this.ops.push(["L", x, y]);
  }
}

/**
 * A uPlot stand-in with a plot box at canvas (10, 20), 200 × 100 pixels: x in [0, 100] left to
 * right, y in [min, max] bottom to top (linear, or log10 when `log`).
 */
function fakePlot(data: unknown[], y: { min: number; max: number; log?: boolean }) {
  const scales = {
    x: { min: 0, max: 100, distr: 1 },
    y: { min: y.min, max: y.max, distr: y.log ? 3 : 1 },
  };
  const t = (v: number) => (y.log ? Math.log10(v) : v);
  return {
    data,
    scales,
    valToPos(v: number, key: string) {
      if (key === "x") return 10 + (v / 100) * 200;
      return 20 + 100 - ((t(v) - t(y.min)) / (t(y.max) - t(y.min))) * 100;
    },
  } as unknown as uPlot;
}

function draw(u: uPlot, series = 1, idx0 = 0, idx1 = 1e9): [string, number, number][] {
  const g = globalThis as unknown as { Path2D?: unknown };
  const saved = g.Path2D;
  g.Path2D = RecordingPath;
  try {
    const paths = facetLine()(u, series, idx0, idx1) as unknown as { stroke: RecordingPath };
    return paths.stroke.ops;
  } finally {
    g.Path2D = saved;
  }
}

Deno.test("facetLine() puts each point where the scales map it, rounded to pixels", () => {
  const u = fakePlot([null, [[0, 50, 100], [0, 5, 10]]], { min: 0, max: 10 });
  assert.deepEqual(draw(u), [["M", 10, 120], ["L", 110, 70], ["L", 210, 20]]);
});

Deno.test("facetLine() spans gaps and keeps to idx0..idx1", () => {
  const u = fakePlot([null, [[0, 25, 50, 75], [1, null, 3, 4]]], { min: 0, max: 4 });
  assert.deepEqual(draw(u), [["M", 10, 95], ["L", 110, 45], ["L", 160, 20]]);
  assert.deepEqual(draw(u, 1, 1, 2), [["M", 110, 45]]);
});

Deno.test("facetLine() on a log axis skips values that have no logarithm", () => {
  const u = fakePlot([null, [[0, 10, 20, 30], [1, 0, 100, -1]]], { min: 1, max: 100, log: true });
  assert.deepEqual(draw(u), [["M", 10, 120], ["L", 50, 20]]);
});

Deno.test("facetLine() draws nothing for an empty run or a scale with no extent", () => {
  assert.deepEqual(draw(fakePlot([null, [[], []]], { min: 0, max: 1 })), []);
  assert.deepEqual(draw(fakePlot([null, [[1], [2]]], { min: 2, max: 2 })), []);
});
