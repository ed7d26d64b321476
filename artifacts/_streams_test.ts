import assert from "node:assert/strict";
import { MlflowError } from "../store/errors.ts";
import { writeBatched } from "./_streams.ts";

const MIB = 1024 * 1024;
const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

async function written(body: ReadableStream<Uint8Array>, expected?: number) {
  const path = await Deno.makeTempFile();
  try {
    const file = await Deno.open(path, { write: true });
    try {
      await writeBatched(body, file, expected);
    } finally {
      file.close();
    }
    return await Deno.readFile(path);
  } finally {
    await Deno.remove(path);
  }
}

// A Blob's stream is a byte stream (read with BYOB); ReadableStream.from is not.
const kinds = {
  "byte stream": (data: Uint8Array<ArrayBuffer>) => new Blob([data]).stream(),
  "chunk stream": (data: Uint8Array<ArrayBuffer>) =>
    ReadableStream.from([data.subarray(0, 1000), data.subarray(1000)]),
};

for (const [kind, make] of Object.entries(kinds)) {
  Deno.test(`writeBatched(): a ${kind} over one 8 MiB batch lands whole`, async () => {
    const data = bytesOf(8 * MIB + 12345);
    assert.deepEqual(await written(make(data), data.length), data);
    assert.deepEqual(await written(make(data)), data);
  });

  Deno.test(`writeBatched(): a ${kind} of the wrong length is refused`, async () => {
    const data = bytesOf(5000);
    for (const expected of [4999, 5001]) {
      const err = await written(make(data), expected).catch((e) => e);
      assert.ok(err instanceof MlflowError, String(err));
      assert.equal(err.code, "INVALID_PARAMETER_VALUE");
    }
  });
}
