/**
 * The Deno KV backend's logged models methods.
 *
 * Layout (keys in `keys.ts`, "Logged models"): a model's record, params, tags and metric points
 * share the prefix `["logged_model_data", id]`, so one list call reads the whole model. The record
 * carries a write counter (`seq`) that every model-level write bumps under a `check`, so writes to
 * one model serialise across processes and isolates (params stay immutable, a deleted model takes
 * no tags). The record and its index entries (`logged_models_by_experiment`, newest first, and
 * `logged_models_by_name`) always change in one commit; a deleted model leaves both indexes.
 *
 * Metric points logged with a `model_id` are written by the run's own commit (see
 * {@linkcode planModelMetrics}), one append-only key per point and run, so runs logging to one
 * model never contend; `data.metrics` (latest per key and dataset) is computed on read.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import {
  experimentNotActive,
  isModelId,
  latestModelMetrics,
  modelArtifactUri,
  modelNotFound,
  modelParamChanged,
  modelTagNotFound,
  newModelId,
  sortByKey,
} from "../logged_models/common.ts";
import type {
  CreateLoggedModelInput,
  LoggedModel,
  LoggedModelMethods,
  LoggedModelStatus,
  SearchLoggedModelsOptions,
} from "../logged_models/types.ts";
import { mapLimit } from "../map_limit.ts";
import {
  type LoggedModelQuery,
  parseLoggedModelQuery,
  requiredName,
  requiredSourceRun,
  searchLoggedModelsYielding,
} from "../search/logged_models.ts";
import { randomRunName, shortHash } from "../ids.ts";
import type { Metric, ModelOutput, Page, Param, Tag } from "../types.ts";
import { fitsOneCommit } from "./committer.ts";
import { type CommitLimits, isCommitLimitError, tooLargeForOneCommit } from "./commit_limits.ts";
import { experimentNotFound } from "./experiments.ts";
import {
  experimentKey,
  lastPart,
  loggedModelByExperimentKey,
  loggedModelByNameKey,
  loggedModelByRunKey,
  loggedModelDataPrefix,
  loggedModelKey,
  loggedModelMetricKey,
  loggedModelParamKey,
  loggedModelsByExperimentPrefix,
  loggedModelsByNamePrefix,
  loggedModelsByRunBuiltKey,
  loggedModelsByRunPrefix,
  loggedModelTagKey,
  pairOf,
  runModelOutputKey,
} from "./keys.ts";
import { applyMutations, type Mutation, MutationSet } from "./mutations.ts";
import type { ExperimentRecord, ModelRecord } from "./records.ts";
import { RETRY, withRetry } from "./retry.ts";
import { getManyValues, type KvContext, requireActive, writeRun } from "./run_write.ts";
import { batchedReads } from "./read_batcher.ts";
import { buildIndex } from "./index_builds.ts";
import type { MigrationStep } from "./migration_step.ts";
import { rollForwardAll } from "./staged_batch.ts";

/** A metric point's value; key, run, step and timestamp are in its key. */
interface PointValue {
  v: number;
  /** dataset_name / dataset_digest, when logged. */
  n?: string;
  d?: string;
}

/** Models read concurrently by one search. */
const READ_CONCURRENCY = 16;

/** A model's entries, sorted out. */
interface ModelParts {
  record: Deno.KvEntry<ModelRecord> | null;
  params: Param[];
  tags: Tag[];
  points: Metric[];
}

async function readParts(kv: Deno.Kv, modelId: string): Promise<ModelParts> {
  const parts: ModelParts = { record: null, params: [], tags: [], points: [] };
  for await (const e of kv.list({ prefix: loggedModelDataPrefix(modelId) }, { batchSize: 500 })) {
    switch (e.key[2]) {
      case "a":
        parts.record = e as Deno.KvEntry<ModelRecord>;
        break;
      case "p":
        parts.params.push(pairOf(e));
        break;
      case "t":
        parts.tags.push(pairOf(e));
        break;
      case "m": {
        const [, , , key, runId, , step, timestamp] = e.key as unknown as [
          string,
          string,
          string,
          string,
          string,
          string,
          number,
          number,
        ];
        const pv = e.value as PointValue;
        // Proto field order: key, value, timestamp, step, dataset_name, dataset_digest, model_id, run_id.
        const m: Metric = { key, value: pv.v, timestamp, step };
        if (pv.n !== undefined) m.dataset_name = pv.n;
        if (pv.d !== undefined) m.dataset_digest = pv.d;
        m.model_id = modelId;
        m.run_id = runId;
        parts.points.push(m);
        break;
      }
    }
  }
  return parts;
}

function toLoggedModel(rec: ModelRecord, parts: ModelParts): LoggedModel {
  const { deleted: _, seq: __, ...info } = rec;
  return {
    info: { ...info, tags: parts.tags },
    data: { params: parts.params, metrics: latestModelMetrics(parts.points) },
  };
}

/** Reads a live model; unknown and deleted ids throw MLflow's not-found error. */
async function readLive(kv: Deno.Kv, modelId: string) {
  const parts = await readParts(kv, modelId);
  const record = parts.record;
  if (record === null || record.value.deleted) throw modelNotFound(modelId);
  return { record, parts };
}

/** The live record of a model, with its versionstamp for a check. */
async function liveRecord(kv: Deno.Kv, modelId: string): Promise<Deno.KvEntry<ModelRecord>> {
  const e = await kv.get<ModelRecord>(loggedModelKey(modelId));
  if (e.value === null || e.value.deleted) throw modelNotFound(modelId);
  return e as Deno.KvEntry<ModelRecord>;
}

/** Throws when planned writes cannot go out in one commit (params and tags near their limits). */
function requireOneCommit(m: MutationSet, limits: CommitLimits): void {
  if (!fitsOneCommit({ checks: [], mutations: m.list() }, limits)) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      "The params and tags of this request are too large to write at once; " +
        "send them in several smaller requests",
    );
  }
}

/** Commits `m` under a check of the model record (as read) and an optional extra check. */
async function commitUnder(
  kv: Deno.Kv,
  record: Deno.AtomicCheck,
  m: MutationSet,
  extra: Deno.AtomicCheck[] = [],
): Promise<boolean> {
  const op = kv.atomic().check(record);
  for (const c of extra) op.check(c);
  applyMutations(op, m.list());
  try {
    return (await op.commit()).ok;
  } catch (e) {
    // Sizes are estimated before planning; should KV still refuse, it is the request's size.
    if (isCommitLimitError(e)) throw tooLargeForOneCommit();
    throw e;
  }
}

function bumped(rec: ModelRecord, change: Partial<ModelRecord>): ModelRecord {
  return { ...rec, ...change, seq: rec.seq + 1 };
}

/**
 * Sets a live model's record and its source-run index entry, which carries the record so a run
 * page lists its models (info only) from the index without reading each model.
 */
function setRecord(m: MutationSet, rec: ModelRecord): void {
  m.set(loggedModelKey(rec.model_id), rec);
  if (rec.source_run_id) m.set(loggedModelByRunKey(rec.source_run_id, rec.model_id), rec);
}

function createLoggedModel(ctx: KvContext, input: CreateLoggedModelInput): Promise<LoggedModel> {
  return withRetry("create a logged model", async () => {
    const exp = await ctx.kv.get<ExperimentRecord>(experimentKey(input.experimentId));
    if (exp.value === null) throw experimentNotFound(input.experimentId);
    if (exp.value.lifecycle_stage !== "active") {
      throw experimentNotActive(exp.value.experiment_id, exp.value.lifecycle_stage);
    }
    const id = input.modelId ?? newModelId();
    if (input.modelId !== undefined && (await ctx.kv.get(loggedModelKey(id))).value !== null) {
      throw new MlflowError(
        "RESOURCE_ALREADY_EXISTS",
        `Logged model with ID '${id}' already exists.`,
      );
    }
    const now = ctx.now();
    const rec: ModelRecord = {
      model_id: id,
      experiment_id: exp.value.experiment_id,
      name: input.name || randomRunName(),
      creation_timestamp_ms: now,
      last_updated_timestamp_ms: now,
      artifact_uri: modelArtifactUri(exp.value.artifact_location, id),
      status: "LOGGED_MODEL_PENDING",
      model_type: input.modelType ?? "",
      deleted: false,
      seq: 0,
    };
    if (input.sourceRunId) rec.source_run_id = input.sourceRunId;
    const m = new MutationSet();
    setRecord(m, rec);
    m.set(loggedModelByExperimentKey(rec.experiment_id, now, id), id);
    m.set(loggedModelByNameKey(rec.experiment_id, rec.name, id), id);
    const params = new Map((input.params ?? []).map((p) => [p.key, p.value]));
    const tags = new Map((input.tags ?? []).map((t) => [t.key, t.value]));
    for (const [k, v] of params) m.set(loggedModelParamKey(id, k), v);
    for (const [k, v] of tags) m.set(loggedModelTagKey(id, k), v);
    requireOneCommit(m, ctx.limits);
    // The experiment check keeps a concurrent experiment delete from being overtaken.
    if (!await commitUnder(ctx.kv, exp, m, [{ key: loggedModelKey(id), versionstamp: null }])) {
      return RETRY;
    }
    const pairs = (x: Map<string, string>) =>
      sortByKey([...x].map(([key, value]) => ({ key, value })));
    return toLoggedModel(rec, {
      record: null,
      params: pairs(params),
      tags: pairs(tags),
      points: [],
    });
  });
}

async function getLoggedModel(ctx: KvContext, modelId: string): Promise<LoggedModel> {
  // A run batch committed through the staged path may still be writing this model's points.
  await rollForwardAll(ctx.kv);
  const { record, parts } = await readLive(ctx.kv, modelId);
  return toLoggedModel(record.value, parts);
}

function finalizeLoggedModel(
  ctx: KvContext,
  modelId: string,
  status: LoggedModelStatus,
): Promise<LoggedModel> {
  return withRetry(`finalize logged model ${modelId}`, async () => {
    await rollForwardAll(ctx.kv);
    const { record, parts } = await readLive(ctx.kv, modelId);
    const next = bumped(record.value, {
      status,
      last_updated_timestamp_ms: Math.max(ctx.now(), record.value.last_updated_timestamp_ms),
    });
    const m = new MutationSet();
    setRecord(m, next);
    return await commitUnder(ctx.kv, record, m) ? toLoggedModel(next, parts) : RETRY;
  });
}

function deleteLoggedModel(ctx: KvContext, modelId: string): Promise<void> {
  return withRetry(`delete logged model ${modelId}`, async () => {
    const record = await liveRecord(ctx.kv, modelId);
    const rec = record.value;
    const m = new MutationSet();
    m.set(
      loggedModelKey(modelId),
      bumped(rec, {
        deleted: true,
        last_updated_timestamp_ms: Math.max(ctx.now(), rec.last_updated_timestamp_ms),
      }),
    );
    m.delete(loggedModelByExperimentKey(rec.experiment_id, rec.creation_timestamp_ms, modelId));
    m.delete(loggedModelByNameKey(rec.experiment_id, rec.name, modelId));
    if (rec.source_run_id) m.delete(loggedModelByRunKey(rec.source_run_id, modelId));
    return await commitUnder(ctx.kv, record, m) ? undefined : RETRY;
  });
}

function setLoggedModelTags(ctx: KvContext, modelId: string, tags: Tag[]): Promise<void> {
  return withRetry(`set tags of logged model ${modelId}`, async () => {
    const record = await liveRecord(ctx.kv, modelId);
    const m = new MutationSet();
    setRecord(m, bumped(record.value, {}));
    for (const t of tags) m.set(loggedModelTagKey(modelId, t.key), t.value);
    requireOneCommit(m, ctx.limits);
    return await commitUnder(ctx.kv, record, m) ? undefined : RETRY;
  });
}

function deleteLoggedModelTag(ctx: KvContext, modelId: string, key: string): Promise<void> {
  return withRetry(`delete a tag of logged model ${modelId}`, async () => {
    const [record, tag] = await ctx.kv.getMany<[ModelRecord, string]>([
      loggedModelKey(modelId),
      loggedModelTagKey(modelId, key),
    ]);
    if (record.value === null || record.value.deleted) throw modelNotFound(modelId);
    if (tag.value === null) throw modelTagNotFound(modelId, key);
    const m = new MutationSet();
    setRecord(m, bumped(record.value, {}));
    m.delete(loggedModelTagKey(modelId, key));
    return await commitUnder(ctx.kv, record, m) ? undefined : RETRY;
  });
}

function logLoggedModelParams(ctx: KvContext, modelId: string, params: Param[]): Promise<void> {
  return withRetry(`log params of logged model ${modelId}`, async () => {
    const record = await liveRecord(ctx.kv, modelId);
    // Every param write bumps the record, so these reads hold until the commit's check.
    const stored = await getManyValues<string>(
      ctx.kv,
      params.map((p) => loggedModelParamKey(modelId, p.key)),
    );
    const m = new MutationSet();
    params.forEach((p, i) => {
      const old = stored[i];
      if (old === null) m.set(loggedModelParamKey(modelId, p.key), p.value);
      else if (old !== p.value) throw modelParamChanged(modelId, p.key, old, p.value);
    });
    if (m.size === 0) return undefined;
    setRecord(m, bumped(record.value, {}));
    requireOneCommit(m, ctx.limits);
    return await commitUnder(ctx.kv, record, m) ? undefined : RETRY;
  });
}

/**
 * Whether a query needs nothing of a model but its info without tags: a filter and an order on
 * attributes and times only, no datasets.
 */
function answersFromInfo(q: LoggedModelQuery): boolean {
  const info = (x: { kind: string }) => x.kind === "attribute" || x.kind === "time";
  return q.filter.every(info) && q.datasets.length === 0 && q.order.every(info);
}

/** Experiment ids this server makes: sequential integers (anything else holds no models). */
const EXPERIMENT_ID = /^\d{1,30}$/;

async function searchLoggedModels(
  ctx: KvContext,
  opts: SearchLoggedModelsOptions,
): Promise<Page<LoggedModel>> {
  const q = parseLoggedModelQuery(opts);
  const sourceRun = requiredSourceRun(q.filter);
  // The pending-batch count and the index's build mark share one point read.
  const [, built] = await Promise.all([
    rollForwardAll(ctx.kv),
    sourceRun === undefined ? null : batchedReads(ctx.kv).get(loggedModelsByRunBuiltKey()),
  ]);
  // Candidates from the source-run index for `source_run_id = '…'` (once built), else from the
  // experiment index (or the name index for `name = '…'`); every candidate is then read whole
  // and verified against the full query.
  const ids = new Set<string>();
  if (sourceRun !== undefined && built?.value) {
    const scope = new Set(q.experimentIds);
    const records: ModelRecord[] = [];
    const prefix = loggedModelsByRunPrefix(sourceRun);
    // Entries written before they carried the record hold only the experiment id.
    for await (const e of ctx.kv.list<ModelRecord | string>({ prefix })) {
      const expId = typeof e.value === "string" ? e.value : e.value.experiment_id;
      if (!scope.has(expId)) continue;
      ids.add(lastPart(e.key));
      if (typeof e.value !== "string") records.push(e.value);
    }
    if (opts.infoOnly && records.length === ids.size && answersFromInfo(q)) {
      const parts = { record: null, params: [], tags: [], points: [] };
      const models = records.filter((r) => !r.deleted).map((r) => toLoggedModel(r, parts));
      return searchLoggedModelsYielding(models, q);
    }
  } else {
    const name = requiredName(q.filter);
    for (const expId of q.experimentIds) {
      if (!EXPERIMENT_ID.test(expId)) continue;
      const prefix = name === undefined
        ? loggedModelsByExperimentPrefix(expId)
        : loggedModelsByNamePrefix(expId, name);
      for await (const e of ctx.kv.list<string>({ prefix })) ids.add(e.value);
    }
  }
  const models = await mapLimit([...ids], READ_CONCURRENCY, async (id) => {
    const parts = await readParts(ctx.kv, id);
    return parts.record === null || parts.record.value.deleted
      ? null
      : toLoggedModel(parts.record.value, parts);
  });
  return searchLoggedModelsYielding(models.filter((x): x is LoggedModel => x !== null), q);
}

/**
 * Schema migration 4: adds every live model with a source run to `logged_models_by_run`, a page
 * of the experiment index at a time, and marks the index built (a store written before the index
 * existed). Models created meanwhile add themselves; one deleted meanwhile may be left in the
 * index, which searches verify against.
 */
export function buildLoggedModelsByRun(step: MigrationStep): Promise<Mutation[]> {
  return buildIndex<string>(step, {
    prefix: loggedModelsByExperimentPrefix(),
    builtKey: loggedModelsByRunBuiltKey(),
    what: "logged models",
    entriesFor: async (page) => {
      const m: Mutation[] = [];
      const recs = await getManyValues<ModelRecord>(
        step.kv,
        page.map((e) => loggedModelKey(e.value)),
      );
      for (const rec of recs) {
        // The experiment id only, not the record: this commit does not check the records, so a
        // model changed or deleted meanwhile would leave a stale record that info-only searches
        // trust; searches read the models of such entries.
        if (rec?.source_run_id && !rec.deleted) {
          m.push({
            key: loggedModelByRunKey(rec.source_run_id, rec.model_id),
            value: rec.experiment_id,
          });
        }
      }
      return m;
    },
  });
}

function logOutputs(ctx: KvContext, runId: string, models: ModelOutput[]): Promise<void> {
  // Like log-inputs' models, outputs may name any model id (MLflow does not check them).
  return writeRun(ctx, runId, `log outputs of run ${runId}`, (s, m) => {
    requireActive(s);
    for (const x of models) m.set(runModelOutputKey(runId, x.model_id, x.step), 1);
  });
}

/** A short, stable id of a dataset (name, digest) for point keys; `""` without a dataset. */
function datasetSlot(m: Metric): string {
  if (m.dataset_name === undefined && m.dataset_digest === undefined) return "";
  return shortHash(`${m.dataset_name ?? ""}\u0000${m.dataset_digest ?? ""}`);
}

/**
 * Plans, inside a run write, the points of `metrics` that carry a `model_id`: one key per point
 * under its model, in the same commit as the run's own writes. Only this run's writes touch these
 * keys, and writes to one run are serialised, so no other writer can race them. A point naming no
 * stored model stays on the run only (MLflow accepts such ids too); one naming a deleted model is
 * kept with it, out of sight. Model records are never removed, so what this reads stays true.
 */
export async function planModelMetrics(
  kv: Deno.Kv,
  m: MutationSet,
  runId: string,
  metrics: readonly Metric[],
): Promise<void> {
  // A plain loop: a batch is up to 1000 metrics, mostly without a model id.
  const unique = new Set<string>();
  for (const x of metrics) if (isModelId(x.model_id)) unique.add(x.model_id);
  if (unique.size === 0) return;
  const ids = [...unique];
  const records = await getManyValues<ModelRecord>(kv, ids.map((id) => loggedModelKey(id)));
  const stored = new Set(ids.filter((_, i) => records[i] !== null));
  for (const x of metrics) {
    if (x.model_id === undefined || !stored.has(x.model_id)) continue;
    const v: PointValue = { v: x.value };
    if (x.dataset_name !== undefined) v.n = x.dataset_name;
    if (x.dataset_digest !== undefined) v.d = x.dataset_digest;
    m.set(loggedModelMetricKey(x.model_id!, x.key, runId, datasetSlot(x), x.step, x.timestamp), v);
  }
}

/** The logged models methods over `ctx`. */
export function loggedModelMethods(ctx: KvContext): LoggedModelMethods {
  return {
    createLoggedModel: (input) => createLoggedModel(ctx, input),
    getLoggedModel: (id) => getLoggedModel(ctx, id),
    finalizeLoggedModel: (id, status) => finalizeLoggedModel(ctx, id, status),
    deleteLoggedModel: (id) => deleteLoggedModel(ctx, id),
    setLoggedModelTags: (id, tags) => setLoggedModelTags(ctx, id, tags),
    deleteLoggedModelTag: (id, key) => deleteLoggedModelTag(ctx, id, key),
    logLoggedModelParams: (id, params) => logLoggedModelParams(ctx, id, params),
    searchLoggedModels: (opts) => searchLoggedModels(ctx, opts),
    logOutputs: (runId, models) => logOutputs(ctx, runId, models),
  };
}
