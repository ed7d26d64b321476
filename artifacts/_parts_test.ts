import assert from "node:assert/strict";
import { MlflowError } from "../store/errors.ts";
import { type Part, partReader } from "./_parts.ts";

const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

/** A byte stream (BYOB-readable, like an HTTP request body) handing out `chunk`-sized pieces. */
function byteStream(data: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (at >= data.length) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      const n = Math.min(chunk, data.length - at);
      const view = controller.byobRequest?.view;
      if (view) {
        const target = new Uint8Array(view.buffer, view.byteOffset, Math.min(n, view.byteLength));
        target.set(data.subarray(at, at + target.length));
        at += target.length;
        controller.byobRequest!.respond(target.length);
      } else {
        controller.enqueue(data.slice(at, at + n));
        at += n;
      }
    },
  });
}

/** A default (non-byte) stream of `chunk`-sized pieces. */
function chunkStream(data: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += chunk) pieces.push(data.slice(at, at + chunk));
  return ReadableStream.from(pieces);
}

async function allParts(
  body: ReadableStream<Uint8Array>,
  partSize: number,
  expected?: number,
): Promise<Part[]> {
  const reader = partReader(body, partSize, expected);
  const parts: Part[] = [];
  let spare: Uint8Array<ArrayBuffer> | undefined;
  for (;;) {
    const part = await reader.next(spare);
    // Copied: the buffer is handed back for reuse two parts later.
    parts.push({ bytes: part.bytes.slice(), last: part.last });
    if (part.last) return parts;
    spare = parts.length > 1 ? part.bytes : undefined;
  }
}

for (const [kind, make] of [["byte stream", byteStream], ["chunk stream", chunkStream]] as const) {
  for (const [size, chunk] of [[0, 5], [1, 5], [99, 7], [100, 10], [100, 33], [250, 1000]]) {
    Deno.test(`partReader(): ${kind} of ${size} bytes in ${chunk}-byte chunks, 50-byte parts`, async () => {
      const data = bytesOf(size);
      const parts = await allParts(make(data, chunk), 50, size);
      assert.deepEqual(
        parts.map((p) => p.bytes.length),
        size === 0 ? [0] : Array.from(
          { length: Math.ceil(size / 50) },
          (_, i) => Math.min(50, size - i * 50),
        ),
      );
      assert.deepEqual(parts.map((p) => p.last), parts.map((_, i) => i === parts.length - 1));
      const joined = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        joined.set(p.bytes, at);
        at += p.bytes.length;
      }
      assert.deepEqual(joined, data);
    });
  }

  Deno.test(`partReader(): ${kind} longer than its content length is refused`, async () => {
    const err = await allParts(make(bytesOf(120), 16), 50, 100).catch((e) => e);
    assert.ok(err instanceof MlflowError);
    assert.equal(err.code, "INVALID_PARAMETER_VALUE");
    assert.match(err.message, /more than 100 bytes/);
  });

  Deno.test(`partReader(): ${kind} shorter than its content length is refused`, async () => {
    const err = await allParts(make(bytesOf(80), 16), 50, 100).catch((e) => e);
    assert.ok(err instanceof MlflowError);
    assert.match(err.message, /has 80 bytes but its content length is 100/);
  });
}
