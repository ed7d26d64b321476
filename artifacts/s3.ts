/**
 * The S3 artifact repository: objects under `s3://bucket/prefix`, signed with SigV4, streamed.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";
import { childPath, fileInfo, fileRel, isListableName, sortFileInfos } from "./_listing.ts";
import { putInParts } from "./_parts.ts";
import { checkRangeShape } from "./_range.ts";
import { objectOf } from "./_remote.ts";
import { createS3Client, s3Failure } from "./_s3_client.ts";
import { resolveS3Config, type S3ArtifactRepositoryOptions } from "./_s3_config.ts";
import { deleteKey, deleteKeys, listPages } from "./_s3_listing.ts";
import { checkCompletedParts, checkNumParts, checkToken, multipartOps } from "./_s3_multipart.ts";
import { checkStoredLength, MAX_S3_KEY_BYTES, normaliseArtifactPath } from "./path.ts";
import type {
  ArtifactObject,
  ArtifactRepository,
  ByteRange,
  CompletedPart,
  FileInfo,
  MultipartUpload,
} from "./types.ts";

export type { S3Credentials } from "./_s3_client.ts";
export type { S3ArtifactRepositoryOptions } from "./_s3_config.ts";

/**
 * An {@linkcode ArtifactRepository} on S3 or an S3-compatible store.
 *
 * - `put` sends a body that fits in one part as a single PUT; anything larger goes as a
 *   multipart upload in fixed-size parts (Deno's fetch cannot send a stream with a length),
 *   holding at most two parts in memory, and aborted on failure.
 * - `list` uses ListObjectsV2 with `delimiter=/`, following continuation tokens.
 * - `createMultipartUpload` hands out presigned part URLs the client uploads to directly.
 *
 * @throws {Error} at construction for missing credentials or bad options (stop the server).
 * Methods throw `MlflowError`: `INVALID_PARAMETER_VALUE` for invalid paths (also a key longer
 * than `MAX_S3_KEY_BYTES` with the prefix), ranges or multipart arguments, and for S3's
 * `KeyTooLongError` and `EntityTooLarge`; `TEMPORARILY_UNAVAILABLE` when S3 keeps failing or cannot be reached;
 * `PERMISSION_DENIED` (403) when S3 refuses the server's credentials. Messages never name the bucket,
 * endpoint or prefix.
 *
 * @example
 * ```ts
 * const repo = createS3ArtifactRepository({ bucket: "mlflow", prefix: "artifacts" });
 * await repo.put("1/abc/artifacts/model.pkl", file.readable);
 * ```
 */
export function createS3ArtifactRepository(opts: S3ArtifactRepositoryOptions): ArtifactRepository {
  const config = resolveS3Config(opts);
  const { prefix, partSize } = config;
  const client = createS3Client(config.client);
  const multipart = (key: string, rel: string) => multipartOps(client, key, rel, config);

  /** The object key of a validated path, asserted to stay under the prefix. */
  function keyOf(rel: string): string {
    const key = prefix === "" ? rel : rel === "" ? prefix : `${prefix}/${rel}`;
    const inside = prefix === "" || key === prefix || key.startsWith(`${prefix}/`);
    if (!inside || key.split("/").some((s) => s === "." || s === "..")) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "Invalid path: outside the artifact root");
    }
    checkStoredLength(key, MAX_S3_KEY_BYTES, rel);
    return key;
  }

  /** The key prefix naming a directory's contents (`""` for a bucket-root repository root). */
  function dirPrefix(rel: string): string {
    const key = keyOf(rel);
    return key === "" ? "" : `${key}/`;
  }

  function put(
    path: string,
    body: ReadableStream<Uint8Array>,
    putOpts?: { contentLength?: number },
  ): Promise<void> {
    return putInParts(body, partSize, putOpts?.contentLength, () => {
      const rel = fileRel(path);
      const key = keyOf(rel);
      return {
        async single(bytes) {
          const res = await client.send("PUT", client.objectUrl(key), config.uploadHeaders, bytes);
          if (!res.ok) throw await s3Failure(res, "upload", rel);
          await res.body?.cancel();
        },
        multi: (first, next) => multipart(key, rel).uploadStream(first, next),
      };
    });
  }

  async function get(path: string, range?: ByteRange): Promise<ArtifactObject | null> {
    const rel = normaliseArtifactPath(path);
    if (range) checkRangeShape(range);
    if (rel === "") return null;
    const headers: Record<string, string> = range
      ? { range: `bytes=${range.start}-${range.end ?? ""}` }
      : {};
    const res = await client.send("GET", client.objectUrl(keyOf(rel)), headers);
    return await objectOf(res, range, (r) => s3Failure(r, "download", rel));
  }

  async function stat(path: string): Promise<{ size: number } | null> {
    const rel = normaliseArtifactPath(path);
    if (rel === "") return null;
    const res = await client.send("HEAD", client.objectUrl(keyOf(rel)), {});
    await res.body?.cancel();
    if (res.status === 404) return null;
    if (!res.ok) throw await s3Failure(res, "inspect", rel);
    return { size: Number(res.headers.get("content-length") ?? 0) };
  }

  async function list(path: string): Promise<FileInfo[]> {
    const rel = normaliseArtifactPath(path);
    const under = dirPrefix(rel);
    const infos: FileInfo[] = [];
    for await (const page of listPages(client, under, "/", rel)) {
      for (const { key, size } of page.objects) {
        const name = key.slice(under.length);
        // `name === ""` is a directory marker object (`dir/`), not a file.
        if (name !== "" && isListableName(name)) {
          infos.push(fileInfo(childPath(rel, name), false, size));
        }
      }
      for (const p of page.prefixes) {
        const name = p.slice(under.length, -1);
        if (isListableName(name)) infos.push(fileInfo(childPath(rel, name), true, 0));
      }
    }
    return sortFileInfos(infos);
  }

  async function remove(path: string): Promise<void> {
    const rel = normaliseArtifactPath(path);
    if (rel !== "") await deleteKey(client, keyOf(rel), rel);
    // A page is deleted before the next is listed, so memory stays bounded by one page.
    for await (const page of listPages(client, dirPrefix(rel), "", rel)) {
      await deleteKeys(client, page.objects.map((o) => o.key), rel);
    }
  }

  async function createMultipartUpload(path: string, numParts: number): Promise<MultipartUpload> {
    const rel = fileRel(path);
    checkNumParts(numParts);
    const ops = multipart(keyOf(rel), rel);
    const uploadId = await ops.initiate();
    return { upload_id: uploadId, credentials: await ops.presignParts(uploadId, numParts) };
  }

  async function completeMultipartUpload(
    path: string,
    uploadId: string,
    parts: CompletedPart[],
  ): Promise<void> {
    const rel = fileRel(path);
    checkToken("upload_id", uploadId);
    await multipart(keyOf(rel), rel).complete(uploadId, checkCompletedParts(parts));
  }

  async function abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    const rel = fileRel(path);
    checkToken("upload_id", uploadId);
    await multipart(keyOf(rel), rel).abort(uploadId);
  }

  return {
    put,
    stat,
    get,
    list,
    delete: remove,
    createMultipartUpload,
    completeMultipartUpload,
    abortMultipartUpload,
  };
}
