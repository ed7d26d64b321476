/**
 * Column widths of the runs table, set by dragging a header's edge or with its arrow keys.
 *
 * Widths live in `localStorage` (one map of column id → px for every experiment), not in the
 * URL: they are the viewer's layout, not part of what a shared link shows, and the server could
 * not apply them to the first paint anyway (the CSP forbids `style` attributes in server HTML).
 * They are applied after each render by setting the cells' `style` (allowed from an island), so a
 * resized column keeps its width whatever the rows hold: loading, sorting or renaming never moves
 * it.
 *
 * @module
 */

/** The `localStorage` key of the widths. */
export const WIDTHS_KEY = "kvflow.runsTable.widths";
/** Narrowest and widest a column can be made, in px. */
export const MIN_WIDTH = 48;
export const MAX_WIDTH = 1200;
/** One arrow key press, in px (with Shift: four times as much). */
export const KEY_STEP = 16;

/** Column id → width in px. */
export type Widths = Record<string, number>;

/** `px` rounded and kept within {@linkcode MIN_WIDTH}…{@linkcode MAX_WIDTH}. */
export function clampWidth(px: number): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, px)));
}

/** Parses stored widths, dropping anything that is not a column id → finite number. */
export function parseWidths(text: string | null): Widths {
  if (!text) return {};
  try {
    const raw = JSON.parse(text);
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return {};
    const out: Widths = {};
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v === "number" && Number.isFinite(v)) out[k] = clampWidth(v);
    }
    return out;
  } catch {
    return {};
  }
}

/** The stored widths (empty when storage is unavailable or holds garbage). */
export function loadWidths(): Widths {
  try {
    return parseWidths(localStorage.getItem(WIDTHS_KEY));
  } catch {
    return {};
  }
}

/** Stores the widths; a full or unavailable storage just forgets them. */
export function saveWidths(widths: Widths): void {
  try {
    localStorage.setItem(WIDTHS_KEY, JSON.stringify(widths));
  } catch {
    // Private mode or quota: widths last for this page view only.
  }
}

/** The width after a key press on a resize handle, or null for a key that does not resize. */
export function widthAfterKey(width: number, key: string, shift: boolean): number | null {
  const step = shift ? KEY_STEP * 4 : KEY_STEP;
  if (key === "ArrowLeft") return clampWidth(width - step);
  if (key === "ArrowRight") return clampWidth(width + step);
  return null;
}

/**
 * Gives every cell of each resized column its width (header row by `data-col`, body rows by the
 * header cell's index) and clears it from the others. Cheap enough to run after every render.
 */
export function applyWidths(table: HTMLTableElement, widths: Widths): void {
  const head = table.tHead?.rows[table.tHead.rows.length - 1];
  if (!head) return;
  const byIndex = new Map<number, number>();
  for (const th of Array.from(head.cells)) {
    const id = th.dataset.col;
    const w = id === undefined ? undefined : widths[id];
    if (w !== undefined) byIndex.set(th.cellIndex, w);
  }
  const rows = [head, ...Array.from(table.tBodies[0]?.rows ?? [])];
  for (const row of rows) {
    if (row.cells.length === 1 && row.cells[0].colSpan > 1) continue; // "No runs" row
    for (const cell of Array.from(row.cells)) {
      const w = byIndex.get(cell.cellIndex);
      const px = w === undefined ? "" : `${w}px`;
      if (cell.style.width === px) continue;
      cell.style.width = px;
      cell.style.minWidth = px;
      cell.style.maxWidth = px;
      cell.classList.toggle("rt-sized", w !== undefined);
    }
  }
}
