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
import { jsonBody, replies } from "../spec.ts";
import { EXPORT_LIMITS } from "./export_csv.ts";

const tags = ["runs"];

export const create = createRoute({
  method: "post",
  path: "/runs/create",
  tags,
  summary: "Create a run; an empty experiment_id means the Default experiment",
  request: jsonBody(CreateRunRequest),
  responses: replies(RunResponse, "The new run (no outputs)"),
});

export const get = createRoute({
  method: "get",
  path: "/runs/get",
  tags,
  summary: "Get a run, deleted ones included",
  request: { query: GetRunQuery },
  responses: replies(RunResponse, "The run, with outputs"),
});

export const update = createRoute({
  method: "post",
  path: "/runs/update",
  tags,
  summary: "Change status, end time or name of an active run",
  request: jsonBody(UpdateRunRequest),
  responses: replies(UpdateRunResponse, "The updated run info"),
});

export const remove = createRoute({
  method: "post",
  path: "/runs/delete",
  tags,
  summary: "Soft-delete a run (idempotent)",
  request: jsonBody(RunIdRequest),
  responses: replies(EmptySchema, "Deleted"),
});

export const restore = createRoute({
  method: "post",
  path: "/runs/restore",
  tags,
  summary: "Restore a deleted run (idempotent)",
  request: jsonBody(RunIdRequest),
  responses: replies(EmptySchema, "Restored"),
});

export const logMetric = createRoute({
  method: "post",
  path: "/runs/log-metric",
  tags,
  summary: "Log one metric point",
  request: jsonBody(LogMetricRequest),
  responses: replies(EmptySchema, "Logged"),
});

export const logParameter = createRoute({
  method: "post",
  path: "/runs/log-parameter",
  tags,
  summary: "Log one param; params are immutable",
  request: jsonBody(LogParamRequest),
  responses: replies(EmptySchema, "Logged"),
});

export const setTag = createRoute({
  method: "post",
  path: "/runs/set-tag",
  tags,
  summary: "Upsert a run tag; mlflow.runName renames the run",
  request: jsonBody(SetTagRequest),
  responses: replies(EmptySchema, "Tag set"),
});

export const deleteTag = createRoute({
  method: "post",
  path: "/runs/delete-tag",
  tags,
  summary: "Delete a run tag",
  request: jsonBody(DeleteTagRequest),
  responses: replies(EmptySchema, "Tag deleted"),
});

export const logBatch = createRoute({
  method: "post",
  path: "/runs/log-batch",
  tags,
  summary: "Log metrics, params and tags, all or nothing (≤1000 metrics, ≤100 params, ≤100 tags)",
  request: jsonBody(LogBatchRequest),
  responses: replies(EmptySchema, "Logged"),
});

export const logModel = createRoute({
  method: "post",
  path: "/runs/log-model",
  tags,
  summary: "Append an MLmodel description to the run's mlflow.log-model.history tag",
  request: jsonBody(LogModelRequest),
  responses: replies(EmptySchema, "Logged"),
});

export const logInputs = createRoute({
  method: "post",
  path: "/runs/log-inputs",
  tags,
  summary: "Log dataset and model inputs",
  request: jsonBody(LogInputsRequest),
  responses: replies(EmptySchema, "Logged"),
});

export const search = createRoute({
  method: "post",
  path: "/runs/search",
  tags,
  summary: "Search runs; max_results defaults to 1000",
  request: jsonBody(SearchRunsRequest),
  responses: replies(SearchRunsResponse, "A page of runs (no outputs)"),
});

export const exportCsv = createRoute({
  method: "get",
  path: "/runs/export-csv",
  tags,
  summary: "kvflow: every run a search matches as a CSV file, a column per param, metric and tag",
  description: "Takes `runs/search`'s arguments (no paging) and streams `text/csv` as an " +
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
    400: {
      content: { "application/json": { schema: ErrorBodySchema } },
      description: "INVALID_PARAMETER_VALUE: bad arguments, or over the run or column cap",
    },
    404: {
      content: { "application/json": { schema: ErrorBodySchema } },
      description: "RESOURCE_DOES_NOT_EXIST",
    },
  },
});
