/**
 * The client's settings from the environment, where the runtime has one: the same variables as
 * MLflow's Python client. Deno (with `--allow-env`) and Node have an environment; a browser has
 * none, so there everything comes from `setTrackingUri` and the options.
 *
 * @module
 */
import type { Credentials, RetryOptions } from "./http.ts";

/** MLflow's default when nothing is set: a local server on its default port. */
export const DEFAULT_TRACKING_URI = "http://localhost:5000";

/** A variable's value, or `undefined` when unset, empty, or unreadable (no permission, no env). */
export function envVar(name: string): string | undefined {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  try {
    // Without --allow-env, Deno would prompt in a terminal for each variable: ask quietly first.
    const state = g.Deno?.permissions?.querySync?.({ name: "env", variable: name })?.state;
    if (g.Deno !== undefined && state !== "granted") return undefined;
    const value = g.Deno?.env?.get(name) ?? g.process?.env?.[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch {
    return undefined; // Deno without --allow-env
  }
}

/** Everything the client reads from the environment. */
export interface EnvSettings extends Credentials {
  /** `MLFLOW_TRACKING_URI`. */
  trackingUri?: string;
  /** `MLFLOW_EXPERIMENT_NAME`: the experiment runs go to before `setExperiment`. */
  experimentName?: string;
  /** `MLFLOW_EXPERIMENT_ID`: as above, by id (the name wins when both are set, as in MLflow). */
  experimentId?: string;
  /** Retry and timeout settings from `MLFLOW_HTTP_REQUEST_*`. */
  retry: RetryOptions;
}

function seconds(name: string): number | undefined {
  const text = envVar(name);
  const n = text === undefined ? NaN : Number(text);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
}

function count(name: string): number | undefined {
  const text = envVar(name);
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Reads the MLflow client variables now (each call sees the current environment). */
export function readEnvSettings(): EnvSettings {
  return {
    trackingUri: envVar("MLFLOW_TRACKING_URI"),
    username: envVar("MLFLOW_TRACKING_USERNAME"),
    password: envVar("MLFLOW_TRACKING_PASSWORD"),
    token: envVar("MLFLOW_TRACKING_TOKEN"),
    experimentName: envVar("MLFLOW_EXPERIMENT_NAME"),
    experimentId: envVar("MLFLOW_EXPERIMENT_ID"),
    retry: {
      maxRetries: count("MLFLOW_HTTP_REQUEST_MAX_RETRIES"),
      backoffFactorMs: seconds("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"),
      backoffJitterMs: seconds("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER"),
      timeoutMs: seconds("MLFLOW_HTTP_REQUEST_TIMEOUT"),
    },
  };
}

/** The user for `mlflow.user`, as Python's `getpass.getuser()` finds it; `unknown` without one. */
export function currentUser(): string {
  return envVar("LOGNAME") ?? envVar("USER") ?? envVar("LNAME") ?? envVar("USERNAME") ??
    "unknown";
}

/** The running program for `mlflow.source.name`: the main module or script, if known. */
export function sourceName(): string {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  try {
    // A page's address without its query or fragment, where a token may sit.
    const page = g.location ? `${g.location.origin}${g.location.pathname}` : undefined;
    const main: string | undefined = g.Deno?.mainModule ?? g.process?.argv?.[1] ?? page;
    if (typeof main !== "string") return "";
    return main.startsWith("file://") ? decodeURIComponent(new URL(main).pathname) : main;
  } catch {
    return "";
  }
}
