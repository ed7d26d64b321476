/**
 * The experiment page's chart view state, as its URL carries it next to the runs table's:
 * `?view=charts` turns it on (beside `?view=deleted|all`, which still picks the lifecycle), then
 * `hide=<run id>` and `pin=<run id>` (repeated), `group=params.<key>|tags.<key>`, `card=<metric>`
 * (repeated: the cards' order, keys not listed follow in name order), `cq=` (the card search),
 * `x=step|wall|relative`, `logy=<metric>` (repeated: cards with a log y axis) and `smooth=0.6`.
 * Pure, so the server's first paint and the island read a link the same way.
 *
 * @module
 */
import { API_BASE, bulkHistoryPath } from "../api.ts";
import { apiX, type XMode } from "../run_page/chart_data.ts";

/** Everything about the chart view a URL carries. */
export interface ChartViewState {
  /** Runs not drawn (still listed, with their eye crossed out). */
  hidden: string[];
  /** Runs kept in the charts when the search no longer finds them. */
  pinned: string[];
  /** `params.<key>` or `tags.<key>` to group runs by; empty for one line per run. */
  group: string;
  /** Metric keys in the user's card order (the rest follow, sorted). */
  order: string[];
  /** The card search (a substring of the metric key, any case). */
  search: string;
  x: XMode;
  /** Metric keys whose card has a log y axis. */
  log: string[];
  /** EMA smoothing weight, 0 (raw) to 0.99. */
  smooth: number;
}

/** The chart view with nothing chosen yet. */
export function emptyChartState(): ChartViewState {
  return {
    hidden: [],
    pinned: [],
    group: "",
    order: [],
    search: "",
    x: "step",
    log: [],
    smooth: 0,
  };
}

const uniq = (xs: string[]) => [...new Set(xs.filter((x) => x !== ""))];

/** Whether `id` is a key to group by: `params.<key>` or `tags.<key>`. */
export function isGroupKey(id: string): boolean {
  return /^(params|tags)\../.test(id);
}

/** Reads the chart view from a query string; null when `?view=charts` is absent. */
export function parseChartState(params: URLSearchParams): ChartViewState | null {
  if (!params.getAll("view").includes("charts")) return null;
  const x = params.get("x");
  const smooth = Number(params.get("smooth") ?? 0);
  const group = params.get("group") ?? "";
  return {
    hidden: uniq(params.getAll("hide")),
    pinned: uniq(params.getAll("pin")),
    group: isGroupKey(group) ? group : "",
    order: uniq(params.getAll("card")),
    search: params.get("cq") ?? "",
    x: x === "wall" || x === "relative" ? x : "step",
    log: uniq(params.getAll("logy")),
    smooth: Number.isFinite(smooth) ? Math.min(0.99, Math.max(0, smooth)) : 0,
  };
}

/** Appends `state` to `qs` the way {@linkcode parseChartState} reads it back. */
export function appendChartState(qs: URLSearchParams, state: ChartViewState): void {
  qs.append("view", "charts");
  for (const id of state.hidden) qs.append("hide", id);
  for (const id of state.pinned) qs.append("pin", id);
  if (state.group) qs.set("group", state.group);
  for (const k of state.order) qs.append("card", k);
  if (state.search) qs.set("cq", state.search);
  if (state.x !== "step") qs.set("x", state.x);
  for (const k of state.log) qs.append("logy", k);
  if (state.smooth > 0) qs.set("smooth", String(state.smooth));
}

/**
 * The cards' keys in display order: the user's `order` first (keys still present), then the rest
 * sorted; then only those matching `search` (a case-insensitive substring).
 */
export function cardKeys(keys: readonly string[], order: readonly string[], search: string) {
  const present = new Set(keys);
  const first = order.filter((k) => present.has(k));
  const rest = [...keys].filter((k) => !first.includes(k)).sort((a, b) => a.localeCompare(b));
  const q = search.trim().toLowerCase();
  return [...first, ...rest].filter((k) => !q || k.toLowerCase().includes(q));
}

/**
 * The full card order after moving `key` one place earlier (`-1`) or later (`+1`) among `shown`
 * (the cards on screen, so a move never jumps over a card the search hides from view);
 * `all` is every card in its current order.
 */
export function moveCard(
  all: readonly string[],
  shown: readonly string[],
  key: string,
  by: -1 | 1,
) {
  const i = shown.indexOf(key);
  const other = shown[i + by];
  if (i < 0 || other === undefined) return [...all];
  const out = [...all];
  const a = out.indexOf(key);
  const b = out.indexOf(other);
  [out[a], out[b]] = [out[b], out[a]];
  return out;
}

/**
 * Buckets per run of a card's bulk request: about 5,000 per card shared by its runs, between 50
 * and 500 each. Each bucket keeps its min and max, so spikes survive; 100 overlaid runs of a
 * 400-pixel-wide card need no more than 50 each, and fewer points keep the reply under ~1 MB.
 */
export function chartBuckets(runs: number): number {
  return Math.max(50, Math.min(500, Math.floor(5000 / Math.max(1, runs))));
}

/** Most runs drawn: one bulk request takes at most this many. */
export const MAX_CHART_RUNS = 100;

/** What the chart view needs of a run to place it. */
interface RunRef {
  info: { run_id: string };
  data: { metrics: { key: string }[] };
}

/** The runs the charts draw: pinned ones first, then the table's, at most {@linkcode MAX_CHART_RUNS}. */
export function chartedRuns<R extends RunRef>(pinned: readonly R[], runs: readonly R[]): R[] {
  const ids = new Set(pinned.map((r) => r.info.run_id));
  return [...pinned, ...runs.filter((r) => !ids.has(r.info.run_id))].slice(0, MAX_CHART_RUNS);
}

/** The ids of `runs` that logged `key`, in order: one card's bulk request. */
export function runIdsWithKey(runs: readonly RunRef[], key: string): string[] {
  return runs.filter((r) => r.data.metrics.some((m) => m.key === key)).map((r) => r.info.run_id);
}

/** The bulk request of one card, before any zoom: what the page sends or preloads and the card asks. */
export interface CardRequest {
  /** The metric key (the card). */
  key: string;
  /** The runs that logged it, in drawing order. */
  runIds: string[];
  buckets: number;
  x: "step" | "timestamp";
  /** The request's URL: both the page and the card build it here, so they match byte for byte. */
  url: string;
}

/** The bulk request of card `key` over `ids`, before any zoom. */
export function cardRequest(ids: string[], key: string, x: XMode): CardRequest {
  const buckets = chartBuckets(ids.length);
  const ax = apiX(x);
  return {
    key,
    runIds: ids,
    buckets,
    x: ax,
    url: `${API_BASE}${bulkHistoryPath(ids, key, { buckets, x: ax })}`,
  };
}

/**
 * The cards' first requests, in card order, for the page to answer inside itself or preload
 * (`<link rel="preload" as="fetch">`) so the cards need not wait for a round trip; none when a
 * pinned run is missing from `runs` (the view fetches it first, so its requests would differ).
 */
export function chartRequests(runs: readonly RunRef[], state: ChartViewState): CardRequest[] {
  const byId = new Map(runs.map((r) => [r.info.run_id, r]));
  if (!state.pinned.every((id) => byId.has(id))) return [];
  const shown = chartedRuns(state.pinned.map((id) => byId.get(id)!), runs);
  const keys = new Set(shown.flatMap((r) => r.data.metrics.map((m) => m.key)));
  return cardKeys([...keys], state.order, state.search).map((key) =>
    cardRequest(runIdsWithKey(shown, key), key, state.x)
  );
}
