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
import { bodyReplies, jsonBody } from "../spec.ts";

export const gc = createRoute({
  operationId: "garbageCollect",
  method: "post",
  path: "/gc",
  tags: ["Server"],
  summary: "Purge deleted runs, experiments and logged models",
  description: "kvflow extension, `mlflow gc` over HTTP (admins only with auth): permanently " +
    "deletes soft-deleted runs, experiments and logged models with their artifacts, optionally " +
    "only those deleted at least `older_than` ago or only the ids named. Bounded per request: " +
    "call again while `more` is true. With `dry_run`, lists what would be purged.",
  request: jsonBody(GcRequest),
  responses: bodyReplies(GcResultSchema, "What was purged (or, with dry_run, would be)"),
});

export const deleteRunPermanently = createRoute({
  operationId: "deleteRunPermanently",
  method: "post",
  path: "/runs/delete-permanently",
  tags: ["Runs"],
  summary: "Permanently delete a deleted run",
  description: "kvflow extension: purges one soft-deleted run with its data and artifacts; it " +
    "cannot be restored afterwards. With auth, needs MANAGE on its experiment.",
  request: jsonBody(DeleteRunPermanentlyRequest),
  responses: bodyReplies(GcResultSchema, "Purged"),
});

export const deleteExperimentPermanently = createRoute({
  operationId: "deleteExperimentPermanently",
  method: "post",
  path: "/experiments/delete-permanently",
  tags: ["Experiments"],
  summary: "Permanently delete a deleted experiment",
  description: "kvflow extension: purges one soft-deleted experiment with its runs, logged " +
    "models and artifacts, freeing its name. With auth, needs MANAGE on it.",
  request: jsonBody(DeleteExperimentPermanentlyRequest),
  responses: bodyReplies(GcResultSchema, "Purged"),
});
