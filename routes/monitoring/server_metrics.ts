/**
 * kvflow's Prometheus series, one set per process: requests, latency, in-flight requests, the KV
 * store's commits, conflicts, lock retries, staged batches and points (through its
 * `StoreObserver`), artifact bytes, and process facts. Each process (each isolate on Deno Deploy)
 * counts only what it served itself; Prometheus sums them across instances.
 *
 * @module
 */
import type { StoreObserver } from "../../store/kv/observer.ts";
import { type Counter, type Gauge, type Histogram, Registry } from "./registry.ts";

/**
 * Upper bounds (seconds) of the request latency histogram: from a cached read (a few ms) to an
 * artifact upload (a minute).
 */
export const REQUEST_DURATION_BUCKETS = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
];

/** The route label of a request no route matched (a 404), so raw paths never become labels. */
export const UNMATCHED_ROUTE = "unmatched";

/** The server's metrics and the hooks that feed them. */
export interface ServerMetrics {
  /** Counts a finished request (`route` is a template or {@linkcode UNMATCHED_ROUTE}). */
  recordRequest(method: string, route: string, status: number, seconds: number): void;
  /** Requests being answered now. */
  inFlight: Gauge;
  /** Artifact bytes received from clients. */
  artifactBytesIn: Counter;
  /** Artifact bytes sent to clients. */
  artifactBytesOut: Counter;
  /** What the KV store reports to (`KvStoreOptions.observer`). */
  storeObserver: StoreObserver;
  /** The exposition text, with the process gauges read now. */
  render(): string;
}

/**
 * Methods kept as labels; anything else (a client can send any token as a method) is `OTHER`,
 * so the method label stays bounded.
 */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * A fresh set of kvflow's series. `version` is the MLflow version the server reports, shown in
 * `kvflow_build_info`.
 */
export function createServerMetrics(version: string): ServerMetrics {
  const reg = new Registry();
  const requests = reg.counter(
    "kvflow_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
  );
  const duration: Histogram = reg.histogram(
    "kvflow_http_request_duration_seconds",
    "Time from receiving a request to its response headers, by method and route template.",
    ["method", "route"],
    REQUEST_DURATION_BUCKETS,
  );
  const inFlight = reg.gauge("kvflow_http_requests_in_flight", "Requests being answered now.");
  const commits = reg.counter(
    "kvflow_kv_commits_total",
    "Deno KV commits by result: ok, or conflict (a check failed; the writer re-reads and retries).",
    ["result"],
  );
  // Both results from the start, so a rate() over them has a series before the first conflict.
  commits.touch(["ok"]);
  commits.touch(["conflict"]);
  const locked = reg.counter(
    "kvflow_kv_lock_retries_total",
    "Deno KV commits refused with 'database is locked' (another process held the file), retried.",
  );
  const staged = reg.counter(
    "kvflow_kv_staged_batches_total",
    "Run writes too large for one commit, written through the staged multi-commit path.",
  );
  const points = reg.counter(
    "kvflow_metric_points_ingested_total",
    "Metric points written by log-metric and log-batch.",
  );
  const artifactBytesIn = reg.counter(
    "kvflow_artifact_bytes_in_total",
    "Artifact bytes received in uploads (counted as they stream).",
  );
  const artifactBytesOut = reg.counter(
    "kvflow_artifact_bytes_out_total",
    "Artifact bytes sent in downloads (counted as they stream).",
  );
  const rss = reg.gauge("process_resident_memory_bytes", "Resident memory size in bytes.");
  const started = reg.gauge(
    "process_start_time_seconds",
    "Start time of the process since the Unix epoch, in seconds.",
  );
  started.set(Math.round(Date.now() - performance.now()) / 1000);
  reg.gauge("kvflow_build_info", "kvflow's reported MLflow version and Deno version; always 1.", [
    "version",
    "deno",
  ]).set(1, [version, Deno.version.deno]);

  return {
    recordRequest(method, route, status, seconds) {
      const m = METHODS.has(method) ? method : "OTHER";
      requests.inc([m, route, String(status)]);
      duration.observe(seconds, [m, route]);
    },
    inFlight,
    artifactBytesIn,
    artifactBytesOut,
    storeObserver: {
      onCommit: (ok) => commits.inc([ok ? "ok" : "conflict"]),
      onLocked: () => locked.inc(),
      onStagedBatch: () => staged.inc(),
      onPoints: (n) => points.inc([], n),
    },
    render() {
      try {
        rss.set(Deno.memoryUsage().rss);
      } catch {
        // Not available on every platform; the last value stays.
      }
      return reg.render();
    },
  };
}
