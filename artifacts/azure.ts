/**
 * The Azure Blob Storage artifact repository: block blobs under
 * `wasbs://<container>@<account>.blob.core.windows.net/<path>`, authorised with Shared Key or a
 * SAS token (no Azure SDK), streamed.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";
import {
  blockId,
  blockOps,
  checkBlockParts,
  checkUploadId,
  multipartUnsupported,
  newUploadId,
} from "./_azure_blocks.ts";
import { createAzureClient } from "./_azure_client.ts";
import { type AzureArtifactRepositoryOptions, resolveAzureConfig } from "./_azure_config.ts";
import { azureFailure } from "./_azure_errors.ts";
import { deleteBlob, deleteBlobs, listPages } from "./_azure_listing.ts";
import { childPath, fileInfo, fileRel, isListableName, sortFileInfos } from "./_listing.ts";
import { putInParts } from "./_parts.ts";
import { checkRangeShape } from "./_range.ts";
import { objectOf } from "./_remote.ts";
import { checkNumParts } from "./_s3_multipart.ts";
import { checkStoredLength, normaliseArtifactPath } from "./path.ts";
import type {
  ArtifactObject,
  ArtifactRepository,
  ByteRange,
  CompletedPart,
  FileInfo,
  MultipartUpload,
} from "./types.ts";

export type { AzureArtifactRepositoryOptions } from "./_azure_config.ts";

/**
 * The longest blob name, with the destination's path prefix: Azure's limit is 1024 characters;
 * counted here in UTF-8 bytes, as for S3 keys, which never allows more.
 */
export const MAX_AZURE_BLOB_NAME_BYTES = 1024;
/** Azure's limit on `/`-separated segments in a blob name. */
const MAX_BLOB_NAME_SEGMENTS = 254;

/**
 * An {@linkcode ArtifactRepository} on Azure Blob Storage (or Azurite).
 *
 * - `put` sends a body that fits in one block as a single Put Blob; anything larger is staged in
 *   fixed-size blocks (Put Block) and committed with Put Block List, holding at most two blocks
 *   in memory. A body that fails commits nothing.
 * - `list` uses List Blobs with `delimiter=/`, following `NextMarker`; `delete` lists and deletes
 *   page by page.
 * - `createMultipartUpload` hands out one URL per part, each a Put Block of the blob with a
 *   write-only service SAS; `completeMultipartUpload` commits the parts' blocks. Needs an account
 *   key: with a SAS-token credential it throws `NOT_IMPLEMENTED`, so MLflow's client falls back
 *   to a single PUT through the proxy.
 *
 * @throws {Error} at construction for a malformed URI or a missing or malformed credential (stop
 * the server). Methods throw `MlflowError`: `INVALID_PARAMETER_VALUE` for invalid paths (also a
 * blob name longer than {@linkcode MAX_AZURE_BLOB_NAME_BYTES} with the prefix, or a segment
 * ending in `.`, which Azure cannot address), ranges or multipart arguments;
 * `TEMPORARILY_UNAVAILABLE` when Azure keeps failing or cannot be reached; `PERMISSION_DENIED`
 * (403) when Azure refuses the server's credential; `INTERNAL_ERROR` when the container does not
 * exist. Messages never name the account, container, endpoint or path prefix.
 *
 * @example
 * ```ts
 * const repo = createAzureArtifactRepository({
 *   uri: "wasbs://mlflow@myaccount.blob.core.windows.net/artifacts",
 * });
 * await repo.put("1/abc/artifacts/model.pkl", file.readable);
 * ```
 */
export function createAzureArtifactRepository(
  opts: AzureArtifactRepositoryOptions,
): ArtifactRepository {
  const config = resolveAzureConfig(opts);
  const { prefix, blockSize, listPageSize } = config;
  const client = createAzureClient(config.client);
  const blocks = (name: string, rel: string) => blockOps(client, name, rel);

  /** The blob name of a validated path, asserted to stay under the prefix and addressable. */
  function nameOf(rel: string): string {
    const name = prefix === "" ? rel : rel === "" ? prefix : `${prefix}/${rel}`;
    const inside = prefix === "" || name === prefix || name.startsWith(`${prefix}/`);
    const segments = name.split("/");
    if (!inside || segments.some((s) => s === "." || s === "..")) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "Invalid path: outside the artifact root");
    }
    checkStoredLength(name, MAX_AZURE_BLOB_NAME_BYTES, rel);
    if (segments.length > MAX_BLOB_NAME_SEGMENTS || segments.some((s) => s.endsWith("."))) {
      // Azure drops a trailing dot from a URL segment: `a./b` would be stored as `a/b`.
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Invalid path: Azure Blob storage cannot store a name ending in '.' or with more than ` +
          `${MAX_BLOB_NAME_SEGMENTS} segments (${JSON.stringify(rel.slice(0, 100))})`,
      );
    }
    return name;
  }

  /** The name prefix naming a directory's contents (`""` for a container-root repository). */
  function dirPrefix(rel: string): string {
    if (rel === "" && prefix === "") return "";
    return `${nameOf(rel)}/`;
  }

  function put(
    path: string,
    body: ReadableStream<Uint8Array>,
    putOpts?: { contentLength?: number },
  ): Promise<void> {
    return putInParts(body, blockSize, putOpts?.contentLength, () => {
      const rel = fileRel(path);
      const name = nameOf(rel);
      return {
        async single(bytes) {
          const headers = { "x-ms-blob-type": "BlockBlob" };
          const res = await client.send("PUT", client.blobUrl(name), headers, bytes);
          if (!res.ok) throw await azureFailure(res, "upload", rel);
          await res.body?.cancel();
        },
        multi: (first, next) => blocks(name, rel).uploadStream(first, next),
      };
    });
  }

  async function get(path: string, range?: ByteRange): Promise<ArtifactObject | null> {
    const rel = normaliseArtifactPath(path);
    if (range) checkRangeShape(range);
    if (rel === "") return null;
    const headers: Record<string, string> = range
      ? { "x-ms-range": `bytes=${range.start}-${range.end ?? ""}` }
      : {};
    const res = await client.send("GET", client.blobUrl(nameOf(rel)), headers);
    return await objectOf(res, range, (r) => azureFailure(r, "download", rel), isDirectory);
  }

  async function stat(path: string): Promise<{ size: number } | null> {
    const rel = normaliseArtifactPath(path);
    if (rel === "") return null;
    const res = await client.send("HEAD", client.blobUrl(nameOf(rel)));
    if (res.status === 404) {
      // A HEAD answer has no body: Azure's code comes in `x-ms-error-code`.
      const failure = await azureFailure(res, "inspect", rel);
      if (failure.code === "RESOURCE_DOES_NOT_EXIST") return null;
      throw failure;
    }
    if (!res.ok) throw await azureFailure(res, "inspect", rel);
    await res.body?.cancel();
    if (isDirectory(res)) return null;
    return { size: Number(res.headers.get("content-length") ?? 0) };
  }

  async function list(path: string): Promise<FileInfo[]> {
    const rel = normaliseArtifactPath(path);
    const under = dirPrefix(rel);
    const infos: FileInfo[] = [];
    // A folder of a hierarchical namespace lists both as a blob and as a prefix, maybe on
    // different pages; an empty one only as a blob.
    const dirs = new Set<string>();
    for await (const page of listPages(client, under, "/", listPageSize, rel)) {
      for (const { name: blob, size, isFolder } of page.blobs) {
        const name = blob.slice(under.length);
        // `name === ""` is a directory marker blob (`dir/`), not a file.
        if (name === "" || !isListableName(name)) continue;
        if (isFolder) dirs.add(name);
        else infos.push(fileInfo(childPath(rel, name), false, size));
      }
      for (const p of page.prefixes) {
        const name = p.slice(under.length, -1);
        if (isListableName(name)) dirs.add(name);
      }
    }
    for (const name of dirs) infos.push(fileInfo(childPath(rel, name), true, 0));
    return sortFileInfos(infos);
  }

  async function remove(path: string): Promise<void> {
    const rel = normaliseArtifactPath(path);
    // Files go a page at a time, so memory stays bounded by one page. Folders of a hierarchical
    // namespace can only go once empty: after every file, in reverse listing order (a folder's
    // descendants sort after it).
    const folders: string[] = [];
    for await (const page of listPages(client, dirPrefix(rel), "", listPageSize, rel)) {
      for (const b of page.blobs) if (b.isFolder) folders.push(b.name);
      await deleteBlobs(client, page.blobs.filter((b) => !b.isFolder).map((b) => b.name), rel);
    }
    for (const folder of folders.reverse()) await deleteBlob(client, folder, rel);
    if (rel !== "") await deleteBlob(client, nameOf(rel), rel);
  }

  async function createMultipartUpload(path: string, numParts: number): Promise<MultipartUpload> {
    const rel = fileRel(path);
    checkNumParts(numParts);
    const name = nameOf(rel);
    if (config.client.credential.kind !== "sharedKey") throw multipartUnsupported();
    // The upload id only keeps this upload's block ids apart from another's to the same name.
    const uploadId = newUploadId();
    const credentials = await blocks(name, rel).partCredentials(
      uploadId,
      numParts,
      config.sasExpiresSeconds,
    );
    return { upload_id: uploadId, credentials };
  }

  async function completeMultipartUpload(
    path: string,
    uploadId: string,
    parts: CompletedPart[],
  ): Promise<void> {
    const rel = fileRel(path);
    const name = nameOf(rel);
    if (config.client.credential.kind !== "sharedKey") throw multipartUnsupported();
    const id = checkUploadId(uploadId);
    const numbers = checkBlockParts(parts);
    await blocks(name, rel).commit(numbers.map((n) => blockId(id, n)));
  }

  function abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    try {
      nameOf(fileRel(path));
      if (config.client.credential.kind !== "sharedKey") throw multipartUnsupported();
      checkUploadId(uploadId);
    } catch (err) {
      return Promise.reject(err);
    }
    // Nothing to do: Azure cannot delete uncommitted blocks; it discards them after a week, or
    // when the blob is next committed. The blob may already exist, so it is not deleted either.
    return Promise.resolve();
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

/** A folder of a hierarchical-namespace account, which answers GET and HEAD like an empty blob. */
function isDirectory(res: Response): boolean {
  return res.headers.get("x-ms-meta-hdi_isfolder")?.toLowerCase() === "true" ||
    res.headers.get("x-ms-resource-type") === "directory";
}
