/** Runs in KV: create, read (a consistent snapshot), update, delete and restore. */
import { invalidParam, MlflowError } from "../errors.ts";
import { newRunId, randomRunName } from "../ids.ts";
import type { CreateRunInput, Metric, Param, Run, RunInfo, Tag, UpdateRunInput } from "../types.ts";
import { fitsOneCommit } from "./committer.ts";
import { readDatasetInputs } from "./datasets.ts";
import {
  experimentKey,
  runByExperimentKey,
  runHeadKey,
  runKey,
  runMetricsPrefix,
  runModelInputsPrefix,
  runParamsPrefix,
  runTagKey,
  runTagsPrefix,
} from "./keys.ts";
import type { MetricHead } from "./metric_history.ts";
import {
  compareCodePoints,
  type ExperimentRecord,
  type RunHead,
  type RunRecord,
  toRunInfo,
} from "./records.ts";
import { RETRY, withRetry } from "./retry.ts";
import { type KvContext, requireActive, writeRun } from "./run_write.ts";
import { readConsistently } from "./snapshot.ts";
import { experimentNotFound } from "./experiments.ts";

const RUN_NAME_TAG = "mlflow.runName";

/** Creates a run; the record, its head, its index entry and its tags land in one commit. */
export function createRun(ctx: KvContext, input: CreateRunInput): Promise<Run> {
  const expId = input.experimentId || "0";
  const tags = new Map((input.tags ?? []).map((t) => [t.key, t.value]));
  const tagName = tags.get(RUN_NAME_TAG);
  if (input.runName && tagName !== undefined && input.runName !== tagName) {
    throw invalidParam(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`,
    );
  }
  const runName = input.runName || tagName || randomRunName();
  tags.set(RUN_NAME_TAG, runName);
  const runId = newRunId();
  const startTime = input.startTime ?? Date.now();
  return withRetry(`create a run in experiment ${expId}`, async () => {
    const exp = ctx.expCache.get(expId) ??
      await ctx.kv.get<ExperimentRecord>(experimentKey(expId));
    ctx.expCache.delete(expId);
    if (exp.value === null) throw experimentNotFound(expId);
    if (exp.value.lifecycle_stage !== "active") {
      throw invalidParam(
        `The experiment ${expId} must be in the 'active' state. Current state is ${exp.value.lifecycle_stage}.`,
      );
    }
    const rec: RunRecord = {
      run_id: runId,
      experiment_id: expId,
      run_name: runName,
      user_id: input.userId ?? "",
      status: "RUNNING",
      start_time: startTime,
      artifact_uri: `${exp.value.artifact_location}/${runId}/artifacts`,
      deleted: false,
      deleted_epoch: 0,
    };
    const job = {
      checks: [exp, { key: runKey(runId), versionstamp: null }],
      mutations: [
        { key: runKey(runId), value: rec },
        { key: runHeadKey(runId), value: { seq: 0 } satisfies RunHead },
        { key: runByExperimentKey(expId, startTime, runId), value: runId },
        ...[...tags].map(([k, v]) => ({ key: runTagKey(runId, k), value: v })),
      ],
    };
    if (!fitsOneCommit(job)) {
      throw invalidParam(`Too many tags for one runs/create request; log them with log-batch`);
    }
    const vs = await ctx.committer.commit(job);
    if (vs === null) return RETRY;
    if (ctx.expCache.size >= 10_000) ctx.expCache.clear();
    ctx.expCache.set(expId, exp as Deno.KvEntry<ExperimentRecord>);
    ctx.runCache.set(runId, {
      run: rec,
      head: { seq: 0 },
      headVersionstamp: vs,
      exp: exp.value,
      expVersionstamp: exp.versionstamp,
      params: new Map(),
      paramsComplete: true,
      metrics: new Map(),
      metricsComplete: true,
    });
    const run: Run = {
      info: toRunInfo(rec, exp.value),
      data: {
        metrics: [],
        params: [],
        tags: [...tags].map(([key, value]) => ({ key, value })).sort((a, b) =>
          compareCodePoints(a.key, b.key)
        ),
      },
      inputs: { dataset_inputs: [], model_inputs: [] },
      outputs: { model_outputs: [] },
    };
    return run;
  });
}

async function listAll<T>(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvEntry<T>[]> {
  const out: Deno.KvEntry<T>[] = [];
  for await (const e of kv.list<T>({ prefix })) out.push(e);
  return out;
}

/**
 * Reads a full run. Its parts live under several prefixes, so the read is validated against the
 * run's head (see `readConsistently`): a reader never sees part of a batch.
 */
export function readRun(ctx: KvContext, runId: string): Promise<Run> {
  return readConsistently(ctx, runId, async ({ run, exp }) => {
    const [params, tags, metrics, datasets, models] = await Promise.all([
      listAll<string>(ctx.kv, runParamsPrefix(runId)),
      listAll<string>(ctx.kv, runTagsPrefix(runId)),
      listAll<MetricHead>(ctx.kv, runMetricsPrefix(runId)),
      readDatasetInputs(ctx.kv, runId, run.value.experiment_id),
      listAll<number>(ctx.kv, runModelInputsPrefix(runId)),
    ]);
    const kvPair = (e: Deno.KvEntry<string>): Param & Tag => ({
      key: e.key[2] as string,
      value: e.value,
    });
    const metricList: Metric[] = metrics.map((e) => {
      const { timestamp, step, value } = e.value.latest;
      return { key: e.key[2] as string, value, timestamp, step };
    });
    return {
      info: toRunInfo(run.value, exp.value),
      data: { metrics: metricList, params: params.map(kvPair), tags: tags.map(kvPair) },
      inputs: {
        dataset_inputs: datasets,
        model_inputs: models.map((e) => ({ model_id: e.key[2] as string })),
      },
      outputs: { model_outputs: [] },
    };
  });
}

/** Updates status, end time and name of an active run; a new name also updates the tag. */
export async function updateRun(
  ctx: KvContext,
  runId: string,
  input: UpdateRunInput,
): Promise<RunInfo> {
  let info: RunInfo | undefined;
  await writeRun(ctx, runId, `update run ${runId}`, (s, m) => {
    requireActive(s);
    const next: RunRecord = { ...s.run };
    if (input.status !== undefined) next.status = input.status;
    if (input.endTime !== undefined) next.end_time = input.endTime;
    if (input.runName) {
      next.run_name = input.runName;
      m.set(runTagKey(runId, RUN_NAME_TAG), input.runName);
    }
    m.set(runKey(runId), next);
    info = toRunInfo(next, s.exp);
  });
  if (!info) throw new MlflowError("INTERNAL_ERROR", "Run update produced no result");
  return info;
}

/** Soft-deletes (`deleted = true`) or restores a run; both are idempotent. */
export function setRunDeleted(ctx: KvContext, runId: string, deleted: boolean): Promise<void> {
  return writeRun(ctx, runId, `${deleted ? "delete" : "restore"} run ${runId}`, (s, m) => {
    if (s.run.deleted === deleted && (!deleted || s.run.deleted_epoch === s.exp.epoch)) return;
    m.set(runKey(runId), { ...s.run, deleted, deleted_epoch: s.exp.epoch } satisfies RunRecord);
  });
}
