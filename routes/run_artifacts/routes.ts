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
import { downloadReplies, replies, repliesOr501 } from "../spec.ts";

const tags = ["artifacts"];

export const list = createRoute({
  method: "get",
  path: "/api/2.0/mlflow/artifacts/list",
  tags,
  summary: "List a directory under a run's artifact root; paths are relative to that root",
  request: { query: ListRunArtifactsQuery },
  responses: repliesOr501(
    ListRunArtifactsResponse,
    "The root URI and the directory's children",
    "the run's artifact root is not a proxied one",
  ),
});

export const upload = createRoute({
  method: "post",
  path: "/api/2.0/mlflow/upload-artifact",
  tags,
  summary: "Upload one file (≤ 10 MiB) under a run's artifact root, as the web UI does",
  request: {
    query: RunFileQuery,
    body: {
      content: { "application/octet-stream": { schema: BinarySchema } },
      description: "The file's bytes; any Content-Type is accepted",
    },
  },
  responses: replies(EmptySchema, "Written"),
});

export const download = createRoute({
  method: "get",
  path: "/get-artifact",
  tags,
  summary: "Download a file under a run's artifact root as an attachment",
  request: { query: DownloadRunFileQuery },
  responses: downloadReplies(),
});
