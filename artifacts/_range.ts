/**
 * Byte-range checks shared by the backends, so both answer the same for the same range.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";
import type { ByteRange } from "./types.ts";

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
