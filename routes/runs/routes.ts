/**
 * Run endpoint specs (mlflow-rest.md §4.2), relative to `/api/2.0/mlflow`.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import { EmptySchema, ErrorBodySchema } from "../schemas/common.ts";
import {
  CreateRunRequest,
  DeleteTagRequest,
  ExportRunsCsvQuery,
  GetRunQuery,
  LogBatchRequest,
  LogInputsRequest,
  LogMetricRequest,
  LogModelRequest,
  LogParamRequest,
  RunIdRequest,
  RunResponse,
  SearchRunsRequest,
  SearchRunsResponse,
  SetTagRequest,
  UpdateRunRequest,
  UpdateRunResponse,
} from "../schemas/runs.ts";
import { bodyReplies, errorReplies, jsonBody, replies } from "../spec.ts";
import { EXPORT_LIMITS } from "./export_csv.ts";

const tags = ["Runs"];

export const create = createRoute({
  operationId: "createRun",
  method: "post",
  path: "/runs/create",
  tags,
  summary: "Create a run",
  description: "Starts a RUNNING run in an active experiment (an empty or absent " +
    "`experiment_id` means the Default experiment `0`) and answers it, without outputs. " +
    "`run_name` and the `mlflow.runName` tag name the same thing; without either the server " +
    "picks a name. With auth, the run's `user_id` is the caller.",
  request: jsonBody(CreateRunRequest, {
    experiment_id: "1",
    run_name: "baseline",
    start_time: 1_700_000_000_000,
    tags: [{ key: "mlflow.source.name", value: "train.py" }],
  }),
  responses: bodyReplies(RunResponse, "The new run (no outputs)"),
});

export const get = createRoute({
  operationId: "getRun",
  method: "get",
  path: "/runs/get",
  tags,
  summary: "Get a run",
  description: "The run with its info, latest metrics, params, tags, inputs and outputs, " +
    "deleted runs included (see `lifecycle_stage`). The legacy `run_uuid` is accepted for " +
    "`run_id`.",
  request: { query: GetRunQuery },
  responses: replies(RunResponse, "The run, with outputs"),
});

export const update = createRoute({
  operationId: "updateRun",
  method: "post",
  path: "/runs/update",
  tags,
  summary: "Update a run",
  description: "Changes the status, end time or name of an active run; MLflow's client ends a " +
    "run with `status: FINISHED` (or FAILED, KILLED) and an `end_time` here.",
  request: jsonBody(UpdateRunRequest),
  responses: bodyReplies(UpdateRunResponse, "The updated run info"),
});

export const remove = createRoute({
  operationId: "deleteRun",
  method: "post",
  path: "/runs/delete",
  tags,
  summary: "Delete a run",
  description: "Soft-deletes a run (idempotent): it stays readable and can be restored until " +
    "purged (`runs/delete-permanently`, `gc`).",
  request: jsonBody(RunIdRequest),
  responses: bodyReplies(EmptySchema, "Deleted"),
});

export const restore = createRoute({
  operationId: "restoreRun",
  method: "post",
  path: "/runs/restore",
  tags,
  summary: "Restore a run",
  description: "Makes a deleted run active again (idempotent). A run whose experiment is " +
    "deleted is 400 INVALID_STATE: restore the experiment first.",
  request: jsonBody(RunIdRequest),
  responses: bodyReplies(EmptySchema, "Restored"),
});

export const logMetric = createRoute({
  operationId: "logMetric",
  method: "post",
  path: "/runs/log-metric",
  tags,
  summary: "Log a metric point",
  description: "Appends one (timestamp, step, value) point to a metric of an active run; `step` " +
    "defaults to 0, and NaN and ±Infinity may be sent as strings.",
  request: jsonBody(LogMetricRequest),
  responses: bodyReplies(EmptySchema, "Logged"),
});

export const logParameter = createRoute({
  operationId: "logParam",
  method: "post",
  path: "/runs/log-parameter",
  tags,
  summary: "Log a param",
  description: "Logs one param of an active run. Params are immutable: logging the same value " +
    "again is accepted, another value is 400 INVALID_PARAMETER_VALUE.",
  request: jsonBody(LogParamRequest),
  responses: bodyReplies(EmptySchema, "Logged"),
});

export const setTag = createRoute({
  operationId: "setTag",
  method: "post",
  path: "/runs/set-tag",
  tags,
  summary: "Set a run tag",
  description: "Sets (or overwrites) a tag of an active run. Setting `mlflow.runName` renames " +
    "the run, and `mlflow.note.content` is its description, as in MLflow.",
  request: jsonBody(SetTagRequest),
  responses: bodyReplies(EmptySchema, "Tag set"),
});

export const deleteTag = createRoute({
  operationId: "deleteTag",
  method: "post",
  path: "/runs/delete-tag",
  tags,
  summary: "Delete a run tag",
  description: "Deletes a tag of an active run; a missing key is 404 RESOURCE_DOES_NOT_EXIST.",
  request: jsonBody(DeleteTagRequest),
  responses: bodyReplies(EmptySchema, "Tag deleted"),
});

export const logBatch = createRoute({
  operationId: "logBatch",
  method: "post",
  path: "/runs/log-batch",
  tags,
  summary: "Log metrics, params and tags at once",
  description: "What MLflow's client sends for `log_metrics`, `log_params`, `set_tags` and " +
    "autologging: at most 1000 metrics, 100 params and 100 tags (1000 items in all) per call. " +
    "All or nothing: a rejected batch writes nothing, and readers never see part of a batch " +
    "(MLflow may leave partial writes). Params follow `log-parameter`'s rule.",
  request: jsonBody(LogBatchRequest, {
    run_id: "4f1c1a6e0b8d4c55a1b5f3e2d9c7a601",
    metrics: [
      { key: "loss", value: 0.5, timestamp: 1_700_000_000_000, step: 0 },
      { key: "loss", value: 0.25, timestamp: 1_700_000_060_000, step: 1 },
    ],
    params: [{ key: "learning_rate", value: "0.01" }],
    tags: [{ key: "team", value: "risk" }],
  }),
  responses: bodyReplies(EmptySchema, "Logged"),
});

export const logModel = createRoute({
  operationId: "logModel",
  method: "post",
  path: "/runs/log-model",
  tags,
  summary: "Record a logged model's MLmodel on a run",
  description: "MLflow 2's model logging: appends the MLmodel description (`model_json`) to the " +
    "run's `mlflow.log-model.history` tag, as MLflow's server does.",
  request: jsonBody(LogModelRequest),
  responses: bodyReplies(EmptySchema, "Logged"),
});

export const logInputs = createRoute({
  operationId: "logInputs",
  method: "post",
  path: "/runs/log-inputs",
  tags,
  summary: "Log a run's dataset and model inputs",
  description: "Records the datasets (with their digest, source, schema and profile) and the " +
    "logged models an active run used, as `mlflow.log_input` sends them.",
  request: jsonBody(LogInputsRequest),
  responses: bodyReplies(EmptySchema, "Logged"),
});

export const search = createRoute({
  operationId: "searchRuns",
  method: "post",
  path: "/runs/search",
  tags,
  summary: "Search runs",
  description: "A page of runs of the given experiments matching `filter` (MLflow's syntax on " +
    "`metrics.`, `params.`, `tags.`, `attributes.` and `datasets.`), in `order_by` order, " +
    "active only by default (`run_view_type`). `max_results` defaults to 1000; runs come " +
    "without outputs. `next_page_token` is present only when another page exists. With auth, " +
    "experiments the caller may not read are left out, as in MLflow.",
  request: jsonBody(SearchRunsRequest, {
    experiment_ids: ["1"],
    filter: "metrics.loss < 0.3 and params.learning_rate = '0.01'",
    run_view_type: "ACTIVE_ONLY",
    max_results: 100,
    order_by: ["metrics.loss ASC"],
  }),
  responses: bodyReplies(SearchRunsResponse, "A page of runs (no outputs)"),
});

export const exportCsv = createRoute({
  operationId: "exportRunsCsv",
  method: "get",
  path: "/runs/export-csv",
  tags,
  summary: "Export runs as CSV",
  description: "kvflow extension: every run a search matches as a CSV file, a column per " +
    "param, metric and tag. Takes `runs/search`'s arguments (no paging) and streams `text/csv` as an " +
    "attachment: a UTF-8 byte-order mark (so Excel reads UTF-8; pandas drops it), a header, then " +
    "one CRLF-ended record per run in the search's order. Columns: run_id, run_name, " +
    "experiment_id, status, lifecycle_stage, user_id, start_time and end_time (ISO 8601 UTC), " +
    "duration_ms, source (`mlflow.source.name`), parent_run_id, then `params.<key>`, " +
    "`metrics.<key>` (the latest value; NaN, inf, -inf as pandas spells them) and `tags.<key>` " +
    "for every key any matching run has, each group sorted. Cells are quoted per RFC 4180; text " +
    "starting with = + - @, a tab or a CR (other than a plain number) gets a leading ' so " +
    "spreadsheets do not run it as a formula. The runs are read twice, a page at a time: once " +
    `for the keys, once for the rows. At most ${EXPORT_LIMITS.maxRuns} runs and ` +
    `${EXPORT_LIMITS.maxKeyColumns} key columns: a search matching more is refused with 400 ` +
    "before anything is sent. With auth, needs READ on every experiment.",
  request: { query: ExportRunsCsvQuery },
  responses: {
    200: {
      content: { "text/csv": { schema: { type: "string" } } },
      description: "The CSV file, as an attachment named after the experiments",
    },
    ...errorReplies(),
    "400": {
      content: { "application/json": { schema: ErrorBodySchema } },
      description: "INVALID_PARAMETER_VALUE: bad arguments, or over the run or column cap",
    },
  } as const,
});
