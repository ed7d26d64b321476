/**
 * Which metrics a page's charts show, as its URL carries them: `?metric=<key>`, repeated, on the
 * run page (`/runs/<id>?metric=loss`) and the compare page (`/compare?runs=…&metric=loss`). The
 * server passes the values to the chart island, so the first paint already shows those charts;
 * the island writes the user's picks back with `replaceState`, so a reload or a shared link keeps
 * them. MLflow's `#/metric/<key>?…` links are mapped onto it (ui/shared/mlflow_links.ts).
 *
 * @example
 * ```ts
 * chartKeysFromUrl(["acc", "nope"], ["acc", "loss"]); // ["acc"]
 * withChartKeys("/runs/r1?artifact=a#x", ["loss"]);    // "/runs/r1?artifact=a&metric=loss#x"
 * ```
 *
 * @module
 */

/** The query parameter naming a charted metric (repeated for several). */
export const CHART_KEY_PARAM = "metric";

/** Most `?metric=` values read; more than anyone ticks by hand. */
export const MAX_CHART_KEYS = 100;

/**
 * The metrics `values` (the URL's `?metric=`) ask to chart that exist in `available`, in the
 * URL's order without repeats; null when none does, so the page picks its default.
 */
export function chartKeysFromUrl(
  values: readonly string[] | undefined,
  available: readonly string[],
): string[] | null {
  const known = new Set(available);
  const keys = [...new Set((values ?? []).slice(0, MAX_CHART_KEYS))].filter((k) => known.has(k));
  return keys.length ? keys : null;
}

/**
 * `href` (path, query and fragment, or a full URL: the result is path, query and fragment) with
 * its `?metric=` values replaced by `keys`. Other parameters are kept as written (`runs=a,b`
 * stays readable), and so is the fragment.
 */
export function withChartKeys(href: string, keys: readonly string[]): string {
  const url = new URL(href, "http://x");
  const kept = url.search.slice(1).split("&")
    .filter((p) => p !== "" && !p.startsWith(`${CHART_KEY_PARAM}=`) && p !== CHART_KEY_PARAM);
  const added = keys.map((k) => new URLSearchParams({ [CHART_KEY_PARAM]: k }).toString());
  const query = [...kept, ...added].join("&");
  return `${url.pathname}${query ? `?${query}` : ""}${url.hash}`;
}

/** Cards drawn when the page opens; more are a tick away in the metric picker. */
export const DEFAULT_CARDS = 8;

/** The compare page's first chart: a loss-like metric if there is one, else the first key. */
export function defaultKeys(keys: string[]): string[] {
  const loss = keys.find((k) => /loss/i.test(k));
  return loss ? [loss] : keys.slice(0, 1);
}

/**
 * The run page's cards shown first: up to {@linkcode DEFAULT_CARDS} metrics, loss-like ones
 * first (what people look at first), then the rest in key order.
 */
export function defaultCards(keys: string[]): string[] {
  return lossFirst(keys).slice(0, DEFAULT_CARDS);
}

/** `keys` with loss-like ones first, each group in its given order: the order of the cards. */
export function lossFirst(keys: string[]): string[] {
  const loss = (k: string) => /loss/i.test(k);
  return [...keys.filter(loss), ...keys.filter((k) => !loss(k))];
}

/**
 * The charts the run page opens with: the URL's metrics (`?metric=`) that the run has, else
 * {@linkcode defaultCards}. The server sends these cards' first reads inside the page.
 */
export function initialCards(chartKeys: readonly string[] | undefined, keys: string[]): string[] {
  return chartKeysFromUrl(chartKeys, keys) ?? defaultCards(keys);
}
