/**
 * Model registry endpoint specs (mlflow-rest.md §7), relative to `/api/2.0/mlflow`. GET endpoints
 * take the query string; DELETE endpoints a JSON body, as MLflow's.
 *
 * @module
 */
import { createRoute, type z } from "@hono/zod-openapi";
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
import { jsonBody, replies } from "../spec.ts";

const rmTags = ["registered-models"];
const mvTags = ["model-versions"];
const RM = "/registered-models";
const MV = "/model-versions";

type Method = "get" | "post" | "patch" | "delete";

/** One route: GET reads `args` from the query string, every other method from a JSON body. */
function route<M extends Method, A extends z.ZodObject, R extends z.ZodType>(
  method: M,
  path: string,
  tags: string[],
  summary: string,
  args: A,
  reply: R,
  description: string,
) {
  const request = method === "get" ? { query: args } : jsonBody(args);
  return createRoute({
    method,
    path,
    tags,
    summary,
    request: request as M extends "get" ? { query: A } : ReturnType<typeof jsonBody<A>>,
    responses: replies(reply, description),
  });
}

export const createRegisteredModel = route(
  "post",
  `${RM}/create`,
  rmTags,
  "Create a registered model; a taken name is RESOURCE_ALREADY_EXISTS",
  CreateRegisteredModelRequest,
  RegisteredModelResponse,
  "The new model",
);

export const renameRegisteredModel = route(
  "post",
  `${RM}/rename`,
  rmTags,
  "Rename a registered model; its versions, tags and aliases follow",
  RenameRegisteredModelRequest,
  RegisteredModelResponse,
  "The renamed model",
);

export const updateRegisteredModel = route(
  "patch",
  `${RM}/update`,
  rmTags,
  "Set a registered model's description",
  UpdateRegisteredModelRequest,
  RegisteredModelResponse,
  "The updated model",
);

export const deleteRegisteredModel = route(
  "delete",
  `${RM}/delete`,
  rmTags,
  "Delete a registered model with its versions, tags and aliases",
  RegisteredModelNameArgs,
  EmptySchema,
  "Deleted",
);

export const getRegisteredModel = route(
  "get",
  `${RM}/get`,
  rmTags,
  "Get a registered model with its latest versions, tags and aliases",
  RegisteredModelNameArgs,
  RegisteredModelResponse,
  "The model",
);

export const searchRegisteredModels = route(
  "get",
  `${RM}/search`,
  rmTags,
  "Search registered models (name and tags.<key> with = != LIKE ILIKE); max_results 100 by default",
  SearchRegisteredModelsQuery,
  SearchRegisteredModelsResponse,
  "A page of models",
);

export const getLatestVersions = route(
  "post",
  `${RM}/get-latest-versions`,
  rmTags,
  "The latest version in each stage (or in the given stages)",
  GetLatestVersionsArgs,
  ModelVersionsResponse,
  "The latest versions",
);

export const getLatestVersionsGet = route(
  "get",
  `${RM}/get-latest-versions`,
  rmTags,
  "The latest version in each stage (query-string form)",
  GetLatestVersionsArgs,
  ModelVersionsResponse,
  "The latest versions",
);

export const setRegisteredModelTag = route(
  "post",
  `${RM}/set-tag`,
  rmTags,
  "Upsert a registered model tag (key ≤250, value ≤100000 characters)",
  SetRegisteredModelTagRequest,
  EmptySchema,
  "Tag set",
);

export const deleteRegisteredModelTag = route(
  "delete",
  `${RM}/delete-tag`,
  rmTags,
  "Delete a registered model tag (a missing tag is not an error)",
  DeleteRegisteredModelTagRequest,
  EmptySchema,
  "Tag deleted",
);

export const setAlias = route(
  "post",
  `${RM}/alias`,
  rmTags,
  "Point an alias at a version, moving it from any other",
  SetRegisteredModelAliasRequest,
  EmptySchema,
  "Alias set",
);

export const deleteAlias = route(
  "delete",
  `${RM}/alias`,
  rmTags,
  "Delete an alias (a missing alias is not an error)",
  RegisteredModelAliasArgs,
  EmptySchema,
  "Alias deleted",
);

export const getAlias = route(
  "get",
  `${RM}/alias`,
  rmTags,
  "The version an alias points at; an unknown alias is INVALID_PARAMETER_VALUE, as in MLflow",
  RegisteredModelAliasArgs,
  ModelVersionResponse,
  "The version",
);

export const createModelVersion = route(
  "post",
  `${MV}/create`,
  mvTags,
  "Register the next version of a model from a source this server owns",
  CreateModelVersionRequest,
  ModelVersionResponse,
  "The new version",
);

export const updateModelVersion = route(
  "patch",
  `${MV}/update`,
  mvTags,
  "Set a version's description",
  UpdateModelVersionRequest,
  ModelVersionResponse,
  "The updated version",
);

export const transitionStage = route(
  "post",
  `${MV}/transition-stage`,
  mvTags,
  "Move a version to a stage, optionally archiving the others in that stage",
  TransitionModelVersionStageRequest,
  ModelVersionResponse,
  "The updated version",
);

export const deleteModelVersion = route(
  "delete",
  `${MV}/delete`,
  mvTags,
  "Delete a version with its tags and aliases",
  ModelVersionArgs,
  EmptySchema,
  "Deleted",
);

export const getModelVersion = route(
  "get",
  `${MV}/get`,
  mvTags,
  "Get a version with its tags and aliases",
  ModelVersionArgs,
  ModelVersionResponse,
  "The version",
);

export const getDownloadUri = route(
  "get",
  `${MV}/get-download-uri`,
  mvTags,
  "Where a version's files are",
  ModelVersionArgs,
  DownloadUriResponse,
  "The artifact URI",
);

export const searchModelVersions = route(
  "get",
  `${MV}/search`,
  mvTags,
  "Search versions (name, run_id, source_path, version_number, tags.<key>); max 200000",
  SearchModelVersionsQuery,
  SearchModelVersionsResponse,
  "A page of versions",
);

export const setModelVersionTag = route(
  "post",
  `${MV}/set-tag`,
  mvTags,
  "Upsert a version tag (key ≤250, value ≤100000 characters)",
  SetModelVersionTagRequest,
  EmptySchema,
  "Tag set",
);

export const deleteModelVersionTag = route(
  "delete",
  `${MV}/delete-tag`,
  mvTags,
  "Delete a version tag (a missing tag is not an error)",
  DeleteModelVersionTagRequest,
  EmptySchema,
  "Tag deleted",
);
