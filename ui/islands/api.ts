/**
 * Typed fetch helpers for islands: every call goes to the same-origin `/ajax-api/2.0/mlflow/…`
 * mirror of the REST API and fails with an {@linkcode ApiError} carrying MLflow's
 * `{error_code, message}`, so an island can show the server's own words.
 *
 * Add a helper per endpoint an island needs (one line each, typed by its reply) rather than
 * calling `fetch` in components.
 *
 * @example
 * ```ts
 * try {
 *   const { experiments } = await searchExperiments({ filter: "name LIKE 'a%'" });
 * } catch (err) {
 *   setError(errorMessage(err)); // e.g. "Invalid filter … at position 5"
 * }
 * ```
 *
 * @module
 */
import type {
  ModelVersion,
  ModelVersionStage,
  RegisteredModel,
} from "../../store/registry/types.ts";
import type { Experiment, Run, ViewType } from "../../store/types.ts";

/** Where islands reach the API (MLflow's web UI prefix; same routes as `/api/2.0/mlflow`). */
export const API_BASE = "/ajax-api/2.0/mlflow";

/**
 * Where the user, token and permission endpoints live: MLflow serves them under `/api/2.0/mlflow`
 * only (its `/ajax-api` twin answers 404), so islands call them there (`init.base`).
 */
export const REST_BASE = "/api/2.0/mlflow";

/** A failed API call: the HTTP status plus MLflow's error code and message. */
export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** MLflow's `error_code`, e.g. `RESOURCE_ALREADY_EXISTS`; `NETWORK_ERROR` when offline. */
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/** A message fit for the page: the API's own for an {@linkcode ApiError}, else a generic one. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : "Something went wrong";
}

type Query = Record<string, string | number | undefined>;

/**
 * The page's CSRF token (`<meta name="csrf-token">`, rendered for a browser session): the server
 * refuses a cookie-authenticated write without it (routes/auth/csrf.ts). Absent without auth or
 * with Basic credentials, where none is needed.
 */
export function csrfToken(): string | undefined {
  const doc = (globalThis as { document?: Document }).document;
  return doc?.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? undefined;
}

/** The headers of a call: JSON for a body, and the CSRF token on every write. */
export function requestHeaders(method: string, json: boolean): Record<string, string> {
  const headers: Record<string, string> = json ? { "Content-Type": "application/json" } : {};
  const token = method === "GET" || method === "HEAD" ? undefined : csrfToken();
  if (token !== undefined) headers["X-CSRF-Token"] = token;
  return headers;
}

/**
 * Calls `<API_BASE><path>` (or `<init.base><path>`): a GET with `query`, or a POST with a JSON
 * `body` (another `method`, e.g. MLflow's PATCH and DELETE with JSON bodies, when given).
 * Resolves with the parsed reply; rejects with {@linkcode ApiError}. An `AbortSignal` cancels a
 * superseded call.
 */
export async function apiCall<T>(
  path: string,
  init: {
    query?: Query;
    body?: unknown;
    signal?: AbortSignal;
    method?: "GET" | "POST" | "PATCH" | "DELETE";
    base?: string;
  } = {},
): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(init.query ?? {})) {
    if (v !== undefined && v !== "") qs.set(k, String(v));
  }
  const url = `${init.base ?? API_BASE}${path}${qs.size ? `?${qs}` : ""}`;
  const method = init.method ?? (init.body === undefined ? "GET" : "POST");
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: requestHeaders(method, init.body !== undefined),
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "NETWORK_ERROR", "Cannot reach the kvflow server");
  }
  const text = await res.text();
  let json: unknown = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // A proxy's HTML error page, say: fall through with the status line as the message.
  }
  if (!res.ok) {
    const body = json as { error_code?: string; message?: string };
    throw new ApiError(
      res.status,
      body.error_code ?? "INTERNAL_ERROR",
      body.message ?? `Request failed: ${res.status} ${res.statusText}`,
    );
  }
  return json as T;
}

/** Whether `err` is the rejection of an aborted (superseded) call, which callers ignore. */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}

/** `POST experiments/search`. */
export function searchExperiments(
  args: {
    filter?: string;
    orderBy?: string[];
    viewType?: ViewType;
    maxResults?: number;
    pageToken?: string;
  },
  signal?: AbortSignal,
): Promise<{ experiments?: Experiment[]; next_page_token?: string }> {
  return apiCall("/experiments/search", {
    body: {
      filter: args.filter || undefined,
      order_by: args.orderBy,
      view_type: args.viewType,
      max_results: args.maxResults,
      page_token: args.pageToken,
    },
    signal,
  });
}

/** `GET experiments/get`. */
export function getExperiment(experimentId: string): Promise<{ experiment: Experiment }> {
  return apiCall("/experiments/get", { query: { experiment_id: experimentId } });
}

/** `POST experiments/create`; resolves with the new id. */
export function createExperiment(name: string): Promise<{ experiment_id: string }> {
  return apiCall("/experiments/create", { body: { name } });
}

/** `POST experiments/update` (rename). */
export function renameExperiment(experimentId: string, newName: string): Promise<unknown> {
  return apiCall("/experiments/update", {
    body: { experiment_id: experimentId, new_name: newName },
  });
}

/** `POST experiments/set-experiment-tag` (the description is the `mlflow.note.content` tag). */
export function setExperimentTag(
  experimentId: string,
  key: string,
  value: string,
): Promise<unknown> {
  return apiCall("/experiments/set-experiment-tag", {
    body: { experiment_id: experimentId, key, value },
  });
}

/** `POST experiments/delete` (soft delete; restorable). */
export function deleteExperiment(experimentId: string): Promise<unknown> {
  return apiCall("/experiments/delete", { body: { experiment_id: experimentId } });
}

/** `POST experiments/restore`. */
export function restoreExperiment(experimentId: string): Promise<unknown> {
  return apiCall("/experiments/restore", { body: { experiment_id: experimentId } });
}

/** `POST runs/search`, for the runs table and compare views. */
export function searchRuns(
  args: {
    experimentIds: string[];
    filter?: string;
    orderBy?: string[];
    runViewType?: ViewType;
    maxResults?: number;
    pageToken?: string;
  },
  signal?: AbortSignal,
): Promise<{ runs?: Run[]; next_page_token?: string }> {
  return apiCall("/runs/search", {
    body: {
      experiment_ids: args.experimentIds,
      filter: args.filter || undefined,
      order_by: args.orderBy,
      run_view_type: args.runViewType,
      max_results: args.maxResults,
      page_token: args.pageToken,
    },
    signal,
  });
}

/** One run's entry in the reply of `metrics/get-history-downsampled-bulk`. */
export interface BulkHistoryRun {
  run_id: string;
  /** The points' x (steps, or timestamps when asked for `x: "timestamp"`), in x order. */
  x: number[];
  /** Their values; NaN and ±Infinity as numbers again (the wire sends them as strings). */
  values: number[];
  total_points: number;
  nan_points: number;
  exact: boolean;
}

/**
 * `GET metrics/get-history-downsampled-bulk`: one metric of up to 100 runs in one request, each
 * run downsampled as `get-history-downsampled` does (min and max per bucket), asked for in
 * `format=xy` (each point's x and value only: a third of the JSON of one object per point). The
 * reply has one entry per run that logged the key, in `runIds` order; a run with no points
 * between `start` and `end` has empty lists (the wire leaves empty lists out, as proto JSON does).
 */
export async function getHistoryDownsampledBulk(
  runIds: string[],
  key: string,
  opts: { buckets?: number; x?: "step" | "timestamp"; start?: number; end?: number } = {},
  signal?: AbortSignal,
): Promise<{ runs?: BulkHistoryRun[] }> {
  return fromWireBulk(
    await apiCall<WireBulkReply>(bulkHistoryPath(runIds, key, opts), { signal }),
  );
}

/**
 * The {@linkcode getHistoryDownsampledBulk} reply the server sent inside the page for exactly
 * this call (see {@linkcode takePageReply}), or undefined when it sent none.
 */
export function pageHistoryDownsampledBulk(
  runIds: string[],
  key: string,
  opts: { buckets?: number; x?: "step" | "timestamp" } = {},
): { runs?: BulkHistoryRun[] } | undefined {
  const reply = takePageReply(`${API_BASE}${bulkHistoryPath(runIds, key, opts)}`);
  return reply === undefined ? undefined : fromWireBulk(reply as WireBulkReply);
}

/** A bulk reply as it arrives. */
type WireBulkReply = { runs?: WireBulkHistoryRun[] };

function fromWireBulk(reply: WireBulkReply): { runs?: BulkHistoryRun[] } {
  return {
    runs: reply.runs?.map((r) => ({
      ...r,
      x: r.x ?? [],
      values: (r.values ?? []).map(wireNumber),
    })),
  };
}

/**
 * The reply to GET `url` that the server sent inside the page
 * (`<script type="application/json" data-reply="<url>">`, ui/page_replies.ts), parsed; undefined
 * when there is none. Each is taken once: a later call for the same URL (a refresh) asks the
 * server.
 */
export function takePageReply(url: string): unknown {
  const doc = (globalThis as { document?: Document }).document;
  const el = [...doc?.querySelectorAll("script[data-reply]") ?? []].find((s) =>
    s.getAttribute("data-reply") === url
  );
  if (el === undefined) return undefined;
  el.remove();
  try {
    return JSON.parse(el.textContent ?? "");
  } catch {
    return undefined;
  }
}

/** A wire value as a number (`"NaN"` → NaN, `"Infinity"` → Infinity). */
export function wireNumber(v: number | string): number {
  return typeof v === "number" ? v : Number(v);
}

/** A {@linkcode BulkHistoryRun} as it arrives: empty lists are absent, values may be strings. */
type WireBulkHistoryRun = Omit<BulkHistoryRun, "x" | "values"> & {
  x?: number[];
  values?: (number | string)[];
};

/**
 * The path (under {@linkcode API_BASE}) of a {@linkcode getHistoryDownsampledBulk} call, built in
 * one place so the page can preload exactly the URL the chart view then fetches.
 */
export function bulkHistoryPath(
  runIds: string[],
  key: string,
  opts: { buckets?: number; x?: "step" | "timestamp"; start?: number; end?: number } = {},
): string {
  // `run_ids` repeats, which apiCall's query map cannot say: the query is built here.
  const qs = new URLSearchParams();
  for (const id of runIds) qs.append("run_ids", id);
  qs.set("metric_key", key);
  if (opts.buckets !== undefined) qs.set("buckets", String(opts.buckets));
  if (opts.x) qs.set("x", opts.x);
  if (opts.start !== undefined) qs.set("start", String(opts.start));
  if (opts.end !== undefined) qs.set("end", String(opts.end));
  qs.set("format", "xy");
  return `/metrics/get-history-downsampled-bulk?${qs}`;
}

// ---------- model registry (mlflow-rest.md §7) ----------

/** `POST registered-models/create`; a taken name fails with `RESOURCE_ALREADY_EXISTS`. */
export function createRegisteredModel(
  name: string,
  description?: string,
): Promise<{ registered_model: RegisteredModel }> {
  return apiCall("/registered-models/create", {
    body: { name, description: description || undefined },
  });
}

/** `GET registered-models/search`: names for the "Register model" picker. */
export function searchRegisteredModels(
  args: { filter?: string; maxResults?: number },
  signal?: AbortSignal,
): Promise<{ registered_models?: RegisteredModel[]; next_page_token?: string }> {
  return apiCall("/registered-models/search", {
    query: { filter: args.filter, max_results: args.maxResults, order_by: "name ASC" },
    signal,
  });
}

/** `PATCH registered-models/update` (the description). */
export function updateRegisteredModel(name: string, description: string): Promise<unknown> {
  return apiCall("/registered-models/update", { method: "PATCH", body: { name, description } });
}

/** `DELETE registered-models/delete`: the model and every version of it. */
export function deleteRegisteredModel(name: string): Promise<unknown> {
  return apiCall("/registered-models/delete", { method: "DELETE", body: { name } });
}

/** `POST registered-models/set-tag`. */
export function setRegisteredModelTag(name: string, key: string, value: string): Promise<unknown> {
  return apiCall("/registered-models/set-tag", { body: { name, key, value } });
}

/** `DELETE registered-models/delete-tag`. */
export function deleteRegisteredModelTag(name: string, key: string): Promise<unknown> {
  return apiCall("/registered-models/delete-tag", { method: "DELETE", body: { name, key } });
}

/** `POST registered-models/alias`: points `alias` at `version` (moving it if set elsewhere). */
export function setModelAlias(name: string, alias: string, version: string): Promise<unknown> {
  return apiCall("/registered-models/alias", { body: { name, alias, version } });
}

/** `DELETE registered-models/alias`. */
export function deleteModelAlias(name: string, alias: string): Promise<unknown> {
  return apiCall("/registered-models/alias", { method: "DELETE", body: { name, alias } });
}

/**
 * `POST model-versions/create`, with the body MLflow's client sends: `source` and `run_id` for a
 * run's artifact path, plus `model_id` for an MLflow 3 logged model (`source: "models:/<id>"`).
 */
export function createModelVersion(
  args: { name: string; source: string; runId?: string; modelId?: string },
): Promise<{ model_version: ModelVersion }> {
  return apiCall("/model-versions/create", {
    body: {
      name: args.name,
      source: args.source,
      run_id: args.runId || undefined,
      model_id: args.modelId || undefined,
    },
  });
}

/** `PATCH model-versions/update` (the description). */
export function updateModelVersion(
  name: string,
  version: string,
  description: string,
): Promise<unknown> {
  return apiCall("/model-versions/update", {
    method: "PATCH",
    body: { name, version, description },
  });
}

/** `DELETE model-versions/delete`. */
export function deleteModelVersion(name: string, version: string): Promise<unknown> {
  return apiCall("/model-versions/delete", { method: "DELETE", body: { name, version } });
}

/** `POST model-versions/set-tag`. */
export function setModelVersionTag(
  name: string,
  version: string,
  key: string,
  value: string,
): Promise<unknown> {
  return apiCall("/model-versions/set-tag", { body: { name, version, key, value } });
}

/** `DELETE model-versions/delete-tag`. */
export function deleteModelVersionTag(
  name: string,
  version: string,
  key: string,
): Promise<unknown> {
  return apiCall("/model-versions/delete-tag", {
    method: "DELETE",
    body: { name, version, key },
  });
}

/**
 * `POST model-versions/transition-stage`; with `archiveExisting`, the server archives the other
 * versions in `stage`.
 */
export function transitionModelVersionStage(
  args: { name: string; version: string; stage: ModelVersionStage; archiveExisting: boolean },
): Promise<{ model_version: ModelVersion }> {
  return apiCall("/model-versions/transition-stage", {
    body: {
      name: args.name,
      version: args.version,
      stage: args.stage,
      archive_existing_versions: args.archiveExisting,
    },
  });
}
