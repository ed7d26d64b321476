/**
 * MLflow's two server modes for artifacts (mlflow-rest.md §5): `--no-serve-artifacts` turns the
 * artifact routes off, `--artifacts-only` turns the tracking routes off. Either way the refused
 * routes answer 503 with a plain-text reason, as MLflow does.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";

/** Options of {@linkcode artifactModes}. */
export interface ArtifactModeOptions {
  /** Serve the artifact routes; default true. Without a repository they are off regardless. */
  serveArtifacts?: boolean;
  /** Serve only the artifact routes (plus `/health`, `/version`); default false. */
  artifactsOnly?: boolean;
}

/**
 * The run- and model-version-addressed artifact routes outside the proxy; the rest of
 * `/api/2.0/mlflow/` is tracking.
 */
const RUN_ARTIFACT_PATHS = new Set([
  "/api/2.0/mlflow/artifacts/list",
  "/api/2.0/mlflow/upload-artifact",
  "/get-artifact",
  "/model-versions/get-artifact",
]);

/** A logged model's artifact routes (`logged-models/{id}/artifacts/...`), model-addressed. */
const MODEL_ARTIFACT_PATH = /^\/api\/2\.0\/mlflow\/logged-models\/[^/]+\/artifacts(\/|$)/;

/** Whether a routing path (the `/ajax-api` mirror already folded onto `/api`) is an artifact route. */
export function isArtifactRoute(path: string): boolean {
  return path === "/api/2.0/mlflow-artifacts" || path.startsWith("/api/2.0/mlflow-artifacts/") ||
    RUN_ARTIFACT_PATHS.has(path) || MODEL_ARTIFACT_PATH.test(path);
}

function isTrackingRoute(path: string): boolean {
  return path.startsWith("/api/2.0/mlflow/") && !RUN_ARTIFACT_PATHS.has(path) &&
    !MODEL_ARTIFACT_PATH.test(path);
}

/** The gate; `hasRepository` is false when `createApp` got no artifact repository. */
export function artifactModes(
  opts: ArtifactModeOptions,
  hasRepository: boolean,
): MiddlewareHandler {
  const serveArtifacts = (opts.serveArtifacts ?? true) && hasRepository;
  const artifactsOnly = opts.artifactsOnly ?? false;
  return async (c, next) => {
    const path = c.req.path;
    if (!serveArtifacts && isArtifactRoute(path)) {
      return c.text(
        `Endpoint ${path} is disabled: this server runs with --no-serve-artifacts ` +
          `(start it with --serve-artifacts and an artifacts destination to enable it)`,
        503,
      );
    }
    if (artifactsOnly && isTrackingRoute(path)) {
      return c.text(
        `Endpoint ${path} is disabled: this server runs with --artifacts-only ` +
          `(start it without --artifacts-only to enable tracking)`,
        503,
      );
    }
    await next();
  };
}
