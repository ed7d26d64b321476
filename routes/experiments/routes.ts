/**
 * Experiment endpoint specs (mlflow-rest.md §4.1), relative to `/api/2.0/mlflow`.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import { EmptySchema } from "../schemas/common.ts";
import {
  CreateExperimentRequest,
  CreateExperimentResponse,
  DeleteExperimentTagRequest,
  ExperimentIdRequest,
  GetExperimentByNameQuery,
  GetExperimentQuery,
  GetExperimentResponse,
  ListExperimentKeysQuery,
  ListExperimentKeysResponse,
  SearchExperimentsRequest,
  SearchExperimentsResponse,
  SetExperimentTagRequest,
  UpdateExperimentRequest,
} from "../schemas/experiments.ts";
import { jsonBody, replies } from "../spec.ts";

const tags = ["experiments"];

export const create = createRoute({
  method: "post",
  path: "/experiments/create",
  tags,
  summary: "Create an experiment; a name in use (even by a deleted one) is RESOURCE_ALREADY_EXISTS",
  request: jsonBody(CreateExperimentRequest),
  responses: replies(CreateExperimentResponse, "The new experiment's id"),
});

export const get = createRoute({
  method: "get",
  path: "/experiments/get",
  tags,
  summary: "Get an experiment by id, deleted ones included",
  request: { query: GetExperimentQuery },
  responses: replies(GetExperimentResponse, "The experiment"),
});

export const getByName = createRoute({
  method: "get",
  path: "/experiments/get-by-name",
  tags,
  summary: "Get an experiment by exact name, deleted ones included",
  request: { query: GetExperimentByNameQuery },
  responses: replies(GetExperimentResponse, "The experiment"),
});

export const search = createRoute({
  method: "post",
  path: "/experiments/search",
  tags,
  summary: "Search experiments; max_results defaults to 1000",
  request: jsonBody(SearchExperimentsRequest),
  responses: replies(SearchExperimentsResponse, "A page of experiments"),
});

export const searchGet = createRoute({
  method: "get",
  path: "/experiments/search",
  tags,
  summary: "Search experiments (query-string form, used by the web UI)",
  request: { query: SearchExperimentsRequest },
  responses: replies(SearchExperimentsResponse, "A page of experiments"),
});

export const update = createRoute({
  method: "post",
  path: "/experiments/update",
  tags,
  summary: "Rename an active experiment",
  request: jsonBody(UpdateExperimentRequest),
  responses: replies(EmptySchema, "Renamed"),
});

export const remove = createRoute({
  method: "post",
  path: "/experiments/delete",
  tags,
  summary: "Soft-delete an active experiment and its runs",
  request: jsonBody(ExperimentIdRequest),
  responses: replies(EmptySchema, "Deleted"),
});

export const restore = createRoute({
  method: "post",
  path: "/experiments/restore",
  tags,
  summary: "Restore a deleted experiment and all its runs",
  request: jsonBody(ExperimentIdRequest),
  responses: replies(EmptySchema, "Restored"),
});

export const setTag = createRoute({
  method: "post",
  path: "/experiments/set-experiment-tag",
  tags,
  summary: "Upsert a tag on an active experiment",
  request: jsonBody(SetExperimentTagRequest),
  responses: replies(EmptySchema, "Tag set"),
});

export const deleteTag = createRoute({
  method: "post",
  path: "/experiments/delete-experiment-tag",
  tags,
  summary: "Delete a tag of an active experiment",
  request: jsonBody(DeleteExperimentTagRequest),
  responses: replies(EmptySchema, "Tag deleted"),
});

export const listKeys = createRoute({
  method: "get",
  path: "/experiments/list-keys",
  tags,
  summary: "kvflow extension: the distinct param, metric and tag keys of an experiment's runs " +
    "(at most 10,000 of each; `truncated` says when more exist), read from the search indexes",
  request: { query: ListExperimentKeysQuery },
  responses: replies(ListExperimentKeysResponse, "The keys"),
});
