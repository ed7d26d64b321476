/**
 * Model registry endpoint specs (mlflow-rest.md §7), relative to `/api/2.0/mlflow`. GET endpoints
 * take the query string; DELETE endpoints a JSON body, as MLflow's.
 *
 * @module
 */
import type { z } from "@hono/zod-openapi";
import { type ArgsMethod, argsRoute, type ArgsRouteSpec } from "../args_route.ts";
import { EmptySchema } from "../schemas/common.ts";
import {
  CreateModelVersionRequest,
  CreateRegisteredModelRequest,
  DeleteModelVersionTagRequest,
  DeleteRegisteredModelTagRequest,
  DownloadUriResponse,
  GetLatestVersionsArgs,
  ModelVersionArgs,
  ModelVersionResponse,
  ModelVersionsResponse,
  RegisteredModelAliasArgs,
  RegisteredModelNameArgs,
  RegisteredModelResponse,
  RenameRegisteredModelRequest,
  SearchModelVersionsQuery,
  SearchModelVersionsResponse,
  SearchRegisteredModelsQuery,
  SearchRegisteredModelsResponse,
  SetModelVersionTagRequest,
  SetRegisteredModelAliasRequest,
  SetRegisteredModelTagRequest,
  TransitionModelVersionStageRequest,
  UpdateModelVersionRequest,
  UpdateRegisteredModelRequest,
} from "../schemas/registry.ts";

const RM = "/registered-models";
const MV = "/model-versions";

/** One registry route: `argsRoute` under the "Model registry" tag. */
function route<M extends ArgsMethod, A extends z.ZodObject, R extends z.ZodType>(
  spec: Omit<ArgsRouteSpec<M, A, R>, "tag">,
) {
  return argsRoute({ ...spec, tag: "Model registry" });
}

export const createRegisteredModel = route({
  operationId: "createRegisteredModel",
  method: "post",
  path: `${RM}/create`,
  summary: "Create a registered model",
  description: "Creates a registered model with no versions. A name in use is 400 " +
    'RESOURCE_ALREADY_EXISTS, which `mlflow.register_model` takes as "it exists" and goes on ' +
    "to create a version. With auth, the creator gets MANAGE on it.",
  args: CreateRegisteredModelRequest,
  example: {
    name: "fraud-classifier",
    description: "Gradient-boosted trees on transaction features",
    tags: [{ key: "team", value: "risk" }],
  },
  reply: RegisteredModelResponse,
  replyDescription: "The new model",
});

export const renameRegisteredModel = route({
  operationId: "renameRegisteredModel",
  method: "post",
  path: `${RM}/rename`,
  summary: "Rename a registered model",
  description: "Renames a registered model; its versions, tags, aliases and (with auth) " +
    "permission grants follow. A name in use is 400 RESOURCE_ALREADY_EXISTS.",
  args: RenameRegisteredModelRequest,
  reply: RegisteredModelResponse,
  replyDescription: "The renamed model",
});

export const updateRegisteredModel = route({
  operationId: "updateRegisteredModel",
  method: "patch",
  path: `${RM}/update`,
  summary: "Update a registered model",
  description: "Sets a registered model's description.",
  args: UpdateRegisteredModelRequest,
  reply: RegisteredModelResponse,
  replyDescription: "The updated model",
});

export const deleteRegisteredModel = route({
  operationId: "deleteRegisteredModel",
  method: "delete",
  path: `${RM}/delete`,
  summary: "Delete a registered model",
  description: "Deletes a registered model with its versions, tags, aliases and (with auth) " +
    "permission grants.",
  args: RegisteredModelNameArgs,
  reply: EmptySchema,
  replyDescription: "Deleted",
});

export const getRegisteredModel = route({
  operationId: "getRegisteredModel",
  method: "get",
  path: `${RM}/get`,
  summary: "Get a registered model",
  description: "The registered model with its latest version in each stage, tags and aliases.",
  args: RegisteredModelNameArgs,
  reply: RegisteredModelResponse,
  replyDescription: "The model",
});

export const searchRegisteredModels = route({
  operationId: "searchRegisteredModels",
  method: "get",
  path: `${RM}/search`,
  summary: "Search registered models",
  description: "A page of registered models matching `filter` (`name` and `tags.<key>` with " +
    "=, !=, LIKE, ILIKE), in `order_by` order; `max_results` defaults to 100. With auth, only " +
    "models the caller may read are listed, and pages are still filled.",
  args: SearchRegisteredModelsQuery,
  reply: SearchRegisteredModelsResponse,
  replyDescription: "A page of models",
});

export const getLatestVersions = route({
  operationId: "getLatestVersions",
  method: "post",
  path: `${RM}/get-latest-versions`,
  summary: "Get a registered model's latest versions",
  description: "The latest version in each stage, or in each of the given `stages`.",
  args: GetLatestVersionsArgs,
  reply: ModelVersionsResponse,
  replyDescription: "The latest versions",
});

export const getLatestVersionsGet = route({
  operationId: "getLatestVersionsGet",
  method: "get",
  path: `${RM}/get-latest-versions`,
  summary: "Get a registered model's latest versions (query string)",
  description: "`POST registered-models/get-latest-versions` with its arguments in the query " +
    "string (`stages` repeated).",
  args: GetLatestVersionsArgs,
  reply: ModelVersionsResponse,
  replyDescription: "The latest versions",
});

export const setRegisteredModelTag = route({
  operationId: "setRegisteredModelTag",
  method: "post",
  path: `${RM}/set-tag`,
  summary: "Set a registered model tag",
  description: "Sets (or overwrites) a tag of a registered model (key ≤250, value ≤100000 " +
    "characters).",
  args: SetRegisteredModelTagRequest,
  reply: EmptySchema,
  replyDescription: "Tag set",
});

export const deleteRegisteredModelTag = route({
  operationId: "deleteRegisteredModelTag",
  method: "delete",
  path: `${RM}/delete-tag`,
  summary: "Delete a registered model tag",
  description: "Deletes a tag of a registered model; a missing tag is not an error.",
  args: DeleteRegisteredModelTagRequest,
  reply: EmptySchema,
  replyDescription: "Tag deleted",
});

export const setAlias = route({
  operationId: "setRegisteredModelAlias",
  method: "post",
  path: `${RM}/alias`,
  summary: "Set a registered model alias",
  description: "Points an alias (e.g. `champion`) at a version, moving it from any other " +
    "version; `models:/<name>@<alias>` URIs resolve through it.",
  args: SetRegisteredModelAliasRequest,
  reply: EmptySchema,
  replyDescription: "Alias set",
});

export const deleteAlias = route({
  operationId: "deleteRegisteredModelAlias",
  method: "delete",
  path: `${RM}/alias`,
  summary: "Delete a registered model alias",
  description: "Deletes an alias; a missing alias is not an error.",
  args: RegisteredModelAliasArgs,
  reply: EmptySchema,
  replyDescription: "Alias deleted",
});

export const getAlias = route({
  operationId: "getModelVersionByAlias",
  method: "get",
  path: `${RM}/alias`,
  summary: "Get the model version an alias points at",
  description: "The version the alias points at; an unknown alias is 400 " +
    "INVALID_PARAMETER_VALUE, as in MLflow.",
  args: RegisteredModelAliasArgs,
  reply: ModelVersionResponse,
  replyDescription: "The version",
});

export const createModelVersion = route({
  operationId: "createModelVersion",
  method: "post",
  path: `${MV}/create`,
  summary: "Create a model version",
  description: "Registers the next version of a registered model from `source`, which must be " +
    "something this server owns: a run's or logged model's proxied artifacts, a `runs:/` or " +
    "`models:/` URI, or a path under its artifact root; other sources are 400. With auth, the " +
    "caller needs EDIT on the registered model and READ on the source.",
  args: CreateModelVersionRequest,
  reply: ModelVersionResponse,
  replyDescription: "The new version",
});

export const updateModelVersion = route({
  operationId: "updateModelVersion",
  method: "patch",
  path: `${MV}/update`,
  summary: "Update a model version",
  description: "Sets a version's description.",
  args: UpdateModelVersionRequest,
  reply: ModelVersionResponse,
  replyDescription: "The updated version",
});

export const transitionStage = route({
  operationId: "transitionModelVersionStage",
  method: "post",
  path: `${MV}/transition-stage`,
  summary: "Transition a model version's stage",
  description: "Moves a version to a stage (None, Staging, Production, Archived); with " +
    "`archive_existing_versions`, the other versions in that stage move to Archived.",
  args: TransitionModelVersionStageRequest,
  reply: ModelVersionResponse,
  replyDescription: "The updated version",
});

export const deleteModelVersion = route({
  operationId: "deleteModelVersion",
  method: "delete",
  path: `${MV}/delete`,
  summary: "Delete a model version",
  description: "Deletes a version with its tags and the aliases pointing at it.",
  args: ModelVersionArgs,
  reply: EmptySchema,
  replyDescription: "Deleted",
});

export const getModelVersion = route({
  operationId: "getModelVersion",
  method: "get",
  path: `${MV}/get`,
  summary: "Get a model version",
  description: "The version with its tags and aliases.",
  args: ModelVersionArgs,
  reply: ModelVersionResponse,
  replyDescription: "The version",
});

export const getDownloadUri = route({
  operationId: "getModelVersionDownloadUri",
  method: "get",
  path: `${MV}/get-download-uri`,
  summary: "Get where a model version's files are",
  description: "The artifact URI MLflow's client downloads a version's files from, fixed when " +
    "the version was created.",
  args: ModelVersionArgs,
  reply: DownloadUriResponse,
  replyDescription: "The artifact URI",
});

export const searchModelVersions = route({
  operationId: "searchModelVersions",
  method: "get",
  path: `${MV}/search`,
  summary: "Search model versions",
  description: "A page of versions matching `filter` (`name`, `run_id`, `source_path`, " +
    "`version_number`, `tags.<key>`), in `order_by` order; `max_results` at most 200000. With " +
    "auth, only versions of models the caller may read are listed.",
  args: SearchModelVersionsQuery,
  reply: SearchModelVersionsResponse,
  replyDescription: "A page of versions",
});

export const setModelVersionTag = route({
  operationId: "setModelVersionTag",
  method: "post",
  path: `${MV}/set-tag`,
  summary: "Set a model version tag",
  description: "Sets (or overwrites) a tag of a version (key ≤250, value ≤100000 characters).",
  args: SetModelVersionTagRequest,
  reply: EmptySchema,
  replyDescription: "Tag set",
});

export const deleteModelVersionTag = route({
  operationId: "deleteModelVersionTag",
  method: "delete",
  path: `${MV}/delete-tag`,
  summary: "Delete a model version tag",
  description: "Deletes a tag of a version; a missing tag is not an error.",
  args: DeleteModelVersionTagRequest,
  reply: EmptySchema,
  replyDescription: "Tag deleted",
});
