/**
 * Stream helpers shared by the backends.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";

/**
 * Passes `body` through unchanged, erroring the stream when it carries more or fewer bytes than
 * `expected` (a truncated upload must not be stored as if it were whole). Without `expected`,
 * returns `body` itself.
 */
export function expectLength(
  body: ReadableStream<Uint8Array>,
  expected: number | undefined,
): ReadableStream<Uint8Array> {
  if (expected === undefined) return body;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid content length ${expected}`);
  }
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > expected) {
          controller.error(lengthMismatch(`more than ${expected}`, expected));
          return;
        }
        controller.enqueue(chunk);
      },
      flush(controller) {
        if (seen !== expected) controller.error(lengthMismatch(String(seen), expected));
      },
    }),
  );
}

function lengthMismatch(got: string, expected: number): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Upload body has ${got} bytes but its content length is ${expected}`,
  );
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
