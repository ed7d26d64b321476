/**
 * Block blob uploads: the server's own (a large `put`, staged block by block, then committed with
 * Put Block List) and the client's (MLflow's proxied multipart: a SAS URL per block that the
 * client PUTs to directly, committed by `completeMultipartUpload`).
 *
 * Block ids are base64 of `<upload id>-<7-digit block number>`: one fixed length (Azure refuses a
 * blob whose block ids differ in length), and a random upload id per upload, so two uploads to
 * the same name at once stage different blocks instead of overwriting each other's.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";
import type { AzureClient } from "./_azure_client.ts";
import { azureFailure } from "./_azure_errors.ts";
import type { Part } from "./_parts.ts";
import { checkCompletedParts } from "./_s3_multipart.ts";
import type { CompletedPart, MultipartCredential } from "./types.ts";

/** Azure's limit on committed blocks per blob. */
export const MAX_BLOCKS = 50_000;
const UPLOAD_ID = /^[0-9a-f]{16}$/;

/** A fresh upload id: 16 random hex digits. */
export function newUploadId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The id of block `n` of upload `uploadId`: 32 base64 characters, no padding. */
export function blockId(uploadId: string, n: number): string {
  return btoa(`${uploadId}-${String(n).padStart(7, "0")}`);
}

/** Block operations on one blob; `rel` names it in error messages. */
export interface BlockOps {
  /** Stages one block. */
  putBlock(id: string, bytes: Uint8Array<ArrayBuffer>): Promise<void>;
  /** Commits the staged blocks `ids`, in order, as the blob's content. */
  commit(ids: string[]): Promise<void>;
  /**
   * Uploads a stream already cut into blocks (`first`, then `next()`), two blocks in memory at
   * most, and commits it. On failure nothing is committed: the staged blocks are discarded by
   * Azure after a week, or at once by the blob's next commit.
   */
  uploadStream(
    first: Part,
    next: (reuse?: Uint8Array<ArrayBuffer>) => Promise<Part>,
  ): Promise<void>;
  /** SAS URLs for blocks 1…numParts of `uploadId`, valid for `expiresSeconds`. */
  partCredentials(
    uploadId: string,
    numParts: number,
    expiresSeconds: number,
  ): Promise<MultipartCredential[]>;
}

/** The block operations for blob `name`. */
export function blockOps(client: AzureClient, name: string, rel: string): BlockOps {
  async function putBlock(id: string, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    const url = client.blobUrl(name, { comp: "block", blockid: id });
    const res = await client.send("PUT", url, {}, bytes);
    if (!res.ok) throw await azureFailure(res, "upload a block of", rel);
    await res.body?.cancel();
  }

  async function commit(ids: string[]): Promise<void> {
    // `Uncommitted`: a block the client never staged fails the commit (InvalidBlockList) rather
    // than silently reusing a committed block of the blob's previous content.
    const xml = `<?xml version="1.0" encoding="utf-8"?><BlockList>${
      ids.map((id) => `<Uncommitted>${id}</Uncommitted>`).join("")
    }</BlockList>`;
    const url = client.blobUrl(name, { comp: "blocklist" });
    const res = await client.send("PUT", url, { "content-type": "application/xml" }, xml);
    if (!res.ok) throw await azureFailure(res, "complete upload of", rel);
    await res.body?.cancel();
  }

  async function uploadStream(
    first: Part,
    next: (reuse?: Uint8Array<ArrayBuffer>) => Promise<Part>,
  ): Promise<void> {
    const uploadId = newUploadId();
    const ids: string[] = [];
    let part = first;
    let spare: Uint8Array<ArrayBuffer> | undefined;
    for (let n = 1;; n++) {
      if (n > MAX_BLOCKS) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `Artifact too large: over ${MAX_BLOCKS} blocks`,
        );
      }
      const id = blockId(uploadId, n);
      // The next block is read while this one uploads: two blocks in memory at most.
      const [uploaded, read] = await Promise.allSettled([
        putBlock(id, part.bytes),
        part.last ? null : next(spare),
      ]);
      if (uploaded.status === "rejected") throw uploaded.reason;
      if (read.status === "rejected") throw read.reason;
      ids.push(id);
      if (read.value === null) break;
      // This block is sent (Azure has answered), so its buffer can take the block after next.
      spare = part.bytes;
      part = read.value;
    }
    await commit(ids);
  }

  async function partCredentials(
    uploadId: string,
    numParts: number,
    expiresSeconds: number,
  ): Promise<MultipartCredential[]> {
    // Write only: enough for Put Block, and the URL can neither read nor commit the blob.
    const sas = await client.blobSas(name, "w", expiresSeconds);
    if (sas === null) throw multipartUnsupported();
    const credentials: MultipartCredential[] = [];
    for (let n = 1; n <= numParts; n++) {
      const url = client.blobUrl(name, { comp: "block", blockid: blockId(uploadId, n) });
      url.search = `${url.search.slice(1)}&${sas}`;
      credentials.push({ url: url.toString(), part_number: n, headers: {} });
    }
    return credentials;
  }

  return { putBlock, commit, uploadStream, partCredentials };
}

/** The error a SAS-token credential gets for multipart: no account key to sign part URLs with. */
export function multipartUnsupported(): MlflowError {
  return new MlflowError(
    "NOT_IMPLEMENTED",
    "Multipart upload is not supported for the current artifact repository (Azure Blob " +
      "storage with a SAS token: part URLs need the account key)",
  );
}

/** Checks an upload id this repository handed out. */
export function checkUploadId(uploadId: unknown): string {
  if (typeof uploadId !== "string" || !UPLOAD_ID.test(uploadId)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", "Invalid upload_id");
  }
  return uploadId;
}

/**
 * The part numbers a client reports when completing, sorted. Their ETags are not checked: Put
 * Block answers without one, so MLflow's client reports `""`; a block is named by its number.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for no parts, too many, or a bad or duplicate
 * part number.
 */
export function checkBlockParts(parts: CompletedPart[]): number[] {
  if (!Array.isArray(parts)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", "parts must be a list");
  }
  // The S3 check, on the numbers alone.
  const numbered = parts.map((p) => ({ part_number: p?.part_number, etag: "-" }));
  return checkCompletedParts(numbered).map((p) => p.part_number);
}
