import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { formatNumber } from "../../shared/format.ts";
import { createLimiter } from "../../shared/compare.ts";
import {
  type BulkHistoryRun,
  errorMessage,
  getHistoryDownsampledBulk,
  isAbort,
  pageHistoryDownsampledBulk,
} from "../api.ts";
import { xSeries } from "../charts/axes.ts";
import { facetLine } from "../charts/facet_line.ts";
import { groupLines } from "../charts/group.ts";
import { withAlpha } from "../charts/run_color.ts";
import { cssVar, themedAxes } from "../charts/theme.ts";
import { chartBuckets } from "./chart_state.ts";
import {
  align,
  apiX,
  positiveOnly,
  type Series,
  smooth,
  toApiX,
  type XMode,
  xyToSeries,
} from "../run_page/chart_data.ts";

/** A run as a chart card draws it. */
export interface ChartRun {
  id: string;
  name: string;
  /** Its colour slot (`--series-<slot>`), as in the table's swatch. */
  slot: number;
  /** Start time (ms): the origin of relative time. */
  startTime: number;
  /** Its value of the group-by key (empty when not grouping). */
  group: string;
  hidden: boolean;
  /** The step and time of its latest point of this metric: a change (a live run) refetches. */
  latest: string;
}

/** Props of {@linkcode ChartCard}. */
export interface ChartCardProps {
  metricKey: string;
  /** The runs that logged this metric (hidden ones too: hiding redraws, it does not refetch). */
  runs: ChartRun[];
  grouped: boolean;
  mode: XMode;
  log: boolean;
  weight: number;
  /** Bumped when the colour scheme flips. */
  scheme: number;
  first: boolean;
  last: boolean;
  onMove: (by: -1 | 1) => void;
  onLog: (on: boolean) => void;
}

/** Bulk requests in flight at once, for all cards together. */
const limit = createLimiter(6);

const HEIGHT = 220;

/** Above this many runs a card draws thinner lines. */
const MANY_RUNS = 20;

interface Loaded {
  /** What was asked (`${ids}|${x}|${zoom}`), so a stale reply is never drawn. */
  for: string;
  runs: BulkHistoryRun[];
}

/** A card waiting to draw: its plot box, and what draws it at the box's width. */
interface DrawJob {
  el: HTMLElement;
  draw: (width: number) => void;
  cancelled: boolean;
}

const waiting: DrawJob[] = [];

/**
 * Draws a card once the cards whose data came in the same task are known: every box's width is
 * read first, then every plot is made, so one layout serves them all (reading a width right after
 * another card's plot went in forced a layout per card).
 */
function drawSoon(el: HTMLElement, draw: (width: number) => void): DrawJob {
  const job: DrawJob = { el, draw, cancelled: false };
  waiting.push(job);
  if (waiting.length === 1) {
    queueMicrotask(() => {
      const jobs = waiting.splice(0).filter((j) => !j.cancelled);
      const widths = jobs.map((j) => j.el.clientWidth);
      jobs.forEach((j, k) => j.cancelled || j.draw(widths[k]));
    });
  }
  return job;
}

/** Index of the point of faceted series `i` whose x is nearest the cursor's. */
function nearestOfRun(u: uPlot, i: number): number | null {
  const xs = (u.data[i] as unknown as number[][] | null)?.[0];
  const left = u.cursor.left;
  if (!xs || xs.length === 0 || left == null || left < 0) return null;
  const x = u.posToVal(left, "x");
  let lo = 0, hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && x - xs[lo - 1] < xs[lo] - x ? lo - 1 : lo;
}

/** How many x positions a drawn card has (for `data-drawn`): the longest run's, when faceted. */
function drawnPoints(u: uPlot, faceted: boolean): number {
  if (!faceted) return u.data[0].length;
  let most = 0;
  for (let i = 1; i < u.data.length; i++) {
    most = Math.max(most, (u.data[i] as unknown as number[][])[0].length);
  }
  return most;
}

/** A group's colour slot: groups take the palette in order. */
const groupSlot = (i: number) => i % 20;

/**
 * One metric's card in the experiment's chart view: every run's line (its own colour) or, when
 * grouping, each group's mean with a min–max band; bars when each run logged the metric once.
 * Its own y axis and log switch; drag to zoom (re-fetched at full detail), double-click to reset.
 * The data is one bulk request for all its runs.
 */
export function ChartCard(props: ChartCardProps) {
  const { metricKey, runs, grouped, mode, log, weight, scheme } = props;
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const ids = runs.map((r) => r.id);
  const x = apiX(mode);
  const tag = `${ids.join(",")}|${x}|${zoom ?? ""}`;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  // Set when the first read came inside the page: the fetch below then has nothing to ask.
  const fromPage = useRef(false);
  const [error, setError] = useState("");
  const [groups, setGroups] = useState<{ value: string; runs: number; slot: number }[]>([]);
  const card = useRef<HTMLElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLSpanElement>(null);
  // Live runs' new points: fetched again, the old lines staying up until the new ones arrive.
  const latest = runs.map((r) => r.latest).join(",");

  // Relative time has one origin per run, so it zooms on screen; the others ask for the range.
  useEffect(() => setZoom(null), [mode]);

  // The first read may have come inside the page (chart_state.ts builds its URL for both): it
  // is taken before the first paint, so the card draws at hydration. Not in useState's
  // initializer: hydration keeps the server's attributes (`aria-busy`), so that first render
  // must match the server's.
  useLayoutEffect(() => {
    const r = pageHistoryDownsampledBulk(ids, metricKey, { buckets: chartBuckets(ids.length), x });
    if (r === undefined) return;
    fromPage.current = true;
    setLoaded({ for: tag, runs: r.runs ?? [] });
  }, []);

  useEffect(() => {
    if (fromPage.current) {
      fromPage.current = false;
      return;
    }
    if (ids.length === 0) return;
    const ctl = new AbortController();
    // Unzoomed, the URL is the one the page preloads or sends (chart_state.ts builds both).
    limit(() =>
      ctl.signal.aborted ? Promise.resolve(null) : getHistoryDownsampledBulk(ids, metricKey, {
        buckets: chartBuckets(ids.length),
        x,
        start: zoom?.[0],
        end: zoom?.[1],
      }, ctl.signal)
    ).then((r) => {
      if (!r) return;
      setLoaded({ for: tag, runs: r.runs ?? [] });
      setError("");
    }).catch((err) => {
      if (!isAbort(err)) setError(errorMessage(err));
    });
    return () => ctl.abort();
  }, [tag, metricKey, latest]);

  const ready = loaded?.for === tag;
  const byId = new Map(runs.map((r) => [r.id, r]));
  const shown = ready
    ? loaded!.runs.filter((r) => r.x.length > 0 && !byId.get(r.run_id)?.hidden)
    : [];
  const bars = ready && !zoom && loaded!.runs.length > 0 &&
    loaded!.runs.every((r) => r.total_points <= 1);
  const hiddenKey = runs.filter((r) => r.hidden).map((r) => r.id).join(",");
  const groupKey = grouped ? runs.map((r) => r.group).join("\u0000") : "";

  useEffect(() => {
    const el = box.current;
    const art = card.current;
    if (!el || !art || !ready || shown.length === 0) return;
    const color = (slot: number) => cssVar(`--series-${slot}`, "#2563eb");
    const series = (r: BulkHistoryRun): Series => {
      const run = byId.get(r.run_id)!;
      return xyToSeries(r, mode, run.startTime);
    };
    const fix = (y: (number | null)[]) => log ? positiveOnly(y) : y;
    let opts: Partial<uPlot.Options>;
    let data: uPlot.AlignedData;
    let names: string[] = [];
    let faceted = false;
    const nextGroups: typeof groups = [];
    if (bars) {
      // One bar per run in its colour (a metric logged once has no line to draw), or per group:
      // the mean, with the group's min and max as marks.
      const runsShown = shown.map((r) => byId.get(r.run_id)!);
      const values = shown.map((r) => {
        const v = r.values[0];
        return Number.isFinite(v) ? v : null;
      });
      let ys = values;
      let colors = runsShown.map((r) => color(r.slot));
      const extra: uPlot.Series[] = [];
      const marks: (number | null)[][] = [];
      names = runsShown.map((r) => r.name);
      if (grouped) {
        const lines = groupLines(runsShown.map((r, i) => ({
          group: r.group,
          x: values[i] === null ? [] : [0],
          y: [values[i]],
        })));
        names = lines.map((g) => g.value);
        colors = lines.map((_, i) => color(groupSlot(i)));
        lines.forEach((g, i) =>
          nextGroups.push({ value: g.value, runs: g.runs, slot: groupSlot(i) })
        );
        ys = lines.map((g) => g.mean[0]);
        marks.push(lines.map((g) => g.max[0]), lines.map((g) => g.min[0]));
        const mark = cssVar("--text", "#1b1f24");
        for (const label of ["max", "min"]) {
          extra.push({
            label,
            paths: () => null,
            points: { show: true, size: 7, stroke: mark, fill: mark, width: 1 },
          });
        }
      }
      const n = ys.length;
      const short = (s: string) => s.length > 12 ? `${s.slice(0, 11)}…` : s;
      const [axX, axY] = themedAxes("step");
      data = [ys.map((_, i) => i), fix(ys), ...marks.map(fix)] as uPlot.AlignedData;
      opts = {
        scales: {
          x: { time: false, range: () => [-0.5, n - 0.5] },
          y: log ? { distr: 3 } : {
            range: (_u, lo, hi) => [Math.min(0, lo), Math.max(0, hi) * 1.05 || 1],
          },
        },
        axes: [
          {
            ...axX,
            label: grouped ? "Group" : "Run",
            // A grid line through a bar would read as a whisker.
            grid: { show: false },
            incrs: [1, 2, 5, 10, 20, 50],
            space: 60,
            values: (_u: uPlot, splits: number[]) =>
              splits.map((i) => Number.isInteger(i) && names[i] ? short(names[i]) : ""),
          },
          axY,
        ],
        series: [{ label: "Run" }, {
          label: metricKey,
          width: 0,
          fill: colors[0],
          points: { show: false },
          paths: uPlot.paths.bars!(
            {
              size: [0.7, 48],
              disp: { fill: { unit: 3, values: () => colors } },
            } as Parameters<NonNullable<typeof uPlot.paths.bars>>[0],
          ),
        }, ...extra],
      };
    } else if (grouped) {
      const lines = groupLines(shown.map((r) => {
        const s = series(r);
        return { group: byId.get(r.run_id)!.group, x: s.x, y: smooth(s.y, weight) };
      }));
      const flat: Series[] = [];
      const ser: uPlot.Series[] = [xSeries(mode)];
      const bands: uPlot.Band[] = [];
      lines.forEach((g, i) => {
        const c = color(groupSlot(i));
        nextGroups.push({ value: g.value, runs: g.runs, slot: groupSlot(i) });
        names.push(g.value, `${g.value} max`, `${g.value} min`);
        flat.push({ x: g.x, y: fix(g.mean) }, { x: g.x, y: fix(g.max) }, {
          x: g.x,
          y: fix(g.min),
        });
        const at = 1 + i * 3;
        ser.push(
          { label: g.value, stroke: c, width: 2, spanGaps: true, points: { show: false } },
          ...["max", "min"].map((end) => ({
            label: `${g.value} ${end}`,
            stroke: withAlpha(c, 0.35),
            width: 0.5,
            spanGaps: true,
            points: { show: false },
          })),
        );
        bands.push({ series: [at + 1, at + 2], fill: withAlpha(c, 0.16) });
      });
      data = align(flat) as uPlot.AlignedData;
      opts = {
        scales: { x: { time: mode === "wall" }, y: log ? { distr: 3 } : {} },
        axes: themedAxes(mode),
        series: ser,
        bands,
      };
    } else {
      // One x list per run (uPlot's faceted mode): aligning 100 runs' downsampled steps on their
      // union made ~100 × 1,000 mostly empty cells per card to build, scan and draw.
      faceted = true;
      const runsShown = shown.map((r) => byId.get(r.run_id)!);
      names = runsShown.map((r) => r.name);
      const lines = shown.map((r) => {
        const s = series(r);
        return [s.x, fix(smooth(s.y, weight))];
      });
      const few = lines.every(([x]) => x.length < 30);
      // Many overlaid runs get 1 px lines: thinner keeps them apart, and on a 1x screen a 1 px
      // line is a hairline, which Chromium strokes about twice as fast (5 cards of 100 runs:
      // 56 ms instead of 120, frame included).
      const lineWidth = runsShown.length > MANY_RUNS ? 1 : 1.5;
      const line = facetLine();
      data = [null, ...lines] as unknown as uPlot.AlignedData;
      const facets = [{ scale: "x", auto: true }, { scale: "y", auto: true }];
      opts = {
        mode: 2,
        scales: { x: { time: mode === "wall" }, y: log ? { distr: 3 } : {} },
        axes: themedAxes(mode),
        series: [
          xSeries(mode),
          ...runsShown.map((r) => ({
            label: r.name,
            stroke: color(r.slot),
            width: lineWidth,
            spanGaps: true,
            facets,
            paths: line,
            points: { show: few },
          })),
        ],
      };
    }
    // No groups before or after (the usual case): no re-render.
    setGroups((prev) => prev.length === 0 && nextGroups.length === 0 ? prev : nextGroups);
    const say = (u: uPlot, i: number | null | undefined) => {
      const out = readout.current;
      if (!out) return;
      const idx = faceted && i != null ? u.cursor.idxs?.[i] : u.cursor.idx;
      if (i == null || i < 1 || idx == null) return void (out.textContent = "");
      const v = faceted ? (u.data[i] as unknown as number[][])[1][idx] : u.data[i][idx];
      // Bars are named by position (run or group); lines by series.
      const name = bars
        ? `${names[idx] ?? ""}${i > 1 ? ` ${u.series[i].label}` : ""}`
        : names[i - 1] ?? "";
      out.textContent = v == null ? name : `${name}: ${formatNumber(v)}`;
    };
    let focused: number | null = null;
    let plot: uPlot | null = null;
    let resize: ResizeObserver | null = null;
    const reset = () => setZoom(null);
    const job = drawSoon(el, (measured) => {
      const width = (w: number) => Math.max(240, w);
      let drawnWidth = width(measured);
      plot = new uPlot(
        {
          ...opts,
          width: drawnWidth,
          height: HEIGHT,
          legend: { show: false },
          focus: { alpha: 0.3 },
          cursor: {
            focus: { prox: 16 },
            // One hover point, on the focused line, rather than a point element per run.
            points: { one: true },
            drag: { x: !bars, y: false, setScale: mode === "relative" },
            // Faceted data has no shared x: each run's point nearest the cursor's x.
            ...(faceted ? { dataIdx: nearestOfRun } : {}),
          },
          hooks: {
            // For the bench and tests: the card has drawn its data.
            draw: [(u: uPlot) => {
              art.dataset.drawn = String(drawnPoints(u, faceted));
              art.dataset.bands = String(opts.bands?.length ?? 0);
            }],
            setSeries: [(u: uPlot, i: number | null) => {
              focused = i;
              say(u, i);
            }],
            setCursor: [(u: uPlot) => say(u, focused)],
            setSelect: [(u: uPlot) => {
              if (mode === "relative" || u.select.width < 2) return;
              const a = u.posToVal(u.select.left, "x");
              const b = u.posToVal(u.select.left + u.select.width, "x");
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              const lo = toApiX(mode, Math.min(a, b), 0);
              setZoom([lo, Math.max(lo, toApiX(mode, Math.max(a, b), 0))]);
            }],
          },
        } as uPlot.Options,
        data,
        el,
      );
      // Observing fires once at the start: only a real change of width redraws.
      resize = new ResizeObserver(() => {
        if (width(el.clientWidth) === drawnWidth) return;
        drawnWidth = width(el.clientWidth);
        plot?.setSize({ width: drawnWidth, height: HEIGHT });
      });
      resize.observe(el);
      el.addEventListener("dblclick", reset);
    });
    return () => {
      job.cancelled = true;
      resize?.disconnect();
      el.removeEventListener("dblclick", reset);
      delete art.dataset.drawn;
      delete art.dataset.bands;
      plot?.destroy();
    };
  }, [loaded, ready, hiddenKey, groupKey, log, weight, scheme, mode, bars]);

  const total = ready ? loaded!.runs.reduce((n, r) => n + r.total_points, 0) : 0;
  const exact = ready && loaded!.runs.every((r) => r.exact);
  const hiddenAll = ready && shown.length === 0 && loaded!.runs.length > 0;
  return (
    <article
      class="cv-card"
      ref={card}
      data-chart-card
      data-key={metricKey}
      data-kind={bars ? "bars" : grouped ? "groups" : "lines"}
      aria-label={`Metric ${metricKey}`}
    >
      <header class="cv-card__head">
        <h3 class="cv-card__title mono" title={metricKey}>{metricKey}</h3>
        <div class="cv-card__tools">
          {zoom && (
            <button type="button" class="button button--small" onClick={() => setZoom(null)}>
              Reset zoom
            </button>
          )}
          <label class="cv-card__log">
            <input
              type="checkbox"
              checked={log}
              onChange={(e) => props.onLog((e.target as HTMLInputElement).checked)}
            />{" "}
            Log y
          </label>
          <button
            type="button"
            class="cv-move"
            aria-label={`Move ${metricKey} earlier`}
            data-move="-1"
            disabled={props.first}
            onClick={() => props.onMove(-1)}
          >
            ←
          </button>
          <button
            type="button"
            class="cv-move"
            aria-label={`Move ${metricKey} later`}
            data-move="1"
            disabled={props.last}
            onClick={() => props.onMove(1)}
          >
            →
          </button>
        </div>
      </header>
      {error && <p class="field-error" role="alert">{error}</p>}
      {ready && loaded!.runs.length === 0
        ? <p class="muted cv-card__empty">No points in this range.</p>
        : hiddenAll
        ? <p class="muted cv-card__empty">Every run with this metric is hidden.</p>
        : <div class="cv-card__plot" ref={box} aria-busy={ready ? "false" : "true"} />}
      <p class="muted cv-card__foot">
        <span>
          {ready
            ? `${shown.length} run${shown.length === 1 ? "" : "s"}, ` +
              `${total.toLocaleString("en-US")} point${total === 1 ? "" : "s"}` +
              (exact ? "" : " (downsampled)")
            : error
            ? ""
            : "Loading…"}
        </span>
        <span class="cv-card__readout mono" ref={readout} aria-live="off" />
      </p>
      {grouped && groups.length > 0 && (
        <ul class="cv-groups" aria-label={`Groups of ${metricKey}`}>
          {groups.map((g) => (
            <li key={g.value} data-group={g.value}>
              <span class={`cmp-swatch cmp-c${g.slot}`} aria-hidden="true" />
              <span class="mono">{g.value}</span>{" "}
              <span class="muted">({g.runs} run{g.runs === 1 ? "" : "s"})</span>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
