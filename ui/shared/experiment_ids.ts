/**
 * Several experiments' runs in one table: the page `/experiments/compare/<id>,<id>,…` (ids in the
 * path, so the runs table's own query string — filter, order, view, columns, selection — works
 * there as on one experiment's page). The experiments list links to it from its ticked rows, and
 * MLflow's `#/compare-experiments/s?experiments=[…]` links are mapped onto it.
 *
 * @example
 * ```ts
 * compareExperimentsHref(["1", "7"]);   // "/experiments/compare/1,7"
 * parseExperimentIds("1,7,1");          // { ids: ["1", "7"], error: null }
 * ```
 *
 * @module
 */

/** Most experiments in one table (search-runs takes more, but a table of 20 is already wide). */
export const MAX_COMPARE_EXPERIMENTS = 20;

/** What an experiment id may look like in this page's path. */
const EXPERIMENT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The page showing the runs of `ids` in one table. */
export function compareExperimentsHref(ids: readonly string[]): string {
  return `/experiments/compare/${ids.map(encodeURIComponent).join(",")}`;
}

/** The ids of a `1,7,…` path segment, and why it cannot be shown (none, malformed, too many). */
export function parseExperimentIds(segment: string): { ids: string[]; error: string | null } {
  const ids = [...new Set(segment.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
  if (ids.length === 0) {
    return { ids, error: "Tick two or more experiments in the list, then press Compare." };
  }
  const bad = ids.find((id) => !EXPERIMENT_ID_RE.test(id));
  if (bad !== undefined) {
    return { ids: [], error: `“${bad.slice(0, 40)}” is not an experiment ID.` };
  }
  if (ids.length > MAX_COMPARE_EXPERIMENTS) {
    return {
      ids: [],
      error: `One table shows the runs of at most ${MAX_COMPARE_EXPERIMENTS} experiments; ` +
        `this link names ${ids.length}.`,
    };
  }
  return { ids, error: null };
}
