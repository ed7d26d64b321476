/**
 * Purging one run from KV. The first commit, under checks of the run's record, head and
 * experiment, deletes the record, the head and the experiment's index entry and sets the run's
 * tombstone: from then on every read answers "not found" and every write's head check fails, so
 * a restore racing the purge either committed first (the purge then sees an active run and
 * refuses) or fails. The remaining keys go in batches; the tombstone goes last, so a purge
 * interrupted anywhere is finished by the next one.
 *
 * @module
 */
import { notDeleted } from "../purge_errors.ts";
import type { PurgeHooks, PurgeTarget } from "../purge_types.ts";
import {
  experimentKey,
  experimentPurgeKey,
  lastPart,
  loggedModelMetricsPrefix,
  runByExperimentKey,
  runByMetricKey,
  runByParamKey,
  runByTagKey,
  runDataPrefix,
  runHeadKey,
  runKey,
  runOwnedPrefixes,
  runPurgeKey,
} from "./keys.ts";
import { decodeChunk, type MetricHead, type PointExtra } from "./metric_history.ts";
import type { ExperimentRecord, RunHead, RunRecord } from "./records.ts";
import { runStage } from "./records.ts";
import { RETRY, withRetry } from "./retry.ts";
import { type KvContext, runNotFound } from "./run_write.ts";
import { rollForward } from "./staged_batch.ts";
import { type KeyDeleter, PURGE_LIST_BATCH } from "./purge_batches.ts";
import { purgeMarked } from "./purge_steps.ts";

/**
 * Most distinct logged models whose metric points a purge looks for under the purged run; a run
 * that logged against more leaves the rest until its models are purged.
 */
export const MAX_PURGE_MODEL_IDS = 10_000;

/** A run's stage and deletion time, given its experiment (absent: being purged, so deleted). */
export function runDeletion(
  run: RunRecord,
  exp: ExperimentRecord | null,
): { deleted: boolean; deletedTime: number } {
  if (exp === null) return { deleted: true, deletedTime: 0 };
  if (exp.lifecycle_stage === "deleted") {
    return { deleted: true, deletedTime: exp.last_update_time };
  }
  return { deleted: runStage(run, exp) === "deleted", deletedTime: run.deleted_time ?? 0 };
}

/**
 * Marks a run as being purged (or finds it marked) and returns its last record. Throws
 * `RESOURCE_DOES_NOT_EXIST` for an unknown run, `INVALID_PARAMETER_VALUE` for an active one.
 * Not `markEntity`: the run's head is read in the same snapshot as its record and tombstone.
 */
async function markRun(ctx: KvContext, runId: string): Promise<RunRecord> {
  return await withRetry(`purge run ${runId}`, async () => {
    const [run, head, tomb] = await ctx.kv.getMany<[RunRecord, RunHead, RunRecord]>([
      runKey(runId),
      runHeadKey(runId),
      runPurgeKey(runId),
    ]);
    if (tomb.value !== null) return tomb.value;
    if (run.value === null) throw runNotFound(runId);
    if (head.value?.pending) {
      await rollForward(ctx.kv, runId);
      return RETRY;
    }
    const rec = run.value;
    const [exp, expTomb] = await ctx.kv.getMany<[ExperimentRecord, ExperimentRecord]>([
      experimentKey(rec.experiment_id),
      experimentPurgeKey(rec.experiment_id),
    ]);
    if (exp.value === null && expTomb.value === null) throw runNotFound(runId);
    if (!runDeletion(rec, exp.value).deleted) throw notDeleted("run", runId);
    const res = await ctx.kv.atomic().check(run, head, exp)
      .delete(runKey(runId))
      .delete(runHeadKey(runId))
      .delete(runByExperimentKey(rec.experiment_id, rec.start_time, runId))
      .set(runPurgeKey(runId), rec)
      .commit();
    if (!res.ok) return RETRY;
    ctx.runCache.delete(runId);
    return rec;
  });
}

/** The logged models the run's keys name: outputs, inputs and models of its metric points. */
async function modelsOfRun(kv: Deno.Kv, runId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const add = (x: PointExtra | 0 | undefined) => {
    if (x && x.model_id !== undefined && ids.size < MAX_PURGE_MODEL_IDS) ids.add(x.model_id);
  };
  for await (
    const e of kv.list({ prefix: runDataPrefix(runId) }, { batchSize: PURGE_LIST_BATCH })
  ) {
    if (e.key[2] === "o" || e.key[2] === "i") ids.add(e.key[3] as string);
  }
  for (const prefix of runOwnedPrefixes(runId)) {
    const family = prefix[0];
    if (family !== "metric_chunks" && family !== "metric_points" && family !== "metric_late") {
      continue;
    }
    for await (const e of kv.list({ prefix }, { batchSize: PURGE_LIST_BATCH })) {
      if (family === "metric_chunks") {
        for (const p of decodeChunk(e.value as Parameters<typeof decodeChunk>[0])) add(p.x);
      } else add(e.value as PointExtra | 0);
    }
  }
  return ids;
}

/** Deletes every key of a run after its mark (or resumes doing so), the tombstone last. */
async function finishRun(ctx: KvContext, rec: RunRecord, del: KeyDeleter): Promise<void> {
  const runId = rec.run_id;
  const exp = rec.experiment_id;
  // Points the run logged against models live under the models: found while the run's own keys
  // still say which models they are.
  for (const modelId of await modelsOfRun(ctx.kv, runId)) {
    await del.addPrefix(loggedModelMetricsPrefix(modelId), (k) => k[4] === runId);
  }
  for (const prefix of runOwnedPrefixes(runId)) await del.addPrefix(prefix);
  // Each param, tag and metric head leaves with its index entry, in one commit.
  const data = ctx.kv.list({ prefix: runDataPrefix(runId) }, { batchSize: PURGE_LIST_BATCH });
  for await (const e of data) {
    const part = e.key[2];
    if (part === "p") {
      await del.add(e.key, runByParamKey(exp, lastPart(e.key), e.value as string, runId));
    } else if (part === "t") {
      await del.add(e.key, runByTagKey(exp, lastPart(e.key), e.value as string, runId));
    } else if (part === "m") {
      const head = e.value as MetricHead;
      await del.add(
        e.key,
        runByMetricKey(exp, lastPart(e.key), head.latest.value, rec.start_time, runId),
      );
    } else await del.add(e.key);
  }
  await del.add(runPurgeKey(runId));
  await del.flush();
}

/** The purge target of a run record. */
export function runTarget(rec: RunRecord): PurgeTarget {
  return {
    kind: "run",
    id: rec.run_id,
    experiment_id: rec.experiment_id,
    artifact_uri: rec.artifact_uri,
  };
}

/** Purges a deleted run, or finishes an interrupted purge of it (see the module doc). */
export async function purgeRun(
  ctx: KvContext,
  runId: string,
  hooks: PurgeHooks = {},
): Promise<void> {
  await purgeMarked(
    ctx,
    hooks,
    () => markRun(ctx, runId),
    runTarget,
    (rec, del) => finishRun(ctx, rec, del),
  );
}
