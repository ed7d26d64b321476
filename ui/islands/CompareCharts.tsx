import { useEffect, useRef, useState } from "preact/hooks";
import { chartKeysFromUrl, withChartKeys } from "../shared/chart_keys.ts";
import uPlot from "uplot";
import { createLimiter } from "../shared/compare.ts";
import { errorMessage, isAbort } from "./api.ts";
import { AxisOptions } from "./charts/AxisOptions.tsx";
import { KeyPicker } from "./charts/KeyPicker.tsx";
import { xSeries } from "./charts/axes.ts";
import { cssVar, themedAxes } from "./charts/theme.ts";
import { useSchemeChange } from "./charts/use_scheme.ts";
import { bucketsFor } from "./compare/scale.ts";
import { defaultKeys } from "./MetricChart.tsx";
import { getHistoryDownsampled, type WireMetric } from "./run_page/api.ts";
import { align, apiX, positiveOnly, toSeries, type XMode } from "./run_page/chart_data.ts";

/** A run charted on the compare page. */
export interface CompareChartRun {
  id: string;
  name: string;
  /** Start time (ms): the origin of the relative-time axis. */
  startTime: number;
  /** Its colour slot (`--series-<slot>`), the same as its swatch in the tables. */
  slot: number;
  /** Its line dash (empty: solid): runs past the 20 colours are dashed, then dotted. */
  dash?: number[];
  /** The metric keys it logged (no request is made for the others). */
  keys: string[];
}

/** Props of {@linkcode CompareCharts}. */
export interface CompareChartsProps {
  /** The runs to overlay: the first {@linkcode MAX_SERIES} of the page's runs. */
  runs: CompareChartRun[];
  /** How many runs the page compares (more than `runs.length` when capped). */
  totalRuns: number;
  /** Every metric key of the compared runs, sorted. */
  metricKeys: string[];
  /** The metrics the URL asks to chart (`?metric=`); a loss-like one when none exists. */
  chartKeys?: string[];
}

/** Most runs overlaid on one chart. */
export const MAX_SERIES = 50;
/** Most history requests in flight at once, for all charts together. */
export const MAX_CONCURRENT = 6;

const limit = createLimiter(MAX_CONCURRENT);

/** One run's points of one metric, in the API's x unit. */
interface RunPoints {
  run: CompareChartRun;
  points: WireMetric[];
  total: number;
}

interface ChartState {
  /** What the points were loaded for (`${key}|${apiX}`). */
  for: string;
  loaded: RunPoints[];
  done: number;
  want: number;
  failed: string[];
}

/** One metric's overlaid chart: one series per run that logged it. */
function OverlayChart(
  { metricKey, runs, mode, log, scheme }: {
    metricKey: string;
    runs: CompareChartRun[];
    mode: XMode;
    log: boolean;
    scheme: number;
  },
) {
  const x = apiX(mode);
  const tag = `${metricKey}|${x}`;
  const [state, setState] = useState<ChartState | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const withKey = runs.filter((r) => r.keys.includes(metricKey));

  // Load every run's history of the metric, at most MAX_CONCURRENT requests at a time.
  useEffect(() => {
    const ctl = new AbortController();
    const buckets = bucketsFor(withKey.length);
    let done = 0;
    const failed: string[] = [];
    setState({ for: tag, loaded: [], done: 0, want: withKey.length, failed });
    Promise.all(withKey.map((run) =>
      limit(async (): Promise<RunPoints | null> => {
        if (ctl.signal.aborted) return null;
        try {
          const r = await getHistoryDownsampled(
            { runId: run.id, key: metricKey, x, buckets },
            ctl.signal,
          );
          return { run, points: r.metrics ?? [], total: r.total_points };
        } catch (err) {
          if (isAbort(err)) return null;
          failed.push(`${run.name || run.id}: ${errorMessage(err)}`);
          return null;
        } finally {
          done++;
          if (!ctl.signal.aborted && done % 6 === 0) {
            setState((s) => s && s.for === tag ? { ...s, done } : s);
          }
        }
      })
    )).then((all) => {
      if (ctl.signal.aborted) return;
      setState({
        for: tag,
        loaded: all.filter((r): r is RunPoints => r !== null && r.points.length > 0),
        done,
        want: withKey.length,
        failed,
      });
    });
    return () => ctl.abort();
  }, [tag, runs]);

  const ready = state?.for === tag && state.done === state.want;

  // (Re)build the plot when its data or options change.
  useEffect(() => {
    const el = box.current;
    if (!el || !ready || !state || state.loaded.length === 0) return;
    const data = align(state.loaded.map(({ run, points }) => {
      const s = toSeries(points, mode, run.startTime);
      return { x: s.x, y: log ? positiveOnly(s.y) : s.y };
    }));
    const width = () => Math.max(280, el.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 280,
        scales: { x: { time: mode === "wall" }, y: log ? { distr: 3 } : {} },
        axes: themedAxes(mode),
        series: [
          xSeries(mode),
          ...state.loaded.map(({ run }) => ({
            label: run.name || run.id,
            stroke: cssVar(`--series-${run.slot}`, "#2563eb"),
            ...(run.dash?.length ? { dash: run.dash } : {}),
            width: 1.5,
            spanGaps: true,
            points: { show: false },
          })),
        ],
        focus: { alpha: 0.25 },
        // The legend's swatches show which runs are dashed.
        legend: {
          markers: { dash: (u: uPlot, i: number) => (u.series[i].dash ? "dashed" : "solid") },
        },
        cursor: { focus: { prox: 24 }, drag: { x: true, y: false } },
      },
      data as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 280 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [state, ready, mode, log, scheme]);

  const points = ready ? state!.loaded.reduce((n, l) => n + l.total, 0) : 0;
  return (
    <figure class="cmp-chart" data-metric={metricKey}>
      <figcaption class="cmp-chart__title">
        <span class="mono">{metricKey}</span>
        <span class="muted">
          {ready
            ? `${state!.loaded.length} run${state!.loaded.length === 1 ? "" : "s"}, ` +
              `${points.toLocaleString("en-US")} points`
            : `Loading ${state?.for === tag ? state.done : 0} of ${withKey.length} runs…`}
        </span>
      </figcaption>
      {ready && state!.failed.length > 0 && (
        <p class="field-error" role="alert">
          Could not load {state!.failed.length} run(s): {state!.failed.slice(0, 3).join("; ")}
        </p>
      )}
      {ready && state!.loaded.length === 0 && state!.failed.length === 0 && (
        <p class="muted">No points to draw.</p>
      )}
      <div class="cmp-chart__plot" ref={box} aria-busy={ready ? "false" : "true"} />
    </figure>
  );
}

/**
 * The compare page's overlaid metric charts (uPlot): pick metric keys; each gets a chart with
 * one series per run (the run's colour, a legend of run names; hover a line to focus it), on a
 * step, wall-time or relative-time x axis, linear or log y. Histories come from
 * `get-history-downsampled` (min/max per bucket, fewer buckets the more runs share a chart), at
 * most {@linkcode MAX_CONCURRENT} requests at a time; at most {@linkcode MAX_SERIES} runs.
 */
export function CompareCharts({ runs, totalRuns, metricKeys, chartKeys }: CompareChartsProps) {
  const [keys, setKeys] = useState<string[]>(() =>
    chartKeysFromUrl(chartKeys, metricKeys) ?? defaultKeys(metricKeys)
  );
  const [mode, setMode] = useState<XMode>("step");
  const [log, setLog] = useState(false);
  // Redraw in the other scheme's colours when light/dark flips.
  const scheme = useSchemeChange();

  if (metricKeys.length === 0) return <p class="muted">These runs have no metrics.</p>;
  const toggle = (key: string, on: boolean) => {
    const next = on ? [...keys.filter((k) => k !== key), key] : keys.filter((k) => k !== key);
    setKeys(next);
    // The picks live in the URL (`?metric=`), so a reload or a shared link shows the same charts.
    history.replaceState(history.state, "", withChartKeys(location.href, next));
  };
  return (
    <div class="cmp-charts">
      <div class="chart-controls">
        <KeyPicker
          legend="Metrics to chart"
          choices={metricKeys.map((k) => ({ id: k, label: k }))}
          checked={keys}
          onToggle={toggle}
        />
        <AxisOptions mode={mode} onMode={setMode} log={log} onLog={setLog} />
      </div>
      {totalRuns > runs.length && (
        <p class="notice cmp-cap" role="note">
          <span>
            Charts overlay the first {runs.length} of the {totalRuns}{" "}
            runs (tables and the views below include all of them).
          </span>
        </p>
      )}
      {keys.length === 0
        ? <p class="muted">Pick one or more metrics to chart.</p>
        : (
          <p class="muted cmp-hint">
            Hover a line to pick out its run; drag across a chart to zoom, double-click to reset.
          </p>
        )}
      <div class="cmp-chart-grid">
        {keys.map((k) => (
          <OverlayChart key={k} metricKey={k} runs={runs} mode={mode} log={log} scheme={scheme} />
        ))}
      </div>
    </div>
  );
}
