/**
 * The KV store's permanent deletion (`PurgeMethods`): listing what gc may purge, and the three
 * purges (see `purge_run.ts`, `purge_experiment.ts`, `purge_model.ts`).
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import { notDeleted } from "../purge_errors.ts";
import { listCandidates } from "../purge_listing.ts";
import type { GcCandidate, PurgeMethods } from "../purge_types.ts";
import { experimentNotFound } from "./experiments.ts";
import {
  experimentKey,
  experimentPurgeKey,
  experimentPurgesPrefix,
  experimentsPrefix,
  loggedModelPurgesPrefix,
  runKey,
  runPurgeKey,
  runPurgesPrefix,
  runsByExperimentPrefix,
} from "./keys.ts";
import type { ExperimentRecord, ModelRecord, RunRecord } from "./records.ts";
import { type KvContext, runNotFound } from "./run_write.ts";
import { PURGE_LIST_BATCH } from "./purge_batches.ts";
import { purgeRun, runDeletion, runTarget } from "./purge_run.ts";
import { experimentTarget, purgeExperiment } from "./purge_experiment.ts";
import { modelTarget, purgeLoggedModel, storedModels } from "./purge_model.ts";

/** Ids longer than this name nothing (and would make KV keys too long): not found. */
export const MAX_PURGE_ID_CHARS = 256;

function candidate(
  target: ReturnType<typeof runTarget>,
  deletedTime: number,
  purging: boolean,
): GcCandidate {
  return { ...target, deleted_time: deletedTime, purging };
}

async function namedRun(ctx: KvContext, id: string): Promise<GcCandidate> {
  if (id.length > MAX_PURGE_ID_CHARS) throw runNotFound(id.slice(0, 64));
  const [run, tomb] = await ctx.kv.getMany<[RunRecord, RunRecord]>([runKey(id), runPurgeKey(id)]);
  if (tomb.value !== null) return candidate(runTarget(tomb.value), 0, true);
  if (run.value === null) throw runNotFound(id);
  const exp = await ctx.kv.get<ExperimentRecord>(experimentKey(run.value.experiment_id));
  const d = runDeletion(run.value, exp.value);
  if (!d.deleted) throw notDeleted("run", id);
  return candidate(runTarget(run.value), d.deletedTime, false);
}

async function namedExperiment(ctx: KvContext, id: string): Promise<GcCandidate> {
  if (id.length > MAX_PURGE_ID_CHARS) throw experimentNotFound(id.slice(0, 64));
  const [rec, tomb] = await ctx.kv.getMany<[ExperimentRecord, ExperimentRecord]>([
    experimentKey(id),
    experimentPurgeKey(id),
  ]);
  if (tomb.value !== null) return candidate(experimentTarget(tomb.value), 0, true);
  if (rec.value === null) throw experimentNotFound(id);
  if (rec.value.lifecycle_stage !== "deleted") throw notDeleted("experiment", id);
  return candidate(experimentTarget(rec.value), rec.value.last_update_time, false);
}

/** Interrupted purges: gc finishes these first. */
async function* tombstones(kv: Deno.Kv): AsyncGenerator<GcCandidate> {
  for await (const e of kv.list<RunRecord>({ prefix: runPurgesPrefix() })) {
    yield candidate(runTarget(e.value), 0, true);
  }
  for await (const e of kv.list<ModelRecord>({ prefix: loggedModelPurgesPrefix() })) {
    yield candidate(modelTarget(e.value), 0, true);
  }
  for await (const e of kv.list<ExperimentRecord>({ prefix: experimentPurgesPrefix() })) {
    yield candidate(experimentTarget(e.value), 0, true);
  }
}

/** Deleted runs of a live experiment, from its run index (whose values are run records or ids). */
async function* deletedRunsOf(
  kv: Deno.Kv,
  exp: ExperimentRecord,
): AsyncGenerator<GcCandidate> {
  const index = kv.list<RunRecord | string>(
    { prefix: runsByExperimentPrefix(exp.experiment_id) },
    { batchSize: PURGE_LIST_BATCH },
  );
  for await (const e of index) {
    const run = typeof e.value === "string"
      ? (await kv.get<RunRecord>(runKey(e.value))).value
      : e.value;
    if (run === null) continue;
    const d = runDeletion(run, exp);
    if (d.deleted) yield candidate(runTarget(run), d.deletedTime, false);
  }
}

/** Deleted logged models of live experiments. */
async function* deletedModels(kv: Deno.Kv): AsyncGenerator<GcCandidate> {
  for await (const m of storedModels(kv)) {
    if (!m.deleted) continue;
    const exp = await kv.get<ExperimentRecord>(experimentKey(m.experiment_id));
    if (exp.value?.lifecycle_stage !== "active") continue; // goes with its experiment
    yield candidate(modelTarget(m), m.last_updated_timestamp_ms, false);
  }
}

/** Every candidate: interrupted purges, then each experiment (deleted) or its deleted runs. */
async function* everyCandidate(kv: Deno.Kv): AsyncGenerator<GcCandidate> {
  yield* tombstones(kv);
  for await (const e of kv.list<ExperimentRecord>({ prefix: experimentsPrefix() })) {
    const exp = e.value;
    if (exp.lifecycle_stage === "deleted") {
      yield candidate(experimentTarget(exp), exp.last_update_time, false);
    } else yield* deletedRunsOf(kv, exp);
  }
  yield* deletedModels(kv);
}

/** The purge methods of the KV store. */
export function purgeMethods(ctx: KvContext): PurgeMethods {
  return {
    listGcCandidates: (q) =>
      listCandidates(q, {
        namedRun: (id) => namedRun(ctx, id),
        namedExperiment: (id) => namedExperiment(ctx, id),
        all: () => everyCandidate(ctx.kv),
      }),
    purgeRun: async (id, hooks) => await purgeRun(ctx, guardId(id), hooks),
    purgeExperiment: async (id, hooks) => await purgeExperiment(ctx, guardId(id), hooks),
    purgeLoggedModel: async (id, hooks) => await purgeLoggedModel(ctx, guardId(id), hooks),
  };
}

function guardId(id: string): string {
  if (id.length > MAX_PURGE_ID_CHARS) {
    throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Nothing with id=${id.slice(0, 64)}… exists`);
  }
  return id;
}
