/**
 * `createMemoryStore()`: the tracking store over plain Maps. It keeps the `TrackingStore`
 * interface honest next to the Deno KV backend and serves tests; nothing is persisted.
 *
 * @module
 */
import type { PurgeMethods } from "../purge_types.ts";
import { SEARCH_TIME_BUDGET_MS } from "../search/budget.ts";
import type { TrackingStore } from "../types.ts";
import { withValidation } from "../validation.ts";
import { experimentMethods, insertExperiment } from "./experiments.ts";
import { loggedModelMethods } from "./logged_models.ts";
import { metricMethods } from "./metrics.ts";
import { registryMethods } from "./registry.ts";
import { purgeMethods } from "./purge.ts";
import { runDataMethods } from "./run_data.ts";
import { runMethods } from "./runs.ts";
import { asAsync, type MemoryState } from "./state.ts";

/** Options of {@linkcode createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Root of default experiment artifact locations; `mlflow-artifacts:/` when absent. */
  defaultArtifactRoot?: string;
  /** Roots an explicit `artifact_location` may use; the default root when absent. */
  allowedArtifactRoots?: string[];
  /** The clock for times written into entities (see `store/clock.ts`); default `Date.now`. */
  now?: () => number;
  /** Evaluation time a run search may spend before its 400; default `SEARCH_TIME_BUDGET_MS`. */
  searchTimeBudgetMs?: number;
}

/**
 * Creates an empty in-memory store holding only experiment `"0"` (`Default`), wrapped in
 * {@linkcode withValidation}. Experiments get `<root>/<id>` as their default artifact location.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const expId = await store.createExperiment({ name: "demo" }); // "1"
 * const run = await store.createRun({ experimentId: expId });
 * ```
 */
export function createMemoryStore(opts: MemoryStoreOptions = {}): TrackingStore {
  const state: MemoryState = {
    defaultArtifactRoot: opts.defaultArtifactRoot ?? "mlflow-artifacts:/",
    nextExperimentId: 0,
    experiments: new Map(),
    runs: new Map(),
    loggedModels: new Map(),
    now: opts.now ?? Date.now,
    searchTimeBudgetMs: opts.searchTimeBudgetMs ?? SEARCH_TIME_BUDGET_MS,
  };
  insertExperiment(state, "Default", undefined, []);
  const raw: TrackingStore = {
    ...asAsync<Omit<TrackingStore, keyof PurgeMethods>>({
      ...experimentMethods(state),
      ...runMethods(state),
      ...runDataMethods(state),
      ...metricMethods(state),
      ...loggedModelMethods(state),
      ...registryMethods(state),
    }),
    ...purgeMethods(state),
  };
  return withValidation(raw, {
    allowedArtifactRoots: opts.allowedArtifactRoots ?? [state.defaultArtifactRoot],
  });
}
