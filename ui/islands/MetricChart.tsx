import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { LIVE_POLL_MS } from "../shared/live.ts";
import { errorMessage, isAbort } from "./api.ts";
import { AxisOptions } from "./charts/AxisOptions.tsx";
import { KeyPicker } from "./charts/KeyPicker.tsx";
import { xAxisLabel, xSeries, xTicks, yTicks } from "./charts/axes.ts";
import { useSchemeChange } from "./charts/use_scheme.ts";
import { type DownsampledReply, getHistoryDownsampled, getRun } from "./run_page/api.ts";
import {
  align,
  apiX,
  positiveOnly,
  type Series,
  smooth,
  toApiX,
  toSeries,
  type XMode,
} from "./run_page/chart_data.ts";

/** Props of {@linkcode MetricChart}. */
export interface MetricChartProps {
  runId: string;
  /** The run's metric keys (from its latest metrics), sorted. */
  metricKeys: string[];
  /** The run's status when the page rendered; `RUNNING` turns on live updates. */
  status: string;
  /** The run's start time (ms), the origin of the relative-time axis. */
  startTime: number;
}

/** Buckets per request: ≤ ~2000 points per metric reach the browser. */
export const CHART_BUCKETS = 1000;

const PALETTE = ["#2563eb", "#e8590c", "#2f9e44", "#ae3ec9", "#d6336c", "#0c8599", "#f59f00"];

interface Loaded {
  key: string;
  series: Series;
  total: number;
  exact: boolean;
  shown: number;
}

/** The first chart: a loss-like metric if there is one, else the first key. */
export function defaultKeys(keys: string[]): string[] {
  const loss = keys.find((k) => /loss/i.test(k));
  return loss ? [loss] : keys.slice(0, 1);
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * The run's metric charts (uPlot, bundled): choose metrics, x axis (step, wall time, relative
 * time), log scale and EMA smoothing; drag to zoom (the zoomed range is re-requested at full
 * detail), double-click or "Reset zoom" to go back. Data comes from `get-history-downsampled`
 * (min/max per bucket, so spikes survive). While the run is RUNNING it polls every 5 s, paused
 * while the tab is hidden, and stops once the run ends.
 */
export function MetricChart(
  { runId, metricKeys, status: initialStatus, startTime }: MetricChartProps,
) {
  const [keys, setKeys] = useState<string[]>(() => defaultKeys(metricKeys));
  const [mode, setMode] = useState<XMode>("step");
  const [log, setLog] = useState(false);
  const [weight, setWeight] = useState(0);
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const [status, setStatus] = useState(initialStatus);
  const [loaded, setLoaded] = useState<Loaded[]>([]);
  const [error, setError] = useState("");
  const [tick, setTick] = useState(0);
  // Redraw axes in the new colours when the colour scheme flips.
  const scheme = useSchemeChange();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  // Fetch the selected metrics for the current x mode and zoom (and on every live tick).
  useEffect(() => {
    if (keys.length === 0) {
      setLoaded([]);
      return;
    }
    const ctl = new AbortController();
    Promise.all(keys.map((key) =>
      getHistoryDownsampled(
        {
          runId,
          key,
          x: apiX(mode),
          buckets: CHART_BUCKETS,
          start: zoom?.[0],
          end: zoom?.[1],
        },
        ctl.signal,
      ).then((r: DownsampledReply): Loaded => ({
        key,
        series: toSeries(r.metrics ?? [], mode, startTime),
        total: r.total_points,
        exact: r.exact,
        shown: r.metrics?.length ?? 0,
      }))
    )).then((all) => {
      setLoaded(all);
      setError("");
    }).catch((err) => {
      if (!isAbort(err)) setError(errorMessage(err));
    });
    return () => ctl.abort();
  }, [runId, keys.join("\u0000"), mode, zoom?.[0], zoom?.[1], tick]);

  // Live updates while RUNNING; paused while the tab is hidden.
  useEffect(() => {
    if (status !== "RUNNING") return;
    let timer: ReturnType<typeof setInterval> | undefined;
    const poll = async () => {
      try {
        const { run } = await getRun(runId);
        setStatus(run.info.status);
        setTick((t) => t + 1);
      } catch {
        // A transient failure: try again next period.
      }
    };
    const arm = () => {
      clearInterval(timer);
      timer = document.hidden ? undefined : setInterval(poll, LIVE_POLL_MS);
    };
    arm();
    document.addEventListener("visibilitychange", arm);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", arm);
    };
  }, [runId, status]);

  // (Re)build the plot whenever its data or options change.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    plot.current?.destroy();
    plot.current = null;
    if (loaded.length === 0) return;
    const data = align(loaded.map((l) => {
      const y = smooth(l.series.y, weight);
      return { x: l.series.x, y: log ? positiveOnly(y) : y };
    }));
    const text = cssVar("--text-muted", "#5b6470");
    const grid = cssVar("--border", "#dde1e6");
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth),
      height: 320,
      scales: {
        x: { time: mode === "wall" },
        y: log ? { distr: 3 } : {},
      },
      axes: [
        { ...axis, ...xTicks(mode), label: xAxisLabel(mode) },
        { ...axis, ...yTicks(), size: 60 },
      ],
      series: [
        xSeries(mode),
        ...loaded.map((l, i) => ({
          label: l.key,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: true,
          points: { show: false },
        })),
      ],
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        // For the bench and tests: the points on the canvas, set once uPlot has painted them.
        draw: [(u: uPlot) => void (el.dataset.drawn = String(u.data[0].length))],
        setSelect: [(u: uPlot) => {
          if (u.select.width < 2) return;
          const a = u.posToVal(u.select.left, "x");
          const b = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          const lo = toApiX(mode, Math.min(a, b), startTime);
          const hi = Math.max(lo, toApiX(mode, Math.max(a, b), startTime));
          setZoom([lo, hi]);
        }],
      },
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(320, el.clientWidth), height: 320 });
    });
    resize.observe(el);
    const reset = () => setZoom(null);
    el.addEventListener("dblclick", reset);
    return () => {
      resize.disconnect();
      el.removeEventListener("dblclick", reset);
      delete el.dataset.drawn;
      plot.current?.destroy();
      plot.current = null;
    };
  }, [loaded, log, weight, scheme]);

  function toggleKey(key: string, on: boolean) {
    setKeys((ks) => on ? [...ks.filter((k) => k !== key), key] : ks.filter((k) => k !== key));
  }

  if (metricKeys.length === 0) {
    return <p class="muted">This run has no metrics.</p>;
  }
  return (
    <div class="metric-chart">
      <div class="chart-controls">
        <KeyPicker
          legend="Metrics"
          choices={metricKeys.map((k) => ({ id: k, label: k }))}
          checked={keys}
          onToggle={toggleKey}
        />
        <AxisOptions
          mode={mode}
          onMode={(m) => {
            setZoom(null);
            setMode(m);
          }}
          log={log}
          onLog={setLog}
        >
          <label>
            Smoothing{" "}
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={weight}
              onInput={(e) => setWeight(Number((e.target as HTMLInputElement).value))}
            />{" "}
            <span class="num">{weight.toFixed(2)}</span>
          </label>
          {zoom && (
            <button type="button" class="button button--small" onClick={() => setZoom(null)}>
              Reset zoom
            </button>
          )}
          {status === "RUNNING" && <span class="badge badge--running">Live</span>}
        </AxisOptions>
      </div>
      {error && <p class="field-error" role="alert">{error}</p>}
      <div class="metric-chart__plot" ref={box} />
      <div class="muted chart-foot">
        <p class="metric-chart__counts" aria-live="polite">
          {loaded.map((l) => (
            <span key={l.key} class="chart-foot__count">
              <span class="mono">{l.key}</span>: {l.total.toLocaleString("en-US")} points
              {l.exact ? "" : ` (downsampled to ${l.shown.toLocaleString("en-US")})`}
            </span>
          ))}
        </p>
        {keys.length > 0 && <p class="chart-foot__hint">Drag to zoom; double-click to reset.</p>}
      </div>
    </div>
  );
}
