/**
 * The runs table's view state and pure helpers, shared by the `/experiments/:id` page handler
 * (first render) and the `RunsTable` island, so both read the URL the same way: `?filter=`
 * (run filter grammar), `?order=` (one `order_by` clause), `?view=active|deleted|all`,
 * `?col=metrics.acc` (repeated: extra columns) and `?sel=<run id>` (repeated: selected runs).
 *
 * @module
 */
import type { Run, ViewType } from "../../../store/types.ts";
import { appendChartState, type ChartViewState, parseChartState } from "./chart_state.ts";
import { type DatasetRef, datasetsOf, type ModelRef, modelsOf } from "./run_links.ts";

/** The Active / Deleted / All toggle, as it appears in `?view=`. */
export type RunsView = "active" | "deleted" | "all";

/** Everything about the table a URL carries. */
export interface RunsTableState {
  filter: string;
  /** One `order_by` clause, e.g. ``metrics.`acc` DESC``; empty for the default order. */
  order: string;
  view: RunsView;
  /** Extra columns as `metrics.<key>`, `params.<key>` or `tags.<key>`. */
  cols: string[];
  /** Selected run ids. */
  sel: string[];
  /** The chart view (`?view=charts`, see chart_state.ts) instead of the table, when present. */
  charts?: ChartViewState;
}

/** The type of an extra column. */
export type ColumnType = "metrics" | "params" | "tags";

/** A parsed extra column. */
export interface ExtraColumn {
  id: string;
  type: ColumnType;
  key: string;
}

/** The tag that nests a run under its parent. */
export const PARENT_TAG = "mlflow.parentRunId";
/** The tag shown in the Source column. */
export const SOURCE_TAG = "mlflow.source.name";

/** A run as the table keeps it: info, latest metrics, params and the tags it can show. */
export interface TableRun {
  info: Run["info"];
  data: Run["data"];
  /** The Dataset column: the run's dataset inputs (absent: none). */
  datasets?: DatasetRef[];
  /** The Models column: the run's logged models (absent: none). */
  models?: ModelRef[];
}

/** `mlflow.*` tags longer than this are dropped from table rows (model history, notes…). */
const MAX_SYSTEM_TAG = 256;

/**
 * Keeps what the table shows, so island props stay small: inputs and outputs become the Dataset
 * and Models cells' short lists, and long `mlflow.*` tags (model history, notes) are dropped —
 * short ones stay, as columns the chooser may show.
 */
export function slimRun(run: Run | TableRun): TableRun {
  // A row slimmed before keeps its lists (its inputs and model history are gone).
  const datasets = (run as TableRun).datasets ?? datasetsOf(run as Run);
  const models = (run as TableRun).models ?? modelsOf(run as Run);
  return {
    info: run.info,
    data: {
      metrics: run.data.metrics ?? [],
      params: run.data.params ?? [],
      tags: (run.data.tags ?? []).filter((t) =>
        !t.key.startsWith("mlflow.") || t.value.length <= MAX_SYSTEM_TAG
      ),
    },
    ...(datasets.length ? { datasets } : {}),
    ...(models.length ? { models } : {}),
  };
}

/** `?view=` → a view; anything unknown is active. */
export function parseRunsView(value: string | null | undefined): RunsView {
  return value === "deleted" || value === "all" ? value : "active";
}

/** The API's `run_view_type` of a view. */
export function runViewType(view: RunsView): ViewType {
  return view === "deleted" ? "DELETED_ONLY" : view === "all" ? "ALL" : "ACTIVE_ONLY";
}

/** Parses `metrics.acc` (split at the first dot); null for anything else. */
export function parseColumn(id: string): ExtraColumn | null {
  const dot = id.indexOf(".");
  if (dot < 0) return null;
  const type = id.slice(0, dot);
  const key = id.slice(dot + 1);
  if (!key || (type !== "metrics" && type !== "params" && type !== "tags")) return null;
  return { id, type, key };
}

/** Reads the state from a query string (the server and the island both call this). */
export function parseRunsState(params: URLSearchParams): RunsTableState {
  const uniq = (xs: string[]) => [...new Set(xs.filter((x) => x !== ""))];
  return {
    filter: params.get("filter") ?? "",
    order: (params.get("order") ?? "").trim(),
    // `view` repeats: one lifecycle (active / deleted / all) and maybe `charts`.
    view: parseRunsView(params.getAll("view").find((v) => v !== "charts")),
    cols: uniq(params.getAll("col")).filter((c) => parseColumn(c) !== null),
    sel: uniq(params.getAll("sel")),
    ...(parseChartState(params) ? { charts: parseChartState(params)! } : {}),
  };
}

/** The query string (with `?`, or empty) that {@linkcode parseRunsState} reads back. */
export function runsStateQuery(state: RunsTableState): string {
  const qs = new URLSearchParams();
  if (state.filter.trim()) qs.set("filter", state.filter.trim());
  if (state.order) qs.set("order", state.order);
  if (state.view !== "active") qs.set("view", state.view);
  for (const c of state.cols) qs.append("col", c);
  for (const s of state.sel) qs.append("sel", s);
  if (state.charts) appendChartState(qs, state.charts);
  return qs.size ? `?${qs}` : "";
}

/** The search's `order_by` for a state. */
export function orderByOf(state: RunsTableState): string[] | undefined {
  return state.order ? [state.order] : undefined;
}

/**
 * An `order_by` identifier with its key quoted: ``metrics.`val acc` ``. Backticks inside a key
 * fall back to double quotes.
 */
export function quotedField(type: string, key: string): string {
  return key.includes("`") ? `${type}."${key}"` : `${type}.\`${key}\``;
}

/** Splits an `order` clause into its field and direction (`ASC` when absent). */
export function splitOrder(order: string): { field: string; desc: boolean } | null {
  const m = /^(.*?)(?:\s+(ASC|DESC))?$/i.exec(order.trim());
  if (!m || !m[1]) return null;
  return { field: m[1], desc: (m[2] ?? "").toUpperCase() === "DESC" };
}

/** The latest value of metric / param / tag `col` of a run, or undefined. */
export function cellValue(run: TableRun, col: ExtraColumn): number | string | undefined {
  const list = col.type === "metrics"
    ? run.data.metrics
    : col.type === "params"
    ? run.data.params
    : run.data.tags;
  return (list as { key: string; value: number | string }[]).find((x) => x.key === col.key)?.value;
}

/** A metric value as text: up to 6 significant digits. */
export function formatValue(v: number | string | undefined): string {
  if (v === undefined) return "";
  if (typeof v === "number") {
    return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
  }
  return v;
}

/** The keys seen on `runs`, per type, sorted; tags exclude `mlflow.*`. */
export function seenKeys(runs: readonly TableRun[]): Record<ColumnType, string[]> {
  const sets = { metrics: new Set<string>(), params: new Set<string>(), tags: new Set<string>() };
  for (const r of runs) {
    for (const m of r.data.metrics) sets.metrics.add(m.key);
    for (const p of r.data.params) sets.params.add(p.key);
    for (const t of r.data.tags) if (!t.key.startsWith("mlflow.")) sets.tags.add(t.key);
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { metrics: sorted(sets.metrics), params: sorted(sets.params), tags: sorted(sets.tags) };
}

/** One displayed row: the run, its nesting depth and how many children it has on the page. */
export interface TreeRow {
  run: TableRun;
  depth: number;
  children: number;
}

/** A run's parent id (tag `mlflow.parentRunId`), if any. */
export function parentOf(run: TableRun): string | undefined {
  return run.data.tags.find((t) => t.key === PARENT_TAG)?.value;
}

/**
 * Orders `runs` for display: a run whose parent is also loaded goes right after it (depth + 1),
 * keeping the search order among siblings; children of a collapsed parent are left out.
 */
export function treeRows(runs: readonly TableRun[], collapsed: ReadonlySet<string>): TreeRow[] {
  const byId = new Map(runs.map((r) => [r.info.run_id, r]));
  const kids = new Map<string, TableRun[]>();
  const roots: TableRun[] = [];
  for (const r of runs) {
    const p = parentOf(r);
    if (p && p !== r.info.run_id && byId.has(p)) {
      const list = kids.get(p) ?? [];
      list.push(r);
      kids.set(p, list);
    } else roots.push(r);
  }
  const out: TreeRow[] = [];
  const seen = new Set<string>();
  const walk = (r: TableRun, depth: number) => {
    if (seen.has(r.info.run_id)) return;
    seen.add(r.info.run_id);
    const children = kids.get(r.info.run_id) ?? [];
    out.push({ run: r, depth, children: children.length });
    if (!collapsed.has(r.info.run_id)) { for (const c of children) walk(c, depth + 1); }
  };
  for (const r of roots) walk(r, 0);
  // Parent cycles leave runs unreachable from a root: show them flat rather than lose them.
  for (const r of runs) {
    if (!seen.has(r.info.run_id) && !isHiddenChild(r, byId, collapsed)) walk(r, 0);
  }
  return out;
}

function isHiddenChild(
  r: TableRun,
  byId: Map<string, TableRun>,
  collapsed: ReadonlySet<string>,
): boolean {
  // Walks up the parent chain (bounded: cycles stop at the first repeat).
  const visited = new Set<string>([r.info.run_id]);
  let p = parentOf(r);
  while (p && byId.has(p) && !visited.has(p)) {
    if (collapsed.has(p)) return true;
    visited.add(p);
    p = parentOf(byId.get(p)!);
  }
  return false;
}
