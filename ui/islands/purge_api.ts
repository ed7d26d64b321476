/**
 * The islands' calls to kvflow's permanent deletes (the Deleted views' "Delete permanently").
 *
 * @module
 */
import { apiCall } from "./api.ts";

/** `POST runs/delete-permanently`: the run (already deleted) and its artifacts, for good. */
export function deleteRunPermanently(runId: string): Promise<unknown> {
  return apiCall("/runs/delete-permanently", { body: { run_id: runId } });
}

/** `POST experiments/delete-permanently`: the experiment, its runs and artifacts; frees its name. */
export function deleteExperimentPermanently(experimentId: string): Promise<unknown> {
  return apiCall("/experiments/delete-permanently", { body: { experiment_id: experimentId } });
}
