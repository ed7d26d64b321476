/**
 * The OpenAPI 3.1 document, built from the route specs. Served at `/openapi.json` by `createApp`
 * and written to `openapi.yaml` by `routes/openapi.ts` (kept apart so neither imports the other in
 * a cycle).
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app_env.ts";
import { SHARED_ERROR_NAMES, SHARED_ERRORS } from "./spec.ts";

/**
 * The tags, one per resource, in the order a reader meets them. Every operation has exactly one
 * (tests/openapi_test.ts checks it).
 */
export const OPENAPI_TAGS = [
  {
    name: "Experiments",
    description: "Experiments: create, get, search, rename, tag, delete, restore, and kvflow's " +
      "key listing and permanent delete.",
  },
  {
    name: "Runs",
    description: "Runs and what is logged to them: metrics, params, tags, inputs, outputs and " +
      "models; search, CSV export, delete, restore and permanent delete.",
  },
  {
    name: "Metrics",
    description: "Metric histories: MLflow's single- and multi-run reads, and kvflow's " +
      "downsampled reads for charts.",
  },
  {
    name: "Artifacts",
    description: "Files of runs and logged models: the artifact proxy (uploads, downloads, " +
      "listings, multipart uploads) and the run-addressed listing, upload and download.",
  },
  {
    name: "Logged models",
    description: "MLflow 3 logged models: create, finalize, get, search, tag, log params, delete.",
  },
  {
    name: "Model registry",
    description: "Registered models and their versions: stages, aliases, tags, search and " +
      "download URIs.",
  },
  {
    name: "Users and permissions",
    description: "MLflow's basic-auth users and permission grants, and kvflow's API tokens; " +
      "served only when the server runs with auth.",
  },
  {
    name: "Server",
    description: "Liveness, the emulated MLflow version, and server-wide garbage collection.",
  },
] as const;

/** An operation's tag: one of {@linkcode OPENAPI_TAGS}. */
export type OpenApiTag = typeof OPENAPI_TAGS[number]["name"];

/**
 * The two ways an API client authenticates when the server runs with auth (`--auth`,
 * `KVFLOW_AUTH=true`, MLflow's `--app-name basic-auth`; always on Deno Deploy). Without auth no
 * operation needs credentials and these are ignored.
 */
export const SECURITY_SCHEMES = {
  basicAuth: {
    type: "http",
    scheme: "basic",
    description: "A user name and password (`MLFLOW_TRACKING_USERNAME` and " +
      "`MLFLOW_TRACKING_PASSWORD` for MLflow's client). An API token also works as its owner's " +
      "password. Needed only when the server runs with auth.",
  },
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "kvflow API token (kvf_…)",
    description: "A kvflow API token, made with `users/tokens/create` or on the web UI's API " +
      "tokens page (`MLFLOW_TRACKING_TOKEN` for MLflow's client). Needed only when the server " +
      "runs with auth.",
  },
} as const;

type OpenApiConfig = Parameters<OpenAPIHono["getOpenAPI31Document"]>[0];

/** The document's fixed header. */
export const OPENAPI_CONFIG: OpenApiConfig = {
  openapi: "3.1.0",
  info: {
    title: "kvflow",
    version: "2.0",
    // The repository states no license.
    license: { name: "UNLICENSED" },
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
      "Besides the errors each operation lists, any operation may answer 500 `INTERNAL_ERROR`",
      "(a bug; the message names the request id, also in `X-Request-Id`), and a write 507",
      "`INSUFFICIENT_STORAGE` when the disk is full.",
      "",
      "Auth: off by default, as with `mlflow server`. When the server runs with auth (`--auth`,",
      "`KVFLOW_AUTH=true` or MLflow's `--app-name basic-auth`; always on Deno Deploy), every",
      "operation but `GET /health` needs HTTP Basic credentials (`basicAuth`) or a kvflow API",
      "token as a Bearer token (`bearerAuth`), and experiments and registered models have",
      "MLflow's per-user permissions. The web UI's `kvflow_session` cookie also authenticates",
      "(its writes need the page's CSRF token); it is meant for the browser, not for API",
      "clients, so it is not listed as a scheme.",
    ].join("\n")
      // One line per paragraph: renderers such as Swagger UI break lines at every newline.
      .split("\n\n").map((p) => p.replaceAll("\n", " ")).join("\n\n"),
  },
  servers: [{ url: "/", description: "The server this document was fetched from" }],
  tags: OPENAPI_TAGS.map((tag) => ({ ...tag })),
  security: [{ basicAuth: [] }, { bearerAuth: [] }],
};

type OpenApiDocument = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;
type Json = Record<string, unknown>;

/**
 * Moves the error replies every operation shares (spec.ts's {@linkcode SHARED_ERRORS}) to
 * `components.responses` and points the operations at them, so each is written once. A reply is
 * shared when its status and description are a shared one's; its generated body is kept as is.
 */
function shareErrorReplies(paths: Record<string, Json>): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item) as { responses?: Record<string, unknown> }[]) {
      for (const [status, reply] of Object.entries(op.responses ?? {})) {
        const key = status as keyof typeof SHARED_ERRORS;
        const shared = SHARED_ERRORS[key] as { description: string } | undefined;
        if (shared === undefined) continue;
        if (shared.description !== (reply as { description?: string }).description) continue;
        const name = SHARED_ERROR_NAMES[key];
        responses[name] ??= reply;
        if (JSON.stringify(responses[name]) !== JSON.stringify(reply)) {
          throw new Error(
            `Two different ${status} replies are described as "${shared.description}"`,
          );
        }
        op.responses![status] = { $ref: `#/components/responses/${name}` };
      }
    }
  }
  // In status order, whatever order the operations met them in.
  return Object.fromEntries(
    Object.entries(SHARED_ERROR_NAMES).flatMap(([, name]) =>
      name in responses ? [[name, responses[name]]] : []
    ),
  );
}

/**
 * Builds the document for an app made by `createApp`. Hono's multi-segment parameters
 * (`{artifact_path{.+}}`) are written as plain `{artifact_path}`; the shared error replies and the
 * security schemes are added under `components`.
 */
export function buildOpenApiDocument(app: OpenAPIHono<AppEnv>): OpenApiDocument {
  // A JSON round trip drops `undefined` members so the result equals the parsed YAML file, and
  // gives a copy that can be changed without touching the registry's objects.
  const doc = JSON.parse(JSON.stringify(app.getOpenAPI31Document(OPENAPI_CONFIG)));
  const paths: Record<string, Json> = Object.fromEntries(
    Object.entries(doc.paths ?? {}).map((
      [p, item],
    ) => [p.replace(/\{(\w+)\{[^}]*\}\}/g, "{$1}"), item as Json]),
  );
  const responses = shareErrorReplies(paths);
  const components = { ...doc.components, responses, securitySchemes: SECURITY_SCHEMES };
  return JSON.parse(JSON.stringify({ ...doc, components, paths }));
}
