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
import { bodyReplies, jsonBody, notImplemented, replies } from "../spec.ts";

const tags = ["Logged models"];
const BASE = "/logged-models";
const ONE = `${BASE}/{model_id}`;

export const create = createRoute({
  operationId: "createLoggedModel",
  method: "post",
  path: BASE,
  tags,
  summary: "Create a logged model",
  description: "MLflow 3's first step of `log_model`: creates a model in LOGGED_MODEL_PENDING " +
    "status in an active experiment, with its artifact location under the experiment's root. " +
    "The client then uploads the files and calls `finalizeLoggedModel`.",
  request: jsonBody(CreateLoggedModelRequest),
  responses: bodyReplies(LoggedModelResponse, "The new model"),
});

export const search = createRoute({
  operationId: "searchLoggedModels",
  method: "post",
  path: `${BASE}/search`,
  tags,
  summary: "Search logged models",
  description: "A page of logged models of the given experiments: an AND-only `filter`, " +
    "metrics restricted to `datasets`, and `order_by` entries; 50 per page by default. With " +
    "auth, experiments the caller may not read are left out.",
  request: jsonBody(SearchLoggedModelsRequest),
  responses: bodyReplies(SearchLoggedModelsResponse, "A page of models"),
});

export const get = createRoute({
  operationId: "getLoggedModel",
  method: "get",
  path: ONE,
  tags,
  summary: "Get a logged model",
  description: "The model with its tags, params and metrics; a deleted model is 404.",
  request: { params: ModelIdParams },
  responses: replies(LoggedModelResponse, "The model"),
});

export const finalize = createRoute({
  operationId: "finalizeLoggedModel",
  method: "patch",
  path: ONE,
  tags,
  summary: "Finalize a logged model",
  description: "Sets the model's status to LOGGED_MODEL_READY once its files are uploaded, or " +
    "LOGGED_MODEL_UPLOAD_FAILED.",
  request: { params: ModelIdParams, ...jsonBody(FinalizeLoggedModelRequest) },
  responses: bodyReplies(LoggedModelResponse, "The finalized model"),
});

export const remove = createRoute({
  operationId: "deleteLoggedModel",
  method: "delete",
  path: ONE,
  tags,
  summary: "Delete a logged model",
  description: "Soft-deletes a logged model: it is no longer found or listed, and `gc` purges " +
    "it with its artifacts.",
  request: { params: ModelIdParams, ...jsonBody(DeleteLoggedModelRequest) },
  responses: bodyReplies(EmptySchema, "Deleted"),
});

export const setTags = createRoute({
  operationId: "setLoggedModelTags",
  method: "patch",
  path: `${ONE}/tags`,
  tags,
  summary: "Set logged model tags",
  description: "Sets (or overwrites) tags of a logged model.",
  request: { params: ModelIdParams, ...jsonBody(SetLoggedModelTagsRequest) },
  responses: bodyReplies(EmptySchema, "Tags set"),
});

export const deleteTag = createRoute({
  operationId: "deleteLoggedModelTag",
  method: "delete",
  path: `${ONE}/tags/{tag_key{.+}}`,
  tags,
  summary: "Delete a logged model tag",
  description: "Deletes one tag of a logged model; the key is the rest of the path.",
  request: { params: ModelTagParams },
  responses: bodyReplies(EmptySchema, "Tag deleted"),
});

export const logParams = createRoute({
  operationId: "logLoggedModelParams",
  method: "post",
  path: `${ONE}/params`,
  tags,
  summary: "Log logged model params",
  description: "Adds params to a logged model, at most 100 per call. Params are immutable: the " +
    "same value again is accepted, another value is 400 INVALID_PARAMETER_VALUE.",
  request: { params: ModelIdParams, ...jsonBody(LogLoggedModelParamsRequest) },
  responses: bodyReplies(EmptySchema, "Logged"),
});

export const listArtifacts = createRoute({
  operationId: "listLoggedModelArtifacts",
  method: "get",
  path: `${ONE}/artifacts/directories`,
  tags: ["Artifacts"],
  summary: "List a logged model's artifacts",
  description: "The direct children of a directory under a logged model's artifact root. Only " +
    "proxied roots are served; any other is 501 NOT_IMPLEMENTED.",
  request: { params: ModelIdParams, query: ListLoggedModelArtifactsQuery },
  responses: {
    ...replies(ListLoggedModelArtifactsResponse, "The root URI and the directory's children"),
    ...notImplemented("the model's artifact root is not a proxied one"),
  } as const,
});

export const logOutputs = createRoute({
  operationId: "logOutputs",
  method: "post",
  path: "/runs/outputs",
  tags: ["Runs"],
  summary: "Log a run's model outputs",
  description: "Records the logged models an active run produced, with the step of each; " +
    "`getRun` lists them under `outputs`.",
  request: jsonBody(LogOutputsRequest),
  responses: bodyReplies(EmptySchema, "Logged"),
});
