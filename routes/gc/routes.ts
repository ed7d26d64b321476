/**
 * Permanent-delete endpoint specs, relative to `/api/2.0/mlflow`: kvflow's own (MLflow has only
 * the `mlflow gc` command, and Deno Deploy has no shell to run `deno task gc` in).
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import {
  DeleteExperimentPermanentlyRequest,
  DeleteRunPermanentlyRequest,
  GcRequest,
  GcResultSchema,
} from "../schemas/gc.ts";
import { jsonBody, replies } from "../spec.ts";

const tags = ["gc"];

export const gc = createRoute({
  method: "post",
  path: "/gc",
  tags,
  summary: "Permanently delete deleted runs, experiments and logged models with their artifacts " +
    "(admin only; bounded per request, `more` says whether to call again)",
  request: jsonBody(GcRequest),
  responses: replies(GcResultSchema, "What was purged (or, with dry_run, would be)"),
});

export const deleteRunPermanently = createRoute({
  method: "post",
  path: "/runs/delete-permanently",
  tags,
  summary: "Permanently delete one deleted run and its artifacts (MANAGE on its experiment)",
  request: jsonBody(DeleteRunPermanentlyRequest),
  responses: replies(GcResultSchema, "Purged"),
});

export const deleteExperimentPermanently = createRoute({
  method: "post",
  path: "/experiments/delete-permanently",
  tags,
  summary: "Permanently delete one deleted experiment with its runs, models and artifacts, " +
    "freeing its name (MANAGE on it)",
  request: jsonBody(DeleteExperimentPermanentlyRequest),
  responses: replies(GcResultSchema, "Purged"),
});
