/**
 * kvflow's composition root and the only module with side effects: it reads flags and environment
 * variables, opens Deno KV, builds the tracking store and the Hono app, and serves it.
 *
 * Importing this module does nothing; {@linkcode parseConfig} is exported so the flag and env
 * rules can be tested without starting a server.
 *
 * @example
 * ```sh
 * deno task start --port 5001 --backend-store-uri ./data/mlruns.kv \
 *   --artifacts-destination s3://my-bucket/mlflow
 * ```
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { isLocalArtifactDestination, openArtifactRepository } from "./artifacts/mod.ts";
import type { ArtifactRepository } from "./artifacts/types.ts";
import { DEFAULT_BODY_IDLE_TIMEOUT_MS, DEFAULT_BODY_TIMEOUT_MS } from "./routes/decode.ts";
import { CloseConnection, closeIfBodyUnread } from "./routes/close_connection.ts";
import type { AuthOptions } from "./routes/auth/middleware.ts";
import { addLogSecrets } from "./routes/log.ts";
import { createApp, DEFAULT_VERSION } from "./routes/mod.ts";
import { createBufferedLog, LOG_FORMATS, type LogFormat } from "./routes/monitoring/request_log.ts";
import { createServerMetrics } from "./routes/monitoring/server_metrics.ts";
import { MlflowError } from "./store/errors.ts";
import { createKvStore, type KvStoreOptions, type KvTrackingStore } from "./store/kv/mod.ts";
import { commitLimitsFor } from "./store/kv/commit_limits.ts";
import { SchemaTooNewError } from "./store/kv/schema.ts";
import { runMigrate } from "./store/ops/migrate.ts";
import { gcOptionsFromFlags, runGc } from "./store/ops/gc.ts";
import { type AdminCredentials, ensureAdmin } from "./store/auth/bootstrap.ts";
import { createKvAuthStore } from "./store/auth/kv/mod.ts";
import { createCachedAuthStore, DEFAULT_AUTH_CACHE_TTL_MS } from "./store/auth/cached.ts";
import { isPermission, type Permission, PERMISSIONS } from "./store/auth/types.ts";
import { createLocalArtifactRepository } from "./artifacts/local.ts";
import { SettableClock } from "./store/clock.ts";
import { readMlflowStore } from "./store/import/mlflow.ts";
import { exportRecords } from "./store/ops/export.ts";
import { readExportFile, writeExportFile } from "./store/ops/export_file.ts";
import type { ImportWarning } from "./store/ops/export_format.ts";
import { importRecords } from "./store/ops/import.ts";
import { countsLine, remapLines, warningLines } from "./store/ops/import_report.ts";

/** The default port, MLflow's. */
export const DEFAULT_PORT = 5000;
/** The default KV file, beside MLflow's own `./mlruns` default. */
export const DEFAULT_KV_PATH = "./mlruns.kv";
/** Where proxied artifacts go by default, as with `mlflow server`. */
export const DEFAULT_ARTIFACTS_DESTINATION = "./mlartifacts";
/** New experiments' artifact root by default: the proxy, so clients upload through kvflow. */
export const DEFAULT_ARTIFACT_ROOT = "mlflow-artifacts:/";
/** The level on resources a user holds no grant on, by default: MLflow's `default_permission`. */
export const DEFAULT_PERMISSION: Permission = "READ";
/** The one `--app-name` kvflow knows: MLflow's basic-auth app, i.e. `--auth`. */
export const AUTH_APP_NAME = "basic-auth";

/** Everything `main.ts` needs to start, after flags and environment are merged. */
export interface Config {
  /** Interface to bind, e.g. `127.0.0.1` or `0.0.0.0`. */
  host: string;
  /** TCP port; 0 asks the OS for a free one. */
  port: number;
  /**
   * The argument for `Deno.openKv`: a file path, `:memory:`, or a KV Connect URL. `undefined`
   * means `Deno.openKv()` with no argument, the managed database on Deno Deploy.
   */
  kvPath: string | undefined;
  /**
   * Extra `Host` header values the app accepts (`name`, `name:port`, `*.suffix`, `*`);
   * `undefined` keeps the app's defaults (loopback and private addresses).
   */
  allowedHosts: string[] | undefined;
  /**
   * Where the artifact proxy stores files: a directory path (or `file:` URL) or
   * `s3://bucket/prefix`. Read only when {@linkcode Config.serveArtifacts} is on.
   */
  artifactsDestination: string;
  /** The artifact root new experiments get (`<root>/<experiment id>`), handed to the store. */
  defaultArtifactRoot: string;
  /** Serve the artifact proxy (`--serve-artifacts`, the default) or not (`--no-serve-artifacts`). */
  serveArtifacts: boolean;
  /** Serve only the artifact routes; the tracking API answers 503. */
  artifactsOnly: boolean;
  /**
   * Milliseconds a request body may go without a byte before the request is answered 408 and its
   * connection closed (JSON bodies, `upload-artifact` and artifact PUTs).
   */
  bodyIdleTimeoutMs: number;
  /**
   * Milliseconds a whole JSON or `upload-artifact` body may take to arrive before the request is
   * answered 408 (artifact PUTs, of any size, have only the idle timeout).
   */
  bodyTimeoutMs: number;
  /**
   * Require credentials on every route but `/health`, static assets and the login page
   * (`--auth`, `--app-name basic-auth`, `KVFLOW_AUTH`); always on on Deno Deploy.
   */
  auth: boolean;
  /** MLflow's `default_permission`: the level a user has on anything without a grant. */
  defaultPermission: Permission;
  /**
   * The admin account made sure of on start (`KVFLOW_ADMIN_USERNAME`, `KVFLOW_ADMIN_PASSWORD`),
   * or `undefined` when neither variable is set.
   */
  admin: AdminCredentials | undefined;
  /**
   * How long this process trusts a cached credential check or grant (store/auth/cached.ts): what
   * a change made through another process or isolate may take to hold here. 0 caches nothing.
   */
  authCacheTtlMs: number;
  /**
   * Serve Prometheus metrics at `/metrics` (`--expose-prometheus`, MLflow's flag;
   * `KVFLOW_EXPOSE_PROMETHEUS`). MLflow's directory argument is accepted and ignored.
   */
  exposePrometheus: boolean;
  /** The request log's format (`--log-format`, `KVFLOW_LOG_FORMAT`): `text` or `json`. */
  logFormat: LogFormat;
  /** `--help` was given: print {@linkcode USAGE} and exit. */
  help: boolean;
}

/**
 * The longest `--auth-cache-ttl`: a revocation made through another process must hold within a
 * minute whatever the operator sets.
 */
export const MAX_AUTH_CACHE_TTL_MS = 60_000;

/** A bad flag or environment value; `main.ts` prints the message and exits with code 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The text `--help` prints. */
export const USAGE = `Usage: deno task start [options]

kvflow: an MLflow-Tracking-compatible server on Deno KV.

Options (flag > environment variable > default):
  --host <addr>                KVFLOW_HOST            interface to bind (default 127.0.0.1)
  --port <n>                   KVFLOW_PORT, PORT      port; 0 picks a free one (default ${DEFAULT_PORT})
  --backend-store-uri <uri>    MLFLOW_BACKEND_STORE_URI
                               a KV file path, file: URL, :memory:, or a KV Connect URL
                               (http(s)://…, token in DENO_KV_ACCESS_TOKEN)
                               (default ${DEFAULT_KV_PATH}; on Deno Deploy the project's database;
                               with DENO_KV_DEFAULT_PATH set, the database it names)
  --allowed-hosts <a,b,…>      KVFLOW_ALLOWED_HOSTS   extra Host header values to accept
                               (name, name:port, *.suffix, or * for any; default: loopback and
                               private addresses only; on Deno Deploy: *)
  --artifacts-destination <uri>
                               MLFLOW_ARTIFACTS_DESTINATION
                               where proxied artifacts are stored: a directory, s3://bucket/prefix,
                               wasbs://container@account.blob.core.windows.net/prefix or
                               gs://bucket/prefix (default ${DEFAULT_ARTIFACTS_DESTINATION}; credentials
                               from AWS_*, AZURE_STORAGE_* or GOOGLE_CLOUD_STORAGE_HMAC_* variables;
                               on Deno Deploy a remote store is required)
  --default-artifact-root <uri>
                               MLFLOW_DEFAULT_ARTIFACT_ROOT
                               artifact root of new experiments (default ${DEFAULT_ARTIFACT_ROOT})
  --serve-artifacts, --no-serve-artifacts
                               MLFLOW_SERVE_ARTIFACTS (true/false)
                               serve the artifact proxy (default: on)
  --artifacts-only             MLFLOW_ARTIFACTS_ONLY (true/false)
                               serve only the artifact routes (default: off)
  --body-idle-timeout <s>      KVFLOW_BODY_IDLE_TIMEOUT
                               seconds a request body may send nothing before the request is
                               answered 408 and closed (default ${
  DEFAULT_BODY_IDLE_TIMEOUT_MS / 1000
})
  --body-timeout <s>           KVFLOW_BODY_TIMEOUT
                               seconds a whole JSON or upload-artifact body may take to arrive
                               (default ${DEFAULT_BODY_TIMEOUT_MS / 1000})
  --auth, --no-auth            KVFLOW_AUTH (true/false)
                               require a user name and password or an API token (default: off;
                               always on on Deno Deploy); --app-name ${AUTH_APP_NAME} is the same
  --default-permission <level> KVFLOW_DEFAULT_PERMISSION
                               what a user may do where they hold no grant:
                               ${PERMISSIONS.join(", ")} (default ${DEFAULT_PERMISSION})
                               KVFLOW_ADMIN_USERNAME, KVFLOW_ADMIN_PASSWORD
                               the admin account: created on start if missing, made an admin if
                               not one (its password is never changed); required on Deno Deploy,
                               and with --auth while the store has no users
  --auth-cache-ttl <s>         KVFLOW_AUTH_CACHE_TTL
                               seconds a process trusts a checked credential or grant: how long a
                               change made through another process may take to hold here; 0 turns
                               the cache off (default ${
  DEFAULT_AUTH_CACHE_TTL_MS / 1000
}, at most ${MAX_AUTH_CACHE_TTL_MS / 1000})
  --expose-prometheus [dir]    KVFLOW_EXPOSE_PROMETHEUS (true/false)
                               serve Prometheus metrics at /metrics (admins only with auth;
                               default: off); MLflow's directory argument is accepted and ignored:
                               each process counts in memory
  --log-format <text|json>     KVFLOW_LOG_FORMAT
                               the request log's format on stdout, one line per request
                               (default text)
  -h, --help                   print this help
`;

/** The flags of `deno task start`, which every operations command takes too. */
const SERVER_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  "backend-store-uri": { type: "string" },
  "allowed-hosts": { type: "string" },
  "artifacts-destination": { type: "string" },
  "default-artifact-root": { type: "string" },
  "serve-artifacts": { type: "boolean" },
  "artifacts-only": { type: "boolean" },
  "body-idle-timeout": { type: "string" },
  "body-timeout": { type: "string" },
  auth: { type: "boolean" },
  "app-name": { type: "string" },
  "default-permission": { type: "string" },
  "auth-cache-ttl": { type: "string" },
  "expose-prometheus": { type: "boolean" },
  "log-format": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

/** Environment variables as `parseConfig` sees them; `Deno.env.toObject()` fits. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Merges command-line flags and environment variables into a {@linkcode Config}. Pure: reads
 * nothing but its arguments, so tests can call it directly.
 *
 * Precedence is flag, then kvflow's variable, then the generic one (`PORT`, which hosting
 * platforms set), then the default. `DENO_DEPLOYMENT_ID` (set on Deno Deploy) switches the default
 * store to the platform's database and the default allowed hosts to any (`*`), and forces auth on.
 * `DENO_KV_DEFAULT_PATH` (Deno's own variable for `Deno.openKv()`'s database) also switches the
 * default store to `Deno.openKv()`.
 *
 * `--serve-artifacts` / `--no-serve-artifacts` may both appear; the last one wins (as for
 * `--auth` / `--no-auth`).
 *
 * @throws {ConfigError} on an unknown flag, a missing flag value, a bad port, a timeout that is
 *   not a positive number of seconds, an unsupported
 *   backend store URI scheme, a boolean variable that is not true/false, `--artifacts-only`
 *   together with `--no-serve-artifacts`, an `--app-name` other than `basic-auth`, an unknown
 *   permission level, a `--log-format` other than text or json, only one of the two admin
 *   variables, or on Deno Deploy auth turned off,
 *   the admin variables missing, or a local artifact destination (a path or `file:` URL,
 *   including the `./mlartifacts` default) while artifacts are served.
 *
 * @example
 * ```ts
 * const cfg = parseConfig(["--port", "0"], { KVFLOW_HOST: "0.0.0.0" });
 * // { host: "0.0.0.0", port: 0, kvPath: "./mlruns.kv", allowedHosts: undefined,
 * //   artifactsDestination: "./mlartifacts", defaultArtifactRoot: "mlflow-artifacts:/",
 * //   serveArtifacts: true, artifactsOnly: false, bodyIdleTimeoutMs: 60000,
 * //   bodyTimeoutMs: 300000, auth: false, defaultPermission: "READ", admin: undefined,
 * //   authCacheTtlMs: 2000, exposePrometheus: false, logFormat: "text", help: false }
 * ```
 */
export function parseConfig(args: string[], env: Env): Config {
  let values;
  try {
    ({ values } = parseArgs({
      args: dropPrometheusDir(args),
      options: SERVER_OPTIONS,
      strict: true,
      allowPositionals: false,
      // `--no-serve-artifacts`, MLflow's spelling (and `--no-auth`); the last of a pair wins.
      allowNegative: true,
    }));
  } catch (err) {
    // node:util's messages are already specific ("Unknown option '--prot'"); only rebrand them.
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }

  const host = pick(values.host, env.KVFLOW_HOST) ?? "127.0.0.1";
  const portText = pick(values.port, env.KVFLOW_PORT, env.PORT);
  const uri = pick(values["backend-store-uri"], env.MLFLOW_BACKEND_STORE_URI);
  const hosts = pick(values["allowed-hosts"], env.KVFLOW_ALLOWED_HOSTS);
  const serveArtifacts = values["serve-artifacts"] ??
    parseBool("MLFLOW_SERVE_ARTIFACTS", env.MLFLOW_SERVE_ARTIFACTS) ?? true;
  const artifactsOnly = values["artifacts-only"] ??
    parseBool("MLFLOW_ARTIFACTS_ONLY", env.MLFLOW_ARTIFACTS_ONLY) ?? false;
  const bodyIdle = pick(values["body-idle-timeout"], env.KVFLOW_BODY_IDLE_TIMEOUT);
  const bodyTotal = pick(values["body-timeout"], env.KVFLOW_BODY_TIMEOUT);
  if (artifactsOnly && !serveArtifacts) {
    throw new ConfigError("--artifacts-only cannot be combined with --no-serve-artifacts");
  }
  const auth = parseAuth(values.auth, values["app-name"], env);
  const artifactsDestination =
    pick(values["artifacts-destination"], env.MLFLOW_ARTIFACTS_DESTINATION) ??
      DEFAULT_ARTIFACTS_DESTINATION;
  if (
    env.DENO_DEPLOYMENT_ID && serveArtifacts && isLocalArtifactDestination(artifactsDestination)
  ) {
    // Deploy's file system is read-only: every upload would fail (NotCapable) long after start.
    throw new ConfigError(
      `On Deno Deploy artifacts cannot be stored on local disk ("${artifactsDestination}"): set ` +
        "MLFLOW_ARTIFACTS_DESTINATION=s3://bucket/prefix (with AWS_ACCESS_KEY_ID, " +
        "AWS_SECRET_ACCESS_KEY and, for a non-AWS store, MLFLOW_S3_ENDPOINT_URL), " +
        "wasbs://container@account.blob.core.windows.net/prefix (with " +
        "AZURE_STORAGE_CONNECTION_STRING) or gs://bucket/prefix (with " +
        "GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID and GOOGLE_CLOUD_STORAGE_HMAC_SECRET) in the " +
        "project's environment variables, or MLFLOW_SERVE_ARTIFACTS=false (--no-serve-artifacts) " +
        "to not serve artifacts.",
    );
  }
  const permissionText = pick(values["default-permission"], env.KVFLOW_DEFAULT_PERMISSION);
  const authCacheTtl = pick(values["auth-cache-ttl"], env.KVFLOW_AUTH_CACHE_TTL);
  const logFormat = pick(values["log-format"], env.KVFLOW_LOG_FORMAT) ?? "text";
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new ConfigError(
      `Invalid --log-format "${logFormat}": expected ${LOG_FORMATS.join(" or ")}`,
    );
  }
  return {
    host,
    port: portText === undefined ? DEFAULT_PORT : parsePort(portText),
    // `DENO_KV_DEFAULT_PATH` is where Deno itself sends `Deno.openKv()`: whoever sets it means
    // that database (a KV Connect URL, as on Deploy), not kvflow's default file.
    kvPath: uri === undefined
      ? (env.DENO_DEPLOYMENT_ID || env.DENO_KV_DEFAULT_PATH ? undefined : DEFAULT_KV_PATH)
      : parseBackendStoreUri(uri),
    // A Deploy app is reached by its public name, which the app cannot know; the Host check
    // guards local servers against DNS rebinding, so there it would only block every request.
    allowedHosts: hosts !== undefined
      ? splitList(hosts)
      : (env.DENO_DEPLOYMENT_ID ? ["*"] : undefined),
    artifactsDestination,
    defaultArtifactRoot: pick(values["default-artifact-root"], env.MLFLOW_DEFAULT_ARTIFACT_ROOT) ??
      DEFAULT_ARTIFACT_ROOT,
    serveArtifacts,
    artifactsOnly,
    bodyIdleTimeoutMs: bodyIdle === undefined
      ? DEFAULT_BODY_IDLE_TIMEOUT_MS
      : parseSeconds("--body-idle-timeout", bodyIdle),
    bodyTimeoutMs: bodyTotal === undefined
      ? DEFAULT_BODY_TIMEOUT_MS
      : parseSeconds("--body-timeout", bodyTotal),
    auth: auth.on,
    defaultPermission: permissionText === undefined
      ? DEFAULT_PERMISSION
      : parsePermission(permissionText),
    admin: auth.admin,
    authCacheTtlMs: authCacheTtl === undefined
      ? DEFAULT_AUTH_CACHE_TTL_MS
      : parseCacheTtl(authCacheTtl),
    exposePrometheus: values["expose-prometheus"] ??
      parseBool("KVFLOW_EXPOSE_PROMETHEUS", env.KVFLOW_EXPOSE_PROMETHEUS) ?? false,
    logFormat: logFormat as LogFormat,
    help: values.help ?? false,
  };
}

/**
 * Whether auth is on, and the admin account to make sure of. Flags win over `KVFLOW_AUTH`. On
 * Deno Deploy the server faces the internet, so auth cannot be turned off there and the admin
 * variables are required: without them nobody could ever log in.
 */
function parseAuth(
  flag: boolean | undefined,
  appName: string | undefined,
  env: Env,
): { on: boolean; admin: AdminCredentials | undefined } {
  if (appName !== undefined && appName.trim() !== AUTH_APP_NAME) {
    throw new ConfigError(
      `Unsupported --app-name "${appName}": kvflow has only "${AUTH_APP_NAME}" (the same as --auth)`,
    );
  }
  if (appName !== undefined && flag === false) {
    throw new ConfigError(`--app-name ${AUTH_APP_NAME} cannot be combined with --no-auth`);
  }
  const explicit = flag ?? (appName !== undefined ? true : undefined) ??
    parseBool("KVFLOW_AUTH", env.KVFLOW_AUTH);
  const onDeploy = Boolean(env.DENO_DEPLOYMENT_ID);
  if (onDeploy && explicit === false) {
    throw new ConfigError(
      `Auth cannot be turned off on Deno Deploy (${
        flag === false ? "--no-auth" : `KVFLOW_AUTH=${env.KVFLOW_AUTH}`
      }): the server is on the public internet. Remove that setting.`,
    );
  }

  const username = pick(env.KVFLOW_ADMIN_USERNAME);
  // Not trimmed: spaces may be part of a password. Empty counts as unset.
  const password = env.KVFLOW_ADMIN_PASSWORD || undefined;
  const missing = [
    ...(username === undefined ? ["KVFLOW_ADMIN_USERNAME"] : []),
    ...(password === undefined ? ["KVFLOW_ADMIN_PASSWORD"] : []),
  ];
  if (missing.length === 1) {
    const [set] = ["KVFLOW_ADMIN_USERNAME", "KVFLOW_ADMIN_PASSWORD"].filter((v) =>
      v !== missing[0]
    );
    throw new ConfigError(`${set} is set but ${missing[0]} is not: set both, or neither`);
  }
  if (onDeploy && missing.length === 2) {
    throw new ConfigError(
      "On Deno Deploy auth is always on and kvflow needs its admin account: set " +
        "KVFLOW_ADMIN_USERNAME and KVFLOW_ADMIN_PASSWORD (at least 12 characters) in the " +
        "project's environment variables. There is no default password.",
    );
  }
  return {
    on: onDeploy || (explicit ?? false),
    admin: username !== undefined && password !== undefined ? { username, password } : undefined,
  };
}

/** A permission level, in any case (`read` is `READ`). */
function parsePermission(text: string): Permission {
  const upper = text.toUpperCase();
  if (!isPermission(upper)) {
    throw new ConfigError(
      `Invalid --default-permission "${text}": expected one of ${PERMISSIONS.join(", ")}`,
    );
  }
  return upper;
}

/** Whether `host` only accepts connections from this machine. */
function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * What the server warns about on start (stderr, not an error): listening beyond this machine
 * without auth, and admin variables that have no effect because auth is off.
 * @example
 * ```ts
 * startupWarnings(parseConfig(["--host", "0.0.0.0"], {}));
 * // ["kvflow: WARNING: listening on 0.0.0.0 without authentication: …"]
 * ```
 */
export function startupWarnings(config: Config): string[] {
  if (config.auth) return [];
  const warnings: string[] = [];
  if (!isLoopbackHost(config.host)) {
    warnings.push(
      `kvflow: WARNING: listening on ${config.host} without authentication: anyone who can ` +
        "reach this address can read, change and delete every experiment, run, model and " +
        "artifact. Start with --auth (and KVFLOW_ADMIN_USERNAME, KVFLOW_ADMIN_PASSWORD), or " +
        "bind to 127.0.0.1.",
    );
  }
  if (config.admin !== undefined) {
    warnings.push(
      "kvflow: KVFLOW_ADMIN_USERNAME and KVFLOW_ADMIN_PASSWORD are ignored: auth is off " +
        "(start with --auth or KVFLOW_AUTH=true to use them).",
    );
  }
  return warnings;
}

/**
 * `args` without the directory MLflow's `--expose-prometheus DIR` takes (`--expose-prometheus=DIR`
 * and `--expose-prometheus DIR` become `--expose-prometheus`): kvflow counts in memory, per
 * process, so it has no use for it. A following argument that starts with `-` is the next flag.
 */
function dropPrometheusDir(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (a.startsWith("--expose-prometheus=")) {
      out.push("--expose-prometheus");
      continue;
    }
    out.push(a);
    if (a === "--expose-prometheus" && i + 1 < args.length && !args[i + 1].startsWith("-")) i++;
  }
  return out;
}

/** The first non-empty value: an empty env var (`PORT=`) counts as unset, as shells treat it. */
function pick(...candidates: (string | undefined)[]): string | undefined {
  return candidates.find((v) => v !== undefined && v.trim() !== "")?.trim();
}

/** A boolean variable: `true`/`false`, `1`/`0`, `yes`/`no` in any case; unset is `undefined`. */
function parseBool(name: string, text: string | undefined): boolean | undefined {
  const value = pick(text)?.toLowerCase();
  if (value === undefined) return undefined;
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new ConfigError(`Invalid ${name} "${text}": expected true or false`);
}

/** A timeout in seconds (fractions allowed, so tests can use short ones), as milliseconds. */
function parseSeconds(name: string, text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0) || seconds > 86_400) {
    throw new ConfigError(
      `Invalid ${name} "${text}": expected seconds, more than 0 and at most 86400`,
    );
  }
  return Math.round(seconds * 1000);
}

/** The auth cache's TTL in seconds: 0 (off) up to {@linkcode MAX_AUTH_CACHE_TTL_MS}. */
function parseCacheTtl(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds * 1000 > MAX_AUTH_CACHE_TTL_MS) {
    throw new ConfigError(
      `Invalid --auth-cache-ttl "${text}": expected seconds, from 0 to ${
        MAX_AUTH_CACHE_TTL_MS / 1000
      }`,
    );
  }
  return Math.round(seconds * 1000);
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new ConfigError(`Invalid port "${text}": expected an integer from 0 to 65535`);
  }
  return Number(text);
}

/**
 * Maps MLflow's `--backend-store-uri` onto `Deno.openKv`'s argument. Other MLflow schemes
 * (`sqlite:`, `postgresql:`, …) are refused loudly rather than being taken for a file name.
 */
function parseBackendStoreUri(uri: string): string {
  if (uri === ":memory:") return uri;
  // Two or more letters before the colon, so a Windows drive (`C:\…`) stays a path.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return uri;
  if (scheme === "http" || scheme === "https") return uri;
  if (scheme === "file") {
    try {
      return fileURLToPath(uri);
    } catch (err) {
      throw new ConfigError(`Invalid backend store URI "${uri}": ${(err as Error).message}`);
    }
  }
  throw new ConfigError(
    `Unsupported backend store URI "${uri}": use a KV file path, file: URL, :memory:, or an http(s) KV Connect URL`,
  );
}

function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** `http://host:port`, bracketing IPv6 literals so the printed URL can be pasted. */
function listenUrl(hostname: string, port: number): string {
  return `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

/** What the startup line calls the store; the KV Connect token never appears in the URL. */
function describeStore(kvPath: string | undefined): string {
  return kvPath ?? "Deno KV (platform default)";
}

/** What the startup line says about auth. */
function describeAuth(config: Config): string {
  return config.auth ? `on, default permission ${config.defaultPermission}` : "off";
}

/** What the startup line says about artifacts. */
function describeArtifacts(config: Config): string {
  if (!config.serveArtifacts) return "not served";
  return `${config.artifactsDestination}${config.artifactsOnly ? ", artifacts only" : ""}`;
}

/**
 * What an operations command gets: the store flags merged like the server's, the KV database they
 * name, and the tracking store and artifact repository over it, opened only when asked for (so
 * `migrate` can look at a database the store would refuse to open).
 */
export interface CommandContext {
  config: Config;
  kv: Deno.Kv;
  /**
   * The tracking store over {@linkcode CommandContext.kv}, opened on first call (`now`, the
   * entity clock, is for `import`, which pins it to recorded times).
   */
  openStore(opts?: Pick<KvStoreOptions, "now">): Promise<KvTrackingStore>;
  /** The artifact repository of `--artifacts-destination`; undefined with `--no-serve-artifacts`. */
  artifacts: ArtifactRepository | undefined;
}

/** An operations command: `deno task <name> [store flags] [its flags]` (design.md §17). */
export interface Command {
  /** One line for `--help`. */
  summary: string;
  /** Its own flags' help text, printed under the store flags'. */
  usage: string;
  /** Its own flags (`node:util` parseArgs options); the server's flags are added to them. */
  options: ParseArgsOptionsConfig;
  /** Whether it takes positional arguments (`import FILE`). */
  positionals?: boolean;
  /**
   * Does the work; progress goes to stderr, results to stdout. Returns the exit code.
   *
   * @throws {ConfigError} on a bad flag value (printed with exit code 2).
   */
  run(
    ctx: CommandContext,
    values: Record<string, string | boolean | string[] | undefined>,
    positionals: string[],
  ): Promise<number>;
}

/**
 * The `--artifacts <dir>` of `export` and `import`: copying artifacts needs the artifact
 * destination, which `--no-serve-artifacts` leaves unopened.
 *
 * @throws {ConfigError} when a directory is given without a destination.
 */
function artifactsDirFlag(
  ctx: CommandContext,
  values: Record<string, string | boolean | string[] | undefined>,
): string | undefined {
  const dir = values.artifacts;
  if (typeof dir !== "string") return undefined;
  if (!ctx.artifacts) {
    throw new ConfigError("--artifacts needs the artifact destination (not --no-serve-artifacts)");
  }
  return dir;
}

/** The operations commands, by name; `deno task <name>` runs `main.ts <name>`. */
export const COMMANDS: Record<string, Command> = {
  migrate: {
    summary:
      "Brings the store's schema up to date (MLflow's db upgrade); the server also does at start.",
    usage:
      "Options:\n  --dry-run   Print the schema version, this kvflow's and the pending migrations; change nothing",
    options: { "dry-run": { type: "boolean" } },
    // On the raw database: the store would refuse a newer schema before this could report it.
    run: (ctx, values) =>
      runMigrate(ctx.kv, {
        limits: storeOptions(ctx.config).commitLimits!,
        dryRun: values["dry-run"] === true,
        where: describeStore(ctx.config.kvPath),
        out: (line) => console.log(line),
        progress: (line) => console.error(`kvflow migrate: ${line}`),
      }),
  },
  export: {
    summary: "Writes the store (or some experiments) to a gzip'd JSONL file, streaming; " +
      "--artifacts also copies the proxied artifacts.",
    usage: `  --out <file.jsonl.gz>      Where to write (required; replaced if it exists)
  --experiment-ids <a,b>     Only these experiments, their runs and logged models (no registry)
  With --auth (or KVFLOW_AUTH), users (with password hashes) and grants are exported too.
  --artifacts <dir>          Also copy each run's and logged model's artifacts from the
                             artifacts destination into <dir> (<exp>/<run>/artifacts/…)`,
    options: {
      out: { type: "string" },
      "experiment-ids": { type: "string" },
      artifacts: { type: "string" },
    },
    async run(ctx, values) {
      const out = values.out;
      if (typeof out !== "string" || out === "") throw new ConfigError("--out <file> is required");
      const ids = typeof values["experiment-ids"] === "string"
        ? splitList(values["experiment-ids"])
        : undefined;
      const dir = artifactsDirFlag(ctx, values);
      const store = await ctx.openStore();
      const lines = await writeExportFile(
        out,
        exportRecords(store, {
          experimentIds: ids,
          artifacts: dir === undefined
            ? undefined
            : { from: ctx.artifacts!, to: createLocalArtifactRepository({ rootDir: dir }) },
          authStore: ctx.config.auth ? createKvAuthStore(ctx.kv) : undefined,
          onProgress: (line) => console.error(line),
          onWarning: (subject, message) => console.error(`warning: ${subject}: ${message}`),
        }),
      );
      console.log(`exported ${lines} records to ${out}`);
      return 0;
    },
  },
  import: {
    summary: "Imports a kvflow export file (or, with --from-mlflow, an MLflow store), keeping " +
      "ids, names and times where free. An id the store already holds gets a new one; an " +
      "experiment whose name exists (active) is merged into it; a registered model or a " +
      "deleted experiment's name that is taken gets ' (imported)'. Every changed id is printed.",
    usage: `  <file.jsonl.gz>            The export to read (from deno task export)
  --from-mlflow <uri>        Read an MLflow store instead: sqlite:///path/mlflow.db or ./mlruns
                             (files a client kept on local disk, without a server, are copied
                             when inside the store, <dir> or the mlruns/ beside the database)
  --artifacts <dir>          Copy artifacts from <dir> (the layout export --artifacts writes)
                             into the artifacts destination, at their (remapped) places
  With --auth (or KVFLOW_AUTH), users and grants are imported; without, they are skipped.`,
    options: { artifacts: { type: "string" }, "from-mlflow": { type: "string" } },
    positionals: true,
    async run(ctx, values, positionals) {
      const fromMlflow = values["from-mlflow"];
      if (typeof fromMlflow === "string" ? positionals.length > 0 : positionals.length !== 1) {
        throw new ConfigError("give one export file, or --from-mlflow <uri> without a file");
      }
      const dir = artifactsDirFlag(ctx, values);
      const warnings: ImportWarning[] = [];
      const records = typeof fromMlflow === "string"
        ? readMlflowStore(fromMlflow, {
          onWarning: (w) => warnings.push(w),
          artifactsDir: dir,
        })
        : readExportFile(positionals[0]);
      const clock = new SettableClock();
      const store = await ctx.openStore({ now: clock.now });
      const result = await importRecords(store, records, {
        clock,
        artifactsDir: dir,
        artifacts: ctx.artifacts,
        authStore: ctx.config.auth ? createKvAuthStore(ctx.kv) : undefined,
        trustArtifactSources: typeof fromMlflow === "string",
        onProgress: (line) => console.error(line),
      });
      for (const line of remapLines(result)) console.log(line);
      for (const line of warningLines([...warnings, ...result.warnings])) console.log(line);
      console.log(countsLine("imported", result.counts));
      return 0;
    },
  },
  gc: {
    summary: "Permanently deletes deleted runs, experiments and logged models with their " +
      "artifacts (MLflow's gc).",
    usage: `  --older-than T        only what was deleted at least T ago (#d#h#m#s: 30d, 1h30m, 45s)
  --experiment-ids A,B  only these deleted experiments (with their runs and models)
  --run-ids X,Y         only these deleted runs
  --dry-run             list what would be purged; purge nothing`,
    options: {
      "older-than": { type: "string" },
      "experiment-ids": { type: "string" },
      "run-ids": { type: "string" },
      "dry-run": { type: "boolean" },
    },
    async run(ctx, values) {
      let opts;
      try {
        opts = gcOptionsFromFlags(values);
      } catch (e) {
        throw new ConfigError(e instanceof Error ? e.message : String(e));
      }
      const progress = (line: string) => console.error(line);
      const result = await runGc(await ctx.openStore(), ctx.artifacts, {
        ...opts,
        onProgress: progress,
      });
      console.log(JSON.stringify(result));
      return 0;
    },
  },
};

/**
 * Splits a command's arguments into the server flags (merged by {@linkcode parseConfig}) and the
 * command's own flags and positionals.
 *
 * @throws {ConfigError} on an unknown flag or a missing value.
 */
export function parseCommandArgs(
  command: Command,
  args: string[],
  env: Env,
): {
  config: Config;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
} {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...SERVER_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: command.positionals ?? false,
      allowNegative: true,
      tokens: true,
    });
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  const serverArgs: string[] = [];
  const values: Record<string, string | boolean | string[] | undefined> = {};
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    // A negated flag's token is named `no-<flag>`.
    const name = token.name in SERVER_OPTIONS || token.name in command.options
      ? token.name
      : token.name.replace(/^no-/, "");
    if (name in SERVER_OPTIONS && !(name in command.options)) {
      serverArgs.push(token.rawName, ...(token.value === undefined ? [] : [token.value]));
    }
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (name in command.options || name === "help") values[name] = value;
  }
  return { config: parseConfig(serverArgs, env), values, positionals: parsed.positionals };
}

/** Opens the KV database a config names, creating a local file's parent directory first. */
async function openDatabase(kvPath: string | undefined): Promise<Deno.Kv> {
  // MLflow creates its store directory on first use; a KV file's parent must exist first.
  if (kvPath !== undefined && kvPath !== ":memory:" && !/^https?:/i.test(kvPath)) {
    await Deno.mkdir(dirname(kvPath), { recursive: true });
  }
  return await Deno.openKv(kvPath);
}

/** The store options the server and every command use for a config. */
function storeOptions(config: Config): KvStoreOptions {
  return {
    defaultArtifactRoot: config.defaultArtifactRoot,
    // Without a path, Deno.openKv() opens the platform's database or DENO_KV_DEFAULT_PATH.
    commitLimits: commitLimitsFor(config.kvPath ?? Deno.env.get("DENO_KV_DEFAULT_PATH")),
    onMigrationProgress: (line) => console.error(`kvflow: ${line}`),
  };
}

/** Runs `main.ts <command> …`; returns the exit code. */
async function runCommand(name: string, command: Command, args: string[]): Promise<number> {
  const env = Deno.env.toObject();
  let parsed;
  try {
    parsed = parseCommandArgs(command, args, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`kvflow ${name}: ${err.message}\nRun with --help for the options.`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(
      `Usage: deno task ${name} [options]\n\n${command.summary}\n\n${command.usage}\n` +
        `It also takes the store options of deno task start (--backend-store-uri, ` +
        `--artifacts-destination, …) and their variables.`,
    );
    return 0;
  }
  addLogSecrets([env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.DENO_KV_ACCESS_TOKEN]);
  const { config } = parsed;
  let artifacts: ArtifactRepository | undefined;
  let kv: Deno.Kv;
  try {
    artifacts = config.serveArtifacts
      ? openArtifactRepository(config.artifactsDestination, env)
      : undefined;
    kv = await openDatabase(config.kvPath);
  } catch (err) {
    console.error(`kvflow ${name}: ${err instanceof Error ? err.message : err}`);
    return 1;
  }
  let store: Promise<KvTrackingStore> | undefined;
  const ctx: CommandContext = {
    config,
    kv,
    artifacts,
    openStore: (opts) => store ??= createKvStore(kv, { ...storeOptions(config), ...opts }),
  };
  try {
    return await command.run(ctx, parsed.values, parsed.positionals);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`kvflow ${name}: ${err.message}`);
      return 2;
    }
    if (err instanceof MlflowError) {
      console.error(`kvflow ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    if (store) await (await store.catch(() => undefined))?.stopBackgroundWork();
    kv.close();
  }
}

async function main(): Promise<number> {
  const [first, ...rest] = Deno.args;
  const command = first === undefined
    ? undefined
    : Object.hasOwn(COMMANDS, first)
    ? COMMANDS[first]
    : undefined;
  if (command) return await runCommand(first, command, rest);
  let config: Config;
  try {
    config = parseConfig(Deno.args, Deno.env.toObject());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`kvflow: ${err.message}\nRun with --help for the options.`);
    return 2;
  }
  if (config.help) {
    console.log(USAGE);
    return 0;
  }
  // Credentials no log pattern can recognise: blank them wherever an error quotes them.
  const env = Deno.env.toObject();
  addLogSecrets([
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
    env.DENO_KV_ACCESS_TOKEN,
    env.KVFLOW_ADMIN_PASSWORD,
  ]);

  // Opening the destination only parses it (and reads S3 credentials): nothing touches the disk
  // or the network until the first request, so an S3 destination works on Deno Deploy.
  let artifacts: ArtifactRepository | undefined;
  try {
    artifacts = config.serveArtifacts
      ? openArtifactRepository(config.artifactsDestination, Deno.env.toObject())
      : undefined;
  } catch (err) {
    console.error(
      `kvflow: invalid artifacts destination "${config.artifactsDestination}": ${
        err instanceof Error ? err.message : err
      }`,
    );
    return 2;
  }

  // The version the app reports (createApp's default), shown in kvflow_build_info.
  const metrics = config.exposePrometheus ? createServerMetrics(DEFAULT_VERSION) : undefined;
  // Deno Deploy keeps each console.log call as one log record: there, one call per line.
  const requestLog = env.DENO_DEPLOYMENT_ID
    ? { sink: (line: string) => console.log(line), flush() {} }
    : createBufferedLog();

  const { kvPath } = config;
  let kv: Deno.Kv;
  try {
    kv = await openDatabase(kvPath);
  } catch (err) {
    console.error(`kvflow: cannot open backend store "${describeStore(kvPath)}": ${err}`);
    return 1;
  }
  // Before anything else writes (the admin user too): a newer kvflow's database is refused, an
  // older one migrated, with progress on stderr (Deno Deploy has no shell for deno task migrate).
  let store: KvTrackingStore;
  try {
    store = await createKvStore(kv, { ...storeOptions(config), observer: metrics?.storeObserver });
  } catch (err) {
    if (!(err instanceof SchemaTooNewError)) throw err;
    console.error(`kvflow: the database at ${describeStore(kvPath)} ${err.message}`);
    kv.close();
    return 1;
  }

  let auth: AuthOptions | undefined;
  if (config.auth) {
    const authStore = createCachedAuthStore(createKvAuthStore(kv), {
      ttlMs: config.authCacheTtlMs,
    });
    try {
      const outcome = await ensureAdmin(authStore, config.admin);
      if (outcome === "no-users") {
        console.error(
          "kvflow: auth is on but the store has no users, so nobody could log in. Set " +
            "KVFLOW_ADMIN_USERNAME and KVFLOW_ADMIN_PASSWORD (at least 12 characters) to create " +
            "the admin account; there is no default password.",
        );
        await store.stopBackgroundWork();
        kv.close();
        return 2;
      }
      const name = JSON.stringify(config.admin?.username);
      if (outcome === "created") console.log(`kvflow: created the admin user ${name}`);
      if (outcome === "promoted") console.log(`kvflow: made the existing user ${name} an admin`);
    } catch (err) {
      if (!(err instanceof MlflowError)) throw err;
      // A bad admin name or a short password: the store's message says which.
      console.error(`kvflow: cannot create the admin user: ${err.message}`);
      await store.stopBackgroundWork();
      kv.close();
      return 2;
    }
    auth = { store: authStore, defaultPermission: config.defaultPermission };
  }
  for (const warning of startupWarnings(config)) console.error(warning);

  const app = createApp({
    metrics,
    requestLog: { format: config.logFormat, sink: requestLog.sink },
    auth,
    store,
    artifacts,
    serveArtifacts: config.serveArtifacts,
    artifactsOnly: config.artifactsOnly,
    allowedHosts: config.allowedHosts,
    bodyIdleTimeoutMs: config.bodyIdleTimeoutMs,
    bodyTimeoutMs: config.bodyTimeoutMs,
  });
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    // A closing reply's body fails on purpose (routes/close_connection.ts): not worth a log line.
    // Anything else reaching here escaped the app's own error handler: log it, as the default does.
    onError: (err) => {
      if (!(err instanceof CloseConnection)) console.error("kvflow: unhandled server error:", err);
      return new Response("Internal Server Error", { status: 500 });
    },
    onListen: ({ hostname, port }) => {
      // tests/server_helpers.ts reads this line to learn the port; keep its shape.
      console.log(
        `kvflow listening on ${listenUrl(hostname, port)} (store: ${
          describeStore(kvPath)
        }; artifacts: ${describeArtifacts(config)}; auth: ${describeAuth(config)})`,
      );
    },
  }, async (req, info) =>
    await closeIfBodyUnread(
      req,
      await app.fetch(req, info),
      { idleMs: config.bodyIdleTimeoutMs, totalMs: config.bodyTimeoutMs },
    ));

  // Graceful stop: finish in-flight requests (their store writes included), then close KV so its
  // file is released cleanly. A second signal exits at once; a shutdown stuck on a slow client
  // exits after 10 s.
  let stopping = false;
  const stop = () => {
    if (stopping) Deno.exit(130);
    stopping = true;
    Deno.unrefTimer(setTimeout(() => Deno.exit(1), 10_000));
    server.shutdown();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, stop);
    } catch {
      // Windows has no SIGTERM and some hosts (Deno Deploy) allow no listeners: skip them.
    }
  }

  await server.finished;
  requestLog.flush();
  kv.close();
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main());
}
