/**
 * Artifact wire schemas: the proxy's listing and multipart bodies (mlflow-rest.md §5), the run
 * `artifacts/list` reply (§4.3), and the query strings of `/get-artifact` and `upload-artifact`.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { FileInfo, MultipartUpload } from "../../artifacts/types.ts";
import { Int64, RequiredString, type Wire } from "./common.ts";

/** A directory entry; `path` is a base name (proxy) or relative to the run root (runs). */
export const FileInfoSchema = z.object({
  path: z.string(),
  is_dir: z.boolean(),
  file_size: z.number().int().optional().openapi({ description: "Absent for directories" }),
}).openapi("FileInfo") satisfies z.ZodType<FileInfo>;

/** `{artifact_path}`: the rest of the URL, slashes included. */
export const ArtifactPathParams = z.object({
  artifact_path: z.string().openapi({
    param: { name: "artifact_path", in: "path" },
    description: "A relative path under the artifact root; every segment is checked",
    example: "1/0a1b2c/artifacts/dir/a.txt",
  }),
});

/** A raw request or response body. */
export const BinarySchema = z.string().openapi({ type: "string", format: "binary" });

export const ListArtifactsQuery = z.object({
  path: z.string().optional().openapi({
    description: "Directory relative to the artifact root; absent is the root",
  }),
});

export const ListArtifactsResponse = z.object({
  files: z.array(FileInfoSchema).optional().openapi({
    description: "Direct children by name; omitted when the path is empty, missing or a file",
  }),
}).openapi("ListArtifactsReply");

const runRef = {
  run_id: RequiredString,
  run_uuid: z.string().optional().openapi({ deprecated: true, description: "Legacy run_id." }),
};

export const ListRunArtifactsQuery = z.object({
  ...runRef,
  path: z.string().optional().openapi({ description: "Relative to the run's artifact root" }),
  page_token: z.string().optional().openapi({ description: "Ignored: one page holds all" }),
});

export const ListRunArtifactsResponse = z.object({
  root_uri: z.string(),
  files: z.array(FileInfoSchema).optional().openapi({
    description: "Paths relative to the run's artifact root",
  }),
}).openapi("ListRunArtifactsReply");

/** `/get-artifact` and `upload-artifact`: a run and a file path under its root. */
export const RunFileQuery = z.object({ ...runRef, path: RequiredString });

/**
 * kvflow's `preview=html` on a file download (`/get-artifact` and the proxy's GET): an `.html` /
 * `.htm` file served inline for the UI's sandboxed frame instead of as an attachment.
 */
export const HtmlPreviewQuery = z.object({
  preview: z.enum(["html"]).optional().openapi({
    description: "kvflow: `html` serves an .html/.htm file inline (Content-Disposition: inline) " +
      "under `Content-Security-Policy: sandbox` with no `allow-scripts` (its scripts never run, " +
      "its origin is opaque), inline styles allowed and framing by this origin only; any other " +
      "file is refused with 400. Without it, every file is an attachment.",
  }),
});

/** `/get-artifact`'s query: a run's file, and {@linkcode HtmlPreviewQuery}'s `preview`. */
export const DownloadRunFileQuery = RunFileQuery.extend(HtmlPreviewQuery.shape);

export const CreateMultipartUploadRequest = z.object({
  path: RequiredString.openapi({ description: "The client's local file name" }),
  num_parts: Int64.pipe(z.number().int().min(1).max(10_000)),
}).openapi("CreateMultipartUploadRequest");

const MultipartCredentialSchema = z.object({
  url: z.string(),
  part_number: z.number().int(),
  headers: z.record(z.string(), z.string()),
}).openapi("MultipartCredential");

export const CreateMultipartUploadResponse = z.object({
  upload_id: z.string(),
  credentials: z.array(MultipartCredentialSchema).optional(),
}).openapi("CreateMultipartUploadReply") satisfies z.ZodType<Wire<MultipartUpload>>;

export const CompleteMultipartUploadRequest = z.object({
  path: RequiredString,
  upload_id: RequiredString,
  parts: z.array(z.object({
    part_number: Int64,
    etag: z.string(),
    url: z.string().optional(),
  })).min(1),
}).openapi("CompleteMultipartUploadRequest");

export const AbortMultipartUploadRequest = z.object({
  path: RequiredString,
  upload_id: RequiredString,
}).openapi("AbortMultipartUploadRequest");
