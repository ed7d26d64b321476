/**
 * The in-memory backend's registry methods. State is private to the store instance (a closure
 * over Maps); every method body is synchronous, so each call is atomic (see `asAsync`).
 *
 * @module
 */
import {
  aliasNotFound,
  latestPerStage,
  modelVersionNotFound,
  type ModelVersionRecord,
  newModelVersionRecord,
  registeredModelExists,
  registeredModelNotFound,
  stageFilter,
  toModelVersion,
  toRegisteredModel,
} from "../registry/records.ts";
import type { ModelVersion, RegisteredModel, RegistryMethods } from "../registry/types.ts";
import { prepareModelVersionSearch, prepareRegisteredModelSearch } from "../search/registry.ts";
import {
  searchModelVersionsYielding,
  searchRegisteredModelsYielding,
  withoutTags,
} from "../search/registry.ts";
import { compareCodePoints, type MemoryState, sortedPairs, type SyncMethods } from "./state.ts";

interface VersionRec extends ModelVersionRecord {
  tags: Map<string, string>;
}

interface ModelRec {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  nextVersion: number;
  tags: Map<string, string>;
  /** Alias → version number. */
  aliases: Map<string, number>;
  versions: Map<number, VersionRec>;
}

/** The registry methods over a store's own registry state. */
export function registryMethods(s: MemoryState): SyncMethods<RegistryMethods> {
  const models = new Map<string, ModelRec>();

  const model = (name: string): ModelRec => {
    const m = models.get(name);
    if (!m) throw registeredModelNotFound(name);
    return m;
  };
  const version = (name: string, v: string): VersionRec => {
    const rec = model(name).versions.get(Number(v));
    if (!rec) throw modelVersionNotFound(name, v);
    return rec;
  };
  const aliasesOf = (m: ModelRec, v: number) =>
    [...m.aliases].filter(([, n]) => n === v).map(([a]) => a).sort(compareCodePoints);
  const toMv = (m: ModelRec, rec: VersionRec, withAliases: boolean): ModelVersion =>
    toModelVersion(
      m.name,
      rec,
      sortedPairs(rec.tags),
      withAliases ? aliasesOf(m, rec.version) : [],
    );
  const toRm = (m: ModelRec): RegisteredModel =>
    toRegisteredModel(
      m,
      latestPerStage(m.versions.values()).map((v) => toMv(m, v, false)),
      sortedPairs(m.tags),
      [...m.aliases].sort(([a], [b]) => compareCodePoints(a, b))
        .map(([alias, v]) => ({ alias, version: String(v) })),
    );

  return {
    createRegisteredModel({ name, tags, description }) {
      if (models.has(name)) throw registeredModelExists(name);
      const now = s.now();
      const m: ModelRec = {
        name,
        creation_timestamp: now,
        last_updated_timestamp: now,
        nextVersion: 1,
        tags: new Map((tags ?? []).map((t) => [t.key, t.value])),
        aliases: new Map(),
        versions: new Map(),
      };
      if (description) m.description = description;
      models.set(name, m);
      return toRm(m);
    },
    getRegisteredModel: (name) => toRm(model(name)),
    renameRegisteredModel(name, newName) {
      const m = model(name);
      if (newName === name) return toRm(m);
      if (models.has(newName)) throw registeredModelExists(newName);
      models.delete(name);
      m.name = newName;
      m.last_updated_timestamp = s.now();
      models.set(newName, m);
      return toRm(m);
    },
    updateRegisteredModel(name, description) {
      const m = model(name);
      m.description = description;
      m.last_updated_timestamp = s.now();
      return toRm(m);
    },
    deleteRegisteredModel(name) {
      model(name);
      models.delete(name);
    },
    searchRegisteredModels(opts) {
      const q = prepareRegisteredModelSearch(opts);
      return searchRegisteredModelsYielding([...models.values()].map(toRm), q);
    },
    getLatestVersions(name, stages) {
      const m = model(name);
      const want = stageFilter(stages);
      return latestPerStage(m.versions.values()).filter((v) => want.has(v.current_stage))
        .map((v) => toMv(m, v, true));
    },
    setRegisteredModelTag(name, key, value) {
      model(name).tags.set(key, value);
    },
    deleteRegisteredModelTag(name, key) {
      model(name).tags.delete(key);
    },
    setRegisteredModelAlias(name, alias, v) {
      const rec = version(name, v);
      model(name).aliases.set(alias, rec.version);
    },
    deleteRegisteredModelAlias(name, alias) {
      model(name).aliases.delete(alias);
    },
    getModelVersionByAlias(name, alias) {
      const m = models.get(name);
      const v = m?.aliases.get(alias);
      if (!m || v === undefined) throw aliasNotFound(alias);
      return toMv(m, m.versions.get(v)!, true);
    },

    createModelVersion(input) {
      const m = model(input.name);
      const now = s.now();
      const rec: VersionRec = {
        ...newModelVersionRecord(input, m.nextVersion++, now),
        tags: new Map((input.tags ?? []).map((t) => [t.key, t.value])),
      };
      m.versions.set(rec.version, rec);
      m.last_updated_timestamp = now;
      return toMv(m, rec, true);
    },
    updateModelVersion(name, v, description) {
      const rec = version(name, v);
      rec.description = description;
      rec.last_updated_timestamp = s.now();
      return toMv(model(name), rec, true);
    },
    transitionModelVersionStage(name, v, stage, archiveExisting) {
      const m = model(name);
      const rec = version(name, v);
      const target = stage as ModelVersionRecord["current_stage"];
      const now = s.now();
      if (archiveExisting) {
        for (const other of m.versions.values()) {
          if (other !== rec && other.current_stage === target) {
            other.current_stage = "Archived";
            other.last_updated_timestamp = now;
          }
        }
      }
      rec.current_stage = target;
      rec.last_updated_timestamp = now;
      m.last_updated_timestamp = now;
      return toMv(m, rec, true);
    },
    deleteModelVersion(name, v) {
      const m = model(name);
      const rec = version(name, v);
      m.versions.delete(rec.version);
      for (const [alias, n] of m.aliases) if (n === rec.version) m.aliases.delete(alias);
      m.last_updated_timestamp = s.now();
    },
    getModelVersion: (name, v) => toMv(model(name), version(name, v), true),
    getModelVersionDownloadUri: (name, v) => version(name, v).storage_location,
    async searchModelVersions(opts) {
      const q = prepareModelVersionSearch(opts);
      const all = [...models.values()].flatMap((m) =>
        [...m.versions.values()].map((rec) => toMv(m, rec, false))
      );
      const page = await searchModelVersionsYielding(all, q);
      return opts.omitTags ? withoutTags(page) : page;
    },
    setModelVersionTag(name, v, key, value) {
      version(name, v).tags.set(key, value);
    },
    deleteModelVersionTag(name, v, key) {
      version(name, v).tags.delete(key);
    },
  };
}
