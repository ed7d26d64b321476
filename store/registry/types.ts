/**
 * The model-registry part of the {@linkcode TrackingStore} contract (mlflow-rest.md §7): registered
 * models, their versions, tags, aliases and stages. See ../types.ts for the rest.
 *
 * Entities carry MLflow's wire names and field presence: a registered model omits `description`
 * until one is set, while a model version always carries `description` and `run_link` (`""` when
 * unset), exactly as the recorded MLflow traffic shows.
 *
 * @module
 */
import type { Page, Tag } from "../types.ts";

/** A model version's stage; request values are matched case-insensitively. */
export type ModelVersionStage = "None" | "Staging" | "Production" | "Archived";

/** Every stage, in MLflow's order. */
export const MODEL_VERSION_STAGES: readonly ModelVersionStage[] = [
  "None",
  "Staging",
  "Production",
  "Archived",
];

/** An alias of a registered model and the version it points at. */
export interface RegisteredModelAlias {
  alias: string;
  /** The version number as a string, e.g. `"3"`. */
  version: string;
}

/**
 * A registered model.
 *
 * @example
 * ```ts
 * const rm: RegisteredModel = {
 *   name: "churn", creation_timestamp: 1, last_updated_timestamp: 2,
 *   latest_versions: [], tags: [], aliases: [{ alias: "champion", version: "1" }],
 * };
 * ```
 */
export interface RegisteredModel {
  name: string;
  /** Milliseconds since the epoch. */
  creation_timestamp: number;
  /** Bumped by description updates, renames and version create / transition / delete. */
  last_updated_timestamp: number;
  /** Never set by kvflow (MLflow leaves it unset too); present for wire completeness. */
  user_id?: string;
  /** Absent until a non-empty description is set. */
  description?: string;
  /**
   * The highest version in each stage that has one, in order of the stage's lowest version (MLflow's
   * dict order). These versions carry tags but no aliases, as MLflow's do.
   */
  latest_versions: ModelVersion[];
  /** Sorted by key. */
  tags: Tag[];
  /** Sorted by alias. */
  aliases: RegisteredModelAlias[];
}

/** A version of a registered model. */
export interface ModelVersion {
  name: string;
  /** `"1"`, `"2"`, … per registered model; numbers are never reused. */
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: ModelVersionStage;
  /** Always present; `""` when unset. */
  description: string;
  /** The source URI exactly as the client registered it. */
  source: string;
  /** Absent when the version was registered without a run. */
  run_id?: string;
  /** Always `READY`: kvflow copies nothing, so a version is ready on creation. */
  status: "READY";
  /** Sorted by key. */
  tags: Tag[];
  /** Always present; `""` when unset. */
  run_link: string;
  /**
   * Aliases pointing at this version, sorted. Filled in only by `getModelVersion` and
   * `getModelVersionByAlias` (MLflow leaves them out of search, create and latest_versions).
   */
  aliases: string[];
  /** MLflow 3: the logged model this version was registered from, when the client gave one. */
  model_id?: string;
}

/** Arguments of {@linkcode RegistryMethods.createRegisteredModel}. */
export interface CreateRegisteredModelInput {
  name: string;
  tags?: Tag[];
  description?: string;
}

/** Arguments of {@linkcode RegistryMethods.createModelVersion}. */
export interface CreateModelVersionInput {
  /** The registered model, which must exist. */
  name: string;
  /** Where the model's files are; validated and resolved by `withValidation` (§7, §9). */
  source: string;
  runId?: string;
  tags?: Tag[];
  runLink?: string;
  description?: string;
  /** MLflow 3: the logged model the version comes from. */
  modelId?: string;
  /**
   * Where `get-download-uri` points: the resolved location of `source`. Set only by
   * `withValidation` (a caller's value is replaced); backends store it as given, or `source`
   * when absent.
   */
  storageLocation?: string;
}

/** Arguments of {@linkcode RegistryMethods.searchRegisteredModels}. */
export interface SearchRegisteredModelsOptions {
  /** `name` and `tags.<key>` with `= != LIKE ILIKE`, joined by AND; empty matches all. */
  filter?: string;
  /** `name`, `creation_timestamp`, `last_updated_timestamp` (`timestamp`), ASC or DESC. */
  orderBy?: string[];
  /** 1–1000; default 100. */
  maxResults?: number;
  pageToken?: string;
  /**
   * The caller's readable set (issue 11 §4), by model name: only models it accepts are
   * returned, and a page is refilled from later ones rather than returned short. Absent: all.
   */
  visible?: (registeredModelName: string) => boolean;
}

/** Arguments of {@linkcode RegistryMethods.searchModelVersions}. */
export interface SearchModelVersionsOptions {
  /**
   * `name`, `source_path` (`= != LIKE ILIKE`), `run_id` (`= != IN NOT IN`), `version_number`
   * (numeric comparators) and `tags.<key>`, joined by AND; empty matches all.
   */
  filter?: string;
  /** `name`, `version_number`, `creation_timestamp`, `last_updated_timestamp`, ASC or DESC. */
  orderBy?: string[];
  /** 1–200000; default 10000. */
  maxResults?: number;
  pageToken?: string;
  /**
   * The caller's readable set (issue 11 §4), by the versions' registered-model name: only
   * versions of models it accepts are returned, pages refilled as for registered models.
   */
  visible?: (registeredModelName: string) => boolean;
  /**
   * Versions come back without tags (`tags: []`); tags are read only where the filter tests
   * them. For pages that do not show them: over a remote KV, each version's tags are a read.
   */
  omitTags?: boolean;
}

/**
 * Registry methods of the tracking store; both backends implement them. Errors are `MlflowError`s
 * with MLflow's codes and messages: an unknown model is `RESOURCE_DOES_NOT_EXIST` ("Registered
 * Model with name=… not found"), an unknown version `RESOURCE_DOES_NOT_EXIST` ("Model Version
 * (name=…, version=…) not found"), bad input `INVALID_PARAMETER_VALUE`.
 *
 * Every write to a registered model or anything under it is atomic, also across processes sharing
 * one KV database: names stay unique and version numbers are never handed out twice.
 *
 * @example
 * ```ts
 * await store.createRegisteredModel({ name: "churn" });
 * const mv = await store.createModelVersion({
 *   name: "churn", source: `${run.info.artifact_uri}/model`, runId: run.info.run_id,
 * });
 * await store.setRegisteredModelAlias("churn", "champion", mv.version);
 * await store.getModelVersionDownloadUri("churn", "1"); // `${run.info.artifact_uri}/model`
 * ```
 */
export interface RegistryMethods {
  /**
   * Creates a registered model with no versions. A taken name throws `RESOURCE_ALREADY_EXISTS`
   * ("Registered Model (name=…) already exists.").
   */
  createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel>;
  /** Returns the model with its latest versions, tags and aliases. */
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /**
   * Renames a model; its versions, tags and aliases follow. A taken `newName` throws
   * `RESOURCE_ALREADY_EXISTS`; renaming to the current name changes nothing.
   */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  /** Sets the description (`""` clears it) and bumps `last_updated_timestamp`. */
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>;
  /** Deletes the model with all its versions, tags and aliases; the name is free again. */
  deleteRegisteredModel(name: string): Promise<void>;
  /** Searches registered models (filter, order, offset paging bound to the query). */
  searchRegisteredModels(opts: SearchRegisteredModelsOptions): Promise<Page<RegisteredModel>>;
  /**
   * The latest version in each of `stages` (case-insensitive; every stage when empty or absent).
   * An unknown stage throws `INVALID_PARAMETER_VALUE`.
   */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  /** Upserts a tag of the model (key ≤250, value ≤100000). */
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void>;
  /** Deletes a tag of the model; a missing tag is a no-op, as in MLflow. */
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;
  /**
   * Points `alias` at `version` (which must exist), moving it from any other version. Alias rules:
   * `^[\w-]*$`, ≤255, not `latest` nor `v<N>` (checked by `withValidation`).
   */
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  /** Deletes an alias; a missing alias is a no-op, as in MLflow. */
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  /**
   * The version `alias` points at, with its aliases. An unknown alias throws
   * `RESOURCE_DOES_NOT_EXIST` ("Registered model alias … not found.").
   */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  /**
   * Creates the next version of a model (`"1"`, `"2"`, …) in stage `None`, status `READY`, and
   * bumps the model's `last_updated_timestamp`. The model must exist.
   */
  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>;
  /** Sets a version's description and bumps its `last_updated_timestamp`. */
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion>;
  /**
   * Moves a version to `stage` (case-insensitive). With `archiveExistingVersions` (only allowed
   * for Staging and Production) every other version in that stage moves to `Archived`.
   */
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion>;
  /** Deletes a version, its tags and the aliases pointing at it; its number is not reused. */
  deleteModelVersion(name: string, version: string): Promise<void>;
  /** Returns a version with its tags and aliases. */
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  /** Where the version's files are: its resolved storage location. */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  /** Searches model versions (filter, order, offset paging bound to the query). */
  searchModelVersions(opts: SearchModelVersionsOptions): Promise<Page<ModelVersion>>;
  /** Upserts a tag of a version (key ≤250, value ≤100000). */
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void>;
  /** Deletes a tag of a version; a missing tag is a no-op, as in MLflow. */
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
}
