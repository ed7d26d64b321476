/**
 * Cuts a byte stream into fixed-size parts for S3 multipart uploads, holding one part in memory.
 *
 * @module
 */

const INITIAL_BUFFER = 64 * 1024;

/** One part; `last` is known as soon as the part is, so a single-part body can be one PUT. */
export interface Part {
  bytes: Uint8Array<ArrayBuffer>;
  last: boolean;
}

/**
 * Returns a function yielding successive parts of exactly `partSize` bytes (the final one may be
 * shorter, and is empty only for an empty stream). Call it again only after the previous call
 * resolved; after the part marked `last` it must not be called.
 *
 * `reuse`, a full-size buffer of an earlier part that is no longer needed, is filled instead of
 * a new allocation: a large upload then cycles through two buffers rather than leaving one
 * part-sized garbage buffer behind per part.
 */
export function partReader(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  partSize: number,
): (reuse?: Uint8Array<ArrayBuffer>) => Promise<Part> {
  // A chunk straddling a part boundary: its tail starts the next part.
  let carry: Uint8Array | null = null;
  let ended = false;

  /** The next non-empty chunk, or null at the end of the stream. */
  async function nextChunk(): Promise<Uint8Array | null> {
    if (carry) {
      const chunk = carry;
      carry = null;
      return chunk;
    }
    while (!ended) {
      const { done, value } = await reader.read();
      if (done) ended = true;
      else if (value.byteLength > 0) return value;
    }
    return null;
  }

  return async function next(reuse?: Uint8Array<ArrayBuffer>): Promise<Part> {
    // Otherwise grown by doubling rather than allocated at full size: most artifacts are small,
    // and the proxy may be receiving many of them at once.
    let buf: Uint8Array<ArrayBuffer> = reuse?.byteLength === partSize
      ? reuse
      : new Uint8Array(Math.min(partSize, INITIAL_BUFFER));
    let filled = 0;
    while (filled < partSize) {
      const chunk = await nextChunk();
      if (chunk === null) break;
      const take = Math.min(chunk.byteLength, partSize - filled);
      if (filled + take > buf.byteLength) buf = grow(buf, filled, filled + take, partSize);
      buf.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), filled);
      filled += take;
      if (take < chunk.byteLength) carry = chunk.subarray(take);
    }
    // A full part may still be the last: peek, so an exact multiple of partSize does not end in
    // an empty part (S3 would refuse it as too small).
    if (filled === partSize && carry === null && !ended) carry = await nextChunk();
    const bytes = filled === buf.byteLength ? buf : buf.subarray(0, filled);
    return { bytes, last: ended && carry === null };
  };
}

/** A larger buffer holding the first `filled` bytes of `buf`, with room for `needed` bytes. */
function grow(
  buf: Uint8Array<ArrayBuffer>,
  filled: number,
  needed: number,
  max: number,
): Uint8Array<ArrayBuffer> {
  let size = buf.byteLength;
  while (size < needed) size *= 2;
  const bigger = new Uint8Array(Math.min(size, max));
  bigger.set(buf.subarray(0, filled));
  return bigger;
}
