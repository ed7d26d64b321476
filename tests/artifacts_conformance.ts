/**
 * The behaviour every `ArtifactRepository` backend shares, run by `artifacts_local_test.ts` and
 * `artifacts_s3_test.ts`. Backend-specific behaviour (symlinks, multipart, signatures) lives in
 * those files.
 *
 * @module
 */

import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import type { ArtifactRepository } from "../artifacts/types.ts";
import { MlflowError } from "../store/errors.ts";

/** Runs the shared suite as steps of `t`; `makeRepo` returns a fresh, empty repository each call. */
export async function runArtifactRepositoryConformance(
  t: Deno.TestContext,
  makeRepo: () => Promise<ArtifactRepository>,
): Promise<void> {
  const step = (name: string, fn: (repo: ArtifactRepository) => Promise<void>) =>
    t.step(name, async () => fn(await makeRepo()));

  await step("put then get returns the bytes and size", async (repo) => {
    await repo.put("1/abc/artifacts/hello.txt", streamOf("hello ", "world"));
    const obj = await repo.get("1/abc/artifacts/hello.txt");
    assert.ok(obj);
    assert.equal(obj.size, 11);
    assert.equal(obj.range, undefined);
    assert.equal(await textOf(obj.body), "hello world");
  });

  await step(
    "stat gives a file's size and null for missing files, directories and the root",
    async (repo) => {
      await repo.put("s/dir/f.txt", streamOf("12345"));
      await repo.put("s/empty", streamOf());
      assert.deepEqual(await repo.stat("s/dir/f.txt"), { size: 5 });
      assert.deepEqual(await repo.stat("s/empty"), { size: 0 });
      assert.equal(await repo.stat("s/missing"), null);
      assert.equal(await repo.stat("s/dir"), null);
      assert.equal(await repo.stat(""), null);
      await assertMlflowError(repo.stat("s/../x"));
    },
  );

  await step("put streams binary data in many chunks", async (repo) => {
    const chunks = Array.from({ length: 40 }, (_, i) => randomBytes(25_000 + i));
    await repo.put("bin/data.bin", streamOf(...chunks));
    const obj = await repo.get("bin/data.bin");
    assert.ok(obj);
    assert.deepEqual(await bytesOf(obj.body), concat(chunks));
  });

  await step("put overwrites an existing file", async (repo) => {
    await repo.put("a.txt", streamOf("a much longer first version"));
    await repo.put("a.txt", streamOf("v2"));
    assert.equal(await textOf((await repo.get("a.txt"))!.body), "v2");
  });

  await step("put stores empty files", async (repo) => {
    await repo.put("empty", streamOf());
    const obj = await repo.get("empty");
    assert.ok(obj);
    assert.equal(obj.size, 0);
    assert.equal(await textOf(obj.body), "");
  });

  await step("put accepts a matching content length", async (repo) => {
    await repo.put("len.txt", streamOf("12345"), { contentLength: 5 });
    assert.equal(await textOf((await repo.get("len.txt"))!.body), "12345");
  });

  await step("put refuses a body shorter or longer than its content length", async (repo) => {
    await repo.put("keep.txt", streamOf("original"));
    await assertMlflowError(repo.put("keep.txt", streamOf("short"), { contentLength: 50 }));
    await assertMlflowError(repo.put("keep.txt", streamOf("too long"), { contentLength: 2 }));
    await assertMlflowError(repo.put("new.txt", streamOf("x"), { contentLength: 3 }));
    assert.equal(await textOf((await repo.get("keep.txt"))!.body), "original");
    assert.equal(await repo.get("new.txt"), null);
  });

  await step("a failing body stores nothing and keeps the old file", async (repo) => {
    await repo.put("f.txt", streamOf("old"));
    await assert.rejects(repo.put("f.txt", failingStream("partial data")));
    await assert.rejects(repo.put("g.txt", failingStream("partial data")));
    assert.equal(await textOf((await repo.get("f.txt"))!.body), "old");
    assert.equal(await repo.get("g.txt"), null);
    assert.deepEqual(await repo.list(""), [{ path: "f.txt", is_dir: false, file_size: 3 }]);
  });

  await step("names with spaces, unicode and punctuation round-trip", async (repo) => {
    // No `&'"<>`: s3rver double-escapes them in listings (its bug; real S3 does not).
    const names = [
      "with space.txt",
      "unicodé 日本語 😀.txt",
      "!()*+,=@$~-_.txt",
      ".hidden",
      "12:30",
    ];
    for (const name of names) await repo.put(`dir/${name}`, streamOf(name));
    for (const name of names) {
      assert.equal(await textOf((await repo.get(`dir/${name}`))!.body), name);
    }
    const listed = (await repo.list("dir")).map((f) => f.path).sort();
    assert.deepEqual(listed, names.map((n) => `dir/${n}`).sort());
  });

  await step("get serves inclusive byte ranges", async (repo) => {
    await repo.put("r.txt", streamOf("0123456789"));
    const cases: [number, number | undefined, string][] = [
      [0, 0, "0"],
      [2, 5, "2345"],
      [7, undefined, "789"],
      [9, 9, "9"],
      [8, 100, "89"], // an end past the file is clamped, as HTTP does
    ];
    for (const [start, end, expected] of cases) {
      const obj = await repo.get("r.txt", { start, end });
      assert.ok(obj);
      assert.equal(obj.size, 10);
      assert.deepEqual(obj.range, { start, end: Math.min(end ?? 9, 9) });
      assert.equal(await textOf(obj.body), expected);
    }
  });

  await step("get refuses unsatisfiable or malformed ranges", async (repo) => {
    await repo.put("r.txt", streamOf("0123456789"));
    await repo.put("e.txt", streamOf());
    await assertMlflowError(repo.get("r.txt", { start: 10 }));
    await assertMlflowError(repo.get("r.txt", { start: 50, end: 60 }));
    await assertMlflowError(repo.get("r.txt", { start: 5, end: 4 }));
    await assertMlflowError(repo.get("r.txt", { start: -1 }));
    await assertMlflowError(repo.get("r.txt", { start: 1.5 }));
    await assertMlflowError(repo.get("e.txt", { start: 0 }));
  });

  await step("get of a missing file, a directory or the root is null", async (repo) => {
    await repo.put("d/file.txt", streamOf("x"));
    assert.equal(await repo.get("missing.txt"), null);
    assert.equal(await repo.get("d/missing/deeper.txt"), null);
    assert.equal(await repo.get("d"), null);
    assert.equal(await repo.get(""), null);
    assert.equal(await repo.get("d/file.txt/below"), null);
  });

  await step("list shows direct children with sizes, directories without", async (repo) => {
    await repo.put("run/artifacts/model/MLmodel", streamOf("flavors: {}"));
    await repo.put("run/artifacts/model/data/weights.bin", streamOf("wwww"));
    await repo.put("run/artifacts/metrics.json", streamOf("{}"));
    await repo.put("run/artifacts/empty.txt", streamOf());
    // A file directly in `run/`: s3rver omits a common prefix holding only subdirectories (its
    // bug; real S3 lists it).
    await repo.put("run/notes.txt", streamOf("n"));
    assert.deepEqual(await repo.list("run/artifacts"), [
      { path: "run/artifacts/empty.txt", is_dir: false },
      { path: "run/artifacts/metrics.json", is_dir: false, file_size: 2 },
      { path: "run/artifacts/model", is_dir: true },
    ]);
    assert.deepEqual(await repo.list("run/artifacts/model"), [
      { path: "run/artifacts/model/MLmodel", is_dir: false, file_size: 11 },
      { path: "run/artifacts/model/data", is_dir: true },
    ]);
    assert.deepEqual(await repo.list(""), [{ path: "run", is_dir: true }]);
    assert.deepEqual(await repo.list("run/artifacts/"), await repo.list("run/artifacts"));
  });

  await step("list of a file path or a missing directory is empty", async (repo) => {
    await repo.put("dir/file.txt", streamOf("x"));
    assert.deepEqual(await repo.list("dir/file.txt"), []);
    assert.deepEqual(await repo.list("nope"), []);
    assert.deepEqual(await repo.list("dir/nope/deeper"), []);
    assert.deepEqual(await repo.list("dir/file.txt/below"), []);
  });

  await step("list of an empty repository is empty", async (repo) => {
    assert.deepEqual(await repo.list(""), []);
  });

  await step("delete removes a file and leaves its siblings", async (repo) => {
    await repo.put("d/a.txt", streamOf("a"));
    await repo.put("d/b.txt", streamOf("b"));
    await repo.delete("d/a.txt");
    assert.equal(await repo.get("d/a.txt"), null);
    assert.deepEqual(await repo.list("d"), [{ path: "d/b.txt", is_dir: false, file_size: 1 }]);
  });

  await step("delete removes a directory recursively", async (repo) => {
    await repo.put("keep/x.txt", streamOf("x"));
    await repo.put("gone/a.txt", streamOf("a"));
    await repo.put("gone/sub/b.txt", streamOf("b"));
    await repo.put("gone/sub/deeper/c.txt", streamOf("c"));
    await repo.put("gone-sibling.txt", streamOf("s"));
    await repo.delete("gone");
    assert.deepEqual(await repo.list("gone"), []);
    assert.equal(await repo.get("gone/sub/deeper/c.txt"), null);
    assert.deepEqual((await repo.list("")).map((f) => f.path), ["gone-sibling.txt", "keep"]);
  });

  await step("delete of a missing path is a no-op", async (repo) => {
    await repo.delete("never/existed");
    await repo.delete("x.txt");
    await repo.put("a/b.txt", streamOf("b"));
    await repo.delete("a/b.txt/c");
    assert.equal(await textOf((await repo.get("a/b.txt"))!.body), "b");
  });

  await step("delete of the root empties the repository", async (repo) => {
    await repo.put("a/b.txt", streamOf("b"));
    await repo.put("c.txt", streamOf("c"));
    await repo.delete("");
    assert.deepEqual(await repo.list(""), []);
    await repo.put("again.txt", streamOf("ok"));
    assert.equal(await textOf((await repo.get("again.txt"))!.body), "ok");
  });

  await step("every method refuses unsafe paths", async (repo) => {
    await repo.put("safe.txt", streamOf("x"));
    for (const bad of ["../x", "%2e%2e/x", "%252e%252e%252fx", "/etc/passwd", "C:/x", "a\\..\\b"]) {
      await assertMlflowError(repo.put(bad, streamOf("x")), "INVALID_PARAMETER_VALUE");
      await assertMlflowError(repo.get(bad), "INVALID_PARAMETER_VALUE");
      await assertMlflowError(repo.list(bad), "INVALID_PARAMETER_VALUE");
      await assertMlflowError(repo.delete(bad), "INVALID_PARAMETER_VALUE");
    }
    assert.deepEqual((await repo.list("")).map((f) => f.path), ["safe.txt"]);
  });

  await step("put refuses the root", async (repo) => {
    await assertMlflowError(repo.put("", streamOf("x")), "INVALID_PARAMETER_VALUE");
  });

  await step("paths are decoded once and for all", async (repo) => {
    await repo.put("enc/a%20b.txt", streamOf("x"));
    assert.equal(await textOf((await repo.get("enc/a b.txt"))!.body), "x");
    assert.deepEqual(await repo.list("enc"), [{
      path: "enc/a b.txt",
      is_dir: false,
      file_size: 1,
    }]);
  });
}

/** What {@linkcode checkStreamingMemory} measured. */
export interface StreamingMemoryReport {
  bytes: number;
  /** Resident set size before the upload, in MiB. */
  baselineMiB: number;
  /** Highest RSS seen during upload and download, minus the baseline, in MiB. */
  peakGrowthMiB: number;
  putSeconds: number;
  getSeconds: number;
}

/**
 * Puts `bytes` of generated data through `repo` and reads it back, hashing both ways, while
 * sampling the process's RSS: a backend that buffered the file would grow by about its size.
 * Asserts the bytes match and returns the measurements (the caller bounds the growth).
 */
export async function checkStreamingMemory(
  repo: ArtifactRepository,
  path: string,
  bytes: number,
): Promise<StreamingMemoryReport> {
  const chunkSize = 1024 * 1024;
  const block = randomBytes(chunkSize);
  const baseline = rssMiB();
  let peak = baseline;
  const sample = () => {
    peak = Math.max(peak, rssMiB());
  };
  const putHash = createHash("md5");
  let produced = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= bytes) {
        controller.close();
        return;
      }
      const chunk = block.slice(0, Math.min(chunkSize, bytes - produced));
      // Stamped so no two chunks are equal: a backend mixing up parts fails the hash.
      new DataView(chunk.buffer).setUint32(0, produced / chunkSize);
      putHash.update(chunk);
      produced += chunk.byteLength;
      if ((produced / chunkSize) % 16 === 0) sample();
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });

  const t0 = performance.now();
  await repo.put(path, source);
  const t1 = performance.now();
  const obj = await repo.get(path);
  assert.ok(obj);
  assert.equal(obj.size, bytes);
  const getHash = createHash("md5");
  let received = 0;
  let chunks = 0;
  for await (const chunk of obj.body) {
    getHash.update(chunk);
    received += chunk.byteLength;
    if (++chunks % 64 === 0) sample();
  }
  const t2 = performance.now();
  sample();
  assert.equal(received, bytes);
  assert.equal(getHash.digest("hex"), putHash.digest("hex"));
  return {
    bytes,
    baselineMiB: baseline,
    peakGrowthMiB: peak - baseline,
    putSeconds: (t1 - t0) / 1000,
    getSeconds: (t2 - t1) / 1000,
  };
}

/**
 * Runs {@linkcode checkStreamingMemory} in a fresh `deno` process on the repository that
 * `openArtifactRepository(destination, env)` opens there. RSS is per process and `deno test
 * --parallel` runs other test modules in this one, so measuring here would count their memory.
 */
export async function checkStreamingMemoryInSubprocess(
  destination: string,
  env: Record<string, string>,
  path: string,
  bytes: number,
): Promise<StreamingMemoryReport> {
  const here = new URL(".", import.meta.url);
  const code = `
    import { checkStreamingMemory } from ${JSON.stringify(import.meta.url)};
    import { openArtifactRepository } from ${
    JSON.stringify(new URL("../artifacts/mod.ts", here).href)
  };
    const [destination, env, path, bytes] = Deno.args;
    const repo = openArtifactRepository(destination, JSON.parse(env));
    const report = await checkStreamingMemory(repo, path, Number(bytes));
    console.log("REPORT " + JSON.stringify(report));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code, destination, JSON.stringify(env), path, String(bytes)],
    cwd: new URL("..", here).pathname, // deno.json's import map
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const line = stdout.split("\n").find((l) => l.startsWith("REPORT "));
  assert.ok(out.success && line, `child failed:\n${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(line.slice("REPORT ".length));
}

/** This process's resident set size in MiB, from /proc/self/status. */
function rssMiB(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  assert.ok(m, "VmRSS not found in /proc/self/status");
  return Number(m[1]) / 1024;
}

/** A stream of the given chunks (strings are UTF-8 encoded). */
export function streamOf(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoded = chunks.map((c) => typeof c === "string" ? new TextEncoder().encode(c) : c);
  return new ReadableStream({
    pull(controller) {
      const next = encoded.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
}

/** A stream that yields `data`, then errors (a client hanging up mid-upload). */
export function failingStream(data: string): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) {
        controller.error(new Error("client went away"));
        return;
      }
      sent = true;
      controller.enqueue(new TextEncoder().encode(data));
    },
  });
}

/** All bytes of a stream. */
export async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A stream's bytes as UTF-8 text. */
export async function textOf(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

/** `n` random bytes (any size; getRandomValues is limited to 64 KiB a call). */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

/** The chunks joined into one array. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Asserts that `promise` rejects with an `MlflowError` (of `code`, when given). */
export async function assertMlflowError(
  promise: Promise<unknown>,
  code = "INVALID_PARAMETER_VALUE",
): Promise<MlflowError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof MlflowError, `expected an MlflowError, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

/** The md5 of `chunks` taken together, in hex. */
export function md5(...chunks: Uint8Array[]): string {
  const hash = createHash("md5");
  for (const c of chunks) hash.update(c);
  return hash.digest("hex");
}

/** `n` pseudo-random bytes as a stream of 1 MiB chunks, with the bytes and their md5. */
export function generated(
  n: number,
): { stream: ReadableStream<Uint8Array>; md5: string; bytes: Uint8Array } {
  const chunk = 1024 * 1024;
  const bytes = randomBytes(n);
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= n) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
  return { stream, md5: md5(bytes), bytes };
}
