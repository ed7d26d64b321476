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
import {
  bodyReplies,
  downloadReplies,
  errorReplies,
  jsonBody,
  notImplemented,
  replies,
} from "../spec.ts";

const tags = ["Artifacts"];
const FILE = "/artifacts/{artifact_path{.+}}";
const MPU_501 = "the destination has no multipart upload (a local directory, or Azure with only " +
  "a SAS token): the client falls back to one PUT";

export const list = createRoute({
  operationId: "listArtifactsProxied",
  method: "get",
  path: "/artifacts",
  tags,
  summary: "List an artifact directory (proxy)",
  description: "The direct children of a directory under the artifact destination, by base " +
    "name and sorted; `{}` when it is empty, missing or a file. MLflow's client lists a run's " +
    "`mlflow-artifacts:/` root through here.",
  request: { query: ListArtifactsQuery },
  responses: replies(ListArtifactsResponse, "The children, sorted by name"),
});

export const download = createRoute({
  operationId: "downloadArtifact",
  method: "get",
  path: FILE,
  tags,
  summary: "Download an artifact (proxy)",
  description: "The file's bytes as an attachment; a single `Range: bytes=a-b` gives 206 with " +
    "that range. A directory or a missing file is 404.",
  request: { params: ArtifactPathParams, query: HtmlPreviewQuery },
  responses: downloadReplies(),
});

export const upload = createRoute({
  operationId: "uploadArtifact",
  method: "put",
  path: FILE,
  tags,
  summary: "Upload an artifact (proxy)",
  description: "Writes (or overwrites) a file from the raw request body, streamed, of any size " +
    "and any Content-Type; readers never see a half-written file.",
  request: {
    params: ArtifactPathParams,
    body: {
      content: { "application/octet-stream": { schema: BinarySchema } },
      description: "The file's bytes, streamed; the Content-Type header is not checked",
    },
  },
  responses: {
    200: { content: { "application/json": { schema: EmptySchema } }, description: "Written" },
    ...errorReplies("streamed"),
  } as const,
});

export const remove = createRoute({
  operationId: "deleteArtifact",
  method: "delete",
  path: FILE,
  tags,
  summary: "Delete an artifact (proxy)",
  description: "Deletes a file, or a directory recursively; a missing path is not an error.",
  request: { params: ArtifactPathParams },
  responses: replies(EmptySchema, "Deleted (or nothing was there)"),
});

export const mpuCreate = createRoute({
  operationId: "createMultipartUpload",
  method: "post",
  path: "/mpu/create/{artifact_path{.+}}",
  tags,
  summary: "Start a multipart upload",
  description: "Starts a multipart upload of `num_parts` parts and answers a presigned URL per " +
    "part, which the client uploads to directly (S3, GCS and Azure destinations). MLflow's " +
    "client uses it for large files when `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD` is set.",
  request: { params: ArtifactPathParams, ...jsonBody(CreateMultipartUploadRequest) },
  responses: {
    ...bodyReplies(CreateMultipartUploadResponse, "Started"),
    ...notImplemented(MPU_501),
  } as const,
});

export const mpuComplete = createRoute({
  operationId: "completeMultipartUpload",
  method: "post",
  path: "/mpu/complete/{artifact_path{.+}}",
  tags,
  summary: "Complete a multipart upload",
  description: "Assembles the file from its uploaded parts, given each part's number and ETag.",
  request: { params: ArtifactPathParams, ...jsonBody(CompleteMultipartUploadRequest) },
  responses: { ...bodyReplies(EmptySchema, "Completed"), ...notImplemented(MPU_501) } as const,
});

export const mpuAbort = createRoute({
  operationId: "abortMultipartUpload",
  method: "post",
  path: "/mpu/abort/{artifact_path{.+}}",
  tags,
  summary: "Abort a multipart upload",
  description: "Abandons a multipart upload and discards its uploaded parts.",
  request: { params: ArtifactPathParams, ...jsonBody(AbortMultipartUploadRequest) },
  responses: { ...bodyReplies(EmptySchema, "Aborted"), ...notImplemented(MPU_501) } as const,
});
