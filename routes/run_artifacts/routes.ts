/**
 * Run-addressed artifact specs: `artifacts/list` (mlflow-rest.md §4.3), the UI's `upload-artifact`
 * and `/get-artifact` (§1.1). Paths are absolute because the sub-app is mounted at `/`.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import {
  BinarySchema,
  DownloadRunFileQuery,
  ListRunArtifactsQuery,
  ListRunArtifactsResponse,
  RunFileQuery,
} from "../schemas/artifacts.ts";
import { EmptySchema } from "../schemas/common.ts";
import { bodyReplies, downloadReplies, notImplemented, replies } from "../spec.ts";

const tags = ["Artifacts"];

export const list = createRoute({
  operationId: "listArtifacts",
  method: "get",
  path: "/api/2.0/mlflow/artifacts/list",
  tags,
  summary: "List a run's artifacts",
  description: "The direct children of a directory under a run's artifact root (paths relative " +
    "to that root), with the root's URI; one page holds all. Only proxied roots " +
    "(`mlflow-artifacts:/…`, or an http(s) URL of the proxy's `/api/2.0/mlflow-artifacts/" +
    "artifacts/…`) are served; any other root is 501 NOT_IMPLEMENTED, as kvflow never " +
    "opens a URI a run names.",
  request: { query: ListRunArtifactsQuery },
  responses: {
    ...replies(ListRunArtifactsResponse, "The root URI and the directory's children"),
    ...notImplemented("the run's artifact root is not a proxied one"),
  } as const,
});

export const upload = createRoute({
  operationId: "uploadRunArtifact",
  method: "post",
  path: "/api/2.0/mlflow/upload-artifact",
  tags,
  summary: "Upload a file to a run's artifacts",
  description: "The web UI's upload: one file of at most 10 MiB, the raw request body of any " +
    "Content-Type, written at `path` under the run's (proxied) artifact root.",
  request: {
    query: RunFileQuery,
    body: {
      content: { "application/octet-stream": { schema: BinarySchema } },
      description: "The file's bytes; any Content-Type is accepted",
    },
  },
  responses: {
    ...bodyReplies(EmptySchema, "Written"),
    ...notImplemented("the run's artifact root is not a proxied one"),
  } as const,
});

export const download = createRoute({
  operationId: "getArtifact",
  method: "get",
  path: "/get-artifact",
  tags,
  summary: "Download a file of a run's artifacts",
  description: "The file at `path` under the run's (proxied) artifact root, as an attachment; " +
    "the web UI's download. A single `Range: bytes=a-b` gives 206.",
  request: { query: DownloadRunFileQuery },
  responses: {
    ...downloadReplies(),
    ...notImplemented("the run's artifact root is not a proxied one"),
  } as const,
});
