/**
 * Purging one logged model from KV: the first commit deletes its record and live index entries
 * and sets its tombstone (the model is gone for every reader from then on), then its params, tags
 * and metric points go in batches with the registry's by-source-model index entries, the
 * tombstone last.
 *
 * @module
 */
import { modelNotFound } from "../logged_models/common.ts";
import type { LoggedModelInfo } from "../logged_models/types.ts";
import type { PurgeHooks, PurgeTarget } from "../purge_types.ts";
import {
  experimentKey,
  loggedModelByExperimentKey,
  loggedModelByNameKey,
  loggedModelByRunKey,
  loggedModelDataPrefix,
  loggedModelKey,
  loggedModelPurgeKey,
  modelVersionsBySourceModelPrefix,
} from "./keys.ts";
import type { ExperimentRecord } from "./records.ts";
import { RETRY, withRetry } from "./retry.ts";
import type { KvContext } from "./run_write.ts";
import { KeyDeleter } from "./purge_batches.ts";
import { notDeleted } from "./purge_run.ts";

/** A logged model as stored (see `logged_models.ts`). */
export type StoredModel = Omit<LoggedModelInfo, "tags"> & { deleted: boolean };

/** Whether a stored model counts as deleted: itself, or its experiment (absent: being purged). */
export function modelDeleted(rec: StoredModel, exp: ExperimentRecord | null): boolean {
  return rec.deleted || exp === null || exp.lifecycle_stage === "deleted";
}

/** The purge target of a model record. */
export function modelTarget(rec: StoredModel): PurgeTarget {
  return {
    kind: "logged_model",
    id: rec.model_id,
    experiment_id: rec.experiment_id,
    artifact_uri: rec.artifact_uri,
  };
}

async function markModel(ctx: KvContext, modelId: string): Promise<StoredModel> {
  return await withRetry(`purge logged model ${modelId}`, async () => {
    const [rec, tomb] = await ctx.kv.getMany<[StoredModel, StoredModel]>([
      loggedModelKey(modelId),
      loggedModelPurgeKey(modelId),
    ]);
    if (tomb.value !== null) return tomb.value;
    if (rec.value === null) throw modelNotFound(modelId);
    const m = rec.value;
    const exp = await ctx.kv.get<ExperimentRecord>(experimentKey(m.experiment_id));
    if (!modelDeleted(m, exp.value)) throw notDeleted("logged model", modelId);
    const op = ctx.kv.atomic().check(rec, exp)
      .delete(loggedModelKey(modelId))
      .delete(loggedModelByExperimentKey(m.experiment_id, m.creation_timestamp_ms, modelId))
      .delete(loggedModelByNameKey(m.experiment_id, m.name, modelId))
      .set(loggedModelPurgeKey(modelId), m);
    if (m.source_run_id) op.delete(loggedModelByRunKey(m.source_run_id, modelId));
    return (await op.commit()).ok ? m : RETRY;
  });
}

/** Purges a deleted logged model, or finishes an interrupted purge of it. */
export async function purgeLoggedModel(
  ctx: KvContext,
  modelId: string,
  hooks: PurgeHooks = {},
): Promise<void> {
  const rec = await markModel(ctx, modelId);
  const target = modelTarget(rec);
  await hooks.onMarked?.(target);
  const del = new KeyDeleter(ctx.kv, ctx.limits, (n) => hooks.onBatch?.(target, n));
  await del.addPrefix(loggedModelDataPrefix(modelId));
  await del.addPrefix(modelVersionsBySourceModelPrefix(modelId));
  await del.add(loggedModelPurgeKey(modelId));
  await del.flush();
}
