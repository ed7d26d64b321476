/**
 * The tracking store contract: the entities kvflow persists and the one interface every backend
 * (Deno KV, in-memory) implements. Field names are MLflow's wire names (snake_case) so that the
 * HTTP layer needs no mapping; optional fields are omitted when unset, as MLflow's proto2 JSON does.
 *
 * @module
 */

import type { LoggedModelMethods } from "./logged_models/types.ts";
import type { PurgeMethods } from "./purge_types.ts";
import type { RegistryMethods } from "./registry/types.ts";

/** Whether an experiment or run is live or soft-deleted. */
export type LifecycleStage = "active" | "deleted";

/** MLflow run statuses. */
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

/** Which lifecycle stages a search returns. */
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

/** A key/value tag (experiment tag, run tag, dataset-input tag). */
export interface Tag {
  key: string;
  value: string;
}

/** A run parameter; immutable once logged. */
export interface Param {
  key: string;
  value: string;
}

/**
 * An experiment.
 *
 * @example
 * ```ts
 * const e: Experiment = {
 *   experiment_id: "0", name: "Default", artifact_location: "mlflow-artifacts:/0",
 *   lifecycle_stage: "active", creation_time: 0, last_update_time: 0, tags: [],
 * };
 * ```
 */
export interface Experiment {
  /** Sequential integer as a string; `"0"` is `Default`. */
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  /** Milliseconds since the epoch. */
  creation_time: number;
  last_update_time: number;
  tags: Tag[];
}

/** One metric data point. `value` may be NaN; ±Infinity is stored as ±Number.MAX_VALUE. */
export interface Metric {
  key: string;
  value: number;
  /** Milliseconds since the epoch, ≥ 0. */
  timestamp: number;
  /** Integer; 0 when the client gave none. */
  step: number;
  /** MLflow 3: the logged model this point belongs to. */
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
  /** Filled in by bulk history reads that span several runs. */
  run_id?: string;
}

/** A run's identity, status and timing. `run_uuid` always equals `run_id`. */
export interface RunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  /** Absent while the run has not ended. */
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

/** A run's logged data: the latest value of each metric, every param, every tag. */
export interface RunData {
  metrics: Metric[];
  params: Param[];
  tags: Tag[];
}

/** A dataset as logged by `log-inputs`. Deduplicated per experiment by (name, digest). */
export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** A run↔dataset edge with its own tags (e.g. `mlflow.data.context`). */
export interface DatasetInput {
  tags: Tag[];
  dataset: Dataset;
}

/** A logged model used as a run input (MLflow 3). */
export interface ModelInput {
  model_id: string;
}

/** A logged model produced by a run at a step (MLflow 3). */
export interface ModelOutput {
  model_id: string;
  step: number;
}

/** A run's inputs; both lists are empty when nothing was logged. */
export interface RunInputs {
  dataset_inputs: DatasetInput[];
  model_inputs: ModelInput[];
}

/** A run's outputs (MLflow 3). */
export interface RunOutputs {
  model_outputs: ModelOutput[];
}

/**
 * The distinct param, metric and tag keys used by an experiment's runs (deleted runs included),
 * each list sorted by code point (`listExperimentKeys`).
 */
export interface ExperimentKeys {
  paramKeys: string[];
  metricKeys: string[];
  tagKeys: string[];
  /** Whether a list stopped at the limit: the experiment uses more keys than returned. */
  truncated: boolean;
}

/** At most this many keys of each kind by default from `listExperimentKeys`. */
export const EXPERIMENT_KEYS_LIMIT = 10_000;

/** A full run as `runs/get` returns it. */
export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: RunInputs;
  outputs: RunOutputs;
}

/** One page of a listing. `nextPageToken` is present only when another non-empty page exists. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** Arguments of {@linkcode TrackingStore.createExperiment}. */
export interface CreateExperimentInput {
  name: string;
  /** When absent: `<defaultArtifactRoot>/<experiment_id>`. */
  artifactLocation?: string;
  tags?: Tag[];
  /**
   * Import only (no route passes it): this id instead of the next one; a taken id is
   * `RESOURCE_ALREADY_EXISTS`, and later ids are numbered past it.
   */
  experimentId?: string;
  /** Import only: the recorded creation time instead of now. */
  creationTime?: number;
  /** Import only: the recorded last update time (default: the creation time). */
  lastUpdateTime?: number;
}

/** Arguments of {@linkcode TrackingStore.createRun}. */
export interface CreateRunInput {
  /** Empty or absent means experiment `"0"`. */
  experimentId?: string;
  userId?: string;
  runName?: string;
  /** Absent means now. */
  startTime?: number;
  tags?: Tag[];
  /** Import only (no route passes it): this id instead of a new one; a taken id is `RESOURCE_ALREADY_EXISTS`. */
  runId?: string;
  /** Import only: the recorded artifact URI instead of `<experiment location>/<run id>/artifacts`. */
  artifactUri?: string;
}

/** Arguments of {@linkcode TrackingStore.updateRun}; only given fields change. */
export interface UpdateRunInput {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

/** What `runs/log-batch` carries. Any part may be empty. */
export interface RunBatch {
  metrics?: Metric[];
  params?: Param[];
  tags?: Tag[];
}

/** Arguments of {@linkcode TrackingStore.searchExperiments}. */
export interface SearchExperimentsOptions {
  /** MLflow experiment filter grammar (§6.4); empty matches all. */
  filter?: string;
  orderBy?: string[];
  /** 1–50000; default 1000. */
  maxResults?: number;
  pageToken?: string;
  viewType?: ViewType;
  /**
   * The caller's readable set (issue 11 §4): only experiments it accepts are returned, and a
   * page is refilled from later ones rather than returned short. Absent: all are readable.
   */
  visible?: (experimentId: string) => boolean;
}

/** Arguments of {@linkcode TrackingStore.searchRuns}. */
export interface SearchRunsOptions {
  /** Scope; an empty list returns nothing. */
  experimentIds: string[];
  /** MLflow run filter grammar (§6.1) plus kvflow's OR / NOT / parentheses / IN. */
  filter?: string;
  orderBy?: string[];
  /** 1–50000; default 1000. */
  maxResults?: number;
  pageToken?: string;
  runViewType?: ViewType;
}

/**
 * A page of a metric's history as three parallel columns, in history order (see
 * {@linkcode TrackingStore.getMetricHistoryColumns}); NaN values are NaN.
 */
export interface MetricColumnsPage {
  timestamps: Float64Array;
  steps: Float64Array;
  values: Float64Array;
  nextPageToken?: string;
}

/** Arguments of {@linkcode TrackingStore.getMetricHistory}. */
export interface MetricHistoryOptions {
  /** Absent means every point in one page. */
  maxResults?: number;
  pageToken?: string;
}

/**
 * Everything kvflow persists about experiments and runs. Implemented by `createKvStore` (Deno KV)
 * and `createMemoryStore`; both pass `tests/store_conformance.ts`.
 *
 * Every method throws `MlflowError` (see `store/errors.ts`) with MLflow's error code on bad input
 * or missing entities; the HTTP layer maps codes to statuses. Inputs are validated by the store
 * itself (key formats, lengths, batch limits), so every caller gets the same rules.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const expId = await store.createExperiment({ name: "demo" });
 * const run = await store.createRun({ experimentId: expId, runName: "r1" });
 * await store.logBatch(run.info.run_id, { metrics: [{ key: "loss", value: 0.5, timestamp: Date.now(), step: 0 }] });
 * ```
 */
export interface TrackingStore extends LoggedModelMethods, RegistryMethods, PurgeMethods {
  /**
   * Creates an experiment and returns its id. Names are unique across active and deleted
   * experiments: a duplicate throws `RESOURCE_ALREADY_EXISTS`.
   */
  createExperiment(input: CreateExperimentInput): Promise<string>;
  /** Returns the experiment, deleted ones included; throws `RESOURCE_DOES_NOT_EXIST`. */
  getExperiment(experimentId: string): Promise<Experiment>;
  /**
   * The names of the experiments with these ids, deleted ones included; unknown ids are left out.
   * For pages that link experiments by name: it reads no tags, so it costs less than
   * `getExperiment` (over a remote KV, one round trip for up to 10 ids).
   */
  getExperimentNames(experimentIds: readonly string[]): Promise<Map<string, string>>;
  /** Returns the experiment with this exact name, deleted ones included; throws `RESOURCE_DOES_NOT_EXIST`. */
  getExperimentByName(name: string): Promise<Experiment>;
  /** Searches experiments (§6.4). Invalid filters throw `INVALID_PARAMETER_VALUE`. */
  searchExperiments(opts: SearchExperimentsOptions): Promise<Page<Experiment>>;
  /**
   * Renames an active experiment. A deleted one throws `INVALID_STATE`; a name in use throws
   * `BAD_REQUEST` (as MLflow does; both are HTTP 400). Renaming to the current name is a no-op.
   */
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  /** Soft-deletes an active experiment and, with it, all its runs; throws `RESOURCE_DOES_NOT_EXIST` otherwise. */
  deleteExperiment(experimentId: string): Promise<void>;
  /** Restores a deleted experiment and reactivates all its runs; throws `RESOURCE_DOES_NOT_EXIST` otherwise. */
  restoreExperiment(experimentId: string): Promise<void>;
  /** Upserts a tag on an active experiment (`INVALID_PARAMETER_VALUE` if deleted). */
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  /** Deletes a tag of an active experiment; a missing tag throws `RESOURCE_DOES_NOT_EXIST`. */
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;
  /**
   * Import only (no route calls it): sets an experiment's two times, so an import can give the
   * `Default` experiment a store made on open the times it had where it was exported.
   */
  setExperimentTimes(
    experimentId: string,
    creationTime: number,
    lastUpdateTime: number,
  ): Promise<void>;

  /**
   * Creates a run in an active experiment (missing: `RESOURCE_DOES_NOT_EXIST`; deleted:
   * `INVALID_PARAMETER_VALUE`). `runName` and the `mlflow.runName` tag must agree; either one
   * names the run; with neither a random `adjective-noun-NNN` name is chosen. The tag is always written.
   */
  createRun(input: CreateRunInput): Promise<Run>;
  /** Returns the run, deleted ones included; throws `RESOURCE_DOES_NOT_EXIST`. */
  getRun(runId: string): Promise<Run>;
  /** Updates status / end time / name of an active run; returns the new info. */
  updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo>;
  /** Soft-deletes a run (idempotent). */
  deleteRun(runId: string): Promise<void>;
  /** Restores a soft-deleted run (idempotent). */
  restoreRun(runId: string): Promise<void>;
  /**
   * Logs metrics, params and tags to an active run, all or nothing: readers never observe part of
   * a batch, and a rejected batch writes nothing. Params are immutable (a different value throws
   * `INVALID_PARAMETER_VALUE`); an identical metric point is ignored; tag `mlflow.runName` renames
   * the run. `log-metric`, `log-parameter` and `set-tag` are single-item batches.
   */
  logBatch(runId: string, batch: RunBatch): Promise<void>;
  /** Deletes a tag of an active run; a missing tag throws `RESOURCE_DOES_NOT_EXIST`. */
  deleteTag(runId: string, key: string): Promise<void>;
  /**
   * Appends `modelJson` (already validated JSON text) to the run's `mlflow.log-model.history`
   * tag, atomically with respect to concurrent appends.
   */
  logModel(runId: string, modelJson: string): Promise<void>;
  /** Records dataset inputs (deduplicated per experiment by name and digest) and model inputs. */
  logInputs(runId: string, datasets: DatasetInput[], models?: ModelInput[]): Promise<void>;
  /**
   * Returns a metric's history sorted by (timestamp, step, value). An unknown run or key gives an
   * empty page.
   */
  getMetricHistory(runId: string, key: string, opts?: MetricHistoryOptions): Promise<Page<Metric>>;
  /**
   * {@linkcode getMetricHistory} as parallel columns: the same points, order, paging and page
   * tokens (interchangeable between the two), without an object per point and without the
   * points' model and dataset fields. For reads that fold many points into few (chart
   * downsampling).
   */
  getMetricHistoryColumns(
    runId: string,
    key: string,
    opts?: MetricHistoryOptions,
  ): Promise<MetricColumnsPage>;
  /** Searches runs (§6.1–6.3); default order `start_time DESC, run_id ASC`. */
  searchRuns(opts: SearchRunsOptions): Promise<Page<Run>>;
  /**
   * The distinct param, metric and tag keys of the experiment's runs, at most `limit` of each
   * (default {@linkcode EXPERIMENT_KEYS_LIMIT}); for a column chooser that offers every key, not
   * only those of the runs on screen. Throws `RESOURCE_DOES_NOT_EXIST` for an unknown experiment.
   */
  listExperimentKeys(experimentId: string, limit?: number): Promise<ExperimentKeys>;
}
