/**
 * MLflow's validation of the registry methods, applied by `withValidation` in front of either
 * backend: names, versions, tags (key ≤250, value ≤100000), aliases, stages, and the model
 * version `source` (see `source.ts`), which is the one check here that reads other entities (the
 * run or logged model a source must lie inside), always through the public store interface.
 * Backends receive canonical values: stage names as `None`/`Staging`/`Production`/`Archived`,
 * versions as plain decimal strings, tags with the last value per key.
 *
 * @module
 */
import { invalidParam, type MlflowError } from "../errors.ts";
import type { Tag, TrackingStore } from "../types.ts";
import { checkKey, fitLength, lastPerKey, missing, type ValidationOptions } from "../validation.ts";
import { resolveModelVersionSource, type SourceLookups } from "./source.ts";
import { checkPromptTagChange, checkPromptVersion, isPrompt, promptHasNoFiles } from "./prompts.ts";
import { MAX_RUN_ID_LENGTH } from "../limits.ts";
import { checkModelIdLength } from "../logged_models/common.ts";
import { type ModelVersionClause, parseModelVersionFilter } from "../search/registry.ts";
import { MODEL_VERSION_STAGES, type ModelVersionStage, type RegistryMethods } from "./types.ts";

/** MLflow 3's `MAX_MODEL_REGISTRY_TAG_KEY_LENGTH` / `…_VALUE_LENGTH` (mlflow-rest.md §3). */
export const MAX_REGISTRY_TAG_KEY = 250;
export const MAX_REGISTRY_TAG_VALUE = 100_000;
/** MLflow's `MAX_REGISTERED_MODEL_ALIAS_LENGTH`. */
export const MAX_ALIAS = 255;
/** The SQL store's name column width. */
export const MAX_MODEL_NAME = 256;
/**
 * kvflow's cap on descriptions (MLflow has none), in UTF-16 units (characters outside the Basic
 * Multilingual Plane, e.g. emoji, count twice): a version record, description included, must fit
 * one 64 KiB KV value, which stores a string as up to 2 bytes per UTF-16 unit.
 */
export const MAX_DESCRIPTION = 20_000;
/** kvflow's cap on `run_link`. */
export const MAX_RUN_LINK = 2048;

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;
// Python's `\w` on str patterns is Unicode: letters, numbers (and marks) and underscore.
const ALIAS = /^[\p{L}\p{M}\p{N}_\-]*$/u;
const VERSION_ALIAS = /^[vV]\d+$/;
const INTEGER = /^-?\d+$/;

function exceeds(what: string, limit: number): MlflowError {
  return invalidParam(`'${what}' exceeds the maximum length of ${limit} characters`);
}

function codePoints(s: string): number {
  return s.length <= 1 ? s.length : Array.from(s).length;
}

/**
 * A registered-model name: required, ≤256 characters, no control characters, and no percent-escapes
 * (CVE-2024-3099: URL-encoded look-alike names that decode to another model's name).
 */
export function checkModelName(name: unknown, path = "name"): string {
  if (typeof name !== "string" || name === "") throw missing(path);
  if (codePoints(name) > MAX_MODEL_NAME) throw exceeds(path, MAX_MODEL_NAME);
  if (CONTROL.test(name)) {
    throw invalidParam(
      `Invalid registered model name ${JSON.stringify(name)}: control characters are not allowed`,
    );
  }
  if (PERCENT_ESCAPE.test(name)) {
    throw invalidParam(
      `Invalid registered model name ${JSON.stringify(name)}: percent-escapes (e.g. '%2F') are ` +
        "not allowed, so that no name can pose as another once URL-decoded",
    );
  }
  return name;
}

/** A version number: an integer, as a plain decimal string (`"01"` is version `"1"`). */
export function checkVersion(version: unknown): string {
  const s = typeof version === "number" ? String(version) : version;
  if (typeof s !== "string" || s === "") throw missing("version");
  if (!INTEGER.test(s) || !Number.isSafeInteger(Number(s))) {
    throw invalidParam(`Parameter 'version' must be an integer, got '${s}'.`);
  }
  return String(Number(s));
}

/** A registry tag: run-tag key rules, key ≤250, value ≤100000 (no truncation). */
export function checkRegistryTag(key: unknown, value: unknown, path = ""): Tag {
  const at = (f: string) => path ? `${path}.${f}` : f;
  const k = checkKey("tag", "Tag key", key, at("key"));
  if (codePoints(k) > MAX_REGISTRY_TAG_KEY) throw exceeds("key", MAX_REGISTRY_TAG_KEY);
  const v = value ?? "";
  if (typeof v !== "string") throw missing(at("value"));
  if (codePoints(v) > MAX_REGISTRY_TAG_VALUE) throw exceeds("value", MAX_REGISTRY_TAG_VALUE);
  return { key: k, value: v };
}

function checkTags(tags: Tag[] | undefined): Tag[] {
  return lastPerKey((tags ?? []).map((t, i) => checkRegistryTag(t?.key, t?.value, `tags[${i}]`)));
}

/** MLflow's alias rules: `^[\w-]*$`, ≤255, and neither `latest` nor `v<N>` (reserved). */
export function checkAlias(alias: unknown): string {
  if (typeof alias !== "string" || alias === "") {
    throw invalidParam("Registered model alias name cannot be empty.");
  }
  if (!ALIAS.test(alias)) {
    throw invalidParam(
      `Invalid alias name: '${alias.slice(0, 300)}'. ` +
        "Names may only contain alphanumerics, underscores (_), and dashes (-).",
    );
  }
  if (codePoints(alias) > MAX_ALIAS) throw exceeds("Registered model alias name", MAX_ALIAS);
  if (alias.toLowerCase() === "latest") {
    throw invalidParam("'latest' alias name (case insensitive) is reserved.");
  }
  if (VERSION_ALIAS.test(alias)) throw invalidParam(`Version alias name '${alias}' is reserved.`);
  return alias;
}

/** A stage in any case → its canonical name; anything else is MLflow's error. */
export function canonicalStage(stage: unknown): ModelVersionStage {
  const s = typeof stage === "string" ? stage : String(stage);
  const found = MODEL_VERSION_STAGES.find((c) => c.toLowerCase() === s.toLowerCase());
  if (!found) {
    throw invalidParam(
      `Invalid Model Version stage: ${s}. Value must be one of ${MODEL_VERSION_STAGES.join(", ")}.`,
    );
  }
  return found;
}

function checkDescription(description: unknown): string {
  const d = description ?? "";
  if (typeof d !== "string") throw invalidParam("Invalid value for parameter 'description'");
  if (d.length > MAX_DESCRIPTION) throw exceeds("description", MAX_DESCRIPTION);
  return d;
}

/** `run_link`: empty, or an http(s) URL (never `javascript:` and the like: the UI links it). */
function checkRunLink(link: unknown): string {
  const l = link ?? "";
  if (typeof l !== "string") throw invalidParam("Invalid value for parameter 'run_link'");
  if (l === "") return l;
  fitLength("run_link", l, MAX_RUN_LINK);
  if (CONTROL.test(l) || !/^https?:\/\/[^\s]+$/i.test(l)) {
    throw invalidParam(
      `Invalid run_link ${JSON.stringify(l.slice(0, 200))}: it must be an http(s) URL`,
    );
  }
  return l;
}

/**
 * A `name =` or `run_id =` / `IN` filter value longer than any model name or run id can be
 * matches nothing, and would be a database key past KV's limit: refused up front.
 */
function checkModelVersionFilterValues(clauses: readonly ModelVersionClause[]): void {
  for (const c of clauses) {
    if (c.kind !== "attribute" || (c.key !== "name" && c.key !== "run_id")) continue;
    if (c.op !== "=" && c.op !== "IN") continue;
    const limit = c.key === "name" ? MAX_MODEL_NAME : MAX_RUN_ID_LENGTH;
    for (const v of "values" in c ? c.values : "value" in c ? [c.value] : []) {
      if (v.length > limit && codePoints(v) > limit) {
        throw invalidParam(
          `Invalid filter: the ${c.key} '${v.slice(0, 100)}…' is longer than ${limit} ` +
            "characters, which no registered model name or run id can be",
        );
      }
    }
  }
}

const optional = (s: string | undefined) => s === undefined || s === "" ? undefined : s;

/** The validating wrappers of the registry methods of `inner`. */
export function validateRegistry(inner: TrackingStore, opts: ValidationOptions): RegistryMethods {
  const roots = [...new Set(["mlflow-artifacts:/", ...(opts.allowedArtifactRoots ?? [])])];
  // A prompt version is stored with no location: it has nothing to download.
  const downloadUri = async (name: string, version: string) => {
    const uri = await inner.getModelVersionDownloadUri(name, version);
    if (uri === "") throw promptHasNoFiles(name, version);
    return uri;
  };
  const lookups: SourceLookups = {
    getRun: (id) => inner.getRun(id),
    getLoggedModel: (id) => inner.getLoggedModel(id),
    getModelVersionDownloadUri: downloadUri,
    getModelVersionByAlias: (name, alias) => inner.getModelVersionByAlias(name, alias),
    roots,
  };
  return {
    createRegisteredModel: async (input) =>
      await inner.createRegisteredModel({
        name: checkModelName(input.name),
        tags: checkTags(input.tags),
        description: checkDescription(input.description),
      }),
    getRegisteredModel: async (name) => await inner.getRegisteredModel(checkModelName(name)),
    renameRegisteredModel: async (name, newName) =>
      await inner.renameRegisteredModel(checkModelName(name), checkModelName(newName, "new_name")),
    updateRegisteredModel: async (name, description) =>
      await inner.updateRegisteredModel(checkModelName(name), checkDescription(description)),
    deleteRegisteredModel: async (name) => await inner.deleteRegisteredModel(checkModelName(name)),
    searchRegisteredModels: async (o) => await inner.searchRegisteredModels(o),
    getLatestVersions: async (name, stages) =>
      await inner.getLatestVersions(checkModelName(name), (stages ?? []).map(canonicalStage)),
    async setRegisteredModelTag(name, key, value) {
      const t = checkRegistryTag(key, value);
      checkPromptTagChange(t.key, "registered model");
      await inner.setRegisteredModelTag(checkModelName(name), t.key, t.value);
    },
    async deleteRegisteredModelTag(name, key) {
      checkModelName(name);
      const k = checkKey("tag", "Tag key", key, "key");
      checkPromptTagChange(k, "registered model");
      await inner.deleteRegisteredModelTag(name, k);
    },
    async setRegisteredModelAlias(name, alias, version) {
      checkModelName(name);
      await inner.setRegisteredModelAlias(name, checkAlias(alias), checkVersion(version));
    },
    async deleteRegisteredModelAlias(name, alias) {
      checkModelName(name);
      await inner.deleteRegisteredModelAlias(name, checkAlias(alias));
    },
    getModelVersionByAlias: async (name, alias) =>
      await inner.getModelVersionByAlias(checkModelName(name), checkAlias(alias)),

    async createModelVersion(input) {
      const name = checkModelName(input.name);
      if (typeof input.source !== "string" || input.source === "") throw missing("source");
      const tags = checkTags(input.tags);
      const description = checkDescription(input.description);
      const runLink = checkRunLink(input.runLink);
      const given = optional(input.modelId);
      const modelId = given === undefined ? undefined : checkModelIdLength(given, "model_id");
      if (isPrompt(tags)) {
        // A prompt version: its source is a label kept as given, with no location behind it.
        checkPromptVersion(name, (await inner.getRegisteredModel(name)).tags ?? [], input.source);
        if (modelId !== undefined) throw invalidParam("A prompt version cannot name a model_id");
        const runId = optional(input.runId);
        if (runId !== undefined) await inner.getRun(runId);
        return await inner.createModelVersion({
          name,
          source: input.source,
          ...(runId !== undefined && { runId }),
          tags,
          runLink,
          description,
          storageLocation: "",
        });
      }
      const resolved = await resolveModelVersionSource(
        input.source,
        optional(input.runId),
        modelId,
        lookups,
      );
      return await inner.createModelVersion({
        name,
        source: input.source,
        ...(resolved.runId !== undefined && { runId: resolved.runId }),
        tags,
        runLink,
        description,
        ...(modelId !== undefined && { modelId }),
        storageLocation: resolved.storageLocation,
      });
    },
    updateModelVersion: async (name, version, description) =>
      await inner.updateModelVersion(
        checkModelName(name),
        checkVersion(version),
        checkDescription(description),
      ),
    async transitionModelVersionStage(name, version, stage, archive) {
      checkModelName(name);
      const v = checkVersion(version);
      const target = canonicalStage(stage);
      if (archive && target !== "Staging" && target !== "Production") {
        throw invalidParam(
          "Model version transition cannot archive existing model versions because " +
            `'${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
        );
      }
      return await inner.transitionModelVersionStage(name, v, target, archive === true);
    },
    deleteModelVersion: async (name, version) =>
      await inner.deleteModelVersion(checkModelName(name), checkVersion(version)),
    getModelVersion: async (name, version) =>
      await inner.getModelVersion(checkModelName(name), checkVersion(version)),
    getModelVersionDownloadUri: async (name, version) =>
      await downloadUri(checkModelName(name), checkVersion(version)),
    async searchModelVersions(o) {
      checkModelVersionFilterValues(parseModelVersionFilter(o.filter));
      return await inner.searchModelVersions(o);
    },
    async setModelVersionTag(name, version, key, value) {
      checkModelName(name);
      const v = checkVersion(version);
      const t = checkRegistryTag(key, value);
      checkPromptTagChange(t.key, "model version");
      await inner.setModelVersionTag(name, v, t.key, t.value);
    },
    async deleteModelVersionTag(name, version, key) {
      checkModelName(name);
      const v = checkVersion(version);
      const k = checkKey("tag", "Tag key", key, "key");
      checkPromptTagChange(k, "model version");
      await inner.deleteModelVersionTag(name, v, k);
    },
  };
}
