/**
 * @module
 * One colour per run, the same wherever the run appears (the runs table's swatch, the chart
 * view's lines and legend), picked from the 20 `--series-<slot>` colours of styles.css.
 */
import { SERIES_COLORS } from "../../shared/compare.ts";

/**
 * The colour slot (0–19, `--series-<slot>`, swatch class `cmp-c<slot>`) of a run: a hash of its
 * id, so a run keeps its colour whatever the search, sort or page around it (as MLflow's
 * stable run colours do). FNV-1a, 32 bits, then mixed.
 *
 * @example
 * ```ts
 * runColorSlot("0a1b2c"); // the same number on every call, in 0…19
 * ```
 */
export function runColorSlot(runId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) {
    h ^= runId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finaliser: ids differing only in a few characters (time-ordered ids share a long
  // prefix) still land on unrelated colours.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % SERIES_COLORS;
}

/**
 * `#rrggbb` (or `#rgb`) with an alpha, as `rgba(…)`: the translucent fill of a group's min–max
 * band. Anything else comes back unchanged.
 */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return color;
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
