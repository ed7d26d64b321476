/**
 * Typed helpers for the run page's islands (runs, metric history, artifacts), on top of
 * {@linkcode apiCall} from `../api.ts`.
 *
 * @module
 */
import type { Metric, Run } from "../../../store/types.ts";
import { API_BASE, apiCall, takePageReply } from "../api.ts";

/** `GET runs/get`. */
export function getRun(runId: string, signal?: AbortSignal): Promise<{ run: Run }> {
  return apiCall("/runs/get", { query: { run_id: runId }, signal });
}

/** `POST runs/set-tag`. */
export function setRunTag(runId: string, key: string, value: string): Promise<unknown> {
  return apiCall("/runs/set-tag", { body: { run_id: runId, key, value } });
}

/** `POST runs/delete-tag`. */
export function deleteRunTag(runId: string, key: string): Promise<unknown> {
  return apiCall("/runs/delete-tag", { body: { run_id: runId, key } });
}

/** A metric point as the wire carries it: NaN and ±Infinity arrive as strings. */
export type WireMetric = Omit<Metric, "value"> & { value: number | string };

/** The reply of `metrics/get-history-downsampled`. */
export interface DownsampledReply {
  metrics?: WireMetric[];
  total_points: number;
  nan_points: number;
  exact: boolean;
}

/** Buckets per card's read: ≤ ~2000 points per metric reach the browser. */
export const CHART_BUCKETS = 1000;

/** What one chart card of the run page reads. */
export interface DownsampledArgs {
  runId: string;
  key: string;
  x: "step" | "timestamp";
  buckets?: number;
  start?: number;
  end?: number;
}

/**
 * The path and query of a card's `metrics/get-history-downsampled` read, in one fixed form: the
 * run page's server sends the first cards' replies inside the page under this very URL
 * (ui/page_replies.ts), and the card takes them by it.
 */
export function downsampledHistoryPath(args: DownsampledArgs): string {
  const q = new URLSearchParams({
    run_id: args.runId,
    metric_key: args.key,
    x: args.x,
    buckets: String(args.buckets ?? CHART_BUCKETS),
  });
  if (args.start !== undefined) q.set("start", String(args.start));
  if (args.end !== undefined) q.set("end", String(args.end));
  return `/metrics/get-history-downsampled?${q}`;
}

/** `GET metrics/get-history-downsampled`. */
export function getHistoryDownsampled(
  args: DownsampledArgs,
  signal?: AbortSignal,
): Promise<DownsampledReply> {
  return apiCall(downsampledHistoryPath(args), { signal });
}

/** The reply the server sent inside the page for exactly this read, or undefined. */
export function pageHistoryDownsampled(args: DownsampledArgs): DownsampledReply | undefined {
  return takePageReply(`${API_BASE}${downsampledHistoryPath(args)}`) as
    | DownsampledReply
    | undefined;
}

export { wireNumber } from "../api.ts";

/** One entry of `artifacts/list`. */
export interface ArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** `GET artifacts/list` of `path` (the run's root when empty). */
export function listArtifacts(
  runId: string,
  path: string,
): Promise<{ root_uri?: string; files?: ArtifactFile[] }> {
  return apiCall("/artifacts/list", { query: { run_id: runId, path } });
}

/** The download URL of one artifact (served as an attachment, sandboxed). */
export function artifactUrl(runId: string, path: string): string {
  return `/get-artifact?${new URLSearchParams({ run_id: runId, path })}`;
}

/**
 * The URL of an HTML artifact served inline for a sandboxed frame (`preview=html`): the server
 * sends it under a CSP `sandbox` without scripts, framable by this origin only.
 */
export function artifactHtmlPreviewUrl(runId: string, path: string): string {
  return `/get-artifact?${new URLSearchParams({ run_id: runId, path, preview: "html" })}`;
}

/** `GET logged-models/{id}/artifacts/directories` of `path` (the model's root when empty). */
export function listLoggedModelArtifacts(
  modelId: string,
  path: string,
): Promise<{ root_uri?: string; files?: ArtifactFile[] }> {
  return apiCall(`/logged-models/${encodeURIComponent(modelId)}/artifacts/directories`, {
    query: { artifact_directory_path: path },
  });
}

/**
 * The download URL of a logged model's file: the artifact proxy's URL of the model's root
 * (`downloadBase`, from the server) plus the file's path, each segment encoded. The proxy serves
 * it as an attachment under a sandboxing CSP, like `/get-artifact`.
 */
export function loggedModelArtifactUrl(downloadBase: string, path: string): string {
  const rel = path.split("/").filter((s) => s !== "").map(encodeURIComponent).join("/");
  return `${downloadBase}/${rel}`;
}

/** `POST runs/update` with `run_name` only (rename; MLflow also rewrites `mlflow.runName`). */
export function renameRun(runId: string, runName: string): Promise<{ run_info?: Run["info"] }> {
  return apiCall("/runs/update", { body: { run_id: runId, run_name: runName } });
}

/** `POST runs/delete` (soft delete: the run moves to the experiment's Deleted view). */
export function deleteRun(runId: string): Promise<unknown> {
  return apiCall("/runs/delete", { body: { run_id: runId } });
}

/** `POST runs/restore`. */
export function restoreRun(runId: string): Promise<unknown> {
  return apiCall("/runs/restore", { body: { run_id: runId } });
}
