/**
 * The experiment lifecycles key: the stage and epoch of every experiment that is not in its
 * initial state (active, epoch 0), in one value.
 *
 * A run's stage depends on its experiment's (see `runStage`), and deleting an experiment flips
 * one record rather than every run. A process that has not seen a run yet does not know its
 * experiment, so it would read the run, then the experiment: two round trips. Reading this key
 * with the run instead tells the stage in one. Experiments change stage rarely, so one key is
 * cheap to keep: every stage change rewrites it in the same commit as the experiment, under a
 * check.
 *
 * The key may not tell: absent (a store written before it existed), `stale` (a stage changed
 * while it was being built) or `overflow` (more experiments than it holds). Readers then read the
 * experiment as before. Schema migration 2 (`migrations.ts`) builds it on a store written before
 * it existed; an empty store starts with it.
 *
 * @module
 */
import { experimentLifecyclesKey, experimentsPrefix } from "./keys.ts";
import type { ExperimentLifecycle, ExperimentRecord } from "./records.ts";
import { batchedReads } from "./read_batcher.ts";
import { RETRY, withRetry } from "./retry.ts";

/**
 * Most experiments the key lists (deleted, or restored at least once) before it gives up for
 * good (`overflow`) and readers read experiments again: keeps the value far under KV's 64 KiB.
 */
export const MAX_EXPERIMENT_LIFECYCLES = 1000;

/** The key's value: per experiment id, [1 when deleted else 0, epoch]. */
export type ExperimentLifecycles =
  | { exps: Record<string, [0 | 1, number]> }
  | { stale: true }
  | { overflow: true };

/** The lifecycle of experiment `id` per the key's value; undefined when the value cannot tell. */
export function lifecycleOf(
  value: ExperimentLifecycles | null | undefined,
  id: string,
): ExperimentLifecycle | undefined {
  if (!value || !("exps" in value)) return undefined;
  const e = value.exps[id];
  if (e === undefined) return { lifecycle_stage: "active", epoch: 0 };
  return { lifecycle_stage: e[0] === 1 ? "deleted" : "active", epoch: e[1] };
}

function withExperiment(
  exps: Record<string, [0 | 1, number]>,
  rec: ExperimentRecord,
): ExperimentLifecycles {
  const next = { ...exps };
  if (rec.lifecycle_stage === "active" && rec.epoch === 0) delete next[rec.experiment_id];
  else next[rec.experiment_id] = [rec.lifecycle_stage === "deleted" ? 1 : 0, rec.epoch];
  return Object.keys(next).length > MAX_EXPERIMENT_LIFECYCLES ? { overflow: true } : { exps: next };
}

/**
 * The key's value once experiment `next` is stored. A value that cannot tell becomes (or stays)
 * one that cannot tell; writing it anyway changes the key's versionstamp, so a build that read
 * the experiments before this change fails its check and starts over.
 */
export function nextLifecycles(
  value: ExperimentLifecycles | null,
  next: ExperimentRecord,
): ExperimentLifecycles {
  if (value && "exps" in value) return withExperiment(value.exps, next);
  if (value && "overflow" in value) return value;
  return { stale: true };
}

/**
 * Builds the key from every experiment record when it is absent or stale (a store written
 * before it existed, or a stage change that raced the last build). Safe from many processes at
 * once: the commit checks the key as read, and every stage change rewrites it.
 */
export async function ensureExperimentLifecycles(kv: Deno.Kv): Promise<void> {
  await withRetry("index experiment lifecycles", async () => {
    const cur = await batchedReads(kv).get<ExperimentLifecycles>(experimentLifecyclesKey());
    if (cur.value && !("stale" in cur.value)) return true;
    const exps: Record<string, [0 | 1, number]> = {};
    let count = 0;
    for await (const e of kv.list<ExperimentRecord>({ prefix: experimentsPrefix() })) {
      const { experiment_id: id, lifecycle_stage: stage, epoch } = e.value;
      if (stage === "active" && epoch === 0) continue;
      exps[id] = [stage === "deleted" ? 1 : 0, epoch];
      if (++count > MAX_EXPERIMENT_LIFECYCLES) break;
    }
    const built: ExperimentLifecycles = count > MAX_EXPERIMENT_LIFECYCLES
      ? { overflow: true }
      : { exps };
    const res = await kv.atomic().check(cur).set(experimentLifecyclesKey(), built).commit();
    return res.ok ? true : RETRY;
  });
}
