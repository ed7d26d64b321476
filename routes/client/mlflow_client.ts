/**
 * `MlflowClient`: the tracking API one call per method, typed by the types generated from
 * `openapi.yaml` (`openapi_types.ts`) through openapi-fetch, with the retries of `http.ts`. The
 * fluent functions of `mod.ts` are built on it; use it directly to work with runs by id.
 *
 * @module
 */
import createClient from "openapi-fetch";
import { artifactRequestUrl, guessContentType } from "./artifact_upload.ts";
import {
  authorization,
  checked,
  type Credentials,
  type FetchLike,
  restError,
  type RetryOptions,
  sendWithRetries,
} from "./http.ts";
import type { components, paths } from "./openapi_types.ts";

type Schemas = components["schemas"];
/** An experiment as the server returns it. */
export type Experiment = Schemas["Experiment"];
/** A run: info, data (metrics, params, tags) and inputs. */
export type Run = Schemas["Run"];
/** A run's info: ids, name, status, times, artifact URI. */
export type RunInfo = Schemas["RunInfo"];
/** A run's status. */
export type RunStatus = Schemas["RunStatus"];
/** One metric point as the server returns it (non-finite values as strings). */
export type Metric = Schemas["Metric"];
/** An artifact listing's entry. */
export type FileInfo = Schemas["FileInfo"];

/** One metric point to log; `value` may be `NaN` or ±`Infinity`. */
export interface MetricPoint {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

/** A key and a string value (a param or a tag). */
export interface KeyValue {
  key: string;
  value: string;
}

/** How to reach the tracking server. */
export interface ClientOptions extends Credentials {
  /** The server's base URL, e.g. `http://localhost:5000` (a path prefix is kept). */
  trackingUri: string;
  /** Retry and timeout settings (MLflow's defaults when left out). */
  retry?: RetryOptions;
  /** The `fetch` to send with (tests count or fail requests through it); the global one if unset. */
  fetch?: FetchLike;
}

/** What `searchRuns` filters and orders by; MLflow's search grammar. */
export interface SearchRunsQuery {
  experimentIds: string[];
  /** e.g. `metrics.acc > 0.6 and params.lr = '0.01'`. */
  filterString?: string;
  runViewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
  /** e.g. `["metrics.acc DESC"]`. */
  orderBy?: string[];
  /** Runs per page (default 1000). */
  maxResults?: number;
  pageToken?: string;
}

/** The log-batch limits of MLflow's protocol: a batch of more is refused. */
const MAX_METRICS = 1000;
const MAX_PARAMS = 100;
const MAX_TAGS = 100;

/** A non-finite double in the wire's string form (JSON has no NaN). */
function wireValue(value: number): number {
  if (Number.isFinite(value)) return value;
  // The server reads "NaN", "Infinity" and "-Infinity" as doubles, as MLflow's protobuf JSON does.
  return (Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity") as unknown as number;
}

/** Splits `items` into slices of at most `size`. */
function slices<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The tracking API, one request (plus retries) per call. */
export class MlflowClient {
  /** The server's base URL, without a trailing slash. */
  readonly trackingUri: string;
  readonly #api: ReturnType<typeof createClient<paths>>;
  readonly #fetch: FetchLike;
  readonly #retry: RetryOptions;
  readonly #auth: string | undefined;

  constructor(opts: ClientOptions) {
    this.trackingUri = opts.trackingUri.replace(/\/+$/, "");
    this.#retry = opts.retry ?? {};
    this.#auth = authorization(opts);
    const base: FetchLike = opts.fetch ?? ((req) => fetch(req));
    this.#fetch = base;
    this.#api = createClient<paths>({
      baseUrl: this.trackingUri,
      headers: this.#auth ? { authorization: this.#auth } : {},
      // Each attempt sends a fresh copy: a JSON body is read once per request.
      fetch: (req) =>
        sendWithRetries(base, (signal) => new Request(req.clone(), { signal }), this.#retry),
    });
  }

  /** The experiment `experimentId`. */
  async getExperiment(experimentId: string): Promise<Experiment> {
    const r = await this.#api.GET("/api/2.0/mlflow/experiments/get", {
      params: { query: { experiment_id: experimentId } },
    });
    return this.#ok(r, "get experiment").experiment;
  }

  /** The experiment named `name` (active or deleted), or `null` when there is none. */
  async getExperimentByName(name: string): Promise<Experiment | null> {
    const r = await this.#api.GET("/api/2.0/mlflow/experiments/get-by-name", {
      params: { query: { experiment_name: name } },
    });
    if (r.response.status === 404) return null;
    return this.#ok(r, "get experiment by name").experiment;
  }

  /** Creates an experiment and returns its id. */
  async createExperiment(
    name: string,
    opts: { artifactLocation?: string; tags?: KeyValue[] } = {},
  ): Promise<string> {
    const r = await this.#api.POST("/api/2.0/mlflow/experiments/create", {
      body: { name, artifact_location: opts.artifactLocation, tags: opts.tags },
    });
    return this.#ok(r, "create experiment").experiment_id;
  }

  /** Creates a run in `experimentId` (status `RUNNING`). */
  async createRun(
    experimentId: string,
    opts: { runName?: string; startTime?: number; tags?: KeyValue[]; userId?: string } = {},
  ): Promise<Run> {
    const r = await this.#api.POST("/api/2.0/mlflow/runs/create", {
      body: {
        experiment_id: experimentId,
        user_id: opts.userId,
        run_name: opts.runName,
        start_time: opts.startTime ?? Date.now(),
        tags: opts.tags ?? [],
      },
    });
    return this.#ok(r, "create run").run;
  }

  /** The run `runId` with its latest metrics, params and tags. */
  async getRun(runId: string): Promise<Run> {
    const r = await this.#api.GET("/api/2.0/mlflow/runs/get", {
      params: { query: { run_id: runId, run_uuid: runId } },
    });
    return this.#ok(r, "get run").run;
  }

  /** Sets a run's status, end time or name. */
  async updateRun(
    runId: string,
    update: { status?: RunStatus; endTime?: number; runName?: string },
  ): Promise<RunInfo> {
    const r = await this.#api.POST("/api/2.0/mlflow/runs/update", {
      body: {
        run_id: runId,
        run_uuid: runId,
        status: update.status,
        end_time: update.endTime,
        run_name: update.runName,
      },
    });
    return this.#ok(r, "update run").run_info;
  }

  /**
   * Logs metrics, params and tags with `log-batch`, in as many requests as the protocol's limits
   * need (1000 metrics, 100 params, 100 tags each), in order.
   */
  async logBatch(
    runId: string,
    batch: { metrics?: MetricPoint[]; params?: KeyValue[]; tags?: KeyValue[] },
  ): Promise<void> {
    const metrics = (batch.metrics ?? []).map((m) => ({ ...m, value: wireValue(m.value) }));
    const requests: Array<{ metrics?: typeof metrics; params?: KeyValue[]; tags?: KeyValue[] }> = [
      ...slices(batch.params ?? [], MAX_PARAMS).map((params) => ({ params })),
      ...slices(metrics, MAX_METRICS).map((metrics) => ({ metrics })),
      ...slices(batch.tags ?? [], MAX_TAGS).map((tags) => ({ tags })),
    ];
    const params = batch.params?.length ?? 0;
    const tags = batch.tags?.length ?? 0;
    // A batch within every limit goes as one request, as MLflow's client sends it.
    const small = params <= MAX_PARAMS && tags <= MAX_TAGS &&
      metrics.length + params + tags <= MAX_METRICS;
    for (const body of small ? [{ ...batch, metrics }] : requests) {
      const r = await this.#api.POST("/api/2.0/mlflow/runs/log-batch", {
        body: { run_id: runId, ...body },
      });
      this.#ok(r, "log batch");
    }
  }

  /** Sets one tag on a run. */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    const r = await this.#api.POST("/api/2.0/mlflow/runs/set-tag", {
      body: { run_id: runId, run_uuid: runId, key, value },
    });
    this.#ok(r, "set tag");
  }

  /** One page of runs matching `query`, and the token of the next page if there is one. */
  async searchRuns(query: SearchRunsQuery): Promise<{ runs: Run[]; nextPageToken?: string }> {
    const r = await this.#api.POST("/api/2.0/mlflow/runs/search", {
      body: {
        experiment_ids: query.experimentIds,
        filter: query.filterString,
        run_view_type: query.runViewType ?? "ACTIVE_ONLY",
        max_results: query.maxResults ?? 1000,
        order_by: query.orderBy,
        page_token: query.pageToken,
      },
    });
    const data = this.#ok(r, "search runs");
    return { runs: data.runs ?? [], nextPageToken: data.next_page_token };
  }

  /** Every point of metric `key` of a run, in step order, following the pages. */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.#api.GET("/api/2.0/mlflow/metrics/get-history", {
        params: {
          query: {
            run_id: runId,
            run_uuid: runId,
            metric_key: key,
            max_results: 25000,
            page_token: pageToken,
          },
        },
      });
      const data = this.#ok(r, "get metric history");
      out.push(...(data.metrics ?? []));
      pageToken = data.next_page_token || undefined;
    } while (pageToken !== undefined);
    return out;
  }

  /** The entries directly under `path` in a run's artifacts, paths relative to the run's root. */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    const r = await this.#api.GET("/api/2.0/mlflow/artifacts/list", {
      params: { query: { run_id: runId, run_uuid: runId, path } },
    });
    return this.#ok(r, "list artifacts").files ?? [];
  }

  /**
   * Uploads one file under a run's `artifactUri` (`mlflow-artifacts:` URIs, through the server's
   * artifact proxy) at `relPath`. `body` is called once per attempt, so a file can be reopened
   * and streamed again on a retry instead of held in memory.
   */
  async uploadArtifact(
    artifactUri: string,
    relPath: string,
    body: () => Promise<BodyInit> | BodyInit,
  ): Promise<void> {
    const url = artifactRequestUrl(this.trackingUri, artifactUri, relPath);
    const headers: Record<string, string> = { "content-type": guessContentType(relPath) };
    if (this.#auth) headers.authorization = this.#auth;
    const res = await sendWithRetries(
      this.#fetch,
      async (signal) =>
        new Request(url, {
          method: "PUT",
          headers,
          body: await body(),
          signal,
          // Streams need half-duplex in Node's fetch and Chromium's; Deno accepts and ignores it.
          duplex: "half",
        } as RequestInit),
      this.#retry,
    );
    await checked(res, `upload artifact ${relPath}`);
    await res.body?.cancel();
  }

  /** Reads a download of `relPath` under a run's `artifactUri` as a `Response` to stream from. */
  async downloadArtifact(artifactUri: string, relPath: string): Promise<Response> {
    const url = artifactRequestUrl(this.trackingUri, artifactUri, relPath);
    const res = await sendWithRetries(
      this.#fetch,
      (signal) =>
        new Request(url, { headers: this.#auth ? { authorization: this.#auth } : {}, signal }),
      this.#retry,
    );
    return await checked(res, `download artifact ${relPath}`);
  }

  /** The reply's data, or an {@linkcode MlflowRestError} from its error body. */
  #ok<T>(
    r: { data?: T; error?: unknown; response: Response },
    what: string,
  ): T {
    if (r.response.ok && r.data !== undefined) return r.data;
    throw restError(r.response.status, r.error, what);
  }
}
