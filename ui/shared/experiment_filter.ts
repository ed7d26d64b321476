/**
 * The experiments search box's language, shared by the server-rendered page and the
 * `ExperimentsList` island so both read `?filter=` the same way.
 *
 * @module
 */

/** A query that already uses MLflow's experiment filter grammar: a comparison or `LIKE '…'`. */
const GRAMMAR = /[=<>]|\bi?like\s+['"]/i;

/**
 * Turns what a user typed into an MLflow experiment filter. Text that uses the grammar
 * (`tags.team = 'nlp'`, `name LIKE 'prod-%'`) is passed through unchanged; plain words are a
 * case-insensitive substring match on the name, so typing `bert` finds `my-bert-run`.
 *
 * @example
 * ```ts
 * toExperimentFilter("bert");            // "name ILIKE '%bert%'"
 * toExperimentFilter("o'brien");         // "name ILIKE '%o''brien%'"
 * toExperimentFilter("tags.team = 'a'"); // "tags.team = 'a'"
 * toExperimentFilter("  ");              // ""
 * ```
 */
export function toExperimentFilter(query: string): string {
  const q = query.trim();
  if (q === "" || GRAMMAR.test(q)) return q;
  return `name ILIKE '%${q.replaceAll("'", "''")}%'`;
}

/**
 * The list's order: newest first. The store breaks ties (experiments created in the same
 * millisecond) by `experiment_id DESC`, so the newest stays on top there too.
 */
export const EXPERIMENTS_ORDER: readonly string[] = ["creation_time DESC"];

/** The view toggle's values, as they appear in `?view=`. */
export type ExperimentView = "active" | "deleted" | "all";

/** `?view=` → the API's `view_type`; anything unknown is the default, active only. */
export function parseExperimentView(value: string | null | undefined): ExperimentView {
  return value === "deleted" || value === "all" ? value : "active";
}

/** The API's `view_type` for a view. */
export function viewType(view: ExperimentView): "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL" {
  return view === "deleted" ? "DELETED_ONLY" : view === "all" ? "ALL" : "ACTIVE_ONLY";
}

/**
 * The experiments page URL for a search, so a reload or a shared link shows the same list.
 *
 * @example
 * ```ts
 * experimentsHref("bert", "all"); // "/?filter=bert&view=all"
 * experimentsHref("", "active");  // "/"
 * ```
 */
export function experimentsHref(query: string, view: ExperimentView): string {
  const qs = new URLSearchParams();
  if (query.trim()) qs.set("filter", query.trim());
  if (view !== "active") qs.set("view", view);
  return qs.size ? `/?${qs}` : "/";
}
