/**
 * Every Deno KV key kvflow uses, built in this one place so indexes cannot drift apart.
 * Prefixes are snake_case plural nouns; index prefixes read `<things>_by_<field>`. Each key
 * position holds one type only (KV orders by type before value).
 *
 * @module
 */

/**
 * Sort key of a metric point: (timestamp, step, value with NaN read as 0, NaN flag), the order
 * MLflow's SQL store returns history in (it stores NaN as 0 plus a flag).
 */
export type PointSortKey = readonly [number, number, number, 0 | 1];

/** Next experiment id (a counter). */
export const experimentSeqKey = () => ["counters", "experiment_id"] as const;
/** An experiment record. */
export const experimentKey = (id: string) => ["experiments", id] as const;
/** Prefix of all experiment records. */
export const experimentsPrefix = () => ["experiments"] as const;
/** One experiment tag; the value is the tag value. */
export const experimentTagKey = (id: string, key: string) => ["experiment_tags", id, key] as const;
/** Prefix of one experiment's tags, or of all experiment tags. */
export const experimentTagsPrefix = (id?: string) =>
  id === undefined ? ["experiment_tags"] as const : ["experiment_tags", id] as const;
/** Unique-name index: name → experiment id (active and deleted experiments alike). */
export const experimentByNameKey = (name: string) => ["experiments_by_name", name] as const;

/** A run record (info without derived lifecycle). */
export const runKey = (runId: string) => ["runs", runId] as const;
/**
 * A run's write head: a counter every write to the run bumps under a check, so writes to one run
 * serialise across processes, plus the marker of a committed multi-commit batch being applied.
 */
export const runHeadKey = (runId: string) => ["run_heads", runId] as const;
/** Runs of an experiment in default order: start_time DESC (negated), then run_id ASC. */
export const runByExperimentKey = (expId: string, startTime: number, runId: string) =>
  ["runs_by_experiment", expId, 0 - startTime, runId] as const;
/** Prefix of one experiment's run index. */
export const runsByExperimentPrefix = (expId: string) => ["runs_by_experiment", expId] as const;
/** One run param; the value is the param value. */
export const runParamKey = (runId: string, key: string) => ["run_params", runId, key] as const;
export const runParamsPrefix = (runId: string) => ["run_params", runId] as const;
/** One run tag; the value is the tag value. */
export const runTagKey = (runId: string, key: string) => ["run_tags", runId, key] as const;
export const runTagsPrefix = (runId: string) => ["run_tags", runId] as const;
/** A metric's head: latest value plus bookkeeping of its history layout. */
export const runMetricKey = (runId: string, key: string) => ["run_metrics", runId, key] as const;
export const runMetricsPrefix = (runId: string) => ["run_metrics", runId] as const;
/** A packed chunk of history points, keyed by its smallest point; chunks never overlap. */
export const metricChunkKey = (runId: string, key: string, min: PointSortKey) =>
  ["metric_chunks", runId, key, ...min] as const;
export const metricChunksPrefix = (runId: string, key: string) =>
  ["metric_chunks", runId, key] as const;
/** A recent point not yet packed into a chunk; always above every chunk's points. */
export const metricPointKey = (runId: string, key: string, sk: PointSortKey) =>
  ["metric_points", runId, key, ...sk] as const;
export const metricPointsPrefix = (runId: string, key: string) =>
  ["metric_points", runId, key] as const;

/** A dataset of an experiment (deduplicated by name and digest). */
export const datasetKey = (expId: string, datasetId: string) =>
  ["datasets", expId, datasetId] as const;
/** Dedup index: (experiment, name, digest) → dataset id. */
export const datasetByNameDigestKey = (expId: string, name: string, digest: string) =>
  ["datasets_by_name_digest", expId, name, digest] as const;
/** One piece of a dataset field too large for a single value. */
export const datasetBlobKey = (expId: string, datasetId: string, field: string, i: number) =>
  ["dataset_blobs", expId, datasetId, field, i] as const;
export const datasetBlobPrefix = (expId: string, datasetId: string, field: string) =>
  ["dataset_blobs", expId, datasetId, field] as const;
/** A run↔dataset edge; the value holds the input tags. */
export const runDatasetInputKey = (runId: string, datasetId: string) =>
  ["run_dataset_inputs", runId, datasetId] as const;
export const runDatasetInputsPrefix = (runId: string) => ["run_dataset_inputs", runId] as const;
/** A run's logged-model input. */
export const runModelInputKey = (runId: string, modelId: string) =>
  ["run_model_inputs", runId, modelId] as const;
export const runModelInputsPrefix = (runId: string) => ["run_model_inputs", runId] as const;

/** Runs with a committed multi-commit batch still being applied. */
export const pendingBatchKey = (runId: string) => ["pending_batches", runId] as const;
export const pendingBatchesPrefix = () => ["pending_batches"] as const;
/** One staged piece of a multi-commit batch. */
export const stagedBatchKey = (runId: string, batchId: string, i: number) =>
  ["staged_batches", runId, batchId, i] as const;
export const stagedBatchPrefix = (runId: string, batchId: string) =>
  ["staged_batches", runId, batchId] as const;
/** Registry of batches being staged, so abandoned stagings can be swept. */
export const stagingKey = (batchId: string) => ["stagings", batchId] as const;
export const stagingsPrefix = () => ["stagings"] as const;
