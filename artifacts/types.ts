/**
 * The artifact storage contract: byte streams under relative paths, behind one interface with a
 * local-disk backend and an S3 backend. Paths are always relative to the repository's root and
 * already validated by `artifacts/path.ts`; every backend still confirms a resolved location stays
 * under its root. Nothing here knows about HTTP or runs.
 *
 * @module
 */

/** One entry of a directory listing. */
export interface FileInfo {
  /** The entry's path relative to the repository root (the HTTP layer turns it into a base name). */
  path: string;
  is_dir: boolean;
  /** Bytes; absent for directories. */
  file_size?: number;
}

/** An inclusive byte range, as HTTP `Range: bytes=start-end` names it. */
export interface ByteRange {
  start: number;
  /** Inclusive; absent means to the end of the file. */
  end?: number;
}

/** What {@linkcode ArtifactRepository.get} returns for an existing file. */
export interface ArtifactObject {
  /** The requested bytes (the whole file, or the range). */
  body: ReadableStream<Uint8Array>;
  /** The file's total size in bytes. */
  size: number;
  /** The range served, when one was asked for and satisfiable. */
  range?: { start: number; end: number };
}

/** One part URL of a multipart upload that the client sends straight to the store. */
export interface MultipartCredential {
  url: string;
  part_number: number;
  headers: Record<string, string>;
}

/** A started multipart upload. */
export interface MultipartUpload {
  upload_id: string;
  credentials: MultipartCredential[];
}

/** A finished part, as the client reports it when completing. */
export interface CompletedPart {
  part_number: number;
  etag: string;
}

/**
 * Artifact storage. All methods take validated relative paths (`""` is the root) and stream
 * bytes; none buffers a whole file.
 *
 * Errors: `get` of a missing file resolves `null`; invalid paths or ranges throw
 * `MlflowError("INVALID_PARAMETER_VALUE")`; multipart on a backend without it throws
 * `MlflowError("NOT_IMPLEMENTED", "Multipart upload is not supported for the current artifact repository…")`.
 *
 * @example
 * ```ts
 * const repo = createLocalArtifactRepository({ rootDir: "./mlartifacts" });
 * await repo.put("1/abc/artifacts/hello.txt", new Blob(["hi"]).stream());
 * const obj = await repo.get("1/abc/artifacts/hello.txt");
 * ```
 */
export interface ArtifactRepository {
  /** Writes (or overwrites) a file from a stream, creating parent directories. */
  put(
    path: string,
    body: ReadableStream<Uint8Array>,
    opts?: { contentLength?: number },
  ): Promise<void>;
  /** The size of the file at `path`; null when there is no file there (a directory is none). */
  stat(path: string): Promise<{ size: number } | null>;
  /** Opens a file (or a byte range of it); null when there is no file at `path`. */
  get(path: string, range?: ByteRange): Promise<ArtifactObject | null>;
  /**
   * Lists the direct children of a directory. A missing directory, or a path naming a file,
   * lists as empty (the MLflow client relies on this to tell files from directories).
   */
  list(path: string): Promise<FileInfo[]>;
  /** Deletes a file or a directory recursively; a missing path is a no-op. */
  delete(path: string): Promise<void>;
  /** Starts a multipart upload with presigned part URLs (S3); throws NOT_IMPLEMENTED elsewhere. */
  createMultipartUpload(path: string, numParts: number): Promise<MultipartUpload>;
  /** Completes a multipart upload. */
  completeMultipartUpload(path: string, uploadId: string, parts: CompletedPart[]): Promise<void>;
  /** Aborts a multipart upload. */
  abortMultipartUpload(path: string, uploadId: string): Promise<void>;
}
