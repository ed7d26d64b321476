/**
 * Copies a directory tree of artifacts from one repository to another, one file at a time as a
 * stream, so a tree of any size copies in constant memory. Export (`--artifacts DIR`) and import
 * use it between the artifact destination and a local directory.
 *
 * @module
 */
import type { ArtifactRepository } from "./types.ts";

/** Deepest directory nesting a copy follows; deeper entries are reported, not copied. */
export const MAX_COPY_DEPTH = 64;

/**
 * The path in the artifact destination of a proxied URI (`mlflow-artifacts:/1/abc/artifacts` or
 * `mlflow-artifacts:///…` → `1/abc/artifacts`); null for any other URI, one with a host
 * included (it names another server). Unlike `proxiedPath` of `uri.ts` (which the server uses on
 * requests, and which also takes hosts and http(s) proxy URLs and decodes the path), an export or
 * import must not copy files another server holds.
 */
export function ownProxiedPath(uri: string): string | null {
  const m = /^mlflow-artifacts:(?:\/\/\/|\/(?!\/))(.*)$/.exec(uri);
  return m ? m[1].replace(/\/+$/, "") : null;
}

/** What {@linkcode copyTree} copied. */
export interface CopyResult {
  files: number;
  bytes: number;
  /** Directories deeper than {@linkcode MAX_COPY_DEPTH}, left out. */
  skipped: string[];
}

/**
 * Copies every file under `fromPath` in `from` to the same relative path under `toPath` in
 * `to`, depth first (one directory listing per level held at a time). A missing source
 * directory copies nothing.
 *
 * @example
 * ```ts
 * await copyTree(destination, "1/abc/artifacts", localDir, "1/abc/artifacts");
 * ```
 */
export async function copyTree(
  from: ArtifactRepository,
  fromPath: string,
  to: ArtifactRepository,
  toPath: string,
): Promise<CopyResult> {
  const out: CopyResult = { files: 0, bytes: 0, skipped: [] };
  const walk = async (rel: string, depth: number): Promise<void> => {
    const dir = rel === "" ? fromPath : `${fromPath}/${rel}`;
    if (depth > MAX_COPY_DEPTH) {
      out.skipped.push(dir);
      return;
    }
    for (const entry of await from.list(dir)) {
      const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
      const childRel = rel === "" ? name : `${rel}/${name}`;
      if (entry.is_dir) {
        await walk(childRel, depth + 1);
        continue;
      }
      const obj = await from.get(`${fromPath}/${childRel}`);
      if (obj === null) continue; // deleted since the listing
      await to.put(`${toPath}/${childRel}`, obj.body, { contentLength: obj.size });
      out.files++;
      out.bytes += obj.size;
    }
  };
  await walk("", 0);
  return out;
}

/**
 * Copies the tree at the proxied URI `fromUri` in `from` to the one at `toUri` in `to`
 * ({@linkcode copyTree}). `warn` hears of what is left out: everything when either URI is not
 * proxied (null is returned), and directories nested too deep.
 *
 * @example
 * ```ts
 * await copyProxiedTree(destination, run.info.artifact_uri, localDir, run.info.artifact_uri, console.warn);
 * ```
 */
export async function copyProxiedTree(
  from: ArtifactRepository,
  fromUri: string,
  to: ArtifactRepository,
  toUri: string,
  warn: (message: string) => void,
): Promise<CopyResult | null> {
  const fromPath = ownProxiedPath(fromUri);
  const toPath = ownProxiedPath(toUri);
  if (fromPath === null || toPath === null) {
    warn(`artifacts at ${fromUri} are not proxied by kvflow; not copied`);
    return null;
  }
  const copied = await copyTree(from, fromPath, to, toPath);
  for (const dir of copied.skipped) warn(`artifacts under ${dir} nest too deep`);
  return copied;
}
