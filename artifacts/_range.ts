/**
 * Byte-range checks shared by the backends, so both answer the same for the same range.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";
import { sliceStream } from "./_streams.ts";
import type { ArtifactObject, ByteRange } from "./types.ts";

/** Refuses ranges that are malformed whatever the file's size (negative, fractional, end < start). */
export function checkRangeShape(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid byte range: start ${start}`);
  }
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid byte range: ${start}-${end}`);
  }
}

/**
 * The inclusive range to serve from a file of `size` bytes: `end` is clamped to the last byte,
 * as HTTP does. A start at or past the end (including any range on an empty file) is
 * unsatisfiable.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for a malformed or unsatisfiable range.
 */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  checkRangeShape(range);
  if (range.start >= size) throw unsatisfiable(range, size);
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

/** The error for a range that starts at or past the end of the file. */
export function unsatisfiable(range: ByteRange, size?: number): MlflowError {
  const asked = `${range.start}-${range.end ?? ""}`;
  const of = size === undefined ? "" : ` of a ${size}-byte file`;
  return new MlflowError("INVALID_PARAMETER_VALUE", `Byte range ${asked} is not satisfiable${of}`);
}

/**
 * The object for a ranged GET from a remote store. Stores do not all send exactly what was
 * asked: some answer the whole object with 200, or a wider range, and Azurite answers a range on
 * an empty blob with 206 `bytes 0--1/0` where S3 and Azure answer 416. The body is trimmed to
 * exactly the requested bytes, so every backend serves the same range for the same request.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` when the range starts past the end;
 * `INTERNAL_ERROR` when the store's answer lacks the size or misses requested bytes.
 */
export async function servedRange(
  res: Response,
  body: ReadableStream<Uint8Array>,
  range: ByteRange,
): Promise<ArtifactObject> {
  const length = Number(res.headers.get("content-length"));
  const sent = res.status === 206
    ? parseContentRange(res.headers.get("content-range"))
    : { start: 0, end: length - 1, size: length };
  if (sent === null || !Number.isSafeInteger(sent.size)) {
    await body.cancel();
    throw new MlflowError("INTERNAL_ERROR", "Artifact store answered a range without its size");
  }
  if (range.start >= sent.size) {
    await body.cancel();
    throw unsatisfiable(range, sent.size);
  }
  const end = Math.min(range.end ?? sent.size - 1, sent.size - 1);
  if (sent.start > range.start || sent.end < end) {
    await body.cancel();
    throw new MlflowError("INTERNAL_ERROR", "Artifact store answered a different byte range");
  }
  const exact = sent.start === range.start && sent.end === end;
  return {
    body: exact ? body : sliceStream(body, range.start - sent.start, end - range.start + 1),
    size: sent.size,
    range: { start: range.start, end },
  };
}

/** `bytes start-end/size` → numbers (a negative end too, as Azurite sends); null if malformed. */
function parseContentRange(
  header: string | null,
): { start: number; end: number; size: number } | null {
  const m = header?.match(/^bytes (\d+)-(-?\d+)\/(\d+)$/);
  return m ? { start: Number(m[1]), end: Number(m[2]), size: Number(m[3]) } : null;
}
