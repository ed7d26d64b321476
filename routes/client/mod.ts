/**
 * kvflow's TypeScript client: MLflow's fluent tracking API for Deno, Node and browsers, talking
 * to any server that speaks MLflow's REST protocol (kvflow, or MLflow's own). It reads the same
 * variables as MLflow's Python client (`MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_USERNAME`,
 * `MLFLOW_TRACKING_PASSWORD`, `MLFLOW_TRACKING_TOKEN`, `MLFLOW_EXPERIMENT_NAME`,
 * `MLFLOW_HTTP_REQUEST_*`) where the runtime has an environment.
 *
 * Metrics are buffered and sent with `log-batch` (every second, every 1000 points, and on
 * `endRun`); every request is retried on 429 and 5xx answers.
 *
 * @example
 * ```ts
 * import * as mlflow from "./routes/client/mod.ts";
 *
 * mlflow.setTrackingUri("http://localhost:5000");
 * await mlflow.setExperiment("quickstart");
 * await mlflow.startRun({ runName: "parent" });
 * await mlflow.logParams({ lr: 0.01, batch: 32 });
 * for (let step = 0; step < 100; step++) await mlflow.logMetric("loss", 1 / (step + 1), { step });
 * await mlflow.startRun({ runName: "child", nested: true });
 * await mlflow.endRun();
 * await mlflow.endRun();
 * ```
 *
 * @module
 */
import { type SearchOptions, type StartRunOptions, Tracking, type Value } from "./fluent.ts";
import type { Experiment, Run, RunStatus } from "./mlflow_client.ts";

export { ActiveRun, Tracking } from "./fluent.ts";
export type { SearchOptions, StartRunOptions, TrackingOptions, Value } from "./fluent.ts";
export { MlflowClient } from "./mlflow_client.ts";
export type {
  ClientOptions,
  Experiment,
  FileInfo,
  KeyValue,
  Metric,
  MetricPoint,
  Run,
  RunInfo,
  RunStatus,
  SearchRunsQuery,
} from "./mlflow_client.ts";
export { MlflowRestError } from "./http.ts";
export type { Credentials, FetchLike, RetryOptions } from "./http.ts";
export type { BufferOptions } from "./metric_buffer.ts";
export type { components, operations, paths } from "./openapi_types.ts";

/** The session the plain functions below act on, as `mlflow.*` does in Python. */
export const defaultSession: Tracking = new Tracking();

/** Points the default session at `uri` (else `MLFLOW_TRACKING_URI`, else `http://localhost:5000`). */
export const setTrackingUri = (uri: string): void => defaultSession.setTrackingUri(uri);
/** The server the default session talks to. */
export const getTrackingUri = (): string => defaultSession.getTrackingUri();
/** Makes `name` the active experiment, creating it if needed. */
export const setExperiment = (name: string): Promise<Experiment> =>
  defaultSession.setExperiment(name);
/** Starts (or resumes) a run; `nested: true` starts it under the active one. */
export const startRun = (opts?: StartRunOptions): ReturnType<Tracking["startRun"]> =>
  defaultSession.startRun(opts);
/** The active run, if any. */
export const activeRun = (): ReturnType<Tracking["activeRun"]> => defaultSession.activeRun();
/** Flushes buffered metrics and ends the active run. */
export const endRun = (status?: RunStatus): Promise<void> => defaultSession.endRun(status);
/** Logs one param. */
export const logParam = (key: string, value: Value): Promise<void> =>
  defaultSession.logParam(key, value);
/** Logs params in one request. */
export const logParams = (params: Record<string, Value>): Promise<void> =>
  defaultSession.logParams(params);
/** Buffers one metric point. */
export const logMetric = (
  key: string,
  value: number,
  opts?: { step?: number; timestamp?: number },
): Promise<void> => defaultSession.logMetric(key, value, opts);
/** Buffers several metrics at one step. */
export const logMetrics = (
  metrics: Record<string, number>,
  opts?: { step?: number; timestamp?: number },
): Promise<void> => defaultSession.logMetrics(metrics, opts);
/** Sets one tag. */
export const setTag = (key: string, value: Value): Promise<void> =>
  defaultSession.setTag(key, value);
/** Sets tags in one request. */
export const setTags = (tags: Record<string, Value>): Promise<void> => defaultSession.setTags(tags);
/** Uploads a local file, streamed, under `artifactPath`. */
export const logArtifact = (localPath: string, artifactPath?: string): Promise<void> =>
  defaultSession.logArtifact(localPath, artifactPath);
/** Uploads a local directory's files under `artifactPath`. */
export const logArtifacts = (localDir: string, artifactPath?: string): Promise<void> =>
  defaultSession.logArtifacts(localDir, artifactPath);
/** Writes text or bytes as an artifact file. */
export const logText = (text: string | Uint8Array | Blob, artifactFile: string): Promise<void> =>
  defaultSession.logText(text, artifactFile);
/** Searches runs (default: in the active experiment). */
export const searchRuns = (opts?: SearchOptions): Promise<Run[]> => defaultSession.searchRuns(opts);
/** Sends buffered metrics now. */
export const flush = (): Promise<void> => defaultSession.flush();
