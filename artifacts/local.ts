/**
 * The local-disk artifact repository: files under one root directory, streamed in and out.
 *
 * @module
 */

import { dirname, join, resolve, sep } from "node:path";
import { MlflowError } from "../store/errors.ts";
import { fileInfo, isListableName, sortFileInfos } from "./_listing.ts";
import { checkRangeShape, resolveRange } from "./_range.ts";
import { fsFailure } from "./_fs_errors.ts";
import { writeBatched } from "./_streams.ts";
import { checkStoredLength, MAX_LOCAL_PATH_BYTES, normaliseArtifactPath } from "./path.ts";
import type { ArtifactObject, ArtifactRepository, ByteRange, FileInfo } from "./types.ts";

/** Options for {@linkcode createLocalArtifactRepository}. */
export interface LocalArtifactRepositoryOptions {
  /** The directory holding every artifact; created on the first write. */
  rootDir: string;
}

/** Uploads land in `<dir>/.kvflow-upload-<uuid>` and are renamed into place when complete. */
const TEMP_PREFIX = ".kvflow-upload-";
const TEMP_NAME = /^\.kvflow-upload-[0-9a-f-]{36}$/;
/** The length of a temporary file's name (the prefix and a UUID). */
const TEMP_NAME_LENGTH = TEMP_PREFIX.length + 36;
const READ_CHUNK = 256 * 1024;

/**
 * An {@linkcode ArtifactRepository} on the local file system.
 *
 * - Every path is validated by `normaliseArtifactPath`, then resolved with `Deno.realPath` (of
 *   its deepest existing ancestor) and refused unless it stays inside the root, so a symlink
 *   planted inside the root cannot lead outside it. (A symlink swapped in between the check and
 *   the open is not caught; planting one needs write access to the root's directory itself.)
 * - `put` streams into a temporary file in the target directory and renames it into place: a
 *   reader never sees a half-written file, and a failed upload leaves nothing behind.
 * - Multipart uploads are not supported (`NOT_IMPLEMENTED`, which makes the MLflow client fall
 *   back to a single PUT).
 * - A path longer than the file system allows is refused before it is opened: each name at most
 *   `MAX_PATH_SEGMENT_BYTES`, the whole path with the root at most `MAX_LOCAL_PATH_BYTES`.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` from every method for an invalid path, a path
 * escaping the root or too long for the file system, or an unsatisfiable range; `put` also for
 * writing over a directory, under a file, or a body that does not match its `contentLength`.
 * `INSUFFICIENT_STORAGE` when the disk or quota is full (the partial upload is removed).
 *
 * @example
 * ```ts
 * const repo = createLocalArtifactRepository({ rootDir: "./mlartifacts" });
 * await repo.put("1/abc/artifacts/hello.txt", new Blob(["hi"]).stream());
 * const files = await repo.list("1/abc/artifacts"); // [{ path: "1/abc/artifacts/hello.txt", … }]
 * ```
 */
export function createLocalArtifactRepository(
  opts: LocalArtifactRepositoryOptions,
): ArtifactRepository {
  const root = resolve(opts.rootDir);

  /** The root's real path, or null when it does not exist yet. */
  async function realRoot(): Promise<string | null> {
    try {
      return await Deno.realPath(root);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
  }

  /** The checked file-system location of a relative path, or null when the root is missing. */
  async function locate(rel: string): Promise<{ rootReal: string; target: string } | null> {
    const rootReal = await realRoot();
    if (rootReal === null) return null;
    const target = rel === "" ? rootReal : join(rootReal, ...rel.split("/"));
    checkStoredLength(target, MAX_LOCAL_PATH_BYTES, rel);
    await assertInside(rootReal, target, rel);
    return { rootReal, target };
  }

  async function put(
    path: string,
    body: ReadableStream<Uint8Array>,
    putOpts?: { contentLength?: number },
  ): Promise<void> {
    let tmp: string | null = null;
    try {
      const rel = normaliseArtifactPath(path);
      if (rel === "") throw invalid("cannot write a file at the artifact root", rel);
      await Deno.mkdir(root, { recursive: true });
      const { rootReal, target } = (await locate(rel))!;
      const dir = dirname(target);
      // The temporary file's path is longer than the target's when the name is short.
      checkStoredLength(`${dir}${sep}${"x".repeat(TEMP_NAME_LENGTH)}`, MAX_LOCAL_PATH_BYTES, rel);
      await makeParents(dir, rel);
      // Checked again after mkdir: narrows the window for a symlink swapped in meanwhile.
      await assertInside(rootReal, dir, rel);
      if (await isDirectory(target)) throw invalid("a directory exists at this path", rel);

      tmp = join(dir, `${TEMP_PREFIX}${crypto.randomUUID()}`);
      const file = await Deno.open(tmp, { write: true, createNew: true });
      try {
        await writeBatched(body, file, putOpts?.contentLength);
      } finally {
        file.close();
      }
      await Deno.rename(tmp, target);
      tmp = null;
    } catch (err) {
      await body.cancel().catch(() => {});
      if (tmp !== null) await Deno.remove(tmp).catch(() => {});
      if (err instanceof Deno.errors.IsADirectory) {
        throw invalid("a directory exists at this path", path);
      }
      throw err;
    }
  }

  async function get(path: string, range?: ByteRange): Promise<ArtifactObject | null> {
    const rel = normaliseArtifactPath(path);
    if (range) checkRangeShape(range);
    const loc = await locate(rel);
    if (loc === null) return null;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(loc.target, { read: true });
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      const info = await file.stat();
      if (!info.isFile) {
        file.close();
        return null;
      }
      const size = info.size;
      // The whole file: Deno's own stream of it, which the HTTP server sends without a JS buffer
      // per chunk (a 2 GiB download: server RSS +5 MB instead of +85 MB, and 1.5× the rate). It
      // closes the file at its end or when cancelled.
      if (!range) return { body: file.readable, size };
      const served = resolveRange(range, size);
      if (served.start > 0) await file.seek(served.start, Deno.SeekMode.Start);
      return { body: fileStream(file, served.end - served.start + 1), size, range: served };
    } catch (err) {
      file.close();
      throw err;
    }
  }

  async function stat(path: string): Promise<{ size: number } | null> {
    const loc = await locate(normaliseArtifactPath(path));
    if (loc === null) return null;
    try {
      const info = await Deno.stat(loc.target);
      return info.isFile ? { size: info.size } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async function list(path: string): Promise<FileInfo[]> {
    const rel = normaliseArtifactPath(path);
    const loc = await locate(rel);
    if (loc === null) return [];
    const infos: FileInfo[] = [];
    try {
      for await (const entry of Deno.readDir(loc.target)) {
        if (TEMP_NAME.test(entry.name) || !isListableName(entry.name)) continue;
        const info = await describe(loc.rootReal, join(loc.target, entry.name), entry);
        if (info) infos.push(fileInfo(rel === "" ? entry.name : `${rel}/${entry.name}`, ...info));
      }
    } catch (err) {
      // A missing directory, or a path naming a file, lists as empty (the client relies on it).
      if (isMissing(err)) return [];
      throw err;
    }
    return sortFileInfos(infos);
  }

  async function remove(path: string): Promise<void> {
    const rel = normaliseArtifactPath(path);
    const loc = await locate(rel);
    if (loc === null) return;
    try {
      if (rel !== "") {
        await Deno.remove(loc.target, { recursive: true });
        return;
      }
      // The root itself stays, so later calls still resolve it.
      for await (const entry of Deno.readDir(loc.target)) {
        await Deno.remove(join(loc.target, entry.name), { recursive: true });
      }
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
  }

  return {
    put: (path, body, putOpts) => mapFsErrors(path, put(path, body, putOpts)),
    stat: (path) => mapFsErrors(path, stat(path)),
    get: (path, range) => mapFsErrors(path, get(path, range)),
    list: (path) => mapFsErrors(path, list(path)),
    delete: (path) => mapFsErrors(path, remove(path)),
    createMultipartUpload: notImplemented,
    completeMultipartUpload: notImplemented,
    abortMultipartUpload: notImplemented,
  };
}

/** The operation's result, with file-system errors a client must see mapped by `fsFailure`. */
async function mapFsErrors<T>(path: string, op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (err) {
    throw fsFailure(err, path);
  }
}

/**
 * Refuses `target` unless the real path of its deepest existing ancestor lies inside
 * `rootReal`. A dangling symlink on the way is refused too: what it points at cannot be checked.
 */
async function assertInside(rootReal: string, target: string, rel: string): Promise<void> {
  let probe = target;
  let appeared = 0;
  for (;;) {
    let real: string;
    try {
      real = await Deno.realPath(probe);
    } catch (err) {
      if (!isMissing(err)) throw err;
      const kind = await entryKind(probe);
      if (kind === "symlink") throw invalid("a symbolic link on the path cannot be resolved", rel);
      // Created between the two calls (a concurrent upload making the same directory): resolve
      // it again rather than mistake it for a dangling link.
      if (kind === "other" && appeared++ < 10) continue;
      if (kind === "other") throw invalid("the path keeps changing while being resolved", rel);
      const parent = dirname(probe);
      if (parent === probe) throw invalid("resolves outside the artifact root", rel);
      probe = parent;
      continue;
    }
    if (real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) {
      return;
    }
    throw invalid("resolves outside the artifact root", rel);
  }
}

/** Directory or file (with size) for a listing entry; null to leave it out. */
async function describe(
  rootReal: string,
  full: string,
  entry: Deno.DirEntry,
): Promise<[boolean, number] | null> {
  if (entry.isSymlink) {
    // Listed only when it resolves inside the root, as reads through it would be.
    try {
      await assertInside(rootReal, await Deno.realPath(full), entry.name);
    } catch {
      return null;
    }
  } else if (!entry.isDirectory && !entry.isFile) {
    return null;
  }
  try {
    const st = await Deno.stat(full);
    if (st.isDirectory) return [true, 0];
    if (st.isFile) return [false, st.size];
    return null;
  } catch (err) {
    if (isMissing(err)) return null; // deleted between readDir and stat
    throw err;
  }
}

async function makeParents(dir: string, rel: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists || err instanceof Deno.errors.NotADirectory) {
      throw invalid("a parent of this path is a file", rel);
    }
    throw err;
  }
}

/**
 * Streams `length` bytes from the file's current position, closing it when done or cancelled: a
 * byte range (a whole file goes as `file.readable`).
 */
function fileStream(file: Deno.FsFile, length: number): ReadableStream<Uint8Array> {
  let remaining = length;
  let open = true;
  const close = () => {
    if (open) {
      open = false;
      file.close();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (remaining <= 0) {
        close();
        controller.close();
        return;
      }
      const buf = new Uint8Array(Math.min(READ_CHUNK, remaining));
      let n: number | null;
      try {
        n = await file.read(buf);
      } catch (err) {
        close();
        controller.error(err);
        return;
      }
      if (n === null) {
        // The file shrank while being read: end early rather than hang.
        close();
        controller.close();
        return;
      }
      remaining -= n;
      controller.enqueue(n === buf.length ? buf : buf.subarray(0, n));
    },
    cancel() {
      close();
    },
  });
}

/** What is at `path` without following a final symlink: null when nothing is. */
async function entryKind(path: string): Promise<"symlink" | "other" | null> {
  try {
    return (await Deno.lstat(path)).isSymlink ? "symlink" : "other";
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isDirectory;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

function isMissing(err: unknown): boolean {
  return err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory;
}

function invalid(reason: string, rel: string): MlflowError {
  const shown = rel.length > 100 ? `${rel.slice(0, 100)}…` : rel;
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Invalid path: ${reason} (${JSON.stringify(shown)})`,
  );
}

function notImplemented(): Promise<never> {
  return Promise.reject(
    new MlflowError(
      "NOT_IMPLEMENTED",
      "Multipart upload is not supported for the current artifact repository (local storage)",
    ),
  );
}
