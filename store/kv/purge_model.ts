/**
 * Purging one logged model from KV: the first commit deletes its record and live index entries
 * and sets its tombstone (the model is gone for every reader from then on), then its params, tags
 * and metric points go in batches with the registry's by-source-model index entries, the
 * tombstone last.
 *
 * @module
 */
import { modelNotFound } from "../logged_models/common.ts";
import type { PurgeHooks, PurgeTarget } from "../purge_types.ts";
import { notDeleted } from "../purge_errors.ts";
import {
  experimentKey,
  loggedModelByExperimentKey,
  loggedModelByNameKey,
  loggedModelByRunKey,
  loggedModelDataPrefix,
  loggedModelDataRoot,
  loggedModelKey,
  loggedModelPurgeKey,
  modelVersionsBySourceModelPrefix,
} from "./keys.ts";
import type { ExperimentRecord, ModelRecord } from "./records.ts";
import { RETRY } from "./retry.ts";
import type { KvContext } from "./run_write.ts";
import { markEntity, purgeMarked } from "./purge_steps.ts";

/** Whether a stored model counts as deleted: itself, or its experiment (absent: being purged). */
export function modelDeleted(rec: ModelRecord, exp: ExperimentRecord | null): boolean {
  return rec.deleted || exp === null || exp.lifecycle_stage === "deleted";
}

/** The purge target of a model record. */
export function modelTarget(rec: ModelRecord): PurgeTarget {
  return {
    kind: "logged_model",
    id: rec.model_id,
    experiment_id: rec.experiment_id,
    artifact_uri: rec.artifact_uri,
  };
}

async function markModel(ctx: KvContext, modelId: string): Promise<ModelRecord> {
  const keys = { record: loggedModelKey(modelId), tombstone: loggedModelPurgeKey(modelId) };
  return await markEntity<ModelRecord>(
    ctx,
    `logged model ${modelId}`,
    keys,
    () => modelNotFound(modelId),
    async (rec) => {
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
    },
  );
}

/**
 * Every stored logged model, deleted ones included: one list call per model, reading only its
 * record (the first key under it), since deleted models leave the experiments' indexes. A model
 * whose record is gone (an interrupted purge) is skipped.
 */
export async function* storedModels(kv: Deno.Kv): AsyncGenerator<ModelRecord> {
  const root = loggedModelDataRoot();
  let start: Deno.KvKey | undefined;
  for (;;) {
    const selector = start ? { prefix: root, start } : { prefix: root };
    const [e] = await Array.fromAsync(kv.list<ModelRecord>(selector, { limit: 1 }));
    if (!e) return;
    // Past every key of this model: ids are strings, and `id + "\0"` sorts right after them.
    start = [...root, `${e.key[1] as string}\0`];
    if (e.key[2] === "a") yield e.value;
  }
}

/** Purges a deleted logged model, or finishes an interrupted purge of it. */
export async function purgeLoggedModel(
  ctx: KvContext,
  modelId: string,
  hooks: PurgeHooks = {},
): Promise<void> {
  await purgeMarked(ctx, hooks, () => markModel(ctx, modelId), modelTarget, async (_, del) => {
    await del.addPrefix(loggedModelDataPrefix(modelId));
    await del.addPrefix(modelVersionsBySourceModelPrefix(modelId));
    await del.add(loggedModelPurgeKey(modelId));
    await del.flush();
  });
}
