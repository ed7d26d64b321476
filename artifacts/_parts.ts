/**
 * Cuts a byte stream into fixed-size parts for S3 multipart uploads, holding one part in memory.
 *
 * @module
 */

import { byteSource } from "./_streams.ts";

const INITIAL_BUFFER = 64 * 1024;
/** One part; `last` is known as soon as the part is, so a single-part body can be one PUT. */
export interface Part {
  bytes: Uint8Array<ArrayBuffer>;
  last: boolean;
}

/** Successive parts of a stream; see {@linkcode partReader}. */
export interface PartReader {
  /**
   * The next part of exactly `partSize` bytes (the final one may be shorter, and is empty only
   * for an empty stream). Call it again only after the previous call resolved, and never after
   * the part marked `last`.
   *
   * `reuse`, a full-size buffer of an earlier part that is no longer needed, is filled instead of
   * a new allocation: a large upload then cycles through two buffers.
   */
  next(reuse?: Uint8Array<ArrayBuffer>): Promise<Part>;
  /** Cancels the stream (after a failure). */
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Reads `body` in parts, through {@linkcode byteSource} (BYOB straight into the part buffer for
 * a request body; length checked against `expectedLength`).
 */
export function partReader(
  body: ReadableStream<Uint8Array>,
  partSize: number,
  expectedLength?: number,
): PartReader {
  const source = byteSource(body, expectedLength);
  // Bytes read while peeking past a full part: they start the next part.
  let carry: Uint8Array | null = null;
  let ended = false;

  /** Reads into `into` (at least one byte unless the stream ended). */
  async function readInto(
    into: Uint8Array<ArrayBuffer>,
  ): Promise<{ n: number; buffer: ArrayBuffer }> {
    if (carry) {
      const n = Math.min(carry.byteLength, into.byteLength);
      into.set(carry.subarray(0, n));
      carry = n < carry.byteLength ? carry.subarray(n) : null;
      return { n, buffer: into.buffer };
    }
    while (!ended) {
      const got = await source.into(into);
      into = new Uint8Array(got.buffer, into.byteOffset, into.byteLength);
      if (got.done) ended = true;
      else if (got.n > 0) return got;
    }
    return { n: 0, buffer: into.buffer };
  }

  async function next(reuse?: Uint8Array<ArrayBuffer>): Promise<Part> {
    // Otherwise grown by doubling rather than allocated at full size: most artifacts are small,
    // and the proxy may be receiving many of them at once.
    let buf: Uint8Array<ArrayBuffer> = reuse?.byteLength === partSize
      ? reuse
      : new Uint8Array(Math.min(partSize, INITIAL_BUFFER));
    let filled = 0;
    while (filled < partSize) {
      if (filled === buf.byteLength) buf = grow(buf, filled, partSize);
      const { n, buffer } = await readInto(buf.subarray(filled));
      // A BYOB read transfers the buffer: the bytes are now in `buffer`.
      buf = new Uint8Array(buffer);
      if (n === 0) break;
      filled += n;
    }
    // A full part may still be the last: peek, so an exact multiple of partSize does not end in
    // an empty part (S3 would refuse it as too small).
    if (filled === partSize && carry === null && !ended) {
      const { n, buffer } = await readInto(new Uint8Array(INITIAL_BUFFER));
      if (n > 0) carry = new Uint8Array(buffer, 0, n);
    }
    const bytes = filled === buf.byteLength ? buf : buf.subarray(0, filled);
    return { bytes, last: ended && carry === null };
  }

  return { next, cancel: (reason) => source.cancel(reason) };
}

/** A buffer twice as large (at most `max`) holding the first `filled` bytes of `buf`. */
function grow(
  buf: Uint8Array<ArrayBuffer>,
  filled: number,
  max: number,
): Uint8Array<ArrayBuffer> {
  const bigger = new Uint8Array(Math.min(buf.byteLength * 2, max));
  bigger.set(buf.subarray(0, filled));
  return bigger;
}

/** Where {@linkcode putInParts} sends a body: as one request, or as a multipart upload. */
export interface PartTarget {
  /** Stores a body that fits in one part. */
  single(bytes: Uint8Array<ArrayBuffer>): Promise<void>;
  /** Uploads a longer body: its first part, then `next()` until the part marked `last`. */
  multi(first: Part, next: PartReader["next"]): Promise<void>;
}

/**
 * A remote backend's `put`: `body` cut into parts of `partSize` (one part in memory), sent with
 * `target().single` when it fits in one part and with `target().multi` otherwise. `target` is
 * called first and may throw (an invalid path); on any failure the body is cancelled.
 */
export async function putInParts(
  body: ReadableStream<Uint8Array>,
  partSize: number,
  expectedLength: number | undefined,
  target: () => PartTarget,
): Promise<void> {
  let parts: PartReader | null = null;
  try {
    const to = target();
    parts = partReader(body, partSize, expectedLength);
    const first = await parts.next();
    if (first.last) await to.single(first.bytes);
    else await to.multi(first, parts.next);
  } catch (err) {
    await (parts ?? body).cancel().catch(() => {});
    throw err;
  }
}
