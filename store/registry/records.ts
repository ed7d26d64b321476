/**
 * What both backends share about registry entities: the stored record shapes, how records become
 * wire entities, and MLflow's error messages.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import type { Tag } from "../types.ts";
import {
  type CreateModelVersionInput,
  MODEL_VERSION_STAGES,
  type ModelVersion,
  type ModelVersionStage,
  type RegisteredModel,
  type RegisteredModelAlias,
} from "./types.ts";

/** A model version as stored; its model's name and its tags and aliases live elsewhere. */
export interface ModelVersionRecord {
  version: number;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: ModelVersionStage;
  description: string;
  source: string;
  /** What `get-download-uri` returns (the resolved `source`). */
  storage_location: string;
  run_id?: string;
  run_link: string;
  model_id?: string;
}

/**
 * The record of a new version `version` created at `now`: stage `None`, and MLflow's defaults
 * for what the input leaves out (`""` for description and run link, `source` as the storage
 * location). Both backends store exactly this, so a version reads back the same from either.
 */
export function newModelVersionRecord(
  input: CreateModelVersionInput,
  version: number,
  now: number,
): ModelVersionRecord {
  const rec: ModelVersionRecord = {
    version,
    creation_timestamp: now,
    last_updated_timestamp: now,
    current_stage: "None",
    description: input.description ?? "",
    source: input.source,
    storage_location: input.storageLocation ?? input.source,
    run_link: input.runLink ?? "",
  };
  if (input.runId) rec.run_id = input.runId;
  if (input.modelId) rec.model_id = input.modelId;
  return rec;
}

const LOGGED_MODEL_SOURCE = /^models:\/(m-[0-9a-f]{32})$/;

/** The logged model id of a version's source when it is exactly `models:/<model id>`. */
export function sourceLoggedModel(source: string): string | undefined {
  return LOGGED_MODEL_SOURCE.exec(source)?.[1];
}

/** The registered-model fields stored with the record (tags, aliases, versions live elsewhere). */
export interface RegisteredModelCore {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  /** Absent or `""` when unset. */
  description?: string;
}

/** MLflow's error for an unknown registered model. */
export function registeredModelNotFound(name: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `Registered Model with name=${name} not found`);
}

/** MLflow's error for an unknown version of a model. */
export function modelVersionNotFound(name: string, version: string | number): MlflowError {
  return new MlflowError(
    "RESOURCE_DOES_NOT_EXIST",
    `Model Version (name=${name}, version=${version}) not found`,
  );
}

/** MLflow's error for a registered-model name in use. */
export function registeredModelExists(name: string): MlflowError {
  return new MlflowError(
    "RESOURCE_ALREADY_EXISTS",
    `Registered Model (name=${name}) already exists.`,
  );
}

/**
 * MLflow's error for an unknown alias: `INVALID_PARAMETER_VALUE` (400), not a 404, with exactly
 * this message; client code is known to match on both.
 */
export function aliasNotFound(alias: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", `Registered model alias ${alias} not found.`);
}

/** The wire model version of a record, in MLflow's field order. */
export function toModelVersion(
  name: string,
  rec: ModelVersionRecord,
  tags: Tag[],
  aliases: string[] = [],
): ModelVersion {
  // MLflow stores the request's `run_id` (`""` when not given) and sends it back either way.
  return withModelId({
    name,
    version: String(rec.version),
    creation_timestamp: rec.creation_timestamp,
    last_updated_timestamp: rec.last_updated_timestamp,
    current_stage: rec.current_stage,
    description: rec.description,
    source: rec.source,
    run_id: rec.run_id ?? "",
    status: "READY",
    tags,
    run_link: rec.run_link,
    aliases,
  }, rec);
}

function withModelId(mv: ModelVersion, rec: ModelVersionRecord): ModelVersion {
  if (rec.model_id) mv.model_id = rec.model_id;
  return mv;
}

/** The wire registered model, in MLflow's field order; an empty description is omitted. */
export function toRegisteredModel(
  core: RegisteredModelCore,
  latest: ModelVersion[],
  tags: Tag[],
  aliases: RegisteredModelAlias[],
): RegisteredModel {
  const rm: RegisteredModel = {
    name: core.name,
    creation_timestamp: core.creation_timestamp,
    last_updated_timestamp: core.last_updated_timestamp,
    latest_versions: latest,
    tags,
    aliases,
  };
  if (!core.description) return rm;
  const { latest_versions, tags: t, aliases: a, ...head } = rm;
  return { ...head, description: core.description, latest_versions, tags: t, aliases: a };
}

/**
 * The latest version in each stage, in stage order (None, Staging, Production, Archived), from
 * versions in any order.
 */
export function latestPerStage<T extends { version: number; current_stage: ModelVersionStage }>(
  versions: Iterable<T>,
): T[] {
  const best = new Map<ModelVersionStage, T>();
  for (const v of versions) {
    const cur = best.get(v.current_stage);
    if (!cur || cur.version < v.version) best.set(v.current_stage, v);
  }
  return MODEL_VERSION_STAGES.flatMap((s) => best.has(s) ? [best.get(s)!] : []);
}

/** Stages in `stages` (canonical), or every stage when empty. */
export function stageFilter(stages: readonly string[] | undefined): Set<string> {
  return new Set(stages && stages.length > 0 ? stages : MODEL_VERSION_STAGES);
}
