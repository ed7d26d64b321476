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
import { bodyReplies, jsonBody, replies } from "../spec.ts";

const tags = ["Experiments"];

export const create = createRoute({
  operationId: "createExperiment",
  method: "post",
  path: "/experiments/create",
  tags,
  summary: "Create an experiment",
  description: "Creates an active experiment and answers its id. A name in use, even by a " +
    "deleted experiment, is 400 RESOURCE_ALREADY_EXISTS: `mlflow.set_experiment` relies on " +
    "that code to look the name up again when two processes create it at once. Without `artifact_location` the " +
    "experiment's root is `<--default-artifact-root>/<id>`; a location given must lie under that " +
    "root (400 otherwise).",
  request: jsonBody(CreateExperimentRequest, {
    name: "fraud-detection",
    tags: [{ key: "team", value: "risk" }],
  }),
  responses: bodyReplies(CreateExperimentResponse, "The new experiment's id"),
});

export const get = createRoute({
  operationId: "getExperiment",
  method: "get",
  path: "/experiments/get",
  tags,
  summary: "Get an experiment",
  description: "The experiment with this id, deleted ones included (see `lifecycle_stage`).",
  request: { query: GetExperimentQuery },
  responses: replies(GetExperimentResponse, "The experiment"),
});

export const getByName = createRoute({
  operationId: "getExperimentByName",
  method: "get",
  path: "/experiments/get-by-name",
  tags,
  summary: "Get an experiment by name",
  description: "The experiment with exactly this name, deleted ones included; 404 " +
    'RESOURCE_DOES_NOT_EXIST when none has it, which MLflow\'s client takes as "create it".',
  request: { query: GetExperimentByNameQuery },
  responses: replies(GetExperimentResponse, "The experiment"),
});

export const search = createRoute({
  operationId: "searchExperiments",
  method: "post",
  path: "/experiments/search",
  tags,
  summary: "Search experiments",
  description: "A page of experiments matching `filter` (MLflow's syntax, AND only: `name`, " +
    "`creation_time`, `last_update_time`, `tags.<key>`), in `order_by` order, active only by " +
    "default (`view_type`). `max_results` defaults to 1000. `next_page_token` is present only " +
    "when another page exists. With auth, only experiments the caller may read are listed, and " +
    "pages are still filled.",
  request: jsonBody(SearchExperimentsRequest),
  responses: bodyReplies(SearchExperimentsResponse, "A page of experiments"),
});

export const searchGet = createRoute({
  operationId: "searchExperimentsGet",
  method: "get",
  path: "/experiments/search",
  tags,
  summary: "Search experiments (query string)",
  description: "`POST experiments/search` with its arguments in the query string, as MLflow's " +
    "web UI sends them (`order_by` repeated).",
  request: { query: SearchExperimentsRequest },
  responses: replies(SearchExperimentsResponse, "A page of experiments"),
});

export const update = createRoute({
  operationId: "updateExperiment",
  method: "post",
  path: "/experiments/update",
  tags,
  summary: "Rename an experiment",
  description: "Renames an active experiment; a deleted one is 400 INVALID_STATE, and a name in " +
    "use is 400 BAD_REQUEST.",
  request: jsonBody(UpdateExperimentRequest),
  responses: bodyReplies(EmptySchema, "Renamed"),
});

export const remove = createRoute({
  operationId: "deleteExperiment",
  method: "post",
  path: "/experiments/delete",
  tags,
  summary: "Delete an experiment",
  description: "Soft-deletes an active experiment and its runs: they stay readable and can be " +
    "restored until purged (`experiments/delete-permanently`, `gc`). The Default experiment " +
    "`0` cannot be deleted (400).",
  request: jsonBody(ExperimentIdRequest),
  responses: bodyReplies(EmptySchema, "Deleted"),
});

export const restore = createRoute({
  operationId: "restoreExperiment",
  method: "post",
  path: "/experiments/restore",
  tags,
  summary: "Restore an experiment",
  description: "Makes a deleted experiment and all its runs active again.",
  request: jsonBody(ExperimentIdRequest),
  responses: bodyReplies(EmptySchema, "Restored"),
});

export const setTag = createRoute({
  operationId: "setExperimentTag",
  method: "post",
  path: "/experiments/set-experiment-tag",
  tags,
  summary: "Set an experiment tag",
  description: "Sets (or overwrites) a tag on an active experiment. The `mlflow.note.content` " +
    "tag is the experiment's description, as in MLflow.",
  request: jsonBody(SetExperimentTagRequest),
  responses: bodyReplies(EmptySchema, "Tag set"),
});

export const deleteTag = createRoute({
  operationId: "deleteExperimentTag",
  method: "post",
  path: "/experiments/delete-experiment-tag",
  tags,
  summary: "Delete an experiment tag",
  description: "Deletes a tag of an active experiment.",
  request: jsonBody(DeleteExperimentTagRequest),
  responses: bodyReplies(EmptySchema, "Tag deleted"),
});

export const listKeys = createRoute({
  operationId: "listExperimentKeys",
  method: "get",
  path: "/experiments/list-keys",
  tags,
  summary: "List an experiment's param, metric and tag keys",
  description: "kvflow extension (the web UI's column chooser): the distinct param, metric and " +
    "tag keys of an experiment's runs, read from the search indexes; at most 10,000 of each, " +
    "`truncated` says when more exist.",
  request: { query: ListExperimentKeysQuery },
  responses: replies(ListExperimentKeysResponse, "The keys"),
});
