/**
 * Resizable runs-table columns: {@linkcode useColumnWidths} keeps the widths (see `resize.ts`)
 * and applies them after every render; its `handle` is the drag handle a header cell carries,
 * a focusable separator that the arrow keys resize too (Shift: bigger steps; Escape or a double
 * click gives the column back its natural width).
 *
 * @module
 */
import type { JSX, RefObject } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import {
  applyWidths,
  clampWidth,
  loadWidths,
  saveWidths,
  widthAfterKey,
  type Widths,
} from "./resize.ts";

/** What {@linkcode useColumnWidths} gives the table. */
export interface ColumnWidths {
  widths: Widths;
  /** The resize handle for the header cell of column `id` (its label names the column). */
  handle: (id: string, label: string) => JSX.Element;
}

/** Column widths of `table`, kept in `localStorage` and applied after each render. */
export function useColumnWidths(
  table: RefObject<HTMLTableElement | null>,
  active = true,
): ColumnWidths {
  // Read after hydration: the server's first paint has no widths to match. Only once the table is
  // shown (the chart view has none), and only a stored width re-renders: a re-render of the
  // whole runs table to apply nothing cost the chart view's first load ~60 ms.
  const [widths, setWidths] = useState<Widths>({});
  const latest = useRef(widths);
  latest.current = widths;
  const loaded = useRef(false);
  useLayoutEffect(() => {
    if (!active || loaded.current) return;
    loaded.current = true;
    const stored = loadWidths();
    if (Object.keys(stored).length > 0) setWidths(stored);
  }, [active]);
  useLayoutEffect(() => {
    if (table.current) applyWidths(table.current, widths);
  });

  function set(id: string, px: number | null, persist: boolean) {
    const next = { ...latest.current };
    if (px === null) delete next[id];
    else next[id] = clampWidth(px);
    latest.current = next;
    setWidths(next);
    if (persist) saveWidths(next);
  }

  /** The column's current width: the stored one, else what the browser laid it out at. */
  function current(el: HTMLElement, id: string): number {
    return latest.current[id] ?? el.closest("th")!.getBoundingClientRect().width;
  }

  function handle(id: string, label: string) {
    const w = widths[id];
    return (
      <span
        class="rt-resize"
        role="separator"
        aria-orientation="vertical"
        aria-label={`Resize column ${label}`}
        aria-valuenow={w === undefined ? undefined : w}
        tabIndex={0}
        title="Drag or use ← → to resize; double-click to reset"
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          e.preventDefault();
          e.stopPropagation();
          const el = e.currentTarget;
          const start = e.clientX;
          const from = current(el, id);
          el.setPointerCapture(e.pointerId);
          el.classList.add("is-dragging");
          const move = (ev: PointerEvent) => set(id, from + ev.clientX - start, false);
          const up = (ev: PointerEvent) => {
            el.removeEventListener("pointermove", move);
            el.removeEventListener("pointerup", up);
            el.removeEventListener("pointercancel", up);
            el.classList.remove("is-dragging");
            set(id, from + ev.clientX - start, true);
          };
          el.addEventListener("pointermove", move);
          el.addEventListener("pointerup", up);
          el.addEventListener("pointercancel", up);
        }}
        onDblClick={(e) => {
          e.stopPropagation();
          set(id, null, true);
        }}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === "Escape" && latest.current[id] !== undefined) {
            e.preventDefault();
            set(id, null, true);
            return;
          }
          const next = widthAfterKey(current(e.currentTarget, id), e.key, e.shiftKey);
          if (next === null) return;
          e.preventDefault();
          set(id, next, true);
        }}
      />
    );
  }

  return { widths, handle };
}
