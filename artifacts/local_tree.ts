/**
 * Copies a plain local directory (an MLflow file store's `<exp>/<run>/artifacts`, written by a
 * client without a tracking server) into an artifact repository, one file at a time as a
 * stream. The directory was chosen by the importer; nothing inside it may lead elsewhere, so no
 * symbolic link is followed (a link is reported and left out), a file swapped for another
 * between its check and its open is left out too, and anything but regular files and
 * directories is skipped.
 *
 * @module
 */
import { join } from "node:path";
import { MlflowError } from "../store/errors.ts";
import { MAX_COPY_DEPTH } from "./copy.ts";
import type { ArtifactRepository } from "./types.ts";

/** Most skipped entries a copy names; past it they are only counted. */
export const MAX_SKIPPED_REPORTED = 100;

/** What {@linkcode copyLocalTree} copied and left out. */
export interface LocalTreeCopy {
  files: number;
  bytes: number;
  /** Entries left out (at most {@linkcode MAX_SKIPPED_REPORTED}), relative to the directory, with why. */
  skipped: { path: string; reason: string }[];
  /** How many entries were left out in all. */
  skippedCount: number;
}

/**
 * Copies every regular file under the local directory `dir` to the same relative path under
 * `toPath` in `to`, depth first to {@linkcode MAX_COPY_DEPTH} levels. Symbolic links (to files
 * or directories, inside or outside `dir`) are not followed but reported in `skipped`, as are
 * names the repository refuses (`INVALID_PARAMETER_VALUE` from `put`, e.g. a `#` in a name).
 * A missing `dir` copies nothing.
 *
 * @example
 * ```ts
 * await copyLocalTree("/data/mlruns/1/abc/artifacts", destination, "7/abc/artifacts");
 * ```
 */
export async function copyLocalTree(
  dir: string,
  to: ArtifactRepository,
  toPath: string,
): Promise<LocalTreeCopy> {
  const out: LocalTreeCopy = { files: 0, bytes: 0, skipped: [], skippedCount: 0 };
  const skip = (path: string, reason: string) => {
    out.skippedCount++;
    if (out.skipped.length < MAX_SKIPPED_REPORTED) out.skipped.push({ path, reason });
  };
  let root: string;
  try {
    root = await Deno.realPath(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return out;
    throw err;
  }
  const walk = async (rel: string, depth: number): Promise<void> => {
    const here = rel === "" ? root : join(root, ...rel.split("/"));
    // A directory replaced by a link since it was listed must not be entered.
    if (await Deno.realPath(here) !== here) return skip(rel, "symbolic link not followed");
    for await (const entry of Deno.readDir(here)) {
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymlink) skip(childRel, "symbolic link not followed");
      else if (entry.isDirectory) {
        if (depth + 1 > MAX_COPY_DEPTH) skip(childRel, "nested too deep");
        else await walk(childRel, depth + 1);
      } else if (entry.isFile) await copyFile(join(here, entry.name), childRel);
      else skip(childRel, "not a regular file");
    }
  };
  const copyFile = async (full: string, rel: string): Promise<void> => {
    const before = await Deno.lstat(full);
    if (!before.isFile) return skip(rel, "not a regular file");
    const file = await Deno.open(full, { read: true });
    const opened = await file.stat();
    // Swapped for a link or another file between the check and the open.
    if (opened.ino !== before.ino || opened.dev !== before.dev || !opened.isFile) {
      file.close();
      return skip(rel, "changed while being copied");
    }
    try {
      // The repository closes the file with its stream, also when it refuses the path.
      await to.put(`${toPath}/${rel}`, file.readable, { contentLength: opened.size });
    } catch (err) {
      if (err instanceof MlflowError && err.code === "INVALID_PARAMETER_VALUE") {
        return skip(rel, err.message);
      }
      throw err;
    }
    out.files++;
    out.bytes += opened.size;
  };
  await walk("", 0);
  return out;
}
