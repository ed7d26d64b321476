/**
 * The OpenAPI 3.1 document, built from the route specs. Served at `/openapi.json` by `createApp`
 * and written to `openapi.yaml` by `routes/openapi.ts` (kept apart so neither imports the other in
 * a cycle).
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app_env.ts";

/** The document's fixed header. */
export const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "kvflow",
    version: "2.0",
    description: [
      "An MLflow-Tracking-compatible REST API. Every path under `/api/2.0/` is also served,",
      "unchanged, under `/ajax-api/2.0/` (the prefix MLflow's web UI uses); the mirror is not",
      "listed separately. The exception, as in MLflow: the user, permission and API-token",
      "routes (`users/*`, `experiments/permissions/*`, `registered-models/permissions/*`) exist",
      "only under `/api/2.0/mlflow/`, and only when the server runs with auth. Their replies are",
      "Flask `jsonify` bytes, as MLflow's: compact JSON, keys sorted, a trailing newline.",
      "",
      "Requests: GET endpoints read the query string (a JSON body when there is none); other",
      "methods read a JSON body, and POST requires `Content-Type: application/json`, except the",
      "artifact uploads (`PUT /api/2.0/mlflow-artifacts/artifacts/{artifact_path}` and",
      "`upload-artifact`), whose body is the file's raw bytes of any Content-Type. camelCase",
      'field names, int64 as strings, and doubles as "NaN" / "Infinity" / "-Infinity" are',
      "accepted. Replies omit unset fields and empty lists. Errors are",
      '`{"error_code": "...", "message": "..."}`; an unknown path is 404 and a wrong method 405,',
      "both with `ENDPOINT_NOT_FOUND`. `{artifact_path}` spans several segments",
      "(`1/<run id>/artifacts/dir/a.txt`); every artifact path is checked for traversal.",
    ].join("\n"),
  },
} as const;

type OpenApiDocument = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

/**
 * Builds the document for an app made by `createApp`. Hono's multi-segment parameters
 * (`{artifact_path{.+}}`) are written as plain `{artifact_path}`.
 */
export function buildOpenApiDocument(app: OpenAPIHono<AppEnv>): OpenApiDocument {
  const doc = app.getOpenAPI31Document(OPENAPI_CONFIG);
  const paths = Object.fromEntries(
    Object.entries(doc.paths ?? {}).map((
      [p, item],
    ) => [p.replace(/\{(\w+)\{[^}]*\}\}/g, "{$1}"), item]),
  );
  // A JSON round trip drops `undefined` members so the result equals the parsed YAML file.
  return JSON.parse(JSON.stringify({ ...doc, paths }));
}
