/**
 * Listing rules shared by the backends: which stored names are shown, and in what order.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";
import { normaliseArtifactPath } from "./path.ts";
import type { FileInfo } from "./types.ts";

/**
 * Whether a stored entry name can be listed. A name that the path validator would refuse or
 * rewrite (written by another tool: `a#b`, `x%41`, `..\\y`) could never be downloaded through
 * the proxy, and the MLflow client rejects a listing holding one, so it is left out.
 */
export function isListableName(name: string): boolean {
  if (name === "" || name.includes("/")) return false;
  try {
    return normaliseArtifactPath(name) === name;
  } catch (err) {
    if (err instanceof MlflowError) return false;
    throw err;
  }
}

/** Orders entries by path (UTF-16 order), so both backends list identically. */
export function sortFileInfos(infos: FileInfo[]): FileInfo[] {
  return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A listing entry; `file_size` is omitted for directories and for empty files, as MLflow does. */
export function fileInfo(path: string, isDir: boolean, size: number): FileInfo {
  if (isDir) return { path, is_dir: true };
  return size > 0 ? { path, is_dir: false, file_size: size } : { path, is_dir: false };
}

/** The path of entry `name` inside directory `rel` (`""` is the root). */
export function childPath(rel: string, name: string): string {
  return rel === "" ? name : `${rel}/${name}`;
}

/**
 * A validated path that names a file, for the remote backends' writes: the root cannot be one.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` for an invalid path or the root.
 */
export function fileRel(path: string): string {
  const rel = normaliseArtifactPath(path);
  if (rel === "") {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      "Invalid path: the artifact root is not a file",
    );
  }
  return rel;
}
