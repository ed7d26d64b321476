/**
 * The HTTP layer's entry point: `createApp(deps)` builds the Hono app that serves MLflow's
 * tracking REST API. Importing this module has no side effects; `main.ts` wires the deps.
 *
 * @example
 * ```ts
 * const app = createApp({
 *   store: createMemoryStore(),
 *   artifacts: createLocalArtifactRepository({ rootDir: "./mlartifacts" }),
 * });
 * Deno.serve(app.fetch);
 * ```
 *
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { getPath } from "hono/utils/url";
import type { ArtifactRepository } from "../artifacts/types.ts";
import type { TrackingStore } from "../store/types.ts";
import type { AppEnv } from "./app_env.ts";
import { type ArtifactModeOptions, artifactModes } from "./artifact_modes.ts";
import { FULL_ACCESS } from "./auth/access.ts";
import { createCredentialCache } from "./auth/credential_cache.ts";
import { authenticateRequest, type AuthOptions, authorizeRequest } from "./auth/middleware.ts";
import { apiPrefixOnly, AUTH_API_PATTERNS, authApiRoutes } from "./auth_api/mod.ts";
import { decodeRequest, DEFAULT_BODY_IDLE_TIMEOUT_MS } from "./decode.ts";
import { defaultHook, notFound, onError } from "./errors.ts";
import { experiments } from "./experiments/mod.ts";
import { gcRoutes } from "./gc/mod.ts";
import { loggedModelRoutes } from "./logged_models/mod.ts";
import { metrics } from "./metrics/mod.ts";
import { observeRequests, type RequestLogOptions } from "./monitoring/middleware.ts";
import { METRICS_PATH, metricsEndpoint } from "./monitoring/endpoint.ts";
import type { ServerMetrics } from "./monitoring/server_metrics.ts";
import { registryRoutes } from "./registry/mod.ts";
import { mlflowArtifacts } from "./mlflow_artifacts/mod.ts";
import { buildOpenApiDocument } from "./openapi_document.ts";
import { runArtifacts } from "./run_artifacts/mod.ts";
import { modelVersionArtifacts } from "./model_version_artifacts/mod.ts";
import { runs } from "./runs/mod.ts";
import { security, type SecurityOptions } from "./security.ts";
import { server } from "./server/mod.ts";
import {
  type AssetLoader,
  createAssetLoader,
  createUi,
  forbiddenChallenge,
  loginChallenge,
} from "../ui/mod.ts";

/** What `/version` reports by default: ≥3.4, so 3.x clients treat the server as modern. */
export const DEFAULT_VERSION = "3.6.0";

/** Where the tracking endpoints live. */
export const API_PREFIX = "/api/2.0/mlflow";

/** Where the artifact proxy lives. */
export const ARTIFACTS_PREFIX = "/api/2.0/mlflow-artifacts";

/** Dependencies and options of {@linkcode createApp}. */
export interface AppDeps extends SecurityOptions, ArtifactModeOptions {
  store: TrackingStore;
  /**
   * Where proxied artifacts live (`openArtifactRepository`). Without one, every artifact route
   * answers 503 as with `serveArtifacts: false`.
   */
  artifacts?: ArtifactRepository;
  /** The MLflow version `/version` reports; defaults to {@linkcode DEFAULT_VERSION}. */
  version?: string;
  /**
   * How long a request body may go without a byte before the request is answered 408; defaults
   * to {@linkcode DEFAULT_BODY_IDLE_TIMEOUT_MS}.
   */
  bodyIdleTimeoutMs?: number;
  /**
   * How long a whole JSON or `upload-artifact` body may take before the request is answered 408;
   * defaults to {@linkcode DEFAULT_BODY_TIMEOUT_MS}.
   */
  bodyTimeoutMs?: number;
  /**
   * Turns authentication and per-resource permissions on (issue 11). Absent: every request is
   * served without credentials, as before.
   */
  auth?: AuthOptions;
  /**
   * The UI's static files and island bundle (`createAssetLoader()` by default); tests pass one
   * pointed at a bundle that cannot be built.
   */
  assets?: AssetLoader;
  /** Prometheus series to count into and serve at `/metrics`; absent: no `/metrics` route. */
  metrics?: ServerMetrics;
  /** Where request-log lines go, in which format; absent: no request log (tests). */
  requestLog?: RequestLogOptions;
}

/**
 * The `/ajax-api/` mirror, in one place: routing sees `/ajax-api/…` as `/api/…`, so every route
 * and every `/api/*` middleware serves both prefixes.
 */
function routingPath(request: Request): string {
  const path = getPath(request);
  if (!path.startsWith("/ajax-api/")) return path;
  // The one root-level route with an /ajax-api twin (MLflow's UI asks for either).
  if (path === AJAX_MODEL_VERSION_ARTIFACT) return "/model-versions/get-artifact";
  return `/api/${path.slice("/ajax-api/".length)}`;
}

const AJAX_MODEL_VERSION_ARTIFACT = "/ajax-api/2.0/mlflow/model-versions/get-artifact";

const fullAccess = () => Promise.resolve(FULL_ACCESS);

/** Builds the app. See {@linkcode AppDeps} for the options. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const version = deps.version ?? DEFAULT_VERSION;
  const bodyIdleTimeoutMs = deps.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
  // One credential cache for the middleware and the login form, so they share the login limits.
  const auth = deps.auth && { ...deps.auth, cache: deps.auth.cache ?? createCredentialCache() };
  // One asset table for the UI's pages and the login page the middleware answers browsers with.
  const assets = deps.assets ?? createAssetLoader();
  const app = new OpenAPIHono<AppEnv>({ defaultHook, getPath: routingPath });
  app.onError(onError);
  app.notFound(notFound(() => app.routes));
  // First, so every answer (a Host refusal, a 401, a 413, a 404) carries the id and is logged.
  app.use("*", observeRequests({ metrics: deps.metrics, log: deps.requestLog }));
  app.use("*", security(deps));
  app.use("*", artifactModes(deps, deps.artifacts !== undefined));
  app.use("*", async (c, next) => {
    c.set("requestUrl", c.req.url);
    c.set("store", deps.store);
    if (deps.artifacts) c.set("artifacts", deps.artifacts);
    c.set("version", version);
    c.set("bodyIdleTimeoutMs", bodyIdleTimeoutMs);
    c.set("access", fullAccess);
    if (auth) c.set("auth", auth);
    await next();
  });
  // Credentials are checked before any body is read; permissions after decoding, since most
  // resource ids are in the decoded body.
  if (auth) {
    app.use("*", authenticateRequest(auth, { loginPage: loginChallenge(assets) }));
    // Before decoding and authorization: an /ajax-api twin is 404 for every caller, as in MLflow.
    for (const p of AUTH_API_PATTERNS) app.use(`${API_PREFIX}${p}`, apiPrefixOnly);
  }
  // The proxy's PUT bodies are raw bytes of any type, so only its JSON multipart calls are decoded.
  const decoded = [
    `${API_PREFIX}/*`,
    `${ARTIFACTS_PREFIX}/mpu/*`,
    "/get-artifact",
    "/model-versions/get-artifact",
  ];
  for (const path of decoded) {
    app.use(path, decodeRequest({ bodyIdleTimeoutMs, bodyTimeoutMs: deps.bodyTimeoutMs }));
  }
  if (auth) app.use("*", authorizeRequest(auth, { forbiddenPage: forbiddenChallenge(assets) }));
  app.route("/", server);
  if (deps.metrics) app.get(METRICS_PATH, metricsEndpoint(deps.metrics));
  app.route(API_PREFIX, experiments);
  app.route(API_PREFIX, runs);
  app.route(API_PREFIX, metrics);
  app.route(API_PREFIX, loggedModelRoutes);
  app.route(API_PREFIX, registryRoutes);
  app.route(API_PREFIX, gcRoutes);
  // Users, grants and API tokens exist only with auth (issue 11 §2–§4).
  if (auth) app.route(API_PREFIX, authApiRoutes);
  app.route(ARTIFACTS_PREFIX, mlflowArtifacts);
  app.route("/", runArtifacts);
  app.route("/", modelVersionArtifacts);
  app.get("/openapi.json", (c) => c.json(buildOpenApiDocument(app)));
  // The web UI last: its pages (`/`, `/experiments/:id`, `/static/*`) overlap no API path.
  app.route("/", createUi(assets, { auth: auth !== undefined }));
  return app;
}
