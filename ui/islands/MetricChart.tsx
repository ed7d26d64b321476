import { useEffect, useState } from "preact/hooks";
import { LIVE_POLL_MS } from "../shared/live.ts";
import { AxisOptions } from "./charts/AxisOptions.tsx";
import { Smoothing } from "./charts/Smoothing.tsx";
import { KeyPicker } from "./charts/KeyPicker.tsx";
import { useSchemeChange } from "./charts/use_scheme.ts";
import { getRun } from "./run_page/api.ts";
import type { XMode } from "./run_page/chart_data.ts";
import { MetricCard } from "./run_page/MetricCard.tsx";
import { initialCards, lossFirst, withChartKeys } from "../shared/chart_keys.ts";

export { DEFAULT_CARDS, defaultCards, defaultKeys } from "../shared/chart_keys.ts";

export { CHART_BUCKETS } from "./run_page/MetricCard.tsx";

/** Props of {@linkcode MetricChart}. */
export interface MetricChartProps {
  runId: string;
  /** The run's metric keys (from its latest metrics), sorted. */
  metricKeys: string[];
  /** The run's status when the page rendered; `RUNNING` turns on live updates. */
  status: string;
  /** The run's start time (ms), the origin of the relative-time axis. */
  startTime: number;
  /** The metrics the URL asks to chart (`?metric=`); the default cards when none exists. */
  chartKeys?: string[];
}

const PALETTE = ["#2563eb", "#e8590c", "#2f9e44", "#ae3ec9", "#d6336c", "#0c8599", "#f59f00"];

/**
 * The run's metric charts: a card per chosen metric, each with its own y axis (uPlot, bundled),
 * a metric logged once shown as its value; shared controls for the x axis (step, wall time,
 * relative time), log scale and EMA smoothing; drag on any card to zoom them all (the range is
 * re-requested at full detail), double-click or "Reset zoom" to go back. While the run is
 * RUNNING it polls every 5 s, paused while the tab is hidden, and stops once the run ends.
 */
export function MetricChart(
  { runId, metricKeys, status: initialStatus, startTime, chartKeys }: MetricChartProps,
) {
  const [keys, setKeys] = useState<string[]>(() => initialCards(chartKeys, metricKeys));
  const [mode, setMode] = useState<XMode>("step");
  const [log, setLog] = useState(false);
  const [weight, setWeight] = useState(0);
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const [status, setStatus] = useState(initialStatus);
  const [tick, setTick] = useState(0);
  // Redraw axes in the new colours when the colour scheme flips.
  const scheme = useSchemeChange();

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

  function toggleKey(key: string, on: boolean) {
    const next = metricKeys.filter((k) => k === key ? on : keys.includes(k));
    setKeys(next);
    // The picks live in the URL (`?metric=`), so a reload or a shared link shows the same cards.
    history.replaceState(history.state, "", withChartKeys(location.href, next));
  }

  if (metricKeys.length === 0) {
    return <p class="muted">This run has no metrics.</p>;
  }
  const order = lossFirst(metricKeys);
  const shown = order.filter((k) => keys.includes(k));
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
          <Smoothing value={weight} onSet={setWeight} live />
          {zoom && (
            <button type="button" class="button button--small" onClick={() => setZoom(null)}>
              Reset zoom
            </button>
          )}
          {status === "RUNNING" && <span class="badge badge--running">Live</span>}
        </AxisOptions>
      </div>
      <div class="metric-cards">
        {shown.map((key) => (
          <MetricCard
            key={key}
            runId={runId}
            metricKey={key}
            color={PALETTE[order.indexOf(key) % PALETTE.length]}
            mode={mode}
            log={log}
            weight={weight}
            zoom={zoom}
            onZoom={setZoom}
            startTime={startTime}
            tick={tick}
            scheme={scheme}
          />
        ))}
      </div>
      <p class="muted metric-chart__hint">
        {shown.length > 0
          ? "Drag across a chart to zoom every card; double-click to reset."
          : "Tick a metric to chart it."}
      </p>
    </div>
  );
}
