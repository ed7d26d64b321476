/**
 * The model registry's KV plumbing: the stored record, long tag values split into pieces, the
 * "model head" write pattern, and consistent reads of whole entities.
 *
 * **Atomicity.** Every write to a registered model or anything under it (versions, tags, aliases,
 * stage and run indexes) checks the model's name-index entry and record, and re-sets the record in
 * the same commit, so writes to one model serialise across processes and isolates: a version
 * number is read from the record and handed out by exactly one commit, and a delete that listed a
 * version's tags or a model's aliases cannot miss one written concurrently. Reads re-check the
 * record's versionstamp after gathering the pieces of an entity, so they never mix two states;
 * a model's view (`registry_view.ts`), re-set in each of those commits and read with the record,
 * is one state by itself and needs no re-check.
 *
 * @module
 */
import { invalidParam } from "../errors.ts";
import type { ModelVersionRecord, RegisteredModelCore } from "../registry/records.ts";
import { registeredModelNotFound, toModelVersion, toRegisteredModel } from "../registry/records.ts";
import type { ModelVersion, ModelVersionStage, RegisteredModel } from "../registry/types.ts";
import { MODEL_VERSION_STAGES } from "../registry/types.ts";
import type { Tag } from "../types.ts";
import {
  modelVersionKey,
  modelVersionsByStagePrefix,
  modelVersionsPrefix,
  modelVersionTagsPrefix,
  registeredModelAliasesPrefix,
  registeredModelByNameKey,
  registeredModelKey,
  registeredModelTagsPrefix,
  registeredModelViewKey,
} from "./keys.ts";
import { type ModelView, nextView, viewList, viewPrefixes } from "./registry_view.ts";
import { estimateSize, keyBytes } from "./mutations.ts";
import { type CommitLimits, isCommitLimitError } from "./commit_limits.ts";
import { batchedReads } from "./read_batcher.ts";
import { RETRY, withRetry } from "./retry.ts";
import type { KvContext } from "./run_write.ts";

/** A registered model as stored under {@linkcode registeredModelKey}. */
export interface RegisteredModelRecord extends RegisteredModelCore {
  /** Internal, immutable id; keys of everything under the model use it. */
  id: string;
  /** The number the next version gets; never decreases, so numbers are never reused. */
  next_version: number;
  /** The highest version number in each stage that has versions. */
  latest: Partial<Record<ModelVersionStage, number>>;
}

/** A model's name-index entry and record, as read for a write or a consistent read. */
export interface ModelHead {
  idx: Deno.KvEntry<string>;
  rec: Deno.KvEntry<RegisteredModelRecord>;
  /** The model's view, read in the record's snapshot; null before its first write since views. */
  view: ModelView | null;
}

/** Long tag values are stored in pieces of this many UTF-16 units (≤32 KiB each in V8 form). */
const PIECE_CHARS = 16_000;

/**
 * An atomic operation that tracks its size against the backend's {@linkcode CommitLimits}, so an
 * oversized write is a 400, never a KV crash.
 */
export class Plan {
  readonly op: Deno.AtomicOperation;
  #limits: CommitLimits;
  #checks = 0;
  #mutations = 0;
  #bytes = 0;
  /** Keys checked or set (KV's 80 KiB key budget does not count deleted keys). */
  #keyBytes = 0;
  /** The planned sets, and deletes as `undefined`, in order: what a model's view applies. */
  readonly changes: [Deno.KvKey, unknown][] = [];

  constructor(kv: Deno.Kv, limits: CommitLimits) {
    this.op = kv.atomic();
    this.#limits = limits;
  }

  check(...checks: Deno.AtomicCheck[]): this {
    this.op.check(...checks);
    this.#checks += checks.length;
    for (const c of checks) this.#keyBytes += keyBytes(c.key);
    return this;
  }

  set(key: Deno.KvKey, value: unknown): this {
    this.op.set(key, value);
    this.changes.push([key, value]);
    this.#mutations++;
    this.#bytes += estimateSize(key) + estimateSize(value);
    this.#keyBytes += keyBytes(key);
    return this;
  }

  delete(key: Deno.KvKey): this {
    this.op.delete(key);
    this.changes.push([key, undefined]);
    this.#mutations++;
    this.#bytes += estimateSize(key);
    return this;
  }

  /** Commits; false when a check failed. Throws `INVALID_PARAMETER_VALUE` when too large. */
  async commit(what: string): Promise<boolean> {
    const l = this.#limits;
    const tooLarge = () =>
      invalidParam(
        `Cannot ${what}: the change is too large for one atomic write ` +
          `(${this.#mutations} keys, about ${this.#bytes} bytes); split it into smaller requests`,
      );
    if (
      this.#mutations > l.mutations || this.#bytes > l.bytes || this.#keyBytes > l.keyBytes ||
      this.#checks > l.checks
    ) throw tooLarge();
    try {
      return (await this.op.commit()).ok;
    } catch (e) {
      if (isCommitLimitError(e)) throw tooLarge();
      throw e;
    }
  }
}

/** Plans storing `value` as the tag at `key`, whose current head is `old` (null when absent). */
export function planTag(plan: Plan, key: Deno.KvKey, value: string, old: unknown): void {
  const oldPieces = typeof old === "number" ? old : 0;
  let pieces = 0;
  if (value.length <= PIECE_CHARS) {
    plan.set(key, value);
  } else {
    pieces = Math.ceil(value.length / PIECE_CHARS);
    plan.set(key, pieces);
    for (let i = 0; i < pieces; i++) {
      plan.set([...key, i], value.slice(i * PIECE_CHARS, (i + 1) * PIECE_CHARS));
    }
  }
  for (let i = pieces; i < oldPieces; i++) plan.delete([...key, i]);
}

/** Plans deleting the tag at `key` whose current head is `old`. */
export function planTagDelete(plan: Plan, key: Deno.KvKey, old: unknown): void {
  plan.delete(key);
  const pieces = typeof old === "number" ? old : 0;
  for (let i = 0; i < pieces; i++) plan.delete([...key, i]);
}

/**
 * Reassembles tags from entries listed under a prefix, grouped by the key parts before the tag
 * key. `headLength` is the length of a tag's head key; pieces are one part longer and follow their
 * head in key order. Tags come out sorted by key (KV orders strings by code point).
 */
export function groupTags(
  entries: Iterable<Deno.KvEntry<unknown>>,
  headLength: number,
): Map<string, Tag[]> {
  const out = new Map<string, Tag[]>();
  let open: { tag: Tag; group: string } | undefined;
  for (const e of entries) {
    if (e.key.length === headLength) {
      const group = JSON.stringify(e.key.slice(0, headLength - 1));
      const tag = { key: e.key[headLength - 1] as string, value: "" };
      if (typeof e.value === "string") tag.value = e.value;
      const list = out.get(group) ?? [];
      list.push(tag);
      out.set(group, list);
      open = { tag, group };
    } else if (e.key.length === headLength + 1 && open) {
      open.tag.value += e.value as string;
    }
  }
  return out;
}

/** The group id {@linkcode groupTags} uses for the tags under `prefix`. */
export const groupOf = (prefix: Deno.KvKey) => JSON.stringify(prefix);

/** Lists every entry under `prefix`. */
export async function listAll<T = unknown>(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
): Promise<Deno.KvEntry<T>[]> {
  const out: Deno.KvEntry<T>[] = [];
  for await (const e of kv.list<T>({ prefix }, { batchSize: 500 })) out.push(e);
  return out;
}

/** The tags stored under one tag prefix (a model's, or one version's). */
export async function readTags(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Tag[]> {
  const entries = await listAll(kv, prefix);
  return groupTags(entries, prefix.length + 1).get(groupOf(prefix)) ?? [];
}

/** Reads many keys, 10 at a time (KV's `getMany` limit). */
export async function getAll<T>(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<Deno.KvEntryMaybe<T>[]> {
  const out: Deno.KvEntryMaybe<T>[] = [];
  for (let i = 0; i < keys.length; i += 10) {
    out.push(...await kv.getMany<T[]>(keys.slice(i, i + 10)));
  }
  return out;
}

/**
 * Reads a model's head by name, or `null` when no model has the name. A record whose name no
 * longer matches (a rename raced the two reads) is re-read.
 */
export async function findHead(kv: Deno.Kv, name: string): Promise<ModelHead | null> {
  // Index and record only disagree for the moment between a rename's commit and these reads.
  for (let attempt = 0; attempt < 50; attempt++) {
    // Through the read batcher: a page reading a model and its versions at once shares these.
    const reads = batchedReads(kv);
    const idx = await reads.get<string>(registeredModelByNameKey(name));
    if (idx.value === null) return null;
    // The view in the record's snapshot: together they are one state of the whole model.
    const [rec, view] = await reads.getMany<[RegisteredModelRecord, ModelView]>([
      registeredModelKey(idx.value),
      registeredModelViewKey(idx.value),
    ]);
    if (rec.value !== null && rec.value.name === name) {
      return {
        idx: idx as Deno.KvEntry<string>,
        rec: rec as Deno.KvEntry<RegisteredModelRecord>,
        view: view.value,
      };
    }
  }
  return null;
}

/** Like {@linkcode findHead}, but an unknown name is MLflow's `RESOURCE_DOES_NOT_EXIST`. */
export async function readHead(kv: Deno.Kv, name: string): Promise<ModelHead> {
  const head = await findHead(kv, name);
  if (!head) throw registeredModelNotFound(name);
  return head;
}

/** What a write under a model returns: its result, and the model record to store (else unchanged). */
export interface ModelWrite<T> {
  result: T;
  rec?: RegisteredModelRecord;
}

/**
 * Runs one write under the model named `name` with the head pattern (module doc): `plan` adds its
 * checks and mutations; the commit also checks the head and re-sets the record. Lost races retry.
 */
export function writeModel<T>(
  ctx: KvContext,
  name: string,
  what: string,
  plan: (head: ModelHead, p: Plan) => Promise<ModelWrite<T>>,
): Promise<T> {
  return withRetry(what, async () => {
    const head = await readHead(ctx.kv, name);
    const p = new Plan(ctx.kv, ctx.limits).check(head.idx, head.rec);
    const out = await plan(head, p);
    p.set(head.rec.key, out.rec ?? head.rec.value);
    const id = head.rec.value.id;
    // No view yet (a model written before views), or an overflowed one a delete may shrink back
    // under the limit: built from the lists, read after the head (the record check covers them).
    const rebuild = head.view === null ||
      (!("entries" in head.view) && p.changes.some(([, v]) => v === undefined));
    const base = rebuild ? await listView(ctx.kv, id) : head.view!;
    p.set(registeredModelViewKey(id), nextView(id, base, p.changes));
    return await p.commit(what) ? out.result : RETRY;
  });
}

/**
 * The entries of model `id`'s view from its lists, for a model written before views existed.
 * Read after the head: a write under the model in between fails the caller's check on the record.
 */
export async function listView(kv: Deno.Kv, id: string): Promise<ModelView> {
  const lists = await Promise.all(viewPrefixes(id).map((p) => listAll(kv, p)));
  // Not bounded yet: the caller's changes may bring it under the limit (`nextView` bounds it).
  return { entries: lists.flat().map((e) => [e.key, e.value]) };
}

/**
 * Runs `read` against a model's head until the record did not change while it ran, so the
 * result reflects one state of the model; or, when given and the model has a view, `fromView`.
 */
export function readModel<T>(
  ctx: KvContext,
  name: string,
  read: (head: ModelHead) => Promise<T>,
  fromView?: (model: RegisteredModelRecord, view: { entries: [Deno.KvKey, unknown][] }) => T,
): Promise<T> {
  return withRetry(`read registered model '${name}'`, async () => {
    const head = await readHead(ctx.kv, name);
    // The view and the record are one snapshot: the whole model, with no re-read.
    if (fromView && head.view && "entries" in head.view) return fromView(head.rec.value, head.view);
    const result = await read(head);
    const again = await batchedReads(ctx.kv).get(head.rec.key);
    return again.versionstamp === head.rec.versionstamp ? result : RETRY;
  });
}

/** A model's aliases as alias → version number, sorted by alias. */
export async function readAliases(kv: Deno.Kv, id: string): Promise<[string, number][]> {
  const entries = await listAll<number>(kv, registeredModelAliasesPrefix(id));
  return entries.map((e) => [e.key[2] as string, e.value]);
}

/** One version as a wire entity (with its tags, and its aliases when given). */
export async function readVersion(
  kv: Deno.Kv,
  model: RegisteredModelRecord,
  version: number,
  aliases?: [string, number][],
): Promise<ModelVersion | null> {
  // Record and tags are read at once (the tags of a version that turns out absent are none).
  const [e, tags] = await Promise.all([
    batchedReads(kv).get<ModelVersionRecord>(modelVersionKey(model.id, version)),
    readTags(kv, modelVersionTagsPrefix(model.id, version)),
  ]);
  if (e.value === null) return null;
  const mine = (aliases ?? []).filter(([, v]) => v === version).map(([a]) => a);
  return toModelVersion(model.name, e.value, tags, mine);
}

/** The latest version per stage (with tags, without aliases, as MLflow's `latest_versions`). */
export async function latestVersions(
  kv: Deno.Kv,
  model: RegisteredModelRecord,
  stages: ReadonlySet<string> = new Set(MODEL_VERSION_STAGES),
  aliases?: [string, number][],
): Promise<ModelVersion[]> {
  // Every stage's latest at once: their records share one point read.
  const wanted = MODEL_VERSION_STAGES.flatMap((stage) => {
    const v = model.latest[stage];
    return v === undefined || !stages.has(stage) ? [] : [v];
  });
  const read = await Promise.all(wanted.map((v) => readVersion(kv, model, v, aliases)));
  return read.filter((mv): mv is ModelVersion => mv !== null);
}

/** A whole registered model (tags, aliases, latest versions); `tags` when already read. */
export async function buildModel(
  kv: Deno.Kv,
  model: RegisteredModelRecord,
  tags?: Tag[],
): Promise<RegisteredModel> {
  const [latest, t, aliases] = await Promise.all([
    latestVersions(kv, model),
    tags ?? readTags(kv, registeredModelTagsPrefix(model.id)),
    readAliases(kv, model.id),
  ]);
  return toRegisteredModel(
    model,
    latest,
    t,
    aliases.map(([alias, v]) => ({ alias, version: String(v) })),
  );
}

/**
 * A whole registered model (as {@linkcode buildModel}) from its view: no further read, and no
 * re-read, since the view and the record come from one snapshot.
 */
export function modelFromView(
  model: RegisteredModelRecord,
  view: { entries: [Deno.KvKey, unknown][] },
): RegisteredModel {
  const id = model.id;
  const tags = groupTags(viewList(view, registeredModelTagsPrefix(id)), 3)
    .get(groupOf(registeredModelTagsPrefix(id))) ?? [];
  const versionTags = groupTags(viewList(view, modelVersionTagsPrefix(id)), 4);
  const versions = viewList<ModelVersionRecord>(view, modelVersionsPrefix(id));
  const records = new Map(versions.map((e) => [e.value.version, e.value]));
  const latest = MODEL_VERSION_STAGES.flatMap((stage) => {
    const v = model.latest[stage];
    const rec = v === undefined ? undefined : records.get(v);
    if (rec === undefined) return [];
    const t = versionTags.get(groupOf(modelVersionTagsPrefix(id, rec.version))) ?? [];
    return [toModelVersion(model.name, rec, t, [])];
  });
  const aliases = viewList<number>(view, registeredModelAliasesPrefix(id))
    .map((e) => ({ alias: e.key[2] as string, version: String(e.value) }));
  return toRegisteredModel(model, latest, tags, aliases);
}

/**
 * The highest version left in `stage` once `removed` leave it and `added` join it. Reads the stage
 * index from the top; the caller's check on the model record keeps the answer true at commit.
 */
export async function latestAfter(
  kv: Deno.Kv,
  id: string,
  stage: ModelVersionStage,
  removed: ReadonlySet<number>,
  added: readonly number[],
): Promise<number | undefined> {
  let best = added.length > 0 ? Math.max(...added) : undefined;
  const it = kv.list<number>({ prefix: modelVersionsByStagePrefix(id, stage) }, {
    reverse: true,
    limit: removed.size + 1,
  });
  for await (const e of it) {
    const v = e.key[3] as number;
    if (removed.has(v)) continue;
    best = best === undefined ? v : Math.max(best, v);
    break;
  }
  return best;
}
