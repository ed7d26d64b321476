/**
 * The logged-models part of the {@linkcode TrackingStore} contract (MLflow 3's LoggedModel API,
 * mlflow-rest.md §2, §4.4, §6.5). See ../types.ts for the rest.
 *
 * @module
 */
import type { Metric, ModelOutput, Page, Param, Tag } from "../types.ts";

/** A logged model's lifecycle: created PENDING, finalized READY or UPLOAD_FAILED. */
export type LoggedModelStatus =
  | "LOGGED_MODEL_PENDING"
  | "LOGGED_MODEL_READY"
  | "LOGGED_MODEL_UPLOAD_FAILED";

/** The statuses a model may be finalized to. */
export type FinalLoggedModelStatus = Exclude<LoggedModelStatus, "LOGGED_MODEL_PENDING">;

/** `LoggedModel.info` as the wire carries it (fields omitted when unset). */
export interface LoggedModelInfo {
  /** `m-` + 32 lowercase hex. */
  model_id: string;
  experiment_id: string;
  name: string;
  /** `<experiment artifact_location>/models/<model_id>/artifacts`. */
  artifact_uri: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: LoggedModelStatus;
  /** `""` when the creator gave none (MLflow 3.1.3 emits `"model_type": ""` then). */
  model_type?: string;
  source_run_id?: string;
  status_message?: string;
  tags: Tag[];
}

/** A logged model: its info plus params and (latest per key and dataset) metrics. */
export interface LoggedModel {
  info: LoggedModelInfo;
  data: { params: Tag[]; metrics: Metric[] };
}

/** Arguments of {@linkcode LoggedModelMethods.createLoggedModel}. */
export interface CreateLoggedModelInput {
  /** Required; the experiment must exist and be active. */
  experimentId: string;
  /** Absent or empty: a random `adjective-noun-NNN` name. */
  name?: string;
  /** Absent: `""`, as MLflow stores it. */
  modelType?: string;
  sourceRunId?: string;
  /** At most 100 (the client sends the rest through `logLoggedModelParams`). */
  params?: Param[];
  /** At most 100. */
  tags?: Tag[];
  /**
   * Import only (no route passes it): this id (`m-` + 32 hex) instead of a new one; a taken id
   * is `RESOURCE_ALREADY_EXISTS`. Times come from the store's clock (`store/clock.ts`).
   */
  modelId?: string;
}

/** One `datasets` entry of a logged-model search: restricts which metrics count. */
export interface LoggedModelDatasetFilter {
  /** Required (MLflow: "`dataset_name` in the `datasets` clause must be specified."). */
  dataset_name?: string;
  /** When absent, every digest of the named dataset matches. */
  dataset_digest?: string;
}

/** One `order_by` entry of a logged-model search (a JSON object on the wire, not a string). */
export interface LoggedModelOrderBy {
  /** An attribute (`name`, `creation_timestamp`, …) or `metrics.<key>`; required. */
  field_name?: string;
  /** Default true. */
  ascending?: boolean;
  /** For `metrics.<key>`: only values logged against this dataset count. */
  dataset_name?: string;
  dataset_digest?: string;
}

/** Arguments of {@linkcode LoggedModelMethods.searchLoggedModels}. */
export interface SearchLoggedModelsOptions {
  /** Required and non-empty. */
  experimentIds: string[];
  /** §6.5: AND-joined comparisons on attributes, `metrics.`, `params.`, `tags.`. */
  filter?: string;
  /** When given, metric filters (and, without metric filters, the model itself) must match one. */
  datasets?: LoggedModelDatasetFilter[];
  /** Default 50, at most 50000. */
  maxResults?: number;
  /** Default: creation time DESC. Creation time DESC, then model id, break remaining ties. */
  orderBy?: LoggedModelOrderBy[];
  pageToken?: string;
  /**
   * The caller reads only each model's `info`, without its tags: a store may return models
   * without params, metrics and tags (the KV store answers a `source_run_id = …` search on
   * attributes from its source-run index alone, one round trip fewer on a run page).
   */
  infoOnly?: boolean;
}

/**
 * Logged-model methods of the tracking store; both backends implement them and pass
 * `tests/conformance/logged_models.ts`. Every method throws `MlflowError` with MLflow's codes.
 * A soft-deleted model is hidden everywhere: every method addressing it by id answers as for an
 * unknown id, `RESOURCE_DOES_NOT_EXIST` with `Logged model with ID '<id>' not found.`
 *
 * Metrics reach a model through run logging: a point that `logBatch` (so also `log-metric`)
 * receives with a `model_id` is written with the run's data, all or nothing, and the model's
 * `data.metrics` holds the latest point per (key, dataset_name, dataset_digest), by MLflow's
 * (step, timestamp, value) rule, with the `run_id` that logged it. A `model_id` naming no stored
 * model is kept on the run only, as MLflow accepts it.
 *
 * @example
 * ```ts
 * const model = await store.createLoggedModel({ experimentId: "1", name: "clf" });
 * await store.logOutputs(runId, [{ model_id: model.info.model_id, step: 0 }]);
 * await store.logBatch(runId, {
 *   metrics: [{ key: "acc", value: 0.9, timestamp: Date.now(), step: 0, model_id: model.info.model_id }],
 * });
 * await store.finalizeLoggedModel(model.info.model_id, "LOGGED_MODEL_READY");
 * ```
 */
export interface LoggedModelMethods {
  /**
   * Creates a model in status `LOGGED_MODEL_PENDING` with id `m-` + 32 hex and artifact URI
   * `<experiment artifact_location>/models/<id>/artifacts`. The experiment must exist
   * (`RESOURCE_DOES_NOT_EXIST`, `No Experiment with id=<id> exists`) and be active
   * (`INVALID_PARAMETER_VALUE`). A name containing any of `/ : . % " '` is
   * `INVALID_PARAMETER_VALUE`; no name gives a random one. Params and tags follow the run rules
   * (key format; values over 6000 / 8000 characters truncated); at most 100 of each, and a param
   * key given twice is `INVALID_PARAMETER_VALUE`.
   */
  createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel>;
  /**
   * Returns the model with its tags, params and latest metrics; unknown or deleted ids throw
   * `RESOURCE_DOES_NOT_EXIST` `Logged model with ID '<id>' not found.`
   */
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  /**
   * Sets the status to `LOGGED_MODEL_READY` or `LOGGED_MODEL_UPLOAD_FAILED` (anything else is
   * `INVALID_PARAMETER_VALUE`), bumps `last_updated_timestamp_ms`, and returns the model. A model
   * may be finalized again, as in MLflow.
   */
  finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel>;
  /** Soft-deletes the model: it disappears from get and search; its data stays stored. */
  deleteLoggedModel(modelId: string): Promise<void>;
  /** Upserts tags (at most 100 per call; a repeated key keeps its last value). */
  setLoggedModelTags(modelId: string, tags: Tag[]): Promise<void>;
  /**
   * Deletes a tag; a missing one throws `RESOURCE_DOES_NOT_EXIST`
   * `No tag with key '<key>' found for model with ID '<id>'.`
   */
  deleteLoggedModelTag(modelId: string, key: string): Promise<void>;
  /**
   * Adds params (at most 100 per call). Re-logging a param with its value is a no-op; a different
   * value is `INVALID_PARAMETER_VALUE`, as for runs (MLflow's SQL store fails on the primary key).
   */
  logLoggedModelParams(modelId: string, params: Param[]): Promise<void>;
  /**
   * Searches the models of `experimentIds` (§6.5): filter, `datasets`, order and offset paging
   * with tokens bound to the query. Deleted models never match. Bad filters, order_by entries,
   * datasets, `max_results` or tokens throw `INVALID_PARAMETER_VALUE`.
   */
  searchLoggedModels(opts: SearchLoggedModelsOptions): Promise<Page<LoggedModel>>;
  /**
   * `runs/outputs`: records that an active run produced these models at these steps (each
   * `(model_id, step)` once); they appear in the run's `outputs.model_outputs`, ordered by model
   * id and step. As with log-inputs' models (and in MLflow), the ids are not looked up; an id
   * over 256 characters is `INVALID_PARAMETER_VALUE`. Run errors are those of `logBatch`.
   */
  logOutputs(runId: string, models: ModelOutput[]): Promise<void>;
}
