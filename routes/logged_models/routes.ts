/**
 * Logged model endpoint specs (mlflow-rest.md §4.4) and `runs/outputs` (§4.2), relative to
 * `/api/2.0/mlflow`. `logged-models/search` is declared before the `{model_id}` routes.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import { EmptySchema } from "../schemas/common.ts";
import {
  CreateLoggedModelRequest,
  DeleteLoggedModelRequest,
  FinalizeLoggedModelRequest,
  ListLoggedModelArtifactsQuery,
  ListLoggedModelArtifactsResponse,
  LoggedModelResponse,
  LogLoggedModelParamsRequest,
  LogOutputsRequest,
  ModelIdParams,
  ModelTagParams,
  SearchLoggedModelsRequest,
  SearchLoggedModelsResponse,
  SetLoggedModelTagsRequest,
} from "../schemas/logged_models.ts";
import { jsonBody, replies, repliesOr501 } from "../spec.ts";

const tags = ["logged-models"];
const BASE = "/logged-models";
const ONE = `${BASE}/{model_id}`;

export const create = createRoute({
  method: "post",
  path: BASE,
  tags,
  summary: "Create a logged model (status LOGGED_MODEL_PENDING) in an active experiment",
  request: jsonBody(CreateLoggedModelRequest),
  responses: replies(LoggedModelResponse, "The new model"),
});

export const search = createRoute({
  method: "post",
  path: `${BASE}/search`,
  tags,
  summary: "Search logged models: AND-only filter, datasets, order_by entries; 50 per page",
  request: jsonBody(SearchLoggedModelsRequest),
  responses: replies(SearchLoggedModelsResponse, "A page of models"),
});

export const get = createRoute({
  method: "get",
  path: ONE,
  tags,
  summary: "Get a logged model; deleted models are not found",
  request: { params: ModelIdParams },
  responses: replies(LoggedModelResponse, "The model"),
});

export const finalize = createRoute({
  method: "patch",
  path: ONE,
  tags,
  summary: "Finalize a logged model as LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED",
  request: { params: ModelIdParams, ...jsonBody(FinalizeLoggedModelRequest) },
  responses: replies(LoggedModelResponse, "The finalized model"),
});

export const remove = createRoute({
  method: "delete",
  path: ONE,
  tags,
  summary: "Soft-delete a logged model",
  request: { params: ModelIdParams, ...jsonBody(DeleteLoggedModelRequest) },
  responses: replies(EmptySchema, "Deleted"),
});

export const setTags = createRoute({
  method: "patch",
  path: `${ONE}/tags`,
  tags,
  summary: "Upsert tags of a logged model",
  request: { params: ModelIdParams, ...jsonBody(SetLoggedModelTagsRequest) },
  responses: replies(EmptySchema, "Tags set"),
});

export const deleteTag = createRoute({
  method: "delete",
  path: `${ONE}/tags/{tag_key{.+}}`,
  tags,
  summary: "Delete a tag of a logged model",
  request: { params: ModelTagParams },
  responses: replies(EmptySchema, "Tag deleted"),
});

export const logParams = createRoute({
  method: "post",
  path: `${ONE}/params`,
  tags,
  summary: "Add params to a logged model (≤100 per call); params are immutable",
  request: { params: ModelIdParams, ...jsonBody(LogLoggedModelParamsRequest) },
  responses: replies(EmptySchema, "Logged"),
});

export const listArtifacts = createRoute({
  method: "get",
  path: `${ONE}/artifacts/directories`,
  tags,
  summary: "List a directory under a logged model's artifact root",
  request: { params: ModelIdParams, query: ListLoggedModelArtifactsQuery },
  responses: repliesOr501(
    ListLoggedModelArtifactsResponse,
    "The root URI and the directory's children",
    "the model's artifact root is not a proxied one",
  ),
});

export const logOutputs = createRoute({
  method: "post",
  path: "/runs/outputs",
  tags: ["runs"],
  summary: "Record logged models an active run produced, with the step of each",
  request: jsonBody(LogOutputsRequest),
  responses: replies(EmptySchema, "Logged"),
});
