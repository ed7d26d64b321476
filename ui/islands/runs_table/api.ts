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

/** The reply of kvflow's `GET experiments/list-keys`. */
export interface ExperimentKeysReply {
  param_keys: string[];
  metric_keys: string[];
  tag_keys: string[];
  /** More than 10,000 keys of a kind: the lists hold the first 10,000 of each. */
  truncated: boolean;
}

/** `GET experiments/list-keys`: every param, metric and tag key of the experiment's runs. */
export function listExperimentKeys(
  experimentId: string,
  signal?: AbortSignal,
): Promise<ExperimentKeysReply> {
  return apiCall("/experiments/list-keys", { query: { experiment_id: experimentId }, signal });
}

/** A registered model version, as far as the runs table needs it. */
export interface RunVersion {
  name: string;
  version: string;
  run_id?: string;
}

/** `GET model-versions/search` for the versions registered from these runs (`run_id IN`). */
export async function searchRunVersions(
  filter: string,
  signal?: AbortSignal,
): Promise<RunVersion[]> {
  const res = await apiCall<{ model_versions?: RunVersion[] }>("/model-versions/search", {
    query: { filter, max_results: 1000 },
    signal,
  });
  return res.model_versions ?? [];
}
