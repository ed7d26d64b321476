/**
 * The runs table's calls beyond `searchRuns` (which lives in ../api.ts): soft delete and restore.
 *
 * @module
 */
import { apiCall } from "../api.ts";

/** `POST runs/delete` (soft delete; restorable). */
export function deleteRun(runId: string): Promise<unknown> {
  return apiCall("/runs/delete", { body: { run_id: runId } });
}

/** `POST runs/restore`. */
export function restoreRun(runId: string): Promise<unknown> {
  return apiCall("/runs/restore", { body: { run_id: runId } });
}
