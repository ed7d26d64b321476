/**
 * Permanent deletion (MLflow's `gc`): what a store lists as garbage and how it purges one entity.
 * Part of the tracking store contract (`TrackingStore` extends {@linkcode PurgeMethods}); the
 * operation that drives it, artifacts included, is `store/ops/gc.ts`.
 *
 * @module
 */

/** What a purge removes: a run, an experiment (with its runs and models) or a logged model. */
export type PurgeKind = "run" | "experiment" | "logged_model";

/**
 * A soft-deleted entity that gc may purge, or one whose purge was started and not finished
 * (`purging`: a kill interrupted it; it is already gone for every reader and writer).
 */
export interface GcCandidate {
  kind: PurgeKind;
  /** Run id, experiment id or logged model id. */
  id: string;
  /** The experiment it belongs to (its own id for an experiment). */
  experiment_id: string;
  /**
   * When it was deleted (ms since the epoch). A run deleted with its experiment: the experiment's
   * `last_update_time`; a run deleted before kvflow recorded deletion times: 0.
   */
  deleted_time: number;
  /** Where its artifacts live: a run's `artifact_uri`, an experiment's `artifact_location`. */
  artifact_uri: string;
  /** True when an earlier purge of it was interrupted; gc finishes these first. */
  purging: boolean;
}

/** Which candidates {@linkcode PurgeMethods.listGcCandidates} lists. */
export interface GcCandidateQuery {
  /** Only entities deleted at or before this time (ms since the epoch); absent: all. */
  deletedBefore?: number;
  /**
   * Only these experiments (each must exist and be deleted: else `RESOURCE_DOES_NOT_EXIST` /
   * `INVALID_PARAMETER_VALUE`). With `runIds` too, both lists; with neither, every deleted entity.
   */
  experimentIds?: string[];
  /** Only these runs (each must exist and be deleted, or be mid-purge). */
  runIds?: string[];
}

/** The entity a purge has just made invisible, handed to {@linkcode PurgeHooks.onMarked}. */
export interface PurgeTarget {
  kind: PurgeKind;
  id: string;
  experiment_id: string;
  /** A run's `artifact_uri`, an experiment's `artifact_location`, a model's `artifact_uri`. */
  artifact_uri: string;
}

/** Callbacks a purge calls as it goes; a hook that throws stops the purge (resumable later). */
export interface PurgeHooks {
  /**
   * Called once the entity is marked (gone for every reader and writer) and before any other of
   * its keys is deleted: gc deletes artifacts here, so a kill after it still leaves the tombstone
   * a retry finds. Called again when an interrupted purge is resumed. For an experiment it is
   * called for the experiment first, then for each run and logged model in it.
   */
  onMarked?: (target: PurgeTarget) => Promise<void> | void;
  /** Called after each committed batch of deletes (progress; tests simulate a kill by throwing). */
  onBatch?: (target: PurgeTarget, keysDeleted: number) => Promise<void> | void;
}

/**
 * Permanent deletion. Every purge is idempotent and resumable: its first commit marks the entity
 * (it disappears for every reader and writer at once, and a racing restore either lands before it,
 * leaving the entity whole and the purge refused, or fails), later commits delete its keys in
 * batches within the backend's commit limits, and the mark goes last. Registered model versions
 * whose `run_id` names a purged run keep their record, as in MLflow.
 *
 * @example
 * ```ts
 * await store.deleteRun(runId);
 * for await (const c of store.listGcCandidates({})) if (c.kind === "run") await store.purgeRun(c.id);
 * await store.getRun(runId); // throws RESOURCE_DOES_NOT_EXIST
 * ```
 */
export interface PurgeMethods {
  /**
   * Streams what gc would purge: interrupted purges first, then deleted runs of live
   * experiments, deleted logged models of live experiments, and deleted experiments (whose runs
   * and models go with them). Named ids that are unknown throw `RESOURCE_DOES_NOT_EXIST`, named
   * ids that are active throw `INVALID_PARAMETER_VALUE` (before anything is yielded).
   */
  listGcCandidates(query: GcCandidateQuery): AsyncIterable<GcCandidate>;
  /**
   * Removes every key of a deleted run (a run of a deleted experiment counts as deleted), or
   * finishes an interrupted purge of it. Active: `INVALID_PARAMETER_VALUE`; unknown:
   * `RESOURCE_DOES_NOT_EXIST`.
   */
  purgeRun(runId: string, hooks?: PurgeHooks): Promise<void>;
  /**
   * Removes a deleted experiment with all its runs, logged models, tags and datasets, and frees
   * its name. Errors as {@linkcode purgeRun}.
   */
  purgeExperiment(experimentId: string, hooks?: PurgeHooks): Promise<void>;
  /** Removes a deleted logged model (or any model of a deleted experiment). Errors as above. */
  purgeLoggedModel(modelId: string, hooks?: PurgeHooks): Promise<void>;
}

/** The purge methods of `inner`, bound: for wrappers that pass them through unchanged. */
export function purgeMethodsOf(inner: PurgeMethods): PurgeMethods {
  return {
    listGcCandidates: (q) => inner.listGcCandidates(q),
    purgeRun: (id, h) => inner.purgeRun(id, h),
    purgeExperiment: (id, h) => inner.purgeExperiment(id, h),
    purgeLoggedModel: (id, h) => inner.purgeLoggedModel(id, h),
  };
}
