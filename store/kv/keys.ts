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
/**
 * One key holding the lifecycle (stage, epoch) of every experiment not in its initial state
 * (active, epoch 0), so a process that does not know a run's experiment derives the run's stage
 * from the run and this key, read together (see `experiment_lifecycles.ts`).
 */
export const experimentLifecyclesKey = () => ["experiment_lifecycles"] as const;

/**
 * Everything of one run lives under `["run_data", runId]`: its record, head, params, tags, metric
 * heads and inputs. One list call then reads a whole run, and (when it fits one batch) reads it
 * as one consistent snapshot. The single-letter tags order the parts and keep keys short.
 */
export const runDataPrefix = (runId: string) => ["run_data", runId] as const;
/** A run record (info without derived lifecycle). */
export const runKey = (runId: string) => ["run_data", runId, "a"] as const;
/**
 * A run's write head: a counter every write to the run bumps under a check, so writes to one run
 * serialise across processes and isolates, plus the marker of a committed multi-commit batch
 * being applied.
 */
export const runHeadKey = (runId: string) => ["run_data", runId, "h"] as const;
/** One run param; the value is the param value. */
export const runParamKey = (runId: string, key: string) => ["run_data", runId, "p", key] as const;
export const runParamsPrefix = (runId: string) => ["run_data", runId, "p"] as const;
/** One run tag; the value is the tag value. */
export const runTagKey = (runId: string, key: string) => ["run_data", runId, "t", key] as const;
export const runTagsPrefix = (runId: string) => ["run_data", runId, "t"] as const;
/** A metric's head: latest value plus bookkeeping of its history layout. */
export const runMetricKey = (runId: string, key: string) => ["run_data", runId, "m", key] as const;
export const runMetricsPrefix = (runId: string) => ["run_data", runId, "m"] as const;
/** A run↔dataset edge; the value holds the input tags. */
export const runDatasetInputKey = (runId: string, datasetId: string) =>
  ["run_data", runId, "d", datasetId] as const;
export const runDatasetInputsPrefix = (runId: string) => ["run_data", runId, "d"] as const;
/** A run's logged-model input. */
export const runModelInputKey = (runId: string, modelId: string) =>
  ["run_data", runId, "i", modelId] as const;
export const runModelInputsPrefix = (runId: string) => ["run_data", runId, "i"] as const;

/**
 * Runs of an experiment in default order: start_time DESC (negated), then run_id ASC. The value
 * is the run's record (kept equal to it in every commit that writes it), or the run id alone when
 * the record is too large to copy (see `run_index.ts`), so a search's first page is one list.
 */
export const runByExperimentKey = (expId: string, startTime: number, runId: string) =>
  ["runs_by_experiment", expId, 0 - startTime, runId] as const;
/** Prefix of one experiment's run index. */
export const runsByExperimentPrefix = (expId: string) => ["runs_by_experiment", expId] as const;

/** Index values are cut to this many code points so keys stay under KV's 2 KiB. */
export const INDEX_VALUE_CHARS = 200;

/** The indexed form of a param or tag value (a prefix; search verifies every candidate). */
export function indexValue(v: string): string {
  return v.length <= INDEX_VALUE_CHARS ? v : Array.from(v).slice(0, INDEX_VALUE_CHARS).join("");
}

/** Runs by param value: (experiment, key, value prefix, run) → run id. */
export const runByParamKey = (expId: string, key: string, value: string, runId: string) =>
  ["runs_by_param", expId, key, indexValue(value), runId] as const;
export const runsByParamPrefix = (expId: string, key: string, value?: string) =>
  value === undefined
    ? ["runs_by_param", expId, key] as const
    : ["runs_by_param", expId, key, indexValue(value)] as const;
/** Runs by tag value, like {@linkcode runByParamKey}. */
export const runByTagKey = (expId: string, key: string, value: string, runId: string) =>
  ["runs_by_tag", expId, key, indexValue(value), runId] as const;
export const runsByTagPrefix = (expId: string, key: string, value?: string) =>
  value === undefined
    ? ["runs_by_tag", expId, key] as const
    : ["runs_by_tag", expId, key, indexValue(value)] as const;
/**
 * Runs by latest metric value: (experiment, key, NaN flag, value, -start_time, run) → run id.
 * Numbers come before NaN, which is how order_by places them in both directions.
 */
export const runByMetricKey = (
  expId: string,
  key: string,
  value: number,
  startTime: number,
  runId: string,
) =>
  Number.isNaN(value)
    ? ["runs_by_metric", expId, key, 1, 0, 0 - startTime, runId] as const
    : ["runs_by_metric", expId, key, 0, value === 0 ? 0 : value, 0 - startTime, runId] as const;
export const runsByMetricPrefix = (expId: string, key: string) =>
  ["runs_by_metric", expId, key] as const;

/**
 * The per-experiment indexes whose third key part is a param, metric or tag key: listing one
 * under `[index, expId]` finds the keys the experiment's runs use (`experiment_keys.ts`).
 */
export const RUN_KEY_INDEXES = {
  params: "runs_by_param",
  metrics: "runs_by_metric",
  tags: "runs_by_tag",
} as const;

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
/**
 * A point that arrived at or below the chunks' largest point and waits beside them, until the
 * chunk whose range holds it takes in its waiting points at once (see `metric_history.ts`).
 */
export const metricLateKey = (runId: string, key: string, sk: PointSortKey) =>
  ["metric_late", runId, key, ...sk] as const;
export const metricLatePrefix = (runId: string, key: string) =>
  ["metric_late", runId, key] as const;
/** How many late points wait in the range of the chunk keyed by `min`. */
export const metricLateCountKey = (runId: string, key: string, min: PointSortKey) =>
  ["metric_late_count", runId, key, ...min] as const;

/** The last part of a key: the entity's own key under a prefix (a param name, a dataset id…). */
export function lastPart(key: Deno.KvKey): string {
  return key[key.length - 1] as string;
}

/**
 * A param or tag entry (run or logged model: its name is the key's last part, its value the
 * string) as the wire pair.
 */
export function pairOf(e: Deno.KvEntry<unknown>): { key: string; value: string } {
  return { key: lastPart(e.key), value: e.value as string };
}

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

/**
 * How many committed multi-commit batches are still being applied: a `Deno.KvU64` summed up by
 * each flip and down (wrapping) by each finish, so readers learn there is none with a point read
 * that shares a round trip with their other reads, instead of listing `pending_batches`.
 */
export const pendingBatchCountKey = () => ["counters", "pending_batches"] as const;
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

// ---------------------------------------------------------------------------------------------
// Logged models (MLflow 3). Everything of one model lives under ["logged_model_data", modelId],
// so one list call reads it: record "a", params "p", tags "t", metric points "m".
// ---------------------------------------------------------------------------------------------

/** Prefix of one logged model's keys. */
export const loggedModelDataPrefix = (modelId: string) => ["logged_model_data", modelId] as const;
/** A logged model record (info without tags; `deleted` marks a soft delete). */
export const loggedModelKey = (modelId: string) => ["logged_model_data", modelId, "a"] as const;
/** One model param; the value is the param value. */
export const loggedModelParamKey = (modelId: string, key: string) =>
  ["logged_model_data", modelId, "p", key] as const;
/** One model tag; the value is the tag value. */
export const loggedModelTagKey = (modelId: string, key: string) =>
  ["logged_model_data", modelId, "t", key] as const;
/**
 * One metric point logged against a model by a run (append-only: written in the run's own
 * commit, never read-modified-written). `datasetId` is `""` or a fingerprint of the dataset's
 * name and digest, which the value carries in full. A later point with the same key, dataset,
 * run, step and timestamp replaces the earlier one.
 */
export const loggedModelMetricKey = (
  modelId: string,
  key: string,
  runId: string,
  datasetId: string,
  step: number,
  timestamp: number,
) => ["logged_model_data", modelId, "m", key, runId, datasetId, step, timestamp] as const;
/** Live models of an experiment, newest first: (experiment, -creation time, model) → model id. */
export const loggedModelByExperimentKey = (expId: string, created: number, modelId: string) =>
  ["logged_models_by_experiment", expId, 0 - created, modelId] as const;
export const loggedModelsByExperimentPrefix = (expId?: string) =>
  expId === undefined
    ? ["logged_models_by_experiment"] as const
    : ["logged_models_by_experiment", expId] as const;
/** Live models of an experiment by name (a prefix of it; search verifies) → model id. */
export const loggedModelByNameKey = (expId: string, name: string, modelId: string) =>
  ["logged_models_by_name", expId, indexValue(name), modelId] as const;
export const loggedModelsByNamePrefix = (expId: string, name: string) =>
  ["logged_models_by_name", expId, indexValue(name)] as const;
/** Live models by source run: (run, model) → experiment id. */
export const loggedModelByRunKey = (runId: string, modelId: string) =>
  ["logged_models_by_run", runId, modelId] as const;
export const loggedModelsByRunPrefix = (runId?: string) =>
  runId === undefined
    ? ["logged_models_by_run"] as const
    : ["logged_models_by_run", runId] as const;
/**
 * Set once every live model with a source run is in `logged_models_by_run` (models created
 * before the index existed are added by schema migration 4); until then searches by source run scan
 * the experiment's models.
 */
export const loggedModelsByRunBuiltKey = () => ["index_builds", "logged_models_by_run"] as const;
/** A run's `runs/outputs` entry (under the run, so `runs/get` reads it with the run). */
export const runModelOutputKey = (runId: string, modelId: string, step: number) =>
  ["run_data", runId, "o", modelId, step] as const;
export const runModelOutputsPrefix = (runId: string) => ["run_data", runId, "o"] as const;

// ---------------------------------------------------------------------------------------------
// Model registry (store/kv/registry*.ts). A registered model has an immutable internal id; its
// name lives only in the record and the unique-name index, so a rename moves two keys however many
// versions the model has, and a delete frees the name in one commit (the rest is swept by id).
// ---------------------------------------------------------------------------------------------

/** A registered model record, by internal id; every write under the model re-sets it. */
export const registeredModelKey = (id: string) => ["registered_models", id] as const;
/** Prefix of all registered model records. */
export const registeredModelsPrefix = () => ["registered_models"] as const;
/** Unique-name index: registered model name → internal id. */
export const registeredModelByNameKey = (name: string) =>
  ["registered_models_by_name", name] as const;
/**
 * One registered-model tag. The value is the tag value, or the number of pieces of a long value,
 * stored at `[...key, i]` (see `registry_text.ts`).
 */
export const registeredModelTagKey = (id: string, key: string) =>
  ["registered_model_tags", id, key] as const;
/** Prefix of one model's tags (and their pieces), or of all registered-model tags. */
export const registeredModelTagsPrefix = (id?: string) =>
  id === undefined ? ["registered_model_tags"] as const : ["registered_model_tags", id] as const;
/** One alias of a model; the value is the version number it points at. */
export const registeredModelAliasKey = (id: string, alias: string) =>
  ["registered_model_aliases", id, alias] as const;
export const registeredModelAliasesPrefix = (id: string) =>
  ["registered_model_aliases", id] as const;
/** A model version record, by model id and version number (numeric order). */
export const modelVersionKey = (id: string, version: number) =>
  ["model_versions", id, version] as const;
/** Prefix of one model's versions, or of every model version. */
export const modelVersionsPrefix = (id?: string) =>
  id === undefined ? ["model_versions"] as const : ["model_versions", id] as const;
/** One model-version tag, stored like {@linkcode registeredModelTagKey}. */
export const modelVersionTagKey = (id: string, version: number, key: string) =>
  ["model_version_tags", id, version, key] as const;
/** Prefix of one version's tags, of one model's version tags, or of all of them. */
export const modelVersionTagsPrefix = (id?: string, version?: number) =>
  id === undefined
    ? ["model_version_tags"] as const
    : version === undefined
    ? ["model_version_tags", id] as const
    : ["model_version_tags", id, version] as const;
/** Versions of a model by stage (→ version number), to find the latest one in a stage. */
export const modelVersionByStageKey = (id: string, stage: string, version: number) =>
  ["model_versions_by_stage", id, stage, version] as const;
export const modelVersionsByStagePrefix = (id: string, stage?: string) =>
  stage === undefined
    ? ["model_versions_by_stage", id] as const
    : ["model_versions_by_stage", id, stage] as const;
/** Versions registered from a run (→ version number); serves `run_id = / IN` searches. */
export const modelVersionByRunKey = (runId: string, id: string, version: number) =>
  ["model_versions_by_run", runId, id, version] as const;
export const modelVersionsByRunPrefix = (runId: string) =>
  ["model_versions_by_run", runId] as const;
/**
 * Versions registered from a logged model's URI (source exactly `models:/<model id>`): serves
 * `source_path = 'models:/…'` searches (what a logged model's page asks) without a registry scan.
 */
export const modelVersionBySourceModelKey = (modelId: string, id: string, version: number) =>
  ["model_versions_by_source_model", modelId, id, version] as const;
export const modelVersionsBySourceModelPrefix = (modelId: string) =>
  ["model_versions_by_source_model", modelId] as const;
/**
 * Set once every version with a `models:/<model id>` source is in
 * `model_versions_by_source_model` (older versions are added by schema migration 5); until then
 * such searches scan the registry.
 */
export const modelVersionsBySourceModelBuiltKey = () =>
  ["index_builds", "model_versions_by_source_model"] as const;
/**
 * A registered model's view: every key and value under its four own prefixes (tags, aliases,
 * versions, version tags), rewritten in the same commit as each write under the model, so a page
 * reads the model and its versions in one point read (see `registry_view.ts`).
 */
export const registeredModelViewKey = (id: string) => ["registered_model_views", id] as const;
/** A deleted model whose keys are still being swept (by its id). */
export const registryGarbageKey = (id: string) => ["registry_garbage", id] as const;
export const registryGarbagePrefix = () => ["registry_garbage"] as const;

// ---------------------------------------------------------------------------------------------
// Schema
/**
 * The store's schema version (a number; see `migrations.ts`). Absent on a store written before
 * versions were recorded (version 1) and on an empty database (stamped when a store opens).
 */
export const schemaVersionKey = () => ["meta", "schema_version"] as const;
/**
 * Where a migration stopped: `{ id, cursor, done }`, written in the same commit as the entries
 * it wrote, so a killed `migrate` goes on from there.
 */
export const migrationProgressKey = () => ["meta", "migration_progress"] as const;

// ---------------------------------------------------------------------------------------------
// Permanent deletion (store/kv/purge*.ts). A purge's first commit removes the entity's record
// and sets its tombstone (holding the record), so it is gone for every reader at once; the
// tombstone is deleted last, and an interrupted purge is found and finished through it.
// ---------------------------------------------------------------------------------------------

/** A run being purged; the value is its last record. */
export const runPurgeKey = (runId: string) => ["run_purges", runId] as const;
export const runPurgesPrefix = () => ["run_purges"] as const;
/** An experiment being purged; the value is its last record. */
export const experimentPurgeKey = (id: string) => ["experiment_purges", id] as const;
export const experimentPurgesPrefix = () => ["experiment_purges"] as const;
/** A logged model being purged; the value is its last record. */
export const loggedModelPurgeKey = (modelId: string) => ["logged_model_purges", modelId] as const;
export const loggedModelPurgesPrefix = () => ["logged_model_purges"] as const;
/** Prefix of every logged model's keys (listed record by record to find deleted models). */
export const loggedModelDataRoot = () => ["logged_model_data"] as const;
/** Prefix of the metric points logged against one model (by every run). */
export const loggedModelMetricsPrefix = (modelId: string) =>
  ["logged_model_data", modelId, "m"] as const;
/**
 * Every prefix holding only keys of one run outside `run_data`: its metric history (chunks,
 * loose and late points, late counts), staged batch pieces, and the
 * indexes keyed by run first (logged models and model versions by source run).
 */
export const runOwnedPrefixes = (runId: string): Deno.KvKey[] => [
  ["metric_chunks", runId],
  ["metric_points", runId],
  ["metric_late", runId],
  ["metric_late_count", runId],
  ["staged_batches", runId],
  ["logged_models_by_run", runId],
  ["model_versions_by_run", runId],
];
/**
 * Every prefix holding only keys of one experiment besides its record, name index and runs' own
 * keys: its tags, run indexes, logged model indexes and datasets.
 */
export const experimentOwnedPrefixes = (expId: string): Deno.KvKey[] => [
  ["experiment_tags", expId],
  ["runs_by_experiment", expId],
  ["runs_by_param", expId],
  ["runs_by_tag", expId],
  ["runs_by_metric", expId],
  ["logged_models_by_experiment", expId],
  ["logged_models_by_name", expId],
  ["datasets", expId],
  ["datasets_by_name_digest", expId],
  ["dataset_blobs", expId],
];
