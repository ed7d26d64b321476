/** Runs in KV: create, update, delete and restore (reads live in `run_read.ts`). */
import { invalidParam, MlflowError } from "../errors.ts";
import { newRunId, randomRunName } from "../ids.ts";
import type { CreateRunInput, Run, RunInfo, UpdateRunInput } from "../types.ts";
import { fitsOneCommit } from "./committer.ts";
import {
  experimentKey,
  runByExperimentKey,
  runByTagKey,
  runHeadKey,
  runKey,
  runTagKey,
} from "./keys.ts";
import { indexTagChange, runIndexValue } from "./run_index.ts";
import { summaryWithTags } from "./run_summary.ts";
import {
  compareCodePoints,
  type ExperimentRecord,
  type RunHead,
  type RunRecord,
  toRunInfo,
} from "./records.ts";
import { RETRY, withRetry } from "./retry.ts";
import { type KvContext, requireActive, writeRun } from "./run_write.ts";
import { experimentNotFound } from "./experiments.ts";
import { cannotRestoreRunOfDeletedExperiment } from "../lifecycle_errors.ts";

const RUN_NAME_TAG = "mlflow.runName";

/** Most experiments `runs/create` keeps cached per process before it starts over. */
export const MAX_CACHED_EXPERIMENTS = 10_000;

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
  const runId = input.runId ?? newRunId();
  const startTime = input.startTime ?? ctx.now();
  return withRetry(`create a run in experiment ${expId}`, async () => {
    const cached = ctx.expCache.get(expId);
    const exp = cached ?? await ctx.kv.get<ExperimentRecord>(experimentKey(expId));
    // A cached entry stays for the creates running beside this one (dropping it here cost each
    // of them a read); the commit's check proves it current, and a failed check drops it below.
    if (exp.value === null) throw experimentNotFound(expId);
    if (input.runId !== undefined && (await ctx.kv.get(runKey(runId))).value !== null) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Run with id=${runId} already exists.`);
    }
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
      artifact_uri: input.artifactUri ?? `${exp.value.artifact_location}/${runId}/artifacts`,
      deleted: false,
      deleted_epoch: 0,
      s: summaryWithTags(tags),
    };
    const job = {
      checks: [exp, { key: runKey(runId), versionstamp: null }],
      mutations: [
        { key: runKey(runId), value: rec },
        { key: runHeadKey(runId), value: { seq: 0 } satisfies RunHead },
        { key: runByExperimentKey(expId, startTime, runId), value: runIndexValue(rec) },
        ...[...tags].flatMap(([k, v]) => [
          { key: runTagKey(runId, k), value: v },
          { key: runByTagKey(expId, k, v, runId), value: runId },
        ]),
      ],
    };
    if (!fitsOneCommit(job, ctx.limits)) {
      throw invalidParam(`Too many tags for one runs/create request; log them with log-batch`);
    }
    const vs = await ctx.committer.commit(job);
    if (vs === null) {
      if (ctx.expCache.get(expId) === exp) ctx.expCache.delete(expId);
      return RETRY;
    }
    if (ctx.expCache.get(expId) !== exp) {
      if (ctx.expCache.size >= MAX_CACHED_EXPERIMENTS) ctx.expCache.clear();
      ctx.expCache.set(expId, exp as Deno.KvEntry<ExperimentRecord>);
    }
    ctx.runExperiments.remember(runId, expId);
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
      tags: new Map(tags),
      tagsComplete: true,
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

/** Updates status, end time and name of an active run; a new name also updates the tag. */
export async function updateRun(
  ctx: KvContext,
  runId: string,
  input: UpdateRunInput,
): Promise<RunInfo> {
  let info: RunInfo | undefined;
  await writeRun(ctx, runId, `update run ${runId}`, async (s, m) => {
    requireActive(s);
    const next: RunRecord = { ...s.run };
    if (input.status !== undefined) next.status = input.status;
    if (input.endTime !== undefined) next.end_time = input.endTime;
    if (input.runName) {
      next.run_name = input.runName;
      const [old] = await s.tags([RUN_NAME_TAG]);
      if (old !== input.runName) {
        m.set(runTagKey(runId, RUN_NAME_TAG), input.runName);
        indexTagChange(m, s.run, RUN_NAME_TAG, old, input.runName);
      }
    }
    m.set(runKey(runId), next);
    info = toRunInfo(next, s.exp);
  });
  if (!info) throw new MlflowError("INTERNAL_ERROR", "Run update produced no result");
  return info;
}

/**
 * Soft-deletes (`deleted = true`) or restores a run; both are idempotent. A run of a deleted
 * experiment cannot be restored on its own (`INVALID_STATE`): it would stay deleted.
 */
export function setRunDeleted(ctx: KvContext, runId: string, deleted: boolean): Promise<void> {
  return writeRun(ctx, runId, `${deleted ? "delete" : "restore"} run ${runId}`, (s, m) => {
    if (!deleted && s.exp.lifecycle_stage === "deleted") {
      throw cannotRestoreRunOfDeletedExperiment(runId, s.exp.experiment_id);
    }
    if (s.run.deleted === deleted && (!deleted || s.run.deleted_epoch === s.exp.epoch)) return;
    m.set(runKey(runId), { ...s.run, deleted, deleted_epoch: s.exp.epoch } satisfies RunRecord);
  });
}
