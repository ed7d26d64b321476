import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { CompareRunRef } from "../shared/compare.ts";
import { formatNumber } from "../shared/format.ts";
import { KeyPicker } from "./charts/KeyPicker.tsx";
import { useSchemeChange } from "./charts/use_scheme.ts";
import { cssVar } from "./charts/theme.ts";
import {
  type Axis,
  axisTicks,
  type AxisValue,
  buildAxis,
  canLog,
  formatTick,
  legendEnds,
  nearestLine,
  niceTicks,
  position,
  rampColor,
  singleValue,
} from "./compare/scale.ts";

/** Props of {@linkcode CompareViews}. */
export interface CompareViewsProps {
  runs: CompareRunRef[];
  /** The params whose values differ across the runs; `null`: the run did not log it. */
  params: { key: string; values: (string | null)[] }[];
  /** Latest metric values; `null`: not logged, or not finite. */
  metrics: { key: string; values: (number | null)[] }[];
}

/** An axis candidate: a param or a metric column. */
interface Dim {
  id: string;
  key: string;
  kind: "param" | "metric";
  values: AxisValue[];
  axis: Axis;
}

/** Where each run was drawn, for hit testing: polylines (split at gaps) and a tooltip anchor. */
interface Geometry {
  lines: [number, number][][][];
  anchors: ([number, number] | null)[];
}

const EMPTY: Geometry = { lines: [], anchors: [] };

/** `text` cut with an ellipsis to fit `max` px. */
function fit(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

function valueText(v: AxisValue): string {
  if (v === null) return "—";
  return typeof v === "number" ? formatNumber(v) : v;
}

/** The colour of run `i` by the colour dimension (null: not coloured by anything). */
function colorOf(dim: Dim | null, i: number, fallback: string, missing: string): string {
  if (!dim) return fallback;
  const t = position(dim.axis, dim.values[i]);
  return t === null ? missing : rampColor(t);
}

/**
 * A canvas view with hover and keyboard focus of runs: draws through `draw`, finds the run under
 * the pointer (or steps through runs with the arrow keys while focused), shows a tooltip with
 * `describe(run)` and a status line with a link to the run.
 */
function CanvasView(
  { label, height, runs, draw, describe, radius, className }: {
    label: string;
    height: number;
    runs: CompareRunRef[];
    draw: (ctx: CanvasRenderingContext2D, w: number, h: number, hi: number) => Geometry;
    describe: (i: number) => ComponentChildren;
    radius: number;
    className: string;
  },
) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const geometry = useRef<Geometry>(EMPTY);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState(-1);
  useSchemeChange(); // re-renders (and so redraws) when light/dark flips

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(280, Math.floor(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (!c || width === 0) return;
    const dpr = globalThis.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
    c.style.width = `${width}px`;
    c.style.height = `${height}px`;
    const ctx = c.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    geometry.current = draw(ctx, width, height, hover);
  });

  // Place the tooltip next to the highlighted run (runtime style: allowed by the CSP).
  useEffect(() => {
    const t = tip.current;
    const at = hover >= 0 ? geometry.current.anchors[hover] : null;
    if (!t || !at) return;
    const left = Math.min(Math.max(0, at[0] + 12), Math.max(0, width - t.offsetWidth));
    const top = at[1] + 12 + t.offsetHeight > height ? at[1] - 12 - t.offsetHeight : at[1] + 12;
    t.style.left = `${left}px`;
    t.style.top = `${Math.max(0, top)}px`;
  });

  const drawn = () => runs.map((_, i) => i).filter((i) => geometry.current.anchors[i]);
  const under = (e: MouseEvent) => {
    const r = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    return nearestLine(geometry.current.lines, [e.clientX - r.left, e.clientY - r.top], radius);
  };
  const onMove = (e: MouseEvent) => {
    const i = under(e);
    if (i !== hover) setHover(i);
  };
  const open = (i: number) => {
    if (i >= 0) location.href = `/runs/${encodeURIComponent(runs[i].id)}`;
  };
  const onKey = (e: KeyboardEvent) => {
    const list = drawn();
    if (list.length === 0) return;
    const at = list.indexOf(hover);
    let next: number | null = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") next = list[(at + 1) % list.length];
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") {
      next = list[(at <= 0 ? list.length : at) - 1];
    } else if (e.key === "Home") next = list[0];
    else if (e.key === "End") next = list[list.length - 1];
    else if (e.key === "Escape") next = -1;
    else if (e.key === "Enter") return open(hover);
    if (next === null) return;
    e.preventDefault();
    setHover(next);
  };

  const run = hover >= 0 ? runs[hover] : null;
  return (
    <div class={`cmp-view ${className}`}>
      <div class="cmp-view__canvas" ref={wrap}>
        <canvas
          ref={canvas}
          tabIndex={0}
          role="img"
          aria-label={`${label}. Arrow keys step through the runs; Enter opens the run.`}
          height={height}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(-1)}
          onFocus={(e) => {
            // From the keyboard only: a click focuses too, and must not pick a run by itself.
            const el = e.currentTarget as HTMLCanvasElement;
            if (hover < 0 && el.matches(":focus-visible")) setHover(drawn()[0] ?? -1);
          }}
          onBlur={() => setHover(-1)}
          onClick={(e) => open(under(e))}
          onKeyDown={onKey}
        />
        <div class="cmp-tip" ref={tip} hidden={!run} aria-hidden="true">
          {run && (
            <>
              <strong>{run.name || run.id}</strong>
              {describe(hover)}
            </>
          )}
        </div>
      </div>
      <p class="cmp-status muted" aria-live="polite">
        {run
          ? (
            <>
              <a href={`/runs/${encodeURIComponent(run.id)}`}>{run.name || run.id}</a>{" "}
              {describe(hover)}
            </>
          )
          : "Hover a run, or focus the chart and use the arrow keys, to see its name."}
      </p>
    </div>
  );
}

/**
 * The "colour by" legend: a ramp from the metric's minimum to its maximum, or just the value
 * when all runs share one.
 */
function RampLegend({ dim }: { dim: Dim }) {
  const ends = legendEnds(dim.axis);
  if (!ends) {
    return (
      <span class="cmp-ramp-legend">
        <span class="muted">all runs:</span> <span class="num">{singleValue(dim.axis)}</span>
      </span>
    );
  }
  return <Ramp ends={ends} />;
}

function Ramp({ ends }: { ends: [string, string] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx) return;
    for (let x = 0; x < c.width; x++) {
      ctx.fillStyle = rampColor(x / (c.width - 1));
      ctx.fillRect(x, 0, 1, c.height);
    }
  }, []);
  return (
    <span class="cmp-ramp-legend">
      <span class="num">{ends[0]}</span>
      <canvas ref={ref} class="cmp-ramp" width={120} height={10} aria-hidden="true" />
      <span class="num">{ends[1]}</span>
    </span>
  );
}

const PAD = { top: 46, bottom: 24, side: 64 };

/** Draws the parallel coordinates of `dims` (one line per run) and returns its geometry. */
function drawParallel(
  ctx: CanvasRenderingContext2D,
  w: number,
  h: number,
  hi: number,
  dims: Dim[],
  colorDim: Dim | null,
  n: number,
): Geometry {
  const text = cssVar("--text", "#1b1f24");
  const muted = cssVar("--text-muted", "#5b6470");
  const axisColor = cssVar("--border-strong", "#c3c9d1");
  const accent = cssVar("--accent", "#2563eb");
  const surface = cssVar("--surface", "#ffffff");
  const top = PAD.top;
  const bottom = h - PAD.bottom;
  const span = (w - 2 * PAD.side) / Math.max(1, dims.length - 1);
  const xs = dims.map((_, k) => dims.length === 1 ? w / 2 : PAD.side + k * span);
  const yOf = (t: number) => bottom - t * (bottom - top);

  const lines: [number, number][][][] = [];
  const anchors: ([number, number] | null)[] = [];
  for (let i = 0; i < n; i++) {
    const parts: [number, number][][] = [];
    let cur: [number, number][] = [];
    dims.forEach((d, k) => {
      const t = position(d.axis, d.values[i]);
      if (t === null) {
        if (cur.length) parts.push(cur);
        cur = [];
      } else cur.push([xs[k], yOf(t)]);
    });
    if (cur.length) parts.push(cur);
    lines.push(parts);
    const last = parts.at(-1)?.at(-1);
    anchors.push(last ? [...last] : null);
  }

  // Lines: all runs faintly (more runs, fainter), then the highlighted one on top.
  const alpha = hi >= 0 ? 0.15 : Math.max(0.25, Math.min(0.85, 12 / Math.sqrt(n + 1) / 3));
  const stroke = (i: number, width: number) => {
    ctx.strokeStyle = colorOf(colorDim, i, accent, muted);
    ctx.lineWidth = width;
    for (const part of lines[i]) {
      ctx.beginPath();
      part.forEach(([x, y], k) => k ? ctx.lineTo(x, y) : ctx.moveTo(x, y));
      if (part.length === 1) ctx.arc(part[0][0], part[0][1], 1.5, 0, 2 * Math.PI);
      ctx.stroke();
    }
  };
  ctx.lineJoin = "round";
  ctx.globalAlpha = alpha;
  for (let i = 0; i < n; i++) if (i !== hi) stroke(i, 1.25);
  ctx.globalAlpha = 1;

  // Axes, with their name on top and ticks (numbers or categories) on the left.
  ctx.font = "600 12px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "alphabetic";
  dims.forEach((d, k) => {
    const x = xs[k];
    ctx.strokeStyle = axisColor;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
    ctx.fillStyle = text;
    ctx.font = "600 12px system-ui, sans-serif";
    ctx.textAlign = k === 0 && dims.length > 1
      ? "left"
      : k === dims.length - 1 && k > 0
      ? "right"
      : "center";
    const room = dims.length === 1 ? w - 16 : Math.max(40, span - 8);
    const lx = ctx.textAlign === "left" ? x - 8 : ctx.textAlign === "right" ? x + 8 : x;
    ctx.fillText(fit(ctx, d.key, room), lx, 16);
    ctx.fillStyle = muted;
    ctx.font = "11px system-ui, sans-serif";
    const kind = d.kind === "param" ? "param" : "metric";
    ctx.fillText(d.axis.kind === "num" && d.axis.log ? `${kind} · log` : kind, lx, 30);
  });

  if (hi >= 0 && hi < n) {
    ctx.globalAlpha = 1;
    stroke(hi, 3);
    ctx.fillStyle = colorOf(colorDim, hi, accent, muted);
    for (const part of lines[hi]) {
      for (const [x, y] of part) {
        ctx.beginPath();
        ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }

  // Tick labels last, on the surface colour with a halo, so no line runs through them; each
  // axis labels its minimum and maximum at its ends (see axisTicks).
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  ctx.lineJoin = "round";
  dims.forEach((d, k) => {
    const x = xs[k];
    const ends = d.axis.kind === "num" && d.axis.max !== d.axis.min;
    for (const [t, raw] of axisTicks(d.axis)) {
      const y = yOf(t);
      const label = fit(ctx, raw, PAD.side - 12);
      const tw = ctx.measureText(label).width;
      ctx.fillStyle = surface;
      ctx.globalAlpha = 0.9;
      ctx.fillRect(x - 6 - tw - 3, y - 7, tw + 6, 14);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = surface;
      ctx.lineWidth = 3;
      ctx.strokeText(label, x - 6, y);
      ctx.fillStyle = ends && (t === 0 || t === 1) ? text : muted;
      ctx.fillText(label, x - 6, y);
      ctx.strokeStyle = axisColor;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x - 4, y);
      ctx.lineTo(x, y);
      ctx.stroke();
    }
  });
  ctx.textBaseline = "alphabetic";
  return { lines, anchors };
}

/** Draws the scatter of `xd` against `yd` (one dot per run) and returns its geometry. */
function drawScatter(
  ctx: CanvasRenderingContext2D,
  w: number,
  h: number,
  hi: number,
  xd: Dim,
  yd: Dim,
  colorDim: Dim | null,
  n: number,
): Geometry {
  const text = cssVar("--text", "#1b1f24");
  const muted = cssVar("--text-muted", "#5b6470");
  const grid = cssVar("--border", "#dde1e6");
  const accent = cssVar("--accent", "#2563eb");
  const surface = cssVar("--surface", "#ffffff");
  const L = 70;
  const R = 16;
  const T = 12;
  const B = 48;
  const domain = (a: Axis): [number, number] => {
    if (a.kind !== "num") return [0, 1];
    if (a.max === a.min) {
      const d = Math.abs(a.min) * 0.1 || 1;
      return [a.min - d, a.max + d];
    }
    const pad = (a.max - a.min) * 0.05;
    return [a.min - pad, a.max + pad];
  };
  const [x0, x1] = domain(xd.axis);
  const [y0, y1] = domain(yd.axis);
  const px = (v: number) => L + (v - x0) / (x1 - x0) * (w - L - R);
  const py = (v: number) => h - B - (v - y0) / (y1 - y0) * (h - B - T);

  ctx.font = "11px system-ui, sans-serif";
  ctx.lineWidth = 1;
  ctx.fillStyle = muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of niceTicks(x0, x1, Math.max(2, Math.floor((w - L - R) / 120)))) {
    ctx.strokeStyle = grid;
    ctx.beginPath();
    ctx.moveTo(px(v), T);
    ctx.lineTo(px(v), h - B);
    ctx.stroke();
    ctx.fillText(formatTick(v), px(v), h - B + 6);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of niceTicks(y0, y1, 5)) {
    ctx.strokeStyle = grid;
    ctx.beginPath();
    ctx.moveTo(L, py(v));
    ctx.lineTo(w - R, py(v));
    ctx.stroke();
    ctx.fillText(formatTick(v), L - 6, py(v));
  }
  ctx.fillStyle = text;
  ctx.font = "600 12px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText(fit(ctx, xd.key, w - L - R), L + (w - L - R) / 2, h - 6);
  ctx.save();
  ctx.translate(14, T + (h - B - T) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(fit(ctx, yd.key, h - B - T), 0, 0);
  ctx.restore();

  const lines: [number, number][][][] = [];
  const anchors: ([number, number] | null)[] = [];
  const r = n > 200 ? 3 : 4.5;
  for (let i = 0; i < n; i++) {
    const xv = position(xd.axis, xd.values[i]);
    const yv = position(yd.axis, yd.values[i]);
    if (xv === null || yv === null || xd.axis.kind !== "num" || yd.axis.kind !== "num") {
      lines.push([]);
      anchors.push(null);
      continue;
    }
    const x = px(xd.axis.min + xv * (xd.axis.max - xd.axis.min));
    const y = py(yd.axis.min + yv * (yd.axis.max - yd.axis.min));
    lines.push([[[x, y]]]);
    anchors.push([x, y]);
  }
  const dot = (i: number, radius: number) => {
    const at = anchors[i];
    if (!at) return;
    ctx.beginPath();
    ctx.arc(at[0], at[1], radius, 0, 2 * Math.PI);
    ctx.fillStyle = colorOf(colorDim, i, accent, muted);
    ctx.fill();
    ctx.stroke();
  };
  ctx.strokeStyle = surface;
  ctx.lineWidth = 1;
  ctx.globalAlpha = hi >= 0 ? 0.35 : 0.9;
  for (let i = 0; i < n; i++) if (i !== hi) dot(i, r);
  ctx.globalAlpha = 1;
  if (hi >= 0) {
    ctx.strokeStyle = text;
    ctx.lineWidth = 2;
    dot(hi, r + 3);
  }
  return { lines, anchors };
}

/** Up to 4 params and 3 metrics, the colouring metric last. */
function defaultAxes(dims: Dim[], color: string): string[] {
  const params = dims.filter((d) => d.kind === "param").slice(0, 4).map((d) => d.id);
  const metrics = dims.filter((d) => d.kind === "metric" && d.id !== color).slice(0, color ? 2 : 3)
    .map((d) => d.id);
  return [...params, ...metrics, ...(color ? [color] : [])];
}

function pickSelect(
  label: string,
  value: string,
  dims: Dim[],
  onChange: (v: string) => void,
  none?: string,
) {
  return (
    <label>
      {label}{" "}
      <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {none !== undefined && <option value="">{none}</option>}
        {(["param", "metric"] as const).map((kind) => {
          const group = dims.filter((d) => d.kind === kind);
          return group.length > 0 && (
            <optgroup key={kind} label={kind === "param" ? "Params" : "Metrics"}>
              {group.map((d) => <option key={d.id} value={d.id}>{d.key}</option>)}
            </optgroup>
          );
        })}
      </select>
    </label>
  );
}

/**
 * The compare page's run-level views, drawn on canvases: parallel coordinates (axes: chosen
 * params, numeric or categorical, and metrics; one line per run, coloured by a chosen metric)
 * and a scatter of two numeric columns (one dot per run). Hovering or focusing a run (arrow
 * keys) names it; Enter or a click opens it. Handles hundreds of runs.
 */
export function CompareViews({ runs, params, metrics }: CompareViewsProps) {
  const dims = useMemo<Dim[]>(() => [
    ...params.map((p): Dim => ({
      id: `p:${p.key}`,
      key: p.key,
      kind: "param",
      values: p.values,
      axis: buildAxis(p.values),
    })),
    ...metrics.map((m): Dim => ({
      id: `m:${m.key}`,
      key: m.key,
      kind: "metric",
      values: m.values,
      axis: buildAxis(m.values),
    })),
  ], [params, metrics]);
  const byId = useMemo(() => new Map(dims.map((d) => [d.id, d])), [dims]);
  const metricDims = dims.filter((d) => d.kind === "metric" && d.axis.kind === "num");
  const numeric = dims.filter((d) => d.axis.kind === "num");
  const [color, setColor] = useState(() => {
    const loss = metricDims.find((d) => /loss/i.test(d.key));
    return (loss ?? metricDims[0])?.id ?? "";
  });
  const [axes, setAxes] = useState<string[]>(() => defaultAxes(dims, color));
  const [logAxes, setLogAxes] = useState<string[]>([]);
  const [sx, setSx] = useState(() => numeric.find((d) => d.kind === "param")?.id ?? numeric[0]?.id);
  const [sy, setSy] = useState(() =>
    (numeric.find((d) => d.kind === "metric" && d.id !== sx && /loss/i.test(d.key)) ??
      numeric.find((d) => d.kind === "metric" && d.id !== sx) ??
      numeric.find((d) => d.id !== sx))?.id
  );

  if (dims.length === 0) {
    return <p class="muted">No params that differ and no metrics: nothing to plot.</p>;
  }
  const colorDim = byId.get(color) ?? null;
  const shown = axes.map((id) => byId.get(id)).filter((d): d is Dim => !!d).map((d) =>
    d.axis.kind === "num" && logAxes.includes(d.id) && canLog(d.axis)
      ? { ...d, axis: { ...d.axis, log: true } }
      : d
  );
  const loggable = shown.filter((d) => canLog(d.axis));
  const xd = sx ? byId.get(sx) : undefined;
  const yd = sy ? byId.get(sy) : undefined;
  const toggle = (id: string, on: boolean) =>
    setAxes((a) => on ? [...a.filter((x) => x !== id), id] : a.filter((x) => x !== id));

  return (
    <div class="cmp-views">
      <section aria-labelledby="cmp-parcoords-heading" id="cmp-parcoords">
        <div class="section-head">
          <h2 id="cmp-parcoords-heading">Parallel coordinates</h2>
          <span class="muted">{runs.length} runs</span>
        </div>
        <div class="cmp-panel">
          <div class="chart-controls">
            <KeyPicker
              legend="Axes"
              choices={dims.map((d) => ({ id: d.id, label: d.key, kind: d.kind }))}
              checked={axes}
              onToggle={toggle}
            />
            <div class="chart-options">
              {pickSelect("Colour by", color, metricDims, setColor, "(none)")}
              {colorDim && <RampLegend key={colorDim.id} dim={colorDim} />}
            </div>
            {loggable.length > 0 && (
              <fieldset class="cmp-log" data-log-axes>
                <legend>Log axis</legend>
                {loggable.map((d) => (
                  <label key={d.id}>
                    <input
                      type="checkbox"
                      aria-label={`Log axis for ${d.key}`}
                      checked={logAxes.includes(d.id)}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        setLogAxes((l) => on ? [...l, d.id] : l.filter((x) => x !== d.id));
                      }}
                    />
                    <span class="mono">{d.key}</span>
                  </label>
                ))}
              </fieldset>
            )}
          </div>
          {shown.length === 0 ? <p class="muted">Pick at least one axis.</p> : (
            <CanvasView
              className="cmp-parcoords"
              label={`Parallel coordinates of ${runs.length} runs over ${
                shown.map((d) => d.key).join(", ")
              }`}
              height={380}
              runs={runs}
              radius={6}
              draw={(ctx, w, h, hi) => drawParallel(ctx, w, h, hi, shown, colorDim, runs.length)}
              describe={(i) => (
                <span class="cmp-vals">
                  {shown.map((d) => (
                    <span key={d.id}>
                      <span class="mono">{d.key}</span> {valueText(d.values[i])}
                    </span>
                  ))}
                </span>
              )}
            />
          )}
        </div>
      </section>

      <section aria-labelledby="cmp-scatter-heading" id="cmp-scatter">
        <div class="section-head">
          <h2 id="cmp-scatter-heading">Scatter plot</h2>
        </div>
        <div class="cmp-panel">
          {numeric.length === 0 ? <p class="muted">No numeric params or metrics to plot.</p> : (
            <>
              <div class="chart-options">
                {pickSelect("X", sx ?? "", numeric, setSx)}
                {pickSelect("Y", sy ?? "", numeric, setSy)}
                <span class="muted">
                  Colour: {colorDim ? colorDim.key : "none"} (set above)
                </span>
              </div>
              {xd && yd && (
                <CanvasView
                  className="cmp-scatter"
                  label={`Scatter plot of ${yd.key} against ${xd.key}, one dot per run`}
                  height={360}
                  runs={runs}
                  radius={10}
                  draw={(ctx, w, h, hi) =>
                    drawScatter(ctx, w, h, hi, xd, yd, colorDim, runs.length)}
                  describe={(i) => (
                    <span class="cmp-vals">
                      <span>
                        <span class="mono">{xd.key}</span> {valueText(xd.values[i])}
                      </span>
                      <span>
                        <span class="mono">{yd.key}</span> {valueText(yd.values[i])}
                      </span>
                      {colorDim && colorDim !== xd && colorDim !== yd && (
                        <span>
                          <span class="mono">{colorDim.key}</span> {valueText(colorDim.values[i])}
                        </span>
                      )}
                    </span>
                  )}
                />
              )}
            </>
          )}
        </div>
      </section>
    </div>
  );
}
