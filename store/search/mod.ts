/**
 * The reference search evaluators both store backends call: scope, lifecycle view, filter, order
 * and offset paging over entities already in memory. The KV backend's indexed search must return
 * exactly what these return.
 *
 * @module
 */

import type {
  Experiment,
  Page,
  Run,
  SearchExperimentsOptions,
  SearchRunsOptions,
} from "../types.ts";
import { matchesRunFilter, parseRunFilter } from "./filter.ts";
import { parseRunOrderBy, sortRuns } from "./order_by.ts";
import {
  compareExperiments,
  matchesExperimentFilter,
  parseExperimentFilter,
  parseExperimentOrderBy,
} from "./experiments.ts";
import {
  fingerprint,
  inView,
  pageOf,
  readOffset,
  validateMaxResults,
  validateViewType,
  visiblePageSteps,
} from "./_paging.ts";
import { checkListParam, MAX_SEARCH_EXPERIMENT_IDS } from "./limits.ts";
import { filterSteps, runToEnd, runYielding, type Steps, WorkBudget } from "./budget.ts";

export * from "./filter.ts";
export * from "./order_by.ts";
export * from "./experiments.ts";
export * from "./limits.ts";
export * from "./budget.ts";
// The numeric comparator itself, so index planners give an operator exactly the evaluator's meaning.
export { compareNumbers } from "./_compare.ts";
export {
  DEFAULT_MAX_RESULTS,
  inView,
  MAX_RESULTS_LIMIT,
  validateMaxResults,
  validateViewType,
} from "./_paging.ts";

/**
 * The fingerprint (`q` in page tokens) of a runs query: filter, order, view and the set of
 * experiment ids. `maxResults` is excluded, so the page size may change between pages.
 */
export function runsQueryFingerprint(opts: SearchRunsOptions): string {
  const ids = [...new Set(opts.experimentIds)].sort();
  return fingerprint([
    "runs",
    opts.filter?.trim() ?? "",
    opts.orderBy ?? [],
    opts.runViewType ?? "ACTIVE_ONLY",
    ids,
  ]);
}

/** The fingerprint (`q` in page tokens) of an experiments query: filter, order and view. */
export function experimentsQueryFingerprint(opts: SearchExperimentsOptions): string {
  return fingerprint([
    "experiments",
    opts.filter?.trim() ?? "",
    opts.orderBy ?? [],
    opts.viewType ?? "ACTIVE_ONLY",
  ]);
}

/**
 * Searches experiments in memory (§6.4): view type (default `ACTIVE_ONLY`), filter, order,
 * then one page of the experiments `opts.visible` accepts, refilled past hidden ones. Every argument is validated before any work; invalid ones throw
 * `INVALID_PARAMETER_VALUE`, as does a search over `budget` (store/search/budget.ts).
 *
 * @example
 * ```ts
 * const page = searchExperimentsIn(all, { filter: "name LIKE 'a%'", maxResults: 10 });
 * ```
 */
export function searchExperimentsIn(
  all: Iterable<Experiment>,
  opts: SearchExperimentsOptions,
  budget: WorkBudget = new WorkBudget(),
): Page<Experiment> {
  return runToEnd(experimentsSearch(all, opts, budget));
}

/** {@linkcode searchExperimentsIn} pausing for the event loop as its budget asks (the stores'). */
export function searchExperimentsYielding(
  all: Iterable<Experiment>,
  opts: SearchExperimentsOptions,
  budget: WorkBudget = new WorkBudget(),
): Promise<Page<Experiment>> {
  return runYielding(experimentsSearch(all, opts, budget), budget);
}

function* experimentsSearch(
  all: Iterable<Experiment>,
  opts: SearchExperimentsOptions,
  budget: WorkBudget,
): Steps<Page<Experiment>> {
  const max = validateMaxResults(opts.maxResults);
  const view = validateViewType(opts.viewType);
  const filter = parseExperimentFilter(opts.filter);
  const order = parseExperimentOrderBy(opts.orderBy);
  const fp = experimentsQueryFingerprint(opts);
  const offset = readOffset(opts.pageToken, fp);
  const matched = yield* filterSteps(
    all,
    (e) => inView(e.lifecycle_stage, view) && matchesExperimentFilter(filter, e),
    budget,
  );
  matched.sort((a, b) => compareExperiments(a, b, order));
  const visible = opts.visible;
  const readable = visible && ((e: Experiment) => visible(e.experiment_id));
  return yield* visiblePageSteps(matched, offset, max, fp, readable, budget);
}

/**
 * Searches runs in memory (§6.1–6.3): runs of `experimentIds` only (an empty list gives an empty
 * page), `runViewType` on the run's lifecycle (default `ACTIVE_ONLY`), filter, order (default
 * `start_time DESC, run_id ASC`), then one page of `maxResults` (default 1000, at most 50000).
 * A `nextPageToken` is returned only when more runs exist; it is rejected by any other query.
 * Every argument is validated before `runs` is read; a search over `budget` is refused.
 *
 * @example
 * ```ts
 * const page = searchRunsIn(runs, { experimentIds: ["1"], filter: "metrics.acc > 0.9" });
 * const next = searchRunsIn(runs, { experimentIds: ["1"], filter: "metrics.acc > 0.9",
 *   pageToken: page.nextPageToken });
 * ```
 */
export function searchRunsIn(
  runs: Iterable<Run>,
  opts: SearchRunsOptions,
  budget: WorkBudget = new WorkBudget(),
): Page<Run> {
  return runToEnd(runsSearch(runs, opts, budget));
}

/** {@linkcode searchRunsIn} pausing for the event loop as its budget asks (the stores'). */
export function searchRunsYielding(
  runs: Iterable<Run>,
  opts: SearchRunsOptions,
  budget: WorkBudget = new WorkBudget(),
): Promise<Page<Run>> {
  return runYielding(runsSearch(runs, opts, budget), budget);
}

function* runsSearch(
  runs: Iterable<Run>,
  opts: SearchRunsOptions,
  budget: WorkBudget,
): Steps<Page<Run>> {
  const max = validateMaxResults(opts.maxResults);
  const view = validateViewType(opts.runViewType);
  checkListParam("experiment_ids", opts.experimentIds, MAX_SEARCH_EXPERIMENT_IDS);
  const filter = parseRunFilter(opts.filter);
  const order = parseRunOrderBy(opts.orderBy);
  const fp = runsQueryFingerprint(opts);
  const offset = readOffset(opts.pageToken, fp);
  const scope = new Set(opts.experimentIds);
  if (scope.size === 0) return { items: [] };
  const matched = yield* filterSteps(
    runs,
    (run) =>
      scope.has(run.info.experiment_id) && inView(run.info.lifecycle_stage, view) &&
      matchesRunFilter(filter, run),
    budget,
  );
  return pageOf(sortRuns(matched, order), offset, max, fp);
}
