/**
 * Purging one experiment from KV. The first commit (under a check of the record, so a racing
 * restore either lands first and the purge refuses, or fails) deletes the record and frees the
 * name, and sets the tombstone: the experiment and its runs are gone for writers at once, and its
 * name can be reused. Then each run and logged model in it is purged (each marked first), then
 * its tags, indexes and datasets, its entry in the lifecycles key, and the tombstone last.
 *
 * @module
 */
import { mapLimit } from "../map_limit.ts";
import { notDeleted, refuseDefaultExperiment } from "../purge_errors.ts";
import type { PurgeHooks, PurgeTarget } from "../purge_types.ts";
import { experimentNotFound } from "./experiments.ts";
import { type ExperimentLifecycles, nextLifecycles } from "./experiment_lifecycles.ts";
import {
  experimentByNameKey,
  experimentKey,
  experimentLifecyclesKey,
  experimentOwnedPrefixes,
  experimentPurgeKey,
  loggedModelPurgesPrefix,
  runPurgesPrefix,
  runsByExperimentPrefix,
} from "./keys.ts";
import type { ExperimentRecord, ModelRecord, RunRecord } from "./records.ts";
import { RETRY, withRetry } from "./retry.ts";
import type { KvContext } from "./run_write.ts";
import { PURGE_LIST_BATCH } from "./purge_batches.ts";
import { purgeRun } from "./purge_run.ts";
import { purgeLoggedModel, storedModels } from "./purge_model.ts";
import { markEntity, purgeMarked } from "./purge_steps.ts";

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
  const keys = { record: experimentKey(id), tombstone: experimentPurgeKey(id) };
  return await markEntity<ExperimentRecord>(
    ctx,
    `experiment ${id}`,
    keys,
    () => experimentNotFound(id),
    async (rec) => {
      if (rec.value.lifecycle_stage !== "deleted") throw notDeleted("experiment", id);
      const byName = await ctx.kv.get<string>(experimentByNameKey(rec.value.name));
      const op = ctx.kv.atomic().check(rec, byName).delete(experimentKey(id))
        .set(experimentPurgeKey(id), rec.value);
      if (byName.value === id) op.delete(byName.key);
      if (!(await op.commit()).ok) return RETRY;
      ctx.expCache.delete(id);
      return rec.value;
    },
  );
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
  refuseDefaultExperiment(id);
  await purgeMarked(
    ctx,
    hooks,
    () => markExperiment(ctx, id),
    experimentTarget,
    async (rec, del) => {
      // Runs an interrupted purge had marked have left the experiment's index already.
      for await (const e of ctx.kv.list<RunRecord>({ prefix: runPurgesPrefix() })) {
        if (e.value.experiment_id === id) await purgeRun(ctx, e.value.run_id, hooks);
      }
      await purgeIndexedRuns(ctx, id, hooks);
      for await (const e of ctx.kv.list<ModelRecord>({ prefix: loggedModelPurgesPrefix() })) {
        if (e.value.experiment_id === id) await purgeLoggedModel(ctx, e.value.model_id, hooks);
      }
      for await (const m of storedModels(ctx.kv)) {
        if (m.experiment_id === id) await purgeLoggedModel(ctx, m.model_id, hooks);
      }
      for (const prefix of experimentOwnedPrefixes(id)) await del.addPrefix(prefix);
      await del.flush();
      await forgetLifecycle(ctx.kv, rec);
      await ctx.kv.delete(experimentPurgeKey(id));
    },
  );
}

/**
 * Purges the runs in experiment `id`'s index. Runs are independent: a page of them at a time, a
 * few in flight (each purge is mostly round trips). The listing goes on from its cursor, past the
 * entries the purges delete.
 */
async function purgeIndexedRuns(ctx: KvContext, id: string, hooks: PurgeHooks): Promise<void> {
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
}
