/**
 * Wire schemas of kvflow's permanent-delete endpoints (`gc`, `runs/delete-permanently`,
 * `experiments/delete-permanently`); MLflow offers these only as the `mlflow gc` command.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { GcResult } from "../../store/ops/gc.ts";
import { RequiredId } from "./common.ts";

/** Most entities one `gc` request purges; the reply's `more` says whether some were left. */
export const MAX_GC_PER_REQUEST = 100;

/** Most ids one `gc` request may name per list. */
export const MAX_GC_REQUEST_IDS = 1000;

/** Longest id a gc request may name (longer ones name nothing). */
const Id = z.string().min(1).max(256);

export const GcRequest = z.object({
  older_than: z.string().max(64).optional().openapi({
    description: "Only what was deleted at least this long ago: MLflow's #d#h#m#s (30d, 1h30m)",
  }),
  experiment_ids: z.array(Id).max(MAX_GC_REQUEST_IDS).optional(),
  run_ids: z.array(Id).max(MAX_GC_REQUEST_IDS).optional(),
  dry_run: z.boolean().optional(),
  max_entities: z.number().int().min(1).max(MAX_GC_PER_REQUEST).optional().openapi({
    description:
      `Stop after this many runs, experiments and models (default and most: ${MAX_GC_PER_REQUEST})`,
  }),
}).openapi("GcRequest");

export const GcResultSchema = z.object({
  dry_run: z.boolean(),
  run_ids: z.array(z.string()),
  experiment_ids: z.array(z.string()),
  logged_model_ids: z.array(z.string()),
  skipped_artifacts: z.array(z.object({
    kind: z.enum(["run", "experiment", "logged_model"]),
    id: z.string(),
    artifact_uri: z.string(),
    reason: z.string(),
  })),
  more: z.boolean(),
}).openapi("GcResult") satisfies z.ZodType<GcResult>;

export const DeleteRunPermanentlyRequest = z.object({ run_id: Id })
  .openapi("DeleteRunPermanentlyRequest");

export const DeleteExperimentPermanentlyRequest = z.object({ experiment_id: RequiredId })
  .openapi("DeleteExperimentPermanentlyRequest");
