import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { errorMessage, isAbort } from "../api.ts";
import { formatNumber } from "../../shared/format.ts";
import {
  CHART_BUCKETS,
  type DownsampledArgs,
  type DownsampledReply,
  getHistoryDownsampled,
  pageHistoryDownsampled,
  wireNumber,
} from "./api.ts";
import { xSeries } from "../charts/axes.ts";
import { themedAxes } from "../charts/theme.ts";
import { positiveOnly, type Series, smooth, toApiX, toSeries, type XMode } from "./chart_data.ts";

export { CHART_BUCKETS } from "./api.ts";

/** Props of {@linkcode MetricCard}. */
export interface MetricCardProps {
  runId: string;
  metricKey: string;
  /** The line's colour. */
  color: string;
  mode: XMode;
  log: boolean;
  weight: number;
  /** The shared x range (API units), or null for all. */
  zoom: [number, number] | null;
  onZoom: (range: [number, number] | null) => void;
  startTime: number;
  /** Bumped by live polling: refetch. */
  tick: number;
  /** Bumped when the colour scheme flips: redraw in the new colours. */
  scheme: number;
}

interface Loaded {
  series: Series;
  total: number;
  exact: boolean;
  shown: number;
  /** The one point of a metric logged once. */
  single: { value: number; step: number } | null;
}

const HEIGHT = 240;

/**
 * One metric's card on the run page: its own chart with its own y axis (a 0.003 learning rate is
 * not flattened beside a loss of 50), or, for a metric logged once, its value. Data comes from
 * `get-history-downsampled` (min/max per bucket, so spikes survive); a drag zooms every card.
 */
export function MetricCard(props: MetricCardProps) {
  const { runId, metricKey, mode, zoom, startTime, tick, log, weight, color, scheme } = props;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState("");
  const box = useRef<HTMLDivElement>(null);
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;

  const args: DownsampledArgs = {
    runId,
    key: metricKey,
    x: mode === "step" ? "step" : "timestamp",
    buckets: CHART_BUCKETS,
    start: zoom?.[0],
    end: zoom?.[1],
  };
  const show = (r: DownsampledReply) => {
    const points = r.metrics ?? [];
    setLoaded({
      series: toSeries(points, mode, startTime),
      total: r.total_points,
      exact: r.exact,
      shown: points.length,
      single: r.total_points === 1 && points.length === 1 && !zoom
        ? { value: wireNumber(points[0].value), step: points[0].step }
        : null,
    });
    setError("");
  };

  // The first read may have come inside the page (the run page's server builds its URL with
  // downsampledHistoryPath too): taken before the first paint, so the card draws at hydration.
  // Not in useState's initializer: the first render must match the server's markup.
  const fromPage = useRef(false);
  useLayoutEffect(() => {
    const r = pageHistoryDownsampled(args);
    if (r === undefined) return;
    fromPage.current = true;
    show(r);
  }, []);

  useEffect(() => {
    if (fromPage.current) {
      fromPage.current = false;
      return;
    }
    const ctl = new AbortController();
    getHistoryDownsampled(args, ctl.signal).then(show).catch((err) => {
      if (!isAbort(err)) setError(errorMessage(err));
    });
    return () => ctl.abort();
  }, [runId, metricKey, mode, zoom?.[0], zoom?.[1], tick]);

  useEffect(() => {
    const el = box.current;
    if (!el || !loaded || loaded.single || loaded.total === 0) return;
    const y = smooth(loaded.series.y, weight);
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      scales: { x: { time: mode === "wall" }, y: log ? { distr: 3 } : {} },
      axes: themedAxes(mode),
      series: [
        xSeries(mode),
        {
          label: metricKey,
          stroke: color,
          width: 1.5,
          spanGaps: true,
          points: { show: loaded.series.x.length < 30 },
        },
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
          onZoom.current([lo, Math.max(lo, toApiX(mode, Math.max(a, b), startTime))]);
        }],
      },
    };
    const data = [loaded.series.x, log ? positiveOnly(y) : y] as uPlot.AlignedData;
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(240, el.clientWidth), height: HEIGHT });
    });
    resize.observe(el);
    const reset = () => onZoom.current(null);
    el.addEventListener("dblclick", reset);
    return () => {
      resize.disconnect();
      el.removeEventListener("dblclick", reset);
      delete el.dataset.drawn;
      plot.destroy();
    };
  }, [loaded, log, weight, scheme, color]);

  return (
    <article class="metric-card" data-key={metricKey} aria-label={`Metric ${metricKey}`}>
      <h3 class="metric-card__title mono">{metricKey}</h3>
      {error && <p class="field-error" role="alert">{error}</p>}
      {loaded?.single
        ? (
          <p class="metric-card__single">
            <span class="metric-card__value num" title={String(loaded.single.value)}>
              {formatNumber(loaded.single.value)}
            </span>
            <span class="muted">logged once, at step {loaded.single.step}</span>
          </p>
        )
        : loaded?.total === 0
        ? <p class="muted metric-card__empty">No points in this range.</p>
        : <div class="metric-chart__plot" ref={box} />}
      <p class="muted metric-chart__counts">
        {loaded && (
          <>
            <span class="mono">{metricKey}</span>: {loaded.total.toLocaleString("en-US")}{" "}
            {loaded.total === 1 ? "point" : "points"}
            {loaded.exact ? "" : ` (downsampled to ${loaded.shown.toLocaleString("en-US")})`}
          </>
        )}
      </p>
    </article>
  );
}
