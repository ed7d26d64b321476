/**
 * The `artifacts` section of `deno task bench`: a large file through the artifact proxy
 * (`PUT`/`GET /api/2.0/mlflow-artifacts/artifacts/<path>`) on each backend — local disk, S3
 * (s3rver) and Azure Blob (Azurite) — with the server's resident memory sampled during each
 * transfer, and a plain `cp` of a file of the same size on the same disk as the local baseline.
 *
 * Each backend gets a server subprocess of its own (`--artifacts-destination <dir>`,
 * `s3://bench/prefix` or `wasbs://bench@devstoreaccount1.blob.core.windows.net/prefix`); the
 * server passed in by `main.ts` is not used. The source file is
 * generated from a seeded pattern in 1 MiB chunks (each a different rotation of it, stamped with
 * its index, so a lost, repeated or reordered chunk changes the bytes) and its CRC-32 kept
 * (`node:zlib`, native). Every download goes to a file that is checked against it.
 *
 * The baseline is `cp` of that file, evicted from the page cache before each copy: a copy of a
 * cached file measured anything from 614 MB/s to 3.7 GB/s on this VM.
 *
 * Two uploads per backend, reported apart:
 * - with a `Content-Length`: `curl -T` of the evicted file, which is what the MLflow Python client
 *   sends for a file, from a client that takes little of the 2 shared cores;
 * - chunked: Deno fetch with the same bytes generated as a ReadableStream body. On Deno 2.9.6 a
 *   `Deno.serve` handler that awaits an async file write per chunk of such a body burns CPU that
 *   grows quadratically with the body (reproduced without kvflow: 256 MiB → 19 s of server CPU,
 *   512 MiB → 77 s more); the local backend batches its writes for that reason.
 * Downloads are `curl -o` to a file on the same disk, as `cp` writes its copy.
 *
 * Memory: the server's VmRSS is sampled every 100 ms during each transfer, and VmHWM (the kernel's
 * exact peak) is reset before it through `/proc/<pid>/clear_refs` and read after it, when the
 * kernel allows. The row reports the larger of the two.
 *
 * Units: MB = 2^20 bytes (as the search section's RSS rows), so MB/s is MiB/s.
 *
 * Bounds: each transfer is aborted after `transferSeconds` and reported as MISSED; the section is
 * skipped (with a message and an information row) when curl or dd is missing or the temp dir's
 * file system has less than 3× the file size free. Every temp file, the s3rver, Azurite and the
 * servers are removed in `finally`.
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { type RunningServer, startServer } from "../server_helpers.ts";
import { startAzurite } from "../helpers/azurite.ts";
import { startS3rver } from "../helpers/s3rver.ts";
import { BenchError, median, type Result } from "./common.ts";

/** Sizes and time budgets of the artifacts section. */
export interface ArtifactSizes {
  /** Bytes of the file sent through the proxy and copied with `cp`. */
  bytes: number;
  /** Upper bound on one transfer (upload, download or `cp`); past it the figure is MISSED. */
  transferSeconds: number;
}

const MIB = 1024 * 1024;
export const FULL_ARTIFACTS: ArtifactSizes = { bytes: 2048 * MIB, transferSeconds: 600 };
export const QUICK_ARTIFACTS: ArtifactSizes = { bytes: 256 * MIB, transferSeconds: 120 };

/** Target: the server's peak RSS during a transfer, on either backend. */
const RSS_TARGET_MB = 200;
/** Target: proxy throughput on local disk relative to `cp`. */
const CP_RATIO_TARGET = 0.5;
const SAMPLE_MS = 100;
const BUCKET = "bench";
const ARTIFACT_PATH = "0/bench/artifacts/big.bin";
const PROXY = "/api/2.0/mlflow-artifacts/artifacts";

// ---------------------------------------------------------------------------------------------
// Deterministic bytes

const CHUNK = MIB;
/** A chunk is `CHUNK` bytes of the pattern from a per-chunk offset below `SPREAD`. */
const SPREAD = 64 * 1024;

/** mulberry32, as in search.ts. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

let pattern: Uint8Array | undefined;

function getPattern(): Uint8Array {
  if (pattern) return pattern;
  const words = new Uint32Array((CHUNK + SPREAD) / 4);
  const r = prng(0x6b76666c); // "kvfl"
  for (let i = 0; i < words.length; i++) words[i] = r();
  return pattern = new Uint8Array(words.buffer);
}

/** Chunk `i` of a file of `size` bytes: a fresh buffer, so the consumer may keep or detach it. */
function chunkAt(i: number, size: number): Uint8Array {
  const len = Math.min(CHUNK, size - i * CHUNK);
  const offset = (Math.imul(i, 4099) >>> 0) % SPREAD;
  const chunk = getPattern().slice(offset, offset + len);
  // The chunk index in its first 8 bytes (as far as they exist).
  const stamp = new Uint8Array(8);
  new DataView(stamp.buffer).setFloat64(0, i);
  chunk.set(stamp.subarray(0, Math.min(8, len)));
  return chunk;
}

/** The file as a pull stream of 1 MiB chunks, adding the CRC-32 of what it hands out. */
function generatedStream(size: number, sent: { crc: number; bytes: number }) {
  const chunks = Math.ceil(size / CHUNK);
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= chunks) return controller.close();
      const chunk = chunkAt(i++, size);
      sent.crc = crc32(chunk, sent.crc);
      sent.bytes += chunk.length;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

/** Writes the generated file to `path`; returns its length and CRC-32. */
async function writeGenerated(
  path: string,
  size: number,
): Promise<{ crc: number; bytes: number }> {
  using file = await Deno.open(path, { write: true, createNew: true });
  const sum = { crc: 0, bytes: 0 };
  const chunks = Math.ceil(size / CHUNK);
  for (let i = 0; i < chunks; i++) {
    const chunk = chunkAt(i, size);
    sum.crc = crc32(chunk, sum.crc);
    sum.bytes += chunk.length;
    for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Memory of the server process

/** The VmRSS/VmHWM of a process, in MB; NaN when /proc is missing. */
async function readMemory(pid: number): Promise<{ rss: number; hwm: number }> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, own processes); false when not allowed. */
async function resetPeak(pid: number): Promise<boolean> {
  try {
    await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Samples the RSS of `pid` every 100 ms until `stop()`, which returns the peaks seen. */
export async function sampleMemory(pid: number) {
  const hwmReset = await resetPeak(pid);
  const start = (await readMemory(pid)).rss;
  let peak = start;
  let samples = 1;
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
      const { rss } = await readMemory(pid);
      if (Number.isFinite(rss)) peak = Math.max(peak, rss);
      samples++;
    }
  })();
  let stopped:
    | Promise<{ start: number; sampled: number; hwm: number; samples: number }>
    | undefined;
  return {
    /** Idempotent. */
    stop: () =>
      stopped ??= (async () => {
        running = false;
        await loop;
        const { rss, hwm } = await readMemory(pid);
        if (Number.isFinite(rss)) peak = Math.max(peak, rss);
        return { start, sampled: peak, hwm: hwmReset ? hwm : NaN, samples };
      })(),
  };
}

// ---------------------------------------------------------------------------------------------
// Transfers

interface Transfer {
  /** NaN when the transfer timed out. */
  seconds: number;
  /** Peak server RSS during it, MB: the larger of the sampled VmRSS and the reset VmHWM. */
  peakMb: number;
  memoryNote: string;
  timedOut: boolean;
}

class Timeout extends Error {}

/** Runs `work` with an abort signal that fires after `seconds`; a timeout resolves timedOut. */
async function bounded<T>(
  seconds: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ value?: T; seconds: number; timedOut: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Timeout()), seconds * 1000);
  const t0 = performance.now();
  try {
    const value = await work(controller.signal);
    return { value, seconds: (performance.now() - t0) / 1000, timedOut: false };
  } catch (err) {
    if (controller.signal.aborted) return { seconds: NaN, timedOut: true };
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Times `work` against the server while sampling its memory. */
async function measured(
  server: RunningServer,
  seconds: number,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<Transfer> {
  await sync();
  const memory = await sampleMemory(server.process.pid);
  const result = await bounded(seconds, work).finally(() => memory.stop());
  const mem = await memory.stop();
  const peakMb = Math.max(mem.sampled, Number.isFinite(mem.hwm) ? mem.hwm : -Infinity);
  return {
    seconds: result.seconds,
    timedOut: result.timedOut,
    peakMb,
    memoryNote: `${mem.start.toFixed(0)} MB at start, sampled peak ${mem.sampled.toFixed(0)} MB ` +
      `over ${mem.samples} samples` +
      (Number.isFinite(mem.hwm) ? `, VmHWM ${mem.hwm.toFixed(0)} MB` : ", VmHWM not resettable"),
  };
}

async function upload(
  server: RunningServer,
  size: number,
  sent: { crc: number; bytes: number },
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(`${server.url}${PROXY}/${ARTIFACT_PATH}`, {
    method: "PUT",
    // Deno sends a stream body chunked and drops this header (toolchain.md); sent anyway, as a
    // client would, in case a future fetch keeps it.
    headers: { "content-type": "application/octet-stream", "content-length": String(size) },
    body: generatedStream(size, sent),
    signal,
  });
  const text = await res.text();
  if (res.status !== 200) throw new BenchError(`PUT ${ARTIFACT_PATH} → ${res.status}: ${text}`);
  if (sent.bytes !== size) throw new BenchError(`PUT sent ${sent.bytes} bytes, meant ${size}`);
}

/**
 * The same PUT with a `Content-Length`, from the file on disk, by `curl -T`: what the MLflow
 * Python client does with a file (`requests` takes the length from it), by a client that costs
 * the 2 shared cores little. The source is evicted from the page cache first, as for `cp`.
 */
async function uploadFile(
  server: RunningServer,
  file: string,
  signal: AbortSignal,
): Promise<void> {
  const url = `${server.url}${PROXY}/${ARTIFACT_PATH}`;
  const status = await run("curl", [
    "-sS",
    "-T",
    file,
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    url,
  ], signal);
  if (status.trim() !== "200") throw new BenchError(`curl -T ${ARTIFACT_PATH} → ${status}`);
}

/** Downloads the artifact to `file` with curl, as `cp` writes its copy. */
async function download(server: RunningServer, file: string, signal: AbortSignal): Promise<void> {
  const url = `${server.url}${PROXY}/${ARTIFACT_PATH}`;
  const status = await run("curl", ["-sS", "-o", file, "-w", "%{http_code}", url], signal);
  if (status.trim() !== "200") throw new BenchError(`curl ${ARTIFACT_PATH} → ${status}`);
}

/** Length and CRC-32 of a file, read in 8 MiB blocks. */
async function fileCrc(path: string): Promise<{ crc: number; bytes: number }> {
  using file = await Deno.open(path);
  const buf = new Uint8Array(8 * MIB);
  const sum = { crc: 0, bytes: 0 };
  for (;;) {
    const n = await file.read(buf);
    if (n === null) return sum;
    sum.crc = crc32(buf.subarray(0, n), sum.crc);
    sum.bytes += n;
  }
}

/**
 * Drops a file's pages from this machine's page cache (`dd iflag=nocache count=0`, i.e.
 * POSIX_FADV_DONTNEED, after a sync). On this VM the host may still cache the disk, so a read
 * after this is slower than a cached one but not always as slow as a cold disk.
 */
async function evict(path: string): Promise<void> {
  await sync();
  await run("dd", [`if=${path}`, "iflag=nocache", "count=0", "status=none"]);
}

// ---------------------------------------------------------------------------------------------
// Environment

async function run(cmd: string, args: string[], signal?: AbortSignal): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", signal })
    .output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new BenchError(`${cmd} ${args.join(" ")} failed (${out.code}): ${err}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Flushes dirty pages, so one phase's write-back does not slow the next one's clock. */
async function sync(): Promise<void> {
  await run("sync", []).catch(() => {});
}

/** Why this section cannot run (curl or dd missing), or undefined. */
async function missingTool(): Promise<string | undefined> {
  for (const tool of ["curl", "dd"]) {
    try {
      await run(tool, ["--version"]);
    } catch {
      return `${tool} is not installed (the section uploads and downloads with curl)`;
    }
  }
  return undefined;
}

/** Free bytes on the file system holding `dir`, from `df -Pk`; undefined if df fails. */
async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const lines = (await run("df", ["-Pk", dir])).trim().split("\n");
    const kb = Number(lines.at(-1)?.split(/\s+/)[3]);
    return Number.isFinite(kb) ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

const mb = (bytes: number) => bytes / MIB;

function rate(size: number, t: { seconds: number; timedOut: boolean }, limit: number) {
  return {
    value: t.timedOut ? NaN : mb(size) / t.seconds,
    note: t.timedOut ? `timed out after ${limit} s` : `${t.seconds.toFixed(1)} s`,
  };
}

/** A row of this section. */
function row(label: string, value: number, unit: string, extra: Partial<Result> = {}): Result {
  return { bench: "artifacts", label, value, unit, goal: "min", ...extra };
}

/** The file both uploads send: its path on disk (for curl and cp) and its length and CRC-32. */
interface Source {
  path: string;
  sum: { crc: number; bytes: number };
}

/**
 * One backend: an upload of the source file with a Content-Length (curl) and a download to a
 * file (curl), then a chunked upload of the same bytes generated on the fly (Deno fetch, stream
 * body) and a second download. Both downloads are checked against the source; the first is
 * reported, the second goes into the note.
 */
async function benchBackend(
  name: string,
  server: RunningServer,
  source: Source,
  limit: number,
): Promise<{ rows: Result[]; rates: Record<"chunked" | "length" | "down", number> }> {
  const size = source.sum.bytes;
  const idle = (await readMemory(server.process.pid)).rss;
  const sizeLabel = `${mb(size).toLocaleString("en-US")} MiB`;
  const copy = `${source.path}.down`;

  const roundTrip = async (how: "chunked" | "length") => {
    const sent = { crc: 0, bytes: 0 };
    if (how === "length") await evict(source.path);
    const up = await measured(
      server,
      limit,
      (signal) =>
        how === "chunked"
          ? upload(server, size, sent, signal)
          : uploadFile(server, source.path, signal),
    );
    if (how === "chunked" && !up.timedOut && sent.crc !== source.sum.crc) {
      throw new BenchError(`${name}: the generated stream differs from the source file`);
    }
    const down: Transfer = up.timedOut
      ? { seconds: NaN, timedOut: true, peakMb: NaN, memoryNote: "upload timed out" }
      : await measured(server, limit, (signal) => download(server, copy, signal));
    const got = down.timedOut ? { crc: 0, bytes: 0 } : await fileCrc(copy);
    await Deno.remove(copy).catch(() => {});
    if (!down.timedOut && (got.bytes !== size || got.crc !== source.sum.crc)) {
      throw new BenchError(
        `${name}: downloaded ${got.bytes} bytes, CRC-32 ${got.crc.toString(16)}; sent ` +
          `${size} bytes, CRC-32 ${source.sum.crc.toString(16)} (${how} upload)`,
      );
    }
    const upRate = rate(size, up, limit);
    const downRate = rate(size, down, limit);
    console.log(
      `artifacts: ${name}: ${how} up ${upRate.value.toFixed(0)} MB/s (server peak ` +
        `${up.peakMb.toFixed(0)} MB), down ${downRate.value.toFixed(0)} MB/s (server peak ` +
        `${down.peakMb.toFixed(0)} MB)`,
    );
    return { up, down, upRate, downRate, crc: got.crc };
  };

  // Content-Length first: a chunked upload that times out leaves the server busy with it.
  const length = await roundTrip("length");
  const chunked = await roundTrip("chunked");
  const verified = (t: { down: Transfer; crc: number }) =>
    t.down.timedOut ? "not verified" : `bytes verified, CRC-32 ${t.crc.toString(16)}`;
  const rssTarget = { goal: "max", target: RSS_TARGET_MB } as const;
  const rows: Result[] = [
    row(`${name}: upload ${sizeLabel}, Content-Length`, length.upRate.value, "MB/s", {
      note: `${length.upRate.note}; curl -T of the file (evicted from the page cache), as the ` +
        "MLflow client sends a file; " +
        verified(length),
    }),
    row(`${name}: upload ${sizeLabel}, chunked (fetch)`, chunked.upRate.value, "MB/s", {
      note: `${chunked.upRate.note}; Deno fetch, stream body; ${verified(chunked)}`,
    }),
    row(`${name}: download ${sizeLabel}`, length.downRate.value, "MB/s", {
      note:
        `${length.downRate.note}; curl to a file on the same disk; again after the chunked upload: ` +
        (chunked.down.timedOut ? "not run" : `${chunked.downRate.value.toFixed(0)} MB/s`),
    }),
    row(`${name}: server peak RSS, Content-Length upload`, length.up.peakMb, "MB", {
      ...rssTarget,
      note: `${idle.toFixed(0)} MB idle before; ${length.up.memoryNote}`,
    }),
    row(`${name}: server peak RSS, chunked upload`, chunked.up.peakMb, "MB", {
      ...rssTarget,
      note: chunked.up.memoryNote,
    }),
    row(
      `${name}: server peak RSS, download`,
      Math.max(length.down.peakMb, Number.isFinite(chunked.down.peakMb) ? chunked.down.peakMb : 0),
      "MB",
      { ...rssTarget, note: `1st: ${length.down.memoryNote}; 2nd: ${chunked.down.memoryNote}` },
    ),
  ];
  return {
    rows,
    rates: {
      chunked: chunked.upRate.value,
      length: length.upRate.value,
      down: length.downRate.value,
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** The `artifacts` bench: `cp` baseline, then the proxy on local disk, on s3rver and on Azurite. */
export async function benchArtifacts(
  _server: RunningServer,
  sizes: { artifacts: ArtifactSizes },
): Promise<Result[]> {
  const { bytes: size, transferSeconds: limit } = sizes.artifacts;
  const sizeLabel = `${mb(size).toLocaleString("en-US")} MiB`;
  const dir = await Deno.makeTempDir({ prefix: "kvflow-bench-artifacts-" });
  const servers: RunningServer[] = [];
  let s3: Awaited<ReturnType<typeof startS3rver>> | undefined;
  let azure: Awaited<ReturnType<typeof startAzurite>> | undefined;
  try {
    const free = await freeBytes(dir);
    const missing = await missingTool();
    // The source, the stored artifact and a downloaded copy.
    const needed = 3 * size + 256 * MIB;
    if (missing || (free !== undefined && free < needed)) {
      const message = missing ?? `${(free! / 2 ** 30).toFixed(1)} GiB free in ${dir}, ` +
          `need ${(needed / 2 ** 30).toFixed(1)} GiB (3× the file)`;
      console.log(`artifacts: SKIPPED: ${message}`);
      return [{
        bench: "artifacts",
        label: "artifacts section skipped",
        value: NaN,
        unit: "MB/s",
        goal: "min",
        note: message,
      }];
    }
    if (free === undefined) console.log(`artifacts: df failed; not checking free space`);
    const results: Result[] = [];

    // --- Baseline: cp on the same disk, of the file the proxy uploads.
    console.log(`artifacts: writing a ${sizeLabel} source file…`);
    const src = `${dir}/source.bin`;
    const dst = `${dir}/cp-dst.bin`;
    const source: Source = { path: src, sum: await writeGenerated(src, size) };
    // The median of 3 copies, each of a source evicted from the page cache: a copy of a cached
    // file measured anything from 614 MB/s to 3.7 GB/s here, so it was no baseline.
    const cps: { seconds: number; timedOut: boolean }[] = [];
    for (let k = 0; k < 3; k++) {
      await evict(src);
      cps.push(await bounded(limit, (signal) => run("cp", [src, dst], signal)));
      await Deno.remove(dst).catch(() => {});
      if (cps.at(-1)!.timedOut) break;
    }
    const cp = cps.some((c) => c.timedOut)
      ? { seconds: NaN, timedOut: true }
      : { seconds: median(cps.map((c) => c.seconds)), timedOut: false };
    const cpRate = rate(size, cp, limit);
    results.push({
      bench: "artifacts",
      label: `local disk: cp of ${sizeLabel} (baseline, median of 3)`,
      value: cpRate.value,
      unit: "MB/s",
      goal: "min",
      note: `median of ${cps.length}, ${cpRate.note}; ` +
        `runs ${cps.map((c) => (mb(size) / c.seconds).toFixed(0)).join(", ")} MB/s; ` +
        "source evicted from the page cache before each (the VM host may still cache it), " +
        "destination not fsynced",
    });

    // --- Local disk.
    const localDir = `${dir}/mlartifacts`;
    await Deno.mkdir(localDir);
    const local = await startServer({ args: ["--artifacts-destination", localDir] });
    servers.push(local);
    console.log(`artifacts: local disk (${localDir}), ${sizeLabel} up and down…`);
    const l = await benchBackend("local disk", local, source, limit);
    await local.stop();
    await Deno.remove(localDir, { recursive: true }).catch(() => {});
    results.push(...l.rows);
    for (
      const [what, value] of [
        ["Content-Length upload", l.rates.length],
        ["chunked upload", l.rates.chunked],
        ["download", l.rates.down],
      ] as const
    ) {
      results.push({
        bench: "artifacts",
        label: `local disk: ${what} throughput / cp`,
        value: value / cpRate.value,
        unit: "×",
        goal: "min",
        target: CP_RATIO_TARGET,
        note: `${value.toFixed(0)} vs ${cpRate.value.toFixed(0)} MB/s`,
      });
    }

    // --- S3 (s3rver).
    console.log(`artifacts: starting s3rver…`);
    s3 = await startS3rver({ buckets: [BUCKET] });
    const remote = await startServer({
      args: ["--artifacts-destination", `s3://${BUCKET}/prefix`],
      env: {
        MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_DEFAULT_REGION: "us-east-1",
      },
    });
    servers.push(remote);
    console.log(`artifacts: S3 (s3rver ${s3.endpoint}), ${sizeLabel} up and down…`);
    const r = await benchBackend("S3 (s3rver)", remote, source, limit);
    results.push(...r.rows);

    // --- Azure Blob (Azurite), configured as a server would be: a wasbs:// destination and a
    // connection string whose BlobEndpoint is the emulator.
    console.log(`artifacts: starting Azurite…`);
    azure = await startAzurite({ containers: [BUCKET] });
    const blob = await startServer({
      args: [
        "--artifacts-destination",
        `wasbs://${BUCKET}@${azure.account}.blob.core.windows.net/prefix`,
      ],
      env: { AZURE_STORAGE_CONNECTION_STRING: azure.connectionString },
    });
    servers.push(blob);
    console.log(`artifacts: Azure Blob (Azurite ${azure.endpoint}), ${sizeLabel} up and down…`);
    const a = await benchBackend("Azure Blob (Azurite)", blob, source, limit);
    results.push(...a.rows);
    return results;
  } catch (err) {
    if (err instanceof BenchError) {
      for (const s of servers) console.error(`server output:\n${s.output()}`);
    }
    throw err;
  } finally {
    for (const s of servers) await s.stop();
    await s3?.stop();
    await azure?.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
