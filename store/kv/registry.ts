/**
 * The Deno KV backend's registry methods: registered models, versions, tags, aliases and stages.
 * Key layout in `keys.ts` ("Model registry"); the write and read patterns that keep names unique
 * and version numbers distinct across processes are in `registry_io.ts`.
 *
 * @module
 */
import {
  aliasNotFound,
  modelVersionNotFound,
  type ModelVersionRecord,
  newModelVersionRecord,
  registeredModelExists,
  sourceLoggedModel,
  stageFilter,
  toModelVersion,
  toRegisteredModel,
} from "../registry/records.ts";
import type { ModelVersion, ModelVersionStage, RegistryMethods } from "../registry/types.ts";
import {
  modelVersionByRunKey,
  modelVersionBySourceModelKey,
  modelVersionByStageKey,
  modelVersionKey,
  modelVersionsByStagePrefix,
  modelVersionTagKey,
  modelVersionTagsPrefix,
  registeredModelAliasesPrefix,
  registeredModelAliasKey,
  registeredModelByNameKey,
  registeredModelKey,
  registeredModelTagKey,
  registeredModelViewKey,
  registryGarbageKey,
} from "./keys.ts";
import { nextView } from "./registry_view.ts";
import {
  buildModel,
  getAll,
  latestAfter,
  latestVersions,
  listAll,
  modelFromView,
  type ModelHead,
  Plan,
  planTag,
  planTagDelete,
  readAliases,
  readHead,
  readModel,
  readVersion,
  type RegisteredModelRecord,
  writeModel,
} from "./registry_io.ts";
import {
  searchModelVersions,
  searchRegisteredModels,
  sweepDeletedModels,
} from "./registry_search.ts";
import { RETRY, withRetry } from "./retry.ts";
import type { KvContext } from "./run_write.ts";
import { compareCodePoints } from "./records.ts";
import type { Tag } from "../types.ts";

/** The version's stored entry, or MLflow's not-found error. */
async function versionEntry(
  kv: Deno.Kv,
  head: ModelHead,
  version: string,
): Promise<Deno.KvEntry<ModelVersionRecord>> {
  const e = await kv.get<ModelVersionRecord>(modelVersionKey(head.rec.value.id, Number(version)));
  if (e.value === null) throw modelVersionNotFound(head.rec.value.name, version);
  return e as Deno.KvEntry<ModelVersionRecord>;
}

/** A consistent read of one version with tags and aliases. */
function getVersion(ctx: KvContext, name: string, version: string): Promise<ModelVersion> {
  return readModel(ctx, name, async (head) => {
    const aliases = await readAliases(ctx.kv, head.rec.value.id);
    const mv = await readVersion(ctx.kv, head.rec.value, Number(version), aliases);
    if (!mv) throw modelVersionNotFound(name, version);
    return mv;
  });
}

/** Sets a record's stage, moving its stage-index entry. */
function planStage(
  p: Plan,
  id: string,
  rec: ModelVersionRecord,
  stage: ModelVersionStage,
  now: number,
): ModelVersionRecord {
  const next = { ...rec, current_stage: stage, last_updated_timestamp: now };
  p.delete(modelVersionByStageKey(id, rec.current_stage, rec.version));
  p.set(modelVersionByStageKey(id, stage, rec.version), rec.version);
  p.set(modelVersionKey(id, rec.version), next);
  return next;
}

/** Recomputes `latest` for the stages a change touched. */
async function nextLatest(
  kv: Deno.Kv,
  rec: RegisteredModelRecord,
  moves: { from: Map<ModelVersionStage, number[]>; to: Map<ModelVersionStage, number[]> },
): Promise<RegisteredModelRecord["latest"]> {
  const latest = { ...rec.latest };
  for (const stage of new Set([...moves.from.keys(), ...moves.to.keys()])) {
    const v = await latestAfter(
      kv,
      rec.id,
      stage,
      new Set(moves.from.get(stage) ?? []),
      moves.to.get(stage) ?? [],
    );
    if (v === undefined) delete latest[stage];
    else latest[stage] = v;
  }
  return latest;
}

/** Tags as reads return them: sorted by key in code-point order (KV's key order). */
function sorted(tags: readonly Tag[] | undefined): Tag[] {
  return [...(tags ?? [])].sort((a, b) => compareCodePoints(a.key, b.key));
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  m.set(k, [...(m.get(k) ?? []), v]);
}

/** The registry methods over `ctx`. */
export function registryMethods(ctx: KvContext): RegistryMethods {
  const kv = ctx.kv;
  return {
    createRegisteredModel({ name, tags, description }) {
      return withRetry(`create registered model '${name}'`, async () => {
        const idx = await kv.get<string>(registeredModelByNameKey(name));
        if (idx.value !== null) throw registeredModelExists(name);
        const id = crypto.randomUUID().replaceAll("-", "");
        const now = ctx.now();
        const rec: RegisteredModelRecord = {
          id,
          name,
          creation_timestamp: now,
          last_updated_timestamp: now,
          next_version: 1,
          latest: {},
        };
        if (description) rec.description = description;
        const p = new Plan(kv, ctx.limits).check(idx, {
          key: registeredModelKey(id),
          versionstamp: null,
        })
          .set(registeredModelByNameKey(name), id)
          .set(registeredModelKey(id), rec);
        for (const t of tags ?? []) planTag(p, registeredModelTagKey(id, t.key), t.value, null);
        p.set(registeredModelViewKey(id), nextView(id, { entries: [] }, p.changes));
        if (!await p.commit(`create registered model '${name}'`)) return RETRY;
        return toRegisteredModel(rec, [], sorted(tags), []);
      });
    },

    getRegisteredModel: (name) =>
      readModel(ctx, name, (head) => buildModel(kv, head.rec.value), modelFromView),

    async renameRegisteredModel(name, newName) {
      await writeModel(ctx, name, `rename registered model '${name}'`, async (h, p) => {
        if (newName === name) return { result: undefined };
        const taken = await kv.get<string>(registeredModelByNameKey(newName));
        if (taken.value !== null) throw registeredModelExists(newName);
        p.check(taken).delete(h.idx.key).set(registeredModelByNameKey(newName), h.rec.value.id);
        const rec = { ...h.rec.value, name: newName, last_updated_timestamp: ctx.now() };
        return { result: undefined, rec };
      });
      return await readModel(ctx, newName, (h) => buildModel(kv, h.rec.value));
    },

    async updateRegisteredModel(name, description) {
      await writeModel(ctx, name, `update registered model '${name}'`, (h) => {
        const rec = { ...h.rec.value, description, last_updated_timestamp: ctx.now() };
        return Promise.resolve({ result: undefined, rec });
      });
      return await readModel(ctx, name, (h) => buildModel(kv, h.rec.value));
    },

    async deleteRegisteredModel(name) {
      await withRetry(`delete registered model '${name}'`, async () => {
        const head = await readHead(kv, name);
        const p = new Plan(kv, ctx.limits).check(head.idx, head.rec)
          .delete(head.idx.key).delete(head.rec.key)
          .delete(registeredModelViewKey(head.rec.value.id))
          .set(registryGarbageKey(head.rec.value.id), true);
        return await p.commit(`delete registered model '${name}'`) ? true : RETRY;
      });
      // Everything under the old id is unreachable now (every write checks the deleted record);
      // sweep it, along with any sweep a crashed process left behind.
      await sweepDeletedModels(kv);
    },

    searchRegisteredModels: (opts) => searchRegisteredModels(ctx, opts),

    getLatestVersions(name, stages) {
      const want = stageFilter(stages);
      return readModel(ctx, name, async (head) => {
        const aliases = await readAliases(kv, head.rec.value.id);
        return await latestVersions(kv, head.rec.value, want, aliases);
      });
    },

    setRegisteredModelTag(name, key, value) {
      return writeModel(ctx, name, `set a tag of registered model '${name}'`, async (h, p) => {
        const k = registeredModelTagKey(h.rec.value.id, key);
        planTag(p, k, value, (await kv.get(k)).value);
        return { result: undefined };
      });
    },

    deleteRegisteredModelTag(name, key) {
      return writeModel(ctx, name, `delete a tag of registered model '${name}'`, async (h, p) => {
        const k = registeredModelTagKey(h.rec.value.id, key);
        const old = await kv.get(k);
        if (old.value !== null) planTagDelete(p, k, old.value);
        return { result: undefined };
      });
    },

    setRegisteredModelAlias(name, alias, version) {
      return writeModel(ctx, name, `set alias '${alias}' of '${name}'`, async (h, p) => {
        const v = await versionEntry(kv, h, version);
        p.set(registeredModelAliasKey(h.rec.value.id, alias), v.value.version);
        return { result: undefined };
      });
    },

    deleteRegisteredModelAlias(name, alias) {
      return writeModel(ctx, name, `delete alias '${alias}' of '${name}'`, (h, p) => {
        p.delete(registeredModelAliasKey(h.rec.value.id, alias));
        return Promise.resolve({ result: undefined });
      });
    },

    async getModelVersionByAlias(name, alias) {
      // MLflow answers an unknown model the same way as an unknown alias.
      if ((await kv.get(registeredModelByNameKey(name))).value === null) throw aliasNotFound(alias);
      return await readModel(ctx, name, async (head) => {
        const a = await kv.get<number>(registeredModelAliasKey(head.rec.value.id, alias));
        if (a.value === null) throw aliasNotFound(alias);
        const aliases = await readAliases(kv, head.rec.value.id);
        const mv = await readVersion(kv, head.rec.value, a.value, aliases);
        if (!mv) throw aliasNotFound(alias);
        return mv;
      });
    },

    createModelVersion(input) {
      const name = input.name;
      return writeModel(ctx, name, `create a version of '${name}'`, (h, p) => {
        const { id, next_version: n } = h.rec.value;
        const now = ctx.now();
        const rec = newModelVersionRecord(input, n, now);
        p.check({ key: modelVersionKey(id, n), versionstamp: null })
          .set(modelVersionKey(id, n), rec)
          .set(modelVersionByStageKey(id, "None", n), n);
        if (rec.run_id) p.set(modelVersionByRunKey(rec.run_id, id, n), n);
        const fromModel = sourceLoggedModel(rec.source);
        if (fromModel) p.set(modelVersionBySourceModelKey(fromModel, id, n), n);
        const tags = sorted(input.tags);
        for (const t of tags) planTag(p, modelVersionTagKey(id, n, t.key), t.value, null);
        const next: RegisteredModelRecord = {
          ...h.rec.value,
          next_version: n + 1,
          last_updated_timestamp: now,
          // A new version has the highest number, so it is the latest in its stage.
          latest: { ...h.rec.value.latest, None: n },
        };
        return Promise.resolve({ result: toModelVersion(name, rec, tags, []), rec: next });
      });
    },

    async updateModelVersion(name, version, description) {
      await writeModel(ctx, name, `update version ${version} of '${name}'`, async (h, p) => {
        const e = await versionEntry(kv, h, version);
        p.set(e.key, { ...e.value, description, last_updated_timestamp: ctx.now() });
        return { result: undefined };
      });
      return await getVersion(ctx, name, version);
    },

    async transitionModelVersionStage(name, version, stage, archiveExisting) {
      const target = stage as ModelVersionStage;
      await writeModel(ctx, name, `transition version ${version} of '${name}'`, async (h, p) => {
        const id = h.rec.value.id;
        const e = await versionEntry(kv, h, version);
        const now = ctx.now();
        const moves = { from: new Map<ModelVersionStage, number[]>(), to: new Map() };
        if (archiveExisting) {
          const others = (await listAll<number>(kv, modelVersionsByStagePrefix(id, target)))
            .map((x) => x.key[3] as number).filter((v) => v !== e.value.version);
          const entries = await getAll<ModelVersionRecord>(
            kv,
            others.map((v) => modelVersionKey(id, v)),
          );
          for (const o of entries) {
            if (o.value === null) continue;
            planStage(p, id, o.value, "Archived", now);
            push(moves.from, target, o.value.version);
            push(moves.to, "Archived", o.value.version);
          }
        }
        planStage(p, id, e.value, target, now);
        push(moves.from, e.value.current_stage, e.value.version);
        push(moves.to, target, e.value.version);
        const latest = await nextLatest(kv, h.rec.value, moves);
        return { result: undefined, rec: { ...h.rec.value, latest, last_updated_timestamp: now } };
      });
      return await getVersion(ctx, name, version);
    },

    deleteModelVersion(name, version) {
      return writeModel(ctx, name, `delete version ${version} of '${name}'`, async (h, p) => {
        const id = h.rec.value.id;
        const e = await versionEntry(kv, h, version);
        const v = e.value.version;
        p.delete(e.key).delete(modelVersionByStageKey(id, e.value.current_stage, v));
        if (e.value.run_id) p.delete(modelVersionByRunKey(e.value.run_id, id, v));
        const fromModel = sourceLoggedModel(e.value.source);
        if (fromModel) p.delete(modelVersionBySourceModelKey(fromModel, id, v));
        for (const t of await listAll(kv, modelVersionTagsPrefix(id, v))) p.delete(t.key);
        for (const a of await listAll<number>(kv, registeredModelAliasesPrefix(id))) {
          if (a.value === v) p.delete(a.key);
        }
        const moves = { from: new Map([[e.value.current_stage, [v]]]), to: new Map() };
        const latest = await nextLatest(kv, h.rec.value, moves);
        return {
          result: undefined,
          rec: { ...h.rec.value, latest, last_updated_timestamp: ctx.now() },
        };
      });
    },

    getModelVersion: (name, version) => getVersion(ctx, name, version),

    async getModelVersionDownloadUri(name, version) {
      const head = await readHead(kv, name);
      return (await versionEntry(kv, head, version)).value.storage_location;
    },

    searchModelVersions: (opts) => searchModelVersions(ctx, opts),

    setModelVersionTag(name, version, key, value) {
      return writeModel(ctx, name, `set a tag of version ${version} of '${name}'`, async (h, p) => {
        const e = await versionEntry(kv, h, version);
        const k = modelVersionTagKey(h.rec.value.id, e.value.version, key);
        planTag(p, k, value, (await kv.get(k)).value);
        return { result: undefined };
      });
    },

    deleteModelVersionTag(name, version, key) {
      return writeModel(
        ctx,
        name,
        `delete a tag of version ${version} of '${name}'`,
        async (h, p) => {
          const e = await versionEntry(kv, h, version);
          const k = modelVersionTagKey(h.rec.value.id, e.value.version, key);
          const old = await kv.get(k);
          if (old.value !== null) planTagDelete(p, k, old.value);
          return { result: undefined };
        },
      );
    },
  };
}
