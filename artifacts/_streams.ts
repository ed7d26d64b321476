/**
 * Stream helpers shared by the backends.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";

/** Throws `INVALID_PARAMETER_VALUE` unless `expected` is absent or a byte count. */
export function checkContentLength(expected: number | undefined): void {
  if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid content length ${expected}`);
  }
}

function lengthMismatch(got: string, expected: number): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Upload body has ${got} bytes but its content length is ${expected}`,
  );
}

/**
 * The most one BYOB read may fill. Offering a whole 8 MiB part to one read of a chunked request
 * body (Deno 2.9.6) slowed a 256 MiB upload from ~117 to 11 MB/s and raised the server's peak RSS
 * to 400 MB; 64 KiB windows run at full speed.
 */
const READ_WINDOW = 64 * 1024;

/** One read of a {@linkcode ByteSource}: `n` bytes now in `buffer` (the target's buffer). */
export interface ByteRead {
  n: number;
  buffer: ArrayBuffer;
  done: boolean;
}

/** Reads a body into the caller's buffers; see {@linkcode byteSource}. */
export interface ByteSource {
  /**
   * Reads up to `view.byteLength` bytes into `view`. The bytes end up in the returned `buffer`:
   * a BYOB read transfers `view`'s buffer, which the caller must use from then on.
   */
  into(view: Uint8Array<ArrayBuffer>): Promise<ByteRead>;
  cancel(reason?: unknown): Promise<void>;
}

/** An idle timeout set on a body by {@linkcode withIdleTimeout}. */
interface IdleLimit {
  ms: number;
  error: () => Error;
}

/** Bodies marked by {@linkcode withIdleTimeout}; weak, so a finished request leaves nothing. */
const idleLimits = new WeakMap<ReadableStream<Uint8Array>, IdleLimit>();

/**
 * Marks an upload body so that reading it through {@linkcode byteSource} (and so
 * {@linkcode writeBatched} and the S3 part reader) fails with `error()` once no byte has come for
 * `ms`, and cancels it. A client sending a byte every few seconds otherwise held its upload, a
 * temporary file and a connection for as long as it liked (issue 10 #7). The HTTP layer picks the
 * error (a 408); the stream itself is unchanged, so BYOB reads keep their speed.
 */
export function withIdleTimeout(
  body: ReadableStream<Uint8Array>,
  ms: number,
  error: () => Error,
): ReadableStream<Uint8Array> {
  idleLimits.set(body, { ms, error });
  return body;
}

/**
 * `source` whose reads fail with `limit.error()` after `limit.ms` without a byte. The stalled
 * read gets one more period to settle before the body is cancelled: measured on Deno 2.9.6, a
 * request body cancelled while a read is pending keeps its connection open after the reply.
 */
function idleTimed(source: ByteSource, limit: IdleLimit): ByteSource {
  const sleep = (ms: number) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ms);
    });
    return { done, clear: () => clearTimeout(timer) };
  };
  return {
    async into(view) {
      const read = source.into(view);
      // A read that loses to the timeout settles later; its outcome no longer matters.
      read.catch(() => {});
      const idle = sleep(limit.ms);
      const got = await Promise.race([read, idle.done]);
      idle.clear();
      if (got !== "timeout") return got;
      const grace = sleep(limit.ms);
      await Promise.race([read.catch(() => {}), grace.done]);
      grace.clear();
      const err = limit.error();
      await source.cancel(err).catch(() => {});
      throw err;
    },
    cancel: source.cancel,
  };
}

/**
 * Reads `body` into caller buffers. A byte stream (an HTTP request body) is read with a BYOB
 * reader straight into them: with a default reader every 64 KiB chunk is a fresh ArrayBuffer,
 * garbage that V8 frees only when it next collects, which held ~60 MB more at the peak of a large
 * upload. Other streams are read by chunk and copied.
 *
 * With `expected`, a body carrying more or fewer bytes fails with `INVALID_PARAMETER_VALUE` (a
 * truncated upload must not be stored as if it were whole).
 */
export function byteSource(
  body: ReadableStream<Uint8Array>,
  expected?: number,
): ByteSource {
  checkContentLength(expected);
  const limit = idleLimits.get(body);
  const read = limit ? idleTimed(rawSource(body), limit) : rawSource(body);
  let total = 0;
  return {
    async into(view) {
      const got = await read.into(
        view.byteLength > READ_WINDOW ? view.subarray(0, READ_WINDOW) : view,
      );
      total += got.n;
      if (expected !== undefined) {
        if (total > expected) throw lengthMismatch(`more than ${expected}`, expected);
        if (got.done && total !== expected) throw lengthMismatch(String(total), expected);
      }
      return got;
    },
    cancel: read.cancel,
  };
}

function rawSource(body: ReadableStream<Uint8Array>): ByteSource {
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream (a stream built from chunks, or a transformed one).
  }
  if (byob) {
    const reader = byob;
    return {
      async into(view) {
        // Even at the end the buffer comes back (transferred), under an empty view; it is
        // undefined only if the stream was cancelled, when the upload fails anyway.
        const { done, value } = await reader.read(view);
        if (value === undefined) throw new TypeError("Upload body was cancelled");
        return { n: done ? 0 : value.byteLength, buffer: value.buffer as ArrayBuffer, done };
      },
      cancel: (reason) => reader.cancel(reason),
    };
  }
  const reader = body.getReader();
  let pending: Uint8Array | null = null;
  return {
    async into(view) {
      if (pending === null) {
        const { done, value } = await reader.read();
        if (done) return { n: 0, buffer: view.buffer, done: true };
        pending = value;
      }
      const n = Math.min(pending.byteLength, view.byteLength);
      view.set(pending.subarray(0, n));
      pending = n < pending.byteLength ? pending.subarray(n) : null;
      return { n, buffer: view.buffer, done: false };
    },
    cancel: (reason) => reader.cancel(reason),
  };
}

/**
 * Bytes gathered before each file write in {@linkcode writeBatched}. Measured with a chunked
 * 128 MiB upload from another process (32 KiB chunks): a write per chunk (`pipeTo`) 28–50 MB/s,
 * 4 MiB batches 31 MB/s, 8 MiB batches ~200 MB/s. We do not know why the step is that sharp.
 */
const WRITE_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Writes a stream to a file in large batches. Small awaited file writes between reads of a
 * chunked HTTP request body made uploads through Deno's server slow down as they grew (a 2 GiB
 * chunked upload did not finish in 10 minutes and held ~900 MB outside the JS heap).
 */
export async function writeBatched(
  body: ReadableStream<Uint8Array>,
  file: Deno.FsFile,
  expectedLength?: number,
): Promise<void> {
  const source = byteSource(body, expectedLength);
  // One buffer for the whole upload: a fresh one per batch left the GC behind at 2 GiB.
  let buf = new Uint8Array(WRITE_BATCH_BYTES);
  let held = 0;
  const flush = async () => {
    for (let written = 0; written < held;) {
      written += await file.write(buf.subarray(written, held));
    }
    held = 0;
  };
  try {
    for (;;) {
      const got = await source.into(buf.subarray(held));
      buf = new Uint8Array(got.buffer);
      held += got.n;
      if (got.done) break;
      if (held === buf.byteLength) await flush();
    }
    await flush();
  } catch (err) {
    await source.cancel(err).catch(() => {});
    throw err;
  }
}

/**
 * The `length` bytes of `body` that follow its first `skip` bytes; the rest is cancelled. Used
 * when an S3-compatible server answers a range request with more than was asked.
 */
export function sliceStream(
  body: ReadableStream<Uint8Array>,
  skip: number,
  length: number,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let toSkip = skip;
  let remaining = length;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (remaining <= 0) {
          controller.close();
          await reader.cancel().catch(() => {});
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        let chunk = value;
        if (toSkip > 0) {
          const dropped = Math.min(toSkip, chunk.byteLength);
          toSkip -= dropped;
          chunk = chunk.subarray(dropped);
        }
        if (chunk.byteLength === 0) continue;
        if (chunk.byteLength > remaining) chunk = chunk.subarray(0, remaining);
        remaining -= chunk.byteLength;
        controller.enqueue(chunk);
        return;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
