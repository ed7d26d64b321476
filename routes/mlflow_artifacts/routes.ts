/**
 * Artifact proxy specs (mlflow-rest.md §5), relative to `/api/2.0/mlflow-artifacts`. The
 * `{artifact_path{.+}}` parameter spans slashes; `routes/openapi_document.ts` prints it as
 * `{artifact_path}`.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import {
  AbortMultipartUploadRequest,
  ArtifactPathParams,
  BinarySchema,
  CompleteMultipartUploadRequest,
  CreateMultipartUploadRequest,
  CreateMultipartUploadResponse,
  HtmlPreviewQuery,
  ListArtifactsQuery,
  ListArtifactsResponse,
} from "../schemas/artifacts.ts";
import { EmptySchema } from "../schemas/common.ts";
import { downloadReplies, jsonBody, replies, repliesOr501 } from "../spec.ts";

const tags = ["mlflow-artifacts"];
const FILE = "/artifacts/{artifact_path{.+}}";
const MPU_501 = "the destination has no multipart upload (local disk)";

export const list = createRoute({
  method: "get",
  path: "/artifacts",
  tags,
  summary: "List a directory's direct children by base name; `{}` when empty, missing or a file",
  request: { query: ListArtifactsQuery },
  responses: replies(ListArtifactsResponse, "The children, sorted by name"),
});

export const download = createRoute({
  method: "get",
  path: FILE,
  tags,
  summary: "Download a file as an attachment; a single `Range: bytes=a-b` gives 206",
  request: { params: ArtifactPathParams, query: HtmlPreviewQuery },
  responses: downloadReplies(),
});

export const upload = createRoute({
  method: "put",
  path: FILE,
  tags,
  summary: "Write (or overwrite) a file from the raw request body; any Content-Type is accepted",
  request: {
    params: ArtifactPathParams,
    body: {
      content: { "application/octet-stream": { schema: BinarySchema } },
      description: "The file's bytes, streamed; the Content-Type header is not checked",
    },
  },
  responses: replies(EmptySchema, "Written"),
});

export const remove = createRoute({
  method: "delete",
  path: FILE,
  tags,
  summary: "Delete a file or a directory recursively; a missing path is a no-op",
  request: { params: ArtifactPathParams },
  responses: replies(EmptySchema, "Deleted (or nothing was there)"),
});

export const mpuCreate = createRoute({
  method: "post",
  path: "/mpu/create/{artifact_path{.+}}",
  tags,
  summary: "Start a multipart upload with presigned part URLs (S3 destinations only)",
  request: { params: ArtifactPathParams, ...jsonBody(CreateMultipartUploadRequest) },
  responses: repliesOr501(CreateMultipartUploadResponse, "Started", MPU_501),
});

export const mpuComplete = createRoute({
  method: "post",
  path: "/mpu/complete/{artifact_path{.+}}",
  tags,
  summary: "Complete a multipart upload from the parts' ETags",
  request: { params: ArtifactPathParams, ...jsonBody(CompleteMultipartUploadRequest) },
  responses: repliesOr501(EmptySchema, "Completed", MPU_501),
});

export const mpuAbort = createRoute({
  method: "post",
  path: "/mpu/abort/{artifact_path{.+}}",
  tags,
  summary: "Abort a multipart upload",
  request: { params: ArtifactPathParams, ...jsonBody(AbortMultipartUploadRequest) },
  responses: repliesOr501(EmptySchema, "Aborted", MPU_501),
});
