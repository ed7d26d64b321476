/**
 * The Deno KV tracking store. Works on a local KV file, `:memory:`, KV Connect, and Deno Deploy's
 * managed KV, with any number of processes or isolates sharing one database: every invariant is
 * held by atomic checks, never by in-process locks.
 *
 * @module
 */
import { HistoryCache } from "./history_cache.ts";
import { SEARCH_TIME_BUDGET_MS } from "../search/budget.ts";
import type { TrackingStore } from "../types.ts";
import { withValidation } from "../validation.ts";
import { Committer } from "./committer.ts";
import { type CommitLimits, REMOTE_KV_COMMIT_LIMITS } from "./commit_limits.ts";
import { RunCache } from "./run_cache.ts";
import {
  createExperiment,
  ensureDefaultExperiment,
  getExperiment,
  getExperimentByName,
  getExperimentNames,
  renameExperiment,
  searchExperiments,
  setExperimentStage,
  setExperimentTimes,
  writeExperimentTag,
} from "./experiments.ts";
import { deleteTag, logBatch, logInputs, logModel } from "./run_data.ts";
import { createRun, setRunDeleted, updateRun } from "./runs.ts";
import { readRun } from "./run_read.ts";
import { type KvContext, RunExperiments } from "./run_write.ts";
import { getMetricHistory, getMetricHistoryColumns } from "./history_read.ts";
import { searchRuns } from "./run_search.ts";
import { listExperimentKeys } from "./experiment_keys.ts";
import { sweepAbandonedStagings } from "./staged_batch.ts";
import { STAGING_SWEEP_INTERVAL_MS, startStagingSweeper } from "./staging_sweeper.ts";
import { loggedModelMethods } from "./logged_models.ts";
import { registryMethods } from "./registry.ts";
import { prepareSchema } from "./schema.ts";
import { purgeMethods } from "./purge.ts";

export { SchemaTooNewError } from "./schema.ts";
import { observeKv, type StoreObserver } from "./observer.ts";

/** Options of {@linkcode createKvStore}. */
export interface KvStoreOptions {
  /** Root of new experiments' artifact locations; default `mlflow-artifacts:/`. */
  defaultArtifactRoot?: string;
  /** Roots an explicit `artifact_location` may use; the default root when absent. */
  allowedArtifactRoots?: string[];
  /**
   * How often (ms) batches abandoned by crashed writers are swept while the store is open;
   * default `STAGING_SWEEP_INTERVAL_MS` (10 minutes), `0` to sweep only when the store opens.
   */
  stagingSweepIntervalMs?: number;
  /** Age (ms) after which an unfinished staging counts as abandoned; default one hour. */
  abandonedStagingAfterMs?: number;
  /**
   * What one atomic commit may hold on this backend: `commitLimitsFor(path)` of the path given
   * to `Deno.openKv`. Default `REMOTE_KV_COMMIT_LIMITS`, the strictest (denokv's 10 checks),
   * which is safe on any backend; a local file allows larger merged commits.
   */
  commitLimits?: CommitLimits;
  /**
   * Progress of the schema migrations an older database gets at open (see `schema.ts`); the
   * server prints them on stderr. Silent by default.
   */
  onMigrationProgress?: (message: string) => void;
  /**
   * The clock for times written into entities (see `store/clock.ts`); default `Date.now`. An
   * import sets it to each recorded time; never used for retries, leases or sweeps.
   */
  now?: () => number;
  /** Told of commits, conflicts, lock retries, staged batches and points (routes/monitoring/). */
  observer?: StoreObserver;
  /** Evaluation time a run search may spend before its 400; default `SEARCH_TIME_BUDGET_MS`. */
  searchTimeBudgetMs?: number;
}

/** The KV store, with a way to stop its background work (tests; a server just exits). */
export interface KvTrackingStore extends TrackingStore {
  /**
   * Stops the background sweep of abandoned batches; resolves once a sweep in progress has
   * finished. It also stops by itself once the database is closed.
   */
  stopBackgroundWork(): Promise<void>;
}

/**
 * Opens the tracking store on a Deno KV database: brings an older schema up to date (an empty
 * database is stamped with the current version), makes sure experiment `0` (`Default`) exists,
 * sweeps batches abandoned by crashed writers, and keeps sweeping them in the background (an
 * unref'd timer, see `staging_sweeper.ts`).
 *
 * @throws {SchemaTooNewError} when a newer kvflow has written the database.
 *
 * @example
 * ```ts
 * const store = await createKvStore(await Deno.openKv("./mlruns.kv"));
 * const id = await store.createExperiment({ name: "demo" });
 * ```
 */
export async function createKvStore(
  kv: Deno.Kv,
  opts: KvStoreOptions = {},
): Promise<KvTrackingStore> {
  const { observer } = opts;
  // Every commit below (the committer's, the sweeper's, index builds) is then reported.
  if (observer) kv = observeKv(kv, observer);
  const limits = opts.commitLimits ?? REMOTE_KV_COMMIT_LIMITS;
  const ctx: KvContext = {
    kv,
    committer: new Committer(kv, limits),
    limits,
    runCache: new RunCache(),
    historyCache: new HistoryCache(),
    runExperiments: new RunExperiments(),
    runQueues: new Map(),
    expCache: new Map(),
    defaultArtifactRoot: opts.defaultArtifactRoot ?? "mlflow-artifacts:/",
    now: opts.now ?? Date.now,
    observer,
    searchTimeBudgetMs: opts.searchTimeBudgetMs ?? SEARCH_TIME_BUDGET_MS,
  };
  // Issued together, so a cold isolate on a current store pays one round trip for the schema
  // version and Default (one batched read), beside the sweep's list. Neither writes before the
  // schema check: it must see an empty database empty to stamp it, and a newer store is left
  // alone.
  const schema = prepareSchema(kv, { limits, onProgress: opts.onMigrationProgress });
  await Promise.all([
    schema,
    ensureDefaultExperiment(ctx, schema),
    sweepAbandonedStagings(kv, Date.now(), opts.abandonedStagingAfterMs, schema),
  ]);
  const sweepEvery = opts.stagingSweepIntervalMs ?? STAGING_SWEEP_INTERVAL_MS;
  const sweeper = sweepEvery > 0
    ? startStagingSweeper(kv, {
      intervalMs: sweepEvery,
      abandonedAfterMs: opts.abandonedStagingAfterMs,
    })
    : null;
  const store: TrackingStore = {
    createExperiment: (input) => createExperiment(ctx, input),
    getExperiment: (id) => getExperiment(ctx, id),
    getExperimentNames: (ids) => getExperimentNames(ctx, ids),
    getExperimentByName: (name) => getExperimentByName(ctx, name),
    searchExperiments: (o) => searchExperiments(ctx, o),
    renameExperiment: (id, name) => renameExperiment(ctx, id, name),
    deleteExperiment: (id) => setExperimentStage(ctx, id, "deleted"),
    restoreExperiment: (id) => setExperimentStage(ctx, id, "active"),
    setExperimentTag: (id, k, v) => writeExperimentTag(ctx, id, k, v),
    deleteExperimentTag: (id, k) => writeExperimentTag(ctx, id, k, null),
    setExperimentTimes: (id, c, u) => setExperimentTimes(ctx, id, c, u),
    createRun: (input) => createRun(ctx, input),
    getRun: (id) => readRun(ctx, id),
    updateRun: (id, input) => updateRun(ctx, id, input),
    deleteRun: (id) => setRunDeleted(ctx, id, true),
    restoreRun: (id) => setRunDeleted(ctx, id, false),
    logBatch: observer
      ? async (id, batch) => {
        await logBatch(ctx, id, batch);
        observer.onPoints(batch.metrics?.length ?? 0);
      }
      : (id, batch) => logBatch(ctx, id, batch),
    deleteTag: (id, key) => deleteTag(ctx, id, key),
    logModel: (id, json) => logModel(ctx, id, json),
    logInputs: (id, ds, models) => logInputs(ctx, id, ds, models),
    getMetricHistory: (id, key, o) => getMetricHistory(ctx, id, key, o),
    getMetricHistoryColumns: (id, key, o) => getMetricHistoryColumns(ctx, id, key, o),
    searchRuns: (o) => searchRuns(ctx, o),
    listExperimentKeys: (id, limit) => listExperimentKeys(ctx, id, limit),
    ...loggedModelMethods(ctx),
    ...registryMethods(ctx),
    ...purgeMethods(ctx),
  };
  const validated = withValidation(store, {
    allowedArtifactRoots: opts.allowedArtifactRoots ?? [ctx.defaultArtifactRoot],
  });
  return { ...validated, stopBackgroundWork: async () => await sweeper?.stop() };
}
