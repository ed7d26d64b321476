/**
 * MLflow's fluent API as a `Tracking` session: one tracking URI, one active experiment, a stack of
 * active runs (nested runs on top), and the metric buffer. `mod.ts` exposes one default session as
 * plain functions (`mlflow.startRun()`, …); make more with `new Tracking(options)`.
 *
 * The behaviour follows MLflow's Python client: the same default tags on a new run, an error when
 * a second top-level run starts, a run started on demand by the first log call, and active runs
 * ended as `FINISHED` when the program exits normally.
 *
 * @module
 */
import { artifactRequestUrl, baseName, listLocalFiles, openFileStream } from "./artifact_upload.ts";
import { currentUser, DEFAULT_TRACKING_URI, readEnvSettings, sourceName } from "./env.ts";
import type { Credentials, FetchLike, RetryOptions } from "./http.ts";
import { type BufferOptions, MetricBuffer } from "./metric_buffer.ts";
import {
  type Experiment,
  type KeyValue,
  MlflowClient,
  type Run,
  type RunInfo,
  type RunStatus,
} from "./mlflow_client.ts";

/** A param or tag value: sent as its string form, as MLflow's client does with `str()`. */
export type Value = string | number | boolean | bigint | null | object;

/** Settings of a session; anything left out comes from the environment, then MLflow's defaults. */
export interface TrackingOptions extends Credentials, BufferOptions {
  /** The server, e.g. `http://localhost:5000`; else `MLFLOW_TRACKING_URI`, else that default. */
  trackingUri?: string;
  /** Retries and timeouts; else `MLFLOW_HTTP_REQUEST_*`, else MLflow's defaults. */
  retry?: RetryOptions;
  /** The `fetch` to send with (the global one if unset). */
  fetch?: FetchLike;
}

/** What `startRun` accepts; all optional, as in `mlflow.start_run`. */
export interface StartRunOptions {
  /** Resume this existing run instead of creating one. */
  runId?: string;
  /** The experiment for a new run; else the active experiment (a nested run: its parent's). */
  experimentId?: string;
  /** The run's name (`mlflow.runName`); the server picks one when left out. */
  runName?: string;
  /** Start under the active run (tag `mlflow.parentRunId`) instead of failing. */
  nested?: boolean;
  /** Tags to set at creation. */
  tags?: Record<string, Value>;
  /** The run's description (`mlflow.note.content`). */
  description?: string;
}

/** What `searchRuns` accepts. */
export interface SearchOptions {
  /** Experiments to search; default: the active experiment. */
  experimentIds?: string[];
  /** Experiments to search by name (added to `experimentIds`; unknown names are skipped). */
  experimentNames?: string[];
  /** MLflow's filter grammar, e.g. `metrics.acc > 0.6 and params.lr = '0.01'`. */
  filterString?: string;
  /** e.g. `["metrics.acc DESC"]`. */
  orderBy?: string[];
  runViewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
  /** At most this many runs, following pages (default 1000). */
  maxResults?: number;
}

/** A run this session started; `await using run = await startRun()` ends it on scope exit. */
export class ActiveRun implements AsyncDisposable {
  /** The run's info as of its start. */
  readonly info: RunInfo;
  /** The client the run logs through: its server stays the same if the session moves on. */
  readonly client: MlflowClient;
  readonly #session: Tracking;

  constructor(info: RunInfo, client: MlflowClient, session: Tracking) {
    this.info = info;
    this.client = client;
    this.#session = session;
  }

  /** The run's id. */
  get runId(): string {
    return this.info.run_id;
  }

  /** Ends this run (and any run nested under it that is still active) as `FINISHED`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#session.endRunsUpTo(this, "FINISHED");
  }
}

function text(value: Value): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function keyValues(record: Record<string, Value>): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value: text(value) }));
}

/** An MLflow fluent-API session. */
export class Tracking {
  readonly #opts: TrackingOptions;
  #uri: string | undefined;
  #client: MlflowClient | undefined;
  #experimentId: string | undefined;
  readonly #runs: ActiveRun[] = [];
  readonly #buffer: MetricBuffer;
  #exitHookInstalled = false;

  constructor(opts: TrackingOptions = {}) {
    this.#opts = opts;
    this.#uri = opts.trackingUri;
    this.#buffer = new MetricBuffer(
      (runId, points) => this.#clientOf(runId).logBatch(runId, { metrics: points }),
      opts,
    );
  }

  /** Points the session at another server; runs already active keep logging to theirs. */
  setTrackingUri(uri: string): void {
    this.#uri = uri;
    this.#client = undefined;
  }

  /** The server this session talks to. */
  getTrackingUri(): string {
    return this.#uri ?? readEnvSettings().trackingUri ?? DEFAULT_TRACKING_URI;
  }

  /** The low-level client for this session's server and credentials. */
  get client(): MlflowClient {
    this.#client ??= new MlflowClient({
      ...this.#credentials(),
      trackingUri: this.getTrackingUri(),
      retry: { ...defined(readEnvSettings().retry), ...defined(this.#opts.retry ?? {}) },
      fetch: this.#opts.fetch,
    });
    return this.#client;
  }

  /** The options' credentials when they set any, else the environment's. */
  #credentials(): Credentials {
    const o = this.#opts;
    if (o.username !== undefined || o.token !== undefined) {
      return { username: o.username, password: o.password, token: o.token };
    }
    const env = readEnvSettings();
    return { username: env.username, password: env.password, token: env.token };
  }

  /**
   * Makes `name` the active experiment, creating it if it does not exist.
   *
   * @throws {Error} when the experiment is deleted, as MLflow does.
   */
  async setExperiment(name: string): Promise<Experiment> {
    let exp = await this.client.getExperimentByName(name);
    if (exp === null) {
      try {
        await this.client.createExperiment(name);
      } catch (err) {
        // Another process created it first: use theirs.
        if ((err as { errorCode?: string }).errorCode !== "RESOURCE_ALREADY_EXISTS") throw err;
      }
      exp = await this.client.getExperimentByName(name);
      if (exp === null) throw new Error(`experiment '${name}' vanished after it was created`);
    }
    if (exp.lifecycle_stage === "deleted") {
      throw new Error(
        `Cannot set a deleted experiment '${name}' as the active experiment. You can restore ` +
          "the experiment, or permanently delete the experiment to create a new one.",
      );
    }
    this.#experimentId = exp.experiment_id;
    return exp;
  }

  /** The active run (the innermost nested one), if any. */
  activeRun(): ActiveRun | undefined {
    return this.#runs.at(-1);
  }

  /**
   * Starts a run (or resumes `runId`) and makes it the active run.
   *
   * @throws {Error} when a run is already active and `nested` is not set.
   */
  async startRun(opts: StartRunOptions = {}): Promise<ActiveRun> {
    const parent = this.activeRun();
    if (parent !== undefined && !opts.nested) {
      throw new Error(
        `Run with UUID ${parent.runId} is already active. To start a new run, first end the ` +
          "current run with endRun(). To start a nested run, call startRun with nested: true",
      );
    }
    let info: RunInfo;
    if (opts.runId !== undefined) {
      const run = await this.client.getRun(opts.runId);
      if (run.info.lifecycle_stage === "deleted") {
        throw new Error(
          `Cannot start run with ID ${opts.runId} because it is in the deleted state.`,
        );
      }
      info = await this.client.updateRun(opts.runId, { status: "RUNNING" });
    } else {
      // As MLflow's client: the tracking username when one is set, else the OS user.
      const user = this.#credentials().username ?? currentUser();
      const tags: KeyValue[] = [
        { key: "mlflow.user", value: user },
        { key: "mlflow.source.name", value: sourceName() },
        { key: "mlflow.source.type", value: "LOCAL" },
        ...keyValues(opts.tags ?? {}),
      ];
      if (parent !== undefined) tags.push({ key: "mlflow.parentRunId", value: parent.runId });
      if (opts.description !== undefined) {
        tags.push({ key: "mlflow.note.content", value: opts.description });
      }
      if (opts.runName !== undefined) tags.push({ key: "mlflow.runName", value: opts.runName });
      const experimentId = opts.experimentId ?? parent?.info.experiment_id ??
        await this.#activeExperimentId();
      const run: Run = await this.client.createRun(experimentId, {
        runName: opts.runName,
        userId: user,
        tags: dedupeLast(tags),
      });
      info = run.info;
    }
    const active = new ActiveRun(info, this.client, this);
    this.#runs.push(active);
    this.#installExitHook();
    return active;
  }

  /**
   * Sends buffered metrics, then ends the active run with `status` and makes its parent (if any)
   * active again.
   *
   * @throws the buffer's flush error after the run is ended (points of a transient failure stay
   *   queued for the next flush); the update's error before (the run then stays active).
   */
  async endRun(status: RunStatus = "FINISHED"): Promise<void> {
    const run = this.activeRun();
    if (run === undefined) return;
    let flushError: unknown;
    try {
      await this.#buffer.flush();
    } catch (err) {
      flushError = err;
    }
    await run.client.updateRun(run.runId, { status, endTime: Date.now() });
    this.#runs.pop();
    if (flushError !== undefined) throw flushError;
  }

  /** Ends `run` and every run nested above it (for `ActiveRun`'s dispose). */
  async endRunsUpTo(run: ActiveRun, status: RunStatus): Promise<void> {
    while (this.#runs.includes(run)) await this.endRun(status);
  }

  /** Logs one param to the active run (started on demand). */
  async logParam(key: string, value: Value): Promise<void> {
    await this.logParams({ [key]: value });
  }

  /** Logs params to the active run in one log-batch request (per 100). */
  async logParams(params: Record<string, Value>): Promise<void> {
    const run = await this.#runOrStart();
    await run.client.logBatch(run.runId, { params: keyValues(params) });
  }

  /**
   * Queues one metric point for the active run (started on demand); it is sent with the next
   * flush. `step` defaults to 0 and `timestamp` to now, as in MLflow.
   */
  async logMetric(
    key: string,
    value: number,
    opts: { step?: number; timestamp?: number } = {},
  ): Promise<void> {
    await this.logMetrics({ [key]: value }, opts);
  }

  /** Queues several metrics at one step and time. */
  async logMetrics(
    metrics: Record<string, number>,
    opts: { step?: number; timestamp?: number } = {},
  ): Promise<void> {
    const run = await this.#runOrStart();
    const timestamp = opts.timestamp ?? Date.now();
    const step = opts.step ?? 0;
    await this.#buffer.add(
      run.runId,
      Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step })),
    );
  }

  /** Sets one tag on the active run (started on demand). */
  async setTag(key: string, value: Value): Promise<void> {
    await this.setTags({ [key]: value });
  }

  /** Sets tags on the active run in one log-batch request (per 100). */
  async setTags(tags: Record<string, Value>): Promise<void> {
    const run = await this.#runOrStart();
    await run.client.logBatch(run.runId, { tags: keyValues(tags) });
  }

  /**
   * Uploads a local file into the active run's artifacts, under `artifactPath` if given, streamed
   * from disk through the server's artifact proxy (Deno and Node).
   */
  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    const run = await this.#runOrStart();
    const rel = joinPath(artifactPath, baseName(localPath));
    await run.client.uploadArtifact(run.info.artifact_uri, rel, () => openFileStream(localPath));
  }

  /** Uploads every file under a local directory, keeping its layout, one file at a time. */
  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    const run = await this.#runOrStart();
    for (const file of await listLocalFiles(localDir)) {
      await run.client.uploadArtifact(
        run.info.artifact_uri,
        joinPath(artifactPath, file.relPath),
        () => openFileStream(file.localPath),
      );
    }
  }

  /** Writes `text` (or any bytes or `Blob`) as the artifact file `artifactFile`; works in browsers. */
  async logText(text: string | Uint8Array | Blob, artifactFile: string): Promise<void> {
    const run = await this.#runOrStart();
    const body = typeof text === "string" ? new TextEncoder().encode(text) : text;
    await run.client.uploadArtifact(run.info.artifact_uri, artifactFile, () => body as BodyInit);
  }

  /** The download URL of an artifact of the active run (for a link or a fetch). */
  artifactUrl(artifactFile: string): string {
    const run = this.activeRun();
    if (run === undefined) throw new Error("no active run");
    return artifactRequestUrl(run.client.trackingUri, run.info.artifact_uri, artifactFile);
  }

  /** Runs matching a search, following pages up to `maxResults`. */
  async searchRuns(opts: SearchOptions = {}): Promise<Run[]> {
    const ids = [...(opts.experimentIds ?? [])];
    for (const name of opts.experimentNames ?? []) {
      const exp = await this.client.getExperimentByName(name);
      if (exp !== null) ids.push(exp.experiment_id);
    }
    if (opts.experimentIds === undefined && opts.experimentNames === undefined) {
      ids.push(await this.#activeExperimentId());
    }
    const max = opts.maxResults ?? 1000;
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.client.searchRuns({
        experimentIds: ids,
        filterString: opts.filterString,
        orderBy: opts.orderBy,
        runViewType: opts.runViewType,
        maxResults: Math.min(1000, max - runs.length),
        pageToken,
      });
      runs.push(...page.runs);
      pageToken = page.nextPageToken;
    } while (pageToken && runs.length < max);
    return runs.slice(0, max);
  }

  /** Sends every buffered metric now; throws the first error of any flush since the last one. */
  async flush(): Promise<void> {
    await this.#buffer.flush();
  }

  /** Metric points logged but not yet sent. */
  get pendingMetrics(): number {
    return this.#buffer.pending;
  }

  /** The client of the active run `runId` (buffered points go where their run lives). */
  #clientOf(runId: string): MlflowClient {
    return this.#runs.find((r) => r.runId === runId)?.client ?? this.client;
  }

  async #runOrStart(): Promise<ActiveRun> {
    return this.activeRun() ?? await this.startRun();
  }

  /** `setExperiment`'s choice, else `MLFLOW_EXPERIMENT_NAME`/`_ID`, else the Default experiment. */
  async #activeExperimentId(): Promise<string> {
    if (this.#experimentId !== undefined) return this.#experimentId;
    const env = readEnvSettings();
    if (env.experimentName !== undefined) {
      return (await this.setExperiment(env.experimentName)).experiment_id;
    }
    return env.experimentId ?? "0";
  }

  /**
   * Ends the runs still active when the program runs out of work (Deno's `beforeunload`, Node's
   * `beforeExit`), flushing their metrics first, as MLflow's `atexit` hook does. Both events let
   * the handler start async work; it runs once, so a server that stays away cannot hold the
   * program open forever. Browsers get no hook: a page must call `endRun` itself.
   */
  #installExitHook(): void {
    if (this.#exitHookInstalled) return;
    this.#exitHookInstalled = true;
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    let ran = false;
    const onExit = () => {
      if (ran || this.#runs.length === 0) return;
      ran = true;
      (async () => {
        while (this.#runs.length > 0) await this.endRun("FINISHED");
      })().catch((err) => console.error(`kvflow client: could not end runs at exit: ${err}`));
    };
    if (g.Deno !== undefined && typeof g.addEventListener === "function") {
      g.addEventListener("beforeunload", onExit);
    } else if (typeof g.process?.once === "function") {
      g.process.once("beforeExit", onExit);
    }
  }
}

/** `o` without its `undefined` fields, so spreading it never hides a value set elsewhere. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `dir/name`, or `name` alone. */
function joinPath(dir: string | undefined, name: string): string {
  const d = (dir ?? "").replace(/^\/+|\/+$/g, "");
  return d === "" ? name : `${d}/${name}`;
}

/** The tags with each key once, at its last value (the server would refuse nothing, but keep one). */
function dedupeLast(tags: KeyValue[]): KeyValue[] {
  const last = new Map<string, number>();
  tags.forEach((t, i) => last.set(t.key, i));
  return tags.filter((t, i) => last.get(t.key) === i);
}
