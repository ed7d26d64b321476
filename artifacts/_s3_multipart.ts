/**
 * S3 multipart uploads: the server's own (a large `put`, streamed part by part) and the
 * client's (presigned part URLs the MLflow client uploads to directly).
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";
import type { Part } from "./_parts.ts";
import {
  errorCodeOf,
  parseXml,
  type S3Client,
  s3Failure,
  xmlChild,
  xmlEscape,
  xmlText,
} from "./_s3_client.ts";
import type { CompletedPart, MultipartCredential } from "./types.ts";

/** S3's limit on parts per upload. */
export const MAX_PARTS = 10_000;
// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Multipart operations on one object key; `rel` names it in error messages. */
export interface MultipartOps {
  /** Starts an upload (with the configured upload headers); returns its id. */
  initiate(): Promise<string>;
  /** Uploads one part; returns its ETag. */
  uploadPart(uploadId: string, partNumber: number, bytes: Uint8Array<ArrayBuffer>): Promise<string>;
  /** Presigned PUT URLs for parts 1…numParts. */
  presignParts(uploadId: string, numParts: number): Promise<MultipartCredential[]>;
  complete(uploadId: string, parts: CompletedPart[]): Promise<void>;
  abort(uploadId: string): Promise<void>;
  /**
   * Uploads a stream already cut into parts (`first`, then `next()`), two parts in memory at
   * most, and completes it; aborts the upload on any failure.
   */
  uploadStream(
    first: Part,
    next: (reuse?: Uint8Array<ArrayBuffer>) => Promise<Part>,
  ): Promise<void>;
}

/** The multipart operations for `key`. */
export function multipartOps(
  client: S3Client,
  key: string,
  rel: string,
  opts: { uploadHeaders: Record<string, string>; presignExpiresSeconds: number },
): MultipartOps {
  async function initiate(): Promise<string> {
    const url = client.objectUrl(key, { uploads: "" });
    const res = await client.send("POST", url, opts.uploadHeaders);
    if (!res.ok) throw await s3Failure(res, "start multipart upload of", rel);
    const result = xmlChild(parseXml(await res.text()), "InitiateMultipartUploadResult");
    const uploadId = xmlText(result, "UploadId");
    if (!uploadId) throw new MlflowError("INTERNAL_ERROR", "Artifact store returned no upload id");
    return uploadId;
  }

  async function uploadPart(
    uploadId: string,
    partNumber: number,
    bytes: Uint8Array<ArrayBuffer>,
  ): Promise<string> {
    const url = client.objectUrl(key, { partNumber: String(partNumber), uploadId });
    const res = await client.send("PUT", url, {}, bytes);
    if (!res.ok) throw await s3Failure(res, `upload part ${partNumber} of`, rel);
    await res.body?.cancel();
    const etag = res.headers.get("etag");
    if (!etag) throw new MlflowError("INTERNAL_ERROR", "Artifact store returned no part ETag");
    return etag;
  }

  async function presignParts(uploadId: string, numParts: number) {
    const credentials: MultipartCredential[] = [];
    for (let n = 1; n <= numParts; n++) {
      const url = client.objectUrl(key, { partNumber: String(n), uploadId });
      const signed = await client.presign("PUT", url, opts.presignExpiresSeconds);
      credentials.push({ url: signed, part_number: n, headers: {} });
    }
    return credentials;
  }

  async function complete(uploadId: string, parts: CompletedPart[]): Promise<void> {
    const xml = `<CompleteMultipartUpload>${
      parts.map((p) =>
        `<Part><PartNumber>${p.part_number}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag></Part>`
      ).join("")
    }</CompleteMultipartUpload>`;
    const url = client.objectUrl(key, { uploadId });
    const res = await client.send("POST", url, { "content-type": "application/xml" }, xml);
    const text = await res.text();
    // S3 may answer 200 and still report an error in the body of a long-running complete.
    if (!res.ok || errorCodeOf(text)) {
      const status = res.ok ? 500 : res.status;
      throw await s3Failure(new Response(text, { status }), "complete upload of", rel);
    }
  }

  async function abort(uploadId: string): Promise<void> {
    const res = await client.send("DELETE", client.objectUrl(key, { uploadId }));
    if (!res.ok) throw await s3Failure(res, "abort upload of", rel);
    await res.body?.cancel();
  }

  async function uploadStream(
    first: Part,
    next: (reuse?: Uint8Array<ArrayBuffer>) => Promise<Part>,
  ): Promise<void> {
    const uploadId = await initiate();
    try {
      const parts: CompletedPart[] = [];
      let part = first;
      let spare: Uint8Array<ArrayBuffer> | undefined;
      for (let n = 1;; n++) {
        if (n > MAX_PARTS) {
          throw new MlflowError(
            "INVALID_PARAMETER_VALUE",
            `Artifact too large: over ${MAX_PARTS} parts`,
          );
        }
        // The next part is read while this one uploads: two parts in memory at most. Both are
        // awaited even when one fails: S3 may keep a part whose upload was still running when
        // the abort arrived.
        const [uploaded, read] = await Promise.allSettled([
          uploadPart(uploadId, n, part.bytes),
          part.last ? null : next(spare),
        ]);
        if (uploaded.status === "rejected") throw uploaded.reason;
        if (read.status === "rejected") throw read.reason;
        const following = read.value;
        parts.push({ part_number: n, etag: uploaded.value });
        if (following === null) break;
        // This part is sent (S3 has answered), so its buffer can take the part after next.
        spare = part.bytes;
        part = following;
      }
      await complete(uploadId, parts);
    } catch (err) {
      await abort(uploadId).catch(() => {});
      throw err;
    }
  }

  return { initiate, uploadPart, presignParts, complete, abort, uploadStream };
}

/**
 * Checks the parts a client reports when completing, and returns them sorted by number.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for no parts, too many, a bad or duplicate
 * part number, or a bad ETag.
 */
export function checkCompletedParts(parts: CompletedPart[]): CompletedPart[] {
  if (!Array.isArray(parts) || parts.length === 0 || parts.length > MAX_PARTS) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `parts must hold 1 to ${MAX_PARTS} parts`);
  }
  const sorted = [...parts].sort((a, b) => a.part_number - b.part_number);
  sorted.forEach((p, i) => {
    if (!Number.isSafeInteger(p.part_number) || p.part_number < 1 || p.part_number > MAX_PARTS) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid part_number ${p.part_number}`);
    }
    if (i > 0 && sorted[i - 1].part_number === p.part_number) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Duplicate part_number ${p.part_number}`);
    }
    checkToken("etag", p.etag);
  });
  return sorted;
}

/** Checks a client's `num_parts`. */
export function checkNumParts(numParts: number): void {
  if (!Number.isSafeInteger(numParts) || numParts < 1 || numParts > MAX_PARTS) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `num_parts must be an integer from 1 to ${MAX_PARTS}, got ${numParts}`,
    );
  }
}

/** Caller-supplied upload ids and ETags: bounded, printable. */
export function checkToken(name: string, value: unknown): void {
  if (
    typeof value !== "string" || value === "" || value.length > 1024 || CONTROL_CHARS.test(value)
  ) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid ${name}`);
  }
}
