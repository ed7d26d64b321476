/// <reference lib="dom" />
/**
 * A uPlot path builder for a faceted (`mode: 2`) line: each run's own x list, drawn as one
 * polyline through its points, gaps (null) spanned.
 *
 * uPlot's `paths.linear()` does the same with a closure call per coordinate and per `lineTo`,
 * and merges points that share a pixel column. The chart view draws up to 100 runs × ~100 points
 * per card while the page's script is still cold (interpreted): there that per-point machinery
 * was a third of drawing the five cards. This builder maps each point with two multiply-adds.
 *
 * @module
 */
import type uPlot from "uplot";

/** Where a scale's value lands on the canvas: canvas pixel = `a + b · t(value)`. */
interface Axis {
  a: number;
  b: number;
  log: boolean;
}

/** The affine map of `key`'s scale onto canvas pixels, through uPlot's own end positions. */
function axisOf(u: uPlot, key: string): Axis | null {
  const s = u.scales[key];
  const min = s.min, max = s.max;
  if (min == null || max == null || !(max > min)) return null;
  const log = s.distr === 3;
  const t = (v: number) => (log ? Math.log10(v) : v);
  const p0 = u.valToPos(min, key, true);
  const p1 = u.valToPos(max, key, true);
  const b = (p1 - p0) / (t(max) - t(min));
  if (!Number.isFinite(b)) return null;
  return { a: p0 - b * t(min), b, log };
}

/**
 * The builder for a faceted line series. A point with a null (or, on a log axis, non-positive)
 * value is skipped and the line goes on from the next one, as `spanGaps` does. Coordinates are
 * rounded to whole canvas pixels, as uPlot's own builder rounds them.
 */
export function facetLine(): uPlot.Series.PathBuilder {
  return (u, seriesIdx, idx0, idx1) => {
    const facet = u.data[seriesIdx] as unknown as [ArrayLike<number>, ArrayLike<number | null>];
    const x = axisOf(u, "x");
    const y = axisOf(u, "y");
    const stroke = new Path2D();
    if (facet && x && y) {
      const [xs, ys] = facet;
      const last = Math.min(idx1, xs.length - 1);
      let moved = false;
      for (let i = Math.max(0, idx0); i <= last; i++) {
        let v = ys[i];
        if (v == null) continue;
        if (y.log) {
          if (!(v > 0)) continue;
          v = Math.log10(v);
        }
        const px = Math.round(x.a + x.b * (x.log ? Math.log10(xs[i]) : xs[i]));
        const py = Math.round(y.a + y.b * v);
        if (moved) stroke.lineTo(px, py);
        else {
          stroke.moveTo(px, py);
          moved = true;
        }
      }
    }
    return { stroke, flags: 0 };
  };
}
