/**
 * Purging one experiment from KV. The first commit (under a check of the record, so a racing
 * restore either lands first and the purge refuses, or fails) deletes the record and frees the
 * name, and sets the tombstone: the experiment and its runs are gone for writers at once, and its
 * name can be reused. Then each run and logged model in it is purged (each marked first), then
 * its tags, indexes and datasets, its entry in the lifecycles key, and the tombstone last.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import { mapLimit } from "../map_limit.ts";
import type { PurgeHooks, PurgeTarget } from "../purge_types.ts";
import { experimentNotFound } from "./experiments.ts";
import { type ExperimentLifecycles, nextLifecycles } from "./experiment_lifecycles.ts";
import {
  experimentByNameKey,
  experimentKey,
  experimentLifecyclesKey,
  experimentOwnedPrefixes,
  experimentPurgeKey,
  loggedModelDataRoot,
  loggedModelPurgesPrefix,
  runPurgesPrefix,
  runsByExperimentPrefix,
} from "./keys.ts";
import type { ExperimentRecord, RunRecord } from "./records.ts";
import { RETRY, withRetry } from "./retry.ts";
import type { KvContext } from "./run_write.ts";
import { KeyDeleter, PURGE_LIST_BATCH } from "./purge_batches.ts";
import { notDeleted, purgeRun } from "./purge_run.ts";
import { purgeLoggedModel, type StoredModel } from "./purge_model.ts";

/** Runs of one experiment purged at once. */
export const PURGE_RUN_CONCURRENCY = 8;

/** The purge target of an experiment record. */
export function experimentTarget(rec: ExperimentRecord): PurgeTarget {
  return {
    kind: "experiment",
    id: rec.experiment_id,
    experiment_id: rec.experiment_id,
    artifact_uri: rec.artifact_location,
  };
}

async function markExperiment(ctx: KvContext, id: string): Promise<ExperimentRecord> {
  return await withRetry(`purge experiment ${id}`, async () => {
    const [rec, tomb] = await ctx.kv.getMany<[ExperimentRecord, ExperimentRecord]>([
      experimentKey(id),
      experimentPurgeKey(id),
    ]);
    if (tomb.value !== null) return tomb.value;
    if (rec.value === null) throw experimentNotFound(id);
    if (rec.value.lifecycle_stage !== "deleted") throw notDeleted("experiment", id);
    const byName = await ctx.kv.get<string>(experimentByNameKey(rec.value.name));
    const op = ctx.kv.atomic().check(rec, byName).delete(experimentKey(id))
      .set(experimentPurgeKey(id), rec.value);
    if (byName.value === id) op.delete(byName.key);
    if (!(await op.commit()).ok) return RETRY;
    ctx.expCache.delete(id);
    return rec.value;
  });
}

/**
 * Every logged model of experiment `id`, deleted ones included: one list call per model, reading
 * only its record (the first key under it), since deleted models leave the experiment's indexes.
 */
async function* modelsOf(kv: Deno.Kv, id: string): AsyncGenerator<string> {
  const root = loggedModelDataRoot();
  let start: Deno.KvKey | undefined;
  for (;;) {
    const selector = start ? { prefix: root, start } : { prefix: root };
    const [e] = await Array.fromAsync(kv.list<StoredModel>(selector, { limit: 1 }));
    if (!e) return;
    const modelId = e.key[1] as string;
    if (e.key[2] === "a" && e.value.experiment_id === id) yield modelId;
    // Past every key of this model: ids are strings, and `id + "\0"` sorts right after them.
    start = [...root, `${modelId}\0`];
  }
}

/** Drops experiment `id` from the lifecycles key (a purged experiment has no stage). */
async function forgetLifecycle(kv: Deno.Kv, rec: ExperimentRecord): Promise<void> {
  await withRetry(`purge experiment ${rec.experiment_id}`, async () => {
    const cur = await kv.get<ExperimentLifecycles>(experimentLifecyclesKey());
    if (cur.value === null) return true;
    // An experiment in its initial state has no entry: this removes it.
    const next = nextLifecycles(cur.value, { ...rec, lifecycle_stage: "active", epoch: 0 });
    return (await kv.atomic().check(cur).set(cur.key, next).commit()).ok ? true : RETRY;
  });
}

/** Purges a deleted experiment with everything in it, or finishes an interrupted purge. */
export async function purgeExperiment(
  ctx: KvContext,
  id: string,
  hooks: PurgeHooks = {},
): Promise<void> {
  if (id === "0") {
    throw new MlflowError("INVALID_PARAMETER_VALUE", "Cannot purge the Default experiment");
  }
  const rec = await markExperiment(ctx, id);
  const target = experimentTarget(rec);
  await hooks.onMarked?.(target);
  // Runs an interrupted purge had marked have left the experiment's index already.
  for await (const e of ctx.kv.list<RunRecord>({ prefix: runPurgesPrefix() })) {
    if (e.value.experiment_id === id) await purgeRun(ctx, e.value.run_id, hooks);
  }
  // Runs are independent: a page of them at a time, a few in flight (each purge is mostly round
  // trips). The listing goes on from its cursor, past the entries the purges delete.
  const runs = ctx.kv.list({ prefix: runsByExperimentPrefix(id) }, { batchSize: PURGE_LIST_BATCH });
  let page: string[] = [];
  const flush = async () => {
    await mapLimit(page, PURGE_RUN_CONCURRENCY, (runId) => purgeRun(ctx, runId, hooks));
    page = [];
  };
  for await (const e of runs) {
    page.push(e.key[3] as string);
    if (page.length >= PURGE_LIST_BATCH) await flush();
  }
  await flush();
  for await (const e of ctx.kv.list<StoredModel>({ prefix: loggedModelPurgesPrefix() })) {
    if (e.value.experiment_id === id) await purgeLoggedModel(ctx, e.value.model_id, hooks);
  }
  for await (const modelId of modelsOf(ctx.kv, id)) await purgeLoggedModel(ctx, modelId, hooks);
  const del = new KeyDeleter(ctx.kv, ctx.limits, (n) => hooks.onBatch?.(target, n));
  for (const prefix of experimentOwnedPrefixes(id)) await del.addPrefix(prefix);
  await del.flush();
  await forgetLifecycle(ctx.kv, rec);
  await ctx.kv.delete(experimentPurgeKey(id));
}
