import type { ComponentChildren } from "preact";
import type { XMode } from "../run_page/chart_data.ts";

/** Props of {@linkcode AxisOptions}. */
export interface AxisOptionsProps {
  mode: XMode;
  onMode: (mode: XMode) => void;
  log: boolean;
  onLog: (log: boolean) => void;
  /** More controls in the same row (smoothing, reset zoom, a live badge). */
  children?: ComponentChildren;
}

/** The metric charts' x axis (step, wall time, relative time) and log-scale switch. */
export function AxisOptions({ mode, onMode, log, onLog, children }: AxisOptionsProps) {
  return (
    <div class="chart-options">
      <label>
        X axis{" "}
        <select
          value={mode}
          onChange={(e) => onMode((e.target as HTMLSelectElement).value as XMode)}
        >
          <option value="step">Step</option>
          <option value="wall">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          checked={log}
          onChange={(e) => onLog((e.target as HTMLInputElement).checked)}
        />{" "}
        Log scale
      </label>
      {children}
    </div>
  );
}
