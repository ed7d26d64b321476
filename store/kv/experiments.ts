/** Experiments in KV: records, the unique-name index, tags and the lifecycle. */
import { invalidParam, MlflowError } from "../errors.ts";
import { cannotDeleteDefaultExperiment, DEFAULT_EXPERIMENT_ID } from "../lifecycle_errors.ts";
import { searchExperimentsIn, searchExperimentsYielding } from "../search/mod.ts";
import type {
  CreateExperimentInput,
  Experiment,
  Page,
  SearchExperimentsOptions,
  Tag,
} from "../types.ts";
import {
  experimentByNameKey,
  experimentKey,
  experimentLifecyclesKey,
  experimentSeqKey,
  experimentsPrefix,
  experimentTagKey,
  experimentTagsPrefix,
} from "./keys.ts";
import { fitsOneCommit } from "./committer.ts";
import { type ExperimentLifecycles, nextLifecycles } from "./experiment_lifecycles.ts";
import { applyMutations } from "./mutations.ts";
import { type ExperimentRecord, toExperiment } from "./records.ts";
import { batchedReads } from "./read_batcher.ts";
import { RETRY, withRetry } from "./retry.ts";
import type { KvContext } from "./run_write.ts";

/** MLflow's message for an unknown experiment id. */
export function experimentNotFound(id: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `No Experiment with id=${id} exists`);
}

function defaultLocation(root: string, id: string): string {
  return root.endsWith("/") ? `${root}${id}` : `${root}/${id}`;
}

const lastWins = (tags: Tag[]) => [...new Map(tags.map((t) => [t.key, t.value])).entries()];

async function readTags(kv: Deno.Kv, id: string): Promise<Tag[]> {
  const tags: Tag[] = [];
  for await (const e of kv.list<string>({ prefix: experimentTagsPrefix(id) })) {
    tags.push({ key: e.key[2] as string, value: e.value });
  }
  return tags;
}

async function getRecord(kv: Deno.Kv, id: string): Promise<Deno.KvEntry<ExperimentRecord>> {
  const e = await batchedReads(kv).get<ExperimentRecord>(experimentKey(id));
  if (e.value === null) throw experimentNotFound(id);
  return e as Deno.KvEntry<ExperimentRecord>;
}

/** The error for an imported experiment id that is already in use. */
export function experimentIdTaken(id: string): MlflowError {
  return new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment with id=${id} already exists.`);
}

/** Creates experiment `0` named `Default` unless it exists (safe to race from many processes). */
export async function ensureDefaultExperiment(ctx: KvContext): Promise<void> {
  await withRetry("create the Default experiment", async () => {
    const [exp, name] = await batchedReads(ctx.kv).getMany([
      experimentKey("0"),
      experimentByNameKey("Default"),
    ]);
    if (exp.value !== null || name.value !== null) return true;
    const now = ctx.now();
    const rec: ExperimentRecord = {
      experiment_id: "0",
      name: "Default",
      artifact_location: defaultLocation(ctx.defaultArtifactRoot, "0"),
      lifecycle_stage: "active",
      creation_time: now,
      last_update_time: now,
      epoch: 0,
    };
    const res = await ctx.kv.atomic().check(exp).check(name)
      .set(experimentKey("0"), rec).set(experimentByNameKey("Default"), "0").commit();
    return res.ok ? true : RETRY;
  });
}

/** Creates an experiment with the next sequential id; names are unique forever. */
export function createExperiment(ctx: KvContext, input: CreateExperimentInput): Promise<string> {
  const tags = lastWins(input.tags ?? []);
  if (tags.length > 500) throw invalidParam(`An experiment can be created with at most 500 tags`);
  return withRetry(`create experiment '${input.name}'`, async () => {
    const [seq, name] = await ctx.kv.getMany<[number, string]>([
      experimentSeqKey(),
      experimentByNameKey(input.name),
    ]);
    if (name.value !== null) {
      throw new MlflowError(
        "RESOURCE_ALREADY_EXISTS",
        `Experiment(name=${input.name}) already exists.`,
      );
    }
    const next = seq.value ?? 1;
    const id = input.experimentId ?? String(next);
    if (input.experimentId !== undefined) {
      const taken = await ctx.kv.get(experimentKey(id));
      if (taken.value !== null) throw experimentIdTaken(id);
    }
    const created = input.creationTime ?? ctx.now();
    const rec: ExperimentRecord = {
      experiment_id: id,
      name: input.name,
      artifact_location: input.artifactLocation || defaultLocation(ctx.defaultArtifactRoot, id),
      lifecycle_stage: "active",
      creation_time: created,
      last_update_time: input.lastUpdateTime ?? created,
      epoch: 0,
    };
    const job = {
      checks: [seq, name, { key: experimentKey(id), versionstamp: null }],
      mutations: [
        // An imported id numbers later experiments past it, so they never collide.
        { key: experimentSeqKey(), value: Math.max(next, Number(id) + 1) },
        { key: experimentKey(id), value: rec },
        { key: experimentByNameKey(input.name), value: id },
        ...[...tags].map(([k, v]) => ({ key: experimentTagKey(id, k), value: v })),
      ],
    };
    if (!fitsOneCommit(job, ctx.limits)) {
      throw invalidParam(
        "The tags of this experiments/create request are too large to write at once; " +
          "create it with fewer tags and add the rest with set-experiment-tag",
      );
    }
    const op = ctx.kv.atomic().check(...job.checks);
    applyMutations(op, job.mutations);
    return (await op.commit()).ok ? id : RETRY;
  });
}

/** Returns an experiment with its tags. */
export async function getExperiment(ctx: KvContext, id: string): Promise<Experiment> {
  const rec = await getRecord(ctx.kv, id);
  return toExperiment(rec.value, await readTags(ctx.kv, id));
}

/** Records of the experiments with these ids, by id (unknown ones left out); no tags. */
export async function readExperimentRecords(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<Map<string, ExperimentRecord>> {
  const keys = [...new Set(ids)].map(experimentKey);
  const out = new Map<string, ExperimentRecord>();
  for (const e of await batchedReads(kv).getAll<ExperimentRecord>(keys)) {
    if (e.value) out.set(e.value.experiment_id, e.value);
  }
  return out;
}

/** Names of the experiments with these ids (unknown ones left out): records only, no tags. */
export async function getExperimentNames(
  ctx: KvContext,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const records = await readExperimentRecords(ctx.kv, ids);
  return new Map([...records].map(([id, rec]) => [id, rec.name]));
}

/** Returns the experiment with this exact name. */
export async function getExperimentByName(ctx: KvContext, name: string): Promise<Experiment> {
  const idx = await ctx.kv.get<string>(experimentByNameKey(name));
  if (idx.value === null) {
    throw new MlflowError(
      "RESOURCE_DOES_NOT_EXIST",
      `Could not find experiment with name '${name}'`,
    );
  }
  return getExperiment(ctx, idx.value);
}

/** Lists every experiment with its tags (experiments number in the thousands, not millions). */
export async function listExperiments(ctx: KvContext): Promise<Experiment[]> {
  const tagsById = new Map<string, Tag[]>();
  for await (const e of ctx.kv.list<string>({ prefix: experimentTagsPrefix() })) {
    const id = e.key[1] as string;
    const list = tagsById.get(id) ?? [];
    list.push({ key: e.key[2] as string, value: e.value });
    tagsById.set(id, list);
  }
  const out: Experiment[] = [];
  for await (const e of ctx.kv.list<ExperimentRecord>({ prefix: experimentsPrefix() })) {
    out.push(toExperiment(e.value, tagsById.get(e.value.experiment_id) ?? []));
  }
  return out;
}

/** Searches experiments with the shared evaluator. */
export async function searchExperiments(
  ctx: KvContext,
  opts: SearchExperimentsOptions,
): Promise<Page<Experiment>> {
  searchExperimentsIn([], opts); // rejects a bad filter, order or token before any I/O
  return searchExperimentsYielding(await listExperiments(ctx), opts);
}

/** Renames an active experiment, moving its unique-name index entry in the same commit. */
export function renameExperiment(ctx: KvContext, id: string, newName: string): Promise<void> {
  return withRetry(`rename experiment ${id}`, async () => {
    const rec = await getRecord(ctx.kv, id);
    if (rec.value.lifecycle_stage !== "active") {
      throw new MlflowError("INVALID_STATE", `Cannot rename a non-active experiment.`);
    }
    if (newName === rec.value.name) return true;
    const next = { ...rec.value, name: newName, last_update_time: ctx.now() };
    const taken = await ctx.kv.get<string>(experimentByNameKey(newName));
    if (taken.value !== null) {
      throw new MlflowError("BAD_REQUEST", `Experiment(name=${newName}) already exists.`);
    }
    const res = await ctx.kv.atomic().check(rec).check(taken)
      .delete(experimentByNameKey(rec.value.name))
      .set(experimentByNameKey(newName), id)
      .set(rec.key, next).commit();
    return res.ok ? true : RETRY;
  }).then(() => undefined);
}

/**
 * Deletes or restores an experiment. One record flips; its runs' stages follow (see
 * `runStage`), and a restore bumps the epoch so runs deleted individually come back too. The
 * experiment lifecycles key changes in the same commit.
 * `Default` (`0`) cannot be deleted, as in MLflow's file store.
 */
export function setExperimentStage(
  ctx: KvContext,
  id: string,
  to: "active" | "deleted",
): Promise<void> {
  if (to === "deleted" && id === DEFAULT_EXPERIMENT_ID) {
    return Promise.reject(cannotDeleteDefaultExperiment());
  }
  return withRetry(`${to === "deleted" ? "delete" : "restore"} experiment ${id}`, async () => {
    const [rec, lifecycles] = await ctx.kv.getMany<[ExperimentRecord, ExperimentLifecycles]>([
      experimentKey(id),
      experimentLifecyclesKey(),
    ]);
    if (rec.value === null || rec.value.lifecycle_stage === to) {
      throw new MlflowError(
        "RESOURCE_DOES_NOT_EXIST",
        `No ${to === "deleted" ? "active" : "deleted"} experiment with id=${id} exists`,
      );
    }
    const next: ExperimentRecord = {
      ...rec.value,
      lifecycle_stage: to,
      last_update_time: ctx.now(),
      epoch: to === "active" ? rec.value.epoch + 1 : rec.value.epoch,
    };
    const res = await ctx.kv.atomic().check(rec, lifecycles).set(rec.key, next)
      .set(lifecycles.key, nextLifecycles(lifecycles.value, next)).commit();
    return res.ok ? true : RETRY;
  }).then(() => undefined);
}

function requireActiveExperiment(rec: ExperimentRecord): void {
  if (rec.lifecycle_stage !== "active") {
    throw invalidParam(
      `The experiment ${rec.experiment_id} must be in the 'active' state. Current state is ${rec.lifecycle_stage}.`,
    );
  }
}

/** Sets or deletes (`value === null`) a tag of an active experiment. */
export function writeExperimentTag(
  ctx: KvContext,
  id: string,
  key: string,
  value: string | null,
): Promise<void> {
  return withRetry(`tag experiment ${id}`, async () => {
    const rec = await getRecord(ctx.kv, id);
    requireActiveExperiment(rec.value);
    const op = ctx.kv.atomic().check(rec);
    if (value === null) {
      const tag = await ctx.kv.get(experimentTagKey(id, key));
      if (tag.value === null) {
        throw new MlflowError(
          "RESOURCE_DOES_NOT_EXIST",
          `No tag with name: ${key} in experiment with id ${id}`,
        );
      }
      op.check(tag).delete(tag.key);
    } else {
      op.set(experimentTagKey(id, key), value);
    }
    return (await op.commit()).ok ? true : RETRY;
  }).then(() => undefined);
}
