/**
 * Artifacts of an MLflow store used without a tracking server: the client wrote them to local
 * disk and the store names them by `file:` URIs (`file:///abs/mlruns/1/<run>/artifacts`), plain
 * absolute paths (the SQL store on POSIX) or, from older clients, paths relative to the
 * client's working directory (`./mlruns/1/<run>/artifacts`). The readers turn such a location
 * into kvflow's proxied one (`mlflow-artifacts:/<exp>/<run>/artifacts`) and name the directory
 * to copy from, but only a directory inside an allowed root (the file store itself, the
 * `--artifacts` directory, a SQLite database's `mlruns/` beside it), checked by real path, so
 * neither a URI naming another place (`file:///etc`) nor a symbolic link leads the copy out.
 *
 * A store moved since it was written (copied from a training machine) still names its old
 * absolute paths; a location ending in the run's own `<exp>/<run>/artifacts` is then looked up
 * at that place under each root.
 *
 * @module
 */
import { realpathSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { PROXIED_ARTIFACTS_SCHEME, type WarningTally } from "./_common.ts";

/** The directories local artifacts may be copied from, and what relative paths resolve against. */
export interface LocalArtifactRoots {
  /** The roots as given (resolved) and as real paths, for the lexical and the real check. */
  lexical: string[];
  real: string[];
  /** Where a relative location is resolved: the directory the store sits in. */
  base: string;
}

/** Where a run's (or logged model's) local artifacts are, as {@linkcode findLocalArtifacts} sees it. */
export type LocalArtifacts =
  /** Copy from this real directory. */
  | { kind: "copy"; source: string }
  /** Inside a root but nothing there (a run without artifacts; git drops empty directories). */
  | { kind: "empty" }
  /** Local, but outside every root (or leading out through a link): not copied. */
  | { kind: "outside"; path: string };

/**
 * The allowed roots among `dirs` (undefined and missing ones left out) with `base` for
 * relative locations.
 */
export function localArtifactRoots(
  dirs: (string | undefined)[],
  base: string,
): LocalArtifactRoots {
  const lexical: string[] = [];
  const real: string[] = [];
  for (const d of dirs) {
    if (d === undefined) continue;
    const r = realDir(resolve(d));
    if (r === undefined) continue;
    lexical.push(resolve(d));
    real.push(r);
  }
  return { lexical, real, base: resolve(base) };
}

/**
 * The local path an artifact location names, or undefined when it is not local (`s3://…`,
 * `mlflow-artifacts:/…`, a `file://host/…` of another host).
 *
 * @example
 * ```ts
 * localPathOf("file:///data/mlruns/1", "/x");   // "/data/mlruns/1"
 * localPathOf("./mlruns/1/r/artifacts", "/x");  // "/x/mlruns/1/r/artifacts"
 * localPathOf("s3://bucket/1", "/x");           // undefined
 * ```
 */
export function localPathOf(uri: string, base: string): string | undefined {
  if (uri === "") return undefined;
  if (uri.startsWith("file:")) {
    const rest = uri.slice("file:".length);
    if (!rest.startsWith("/")) return resolve(base, decodeURIComponent(rest));
    try {
      return resolve(fileURLToPath(uri));
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) return undefined;
  return resolve(base, uri);
}

/**
 * Finds the directory to copy for a location `path` (from {@linkcode localPathOf}) whose
 * canonical place relative to a root is `tail` (`<exp>/<run>/artifacts`): `path` itself when
 * it is inside a root, else `extra` (the run's own directory in a file store) and `tail` under
 * each root when `path` ends with `tail` (a moved store). Every candidate is checked by real
 * path. Nothing found is `empty` (no files) when `path` is inside a root or `extra` names the
 * run's own place, else `outside`.
 */
export function findLocalArtifacts(
  path: string,
  tail: string,
  roots: LocalArtifactRoots,
  extra: string[] = [],
): LocalArtifacts {
  const inside = isInside(path, roots.lexical) || isInside(path, roots.real);
  const candidates = inside ? [path] : [];
  const safeTail = tail.split("/").every((s) =>
    s !== "" && s !== "." && s !== ".." && !s.includes(sep)
  );
  const moved = safeTail && path.endsWith(`${sep}${tail}`);
  if (moved) candidates.push(...extra, ...roots.real.map((r) => join(r, tail)));
  for (const c of candidates) {
    const real = realDir(c);
    if (real === undefined) continue;
    if (isInside(real, roots.real)) return { kind: "copy", source: real };
    return { kind: "outside", path };
  }
  // The run's own place in a file store is where its files would be: none there, none at all.
  return inside || (moved && extra.length > 0) ? { kind: "empty" } : { kind: "outside", path };
}

/**
 * The proxied location of an experiment whose local `path` is inside a root or ends with its
 * id (a moved store); undefined to keep the location as it is.
 */
export function proxiedExperimentLocation(
  path: string,
  experimentId: string,
  roots: LocalArtifactRoots,
): string | undefined {
  const inside = isInside(path, roots.lexical) || isInside(path, roots.real);
  const moved = /^[0-9A-Za-z_-]+$/.test(experimentId) && path.endsWith(`${sep}${experimentId}`);
  return inside || moved ? `mlflow-artifacts:/${experimentId}` : undefined;
}

/**
 * An experiment's `artifact_location` as the import carries it: a local one inside a root (or
 * ending with the id) becomes `mlflow-artifacts:/<id>`; another local one is kept, reported.
 */
export function experimentLocation(
  location: string,
  experimentId: string,
  roots: LocalArtifactRoots,
  tally: WarningTally,
): string {
  const path = localPathOf(location, roots.base);
  if (path === undefined) return location;
  const proxied = proxiedExperimentLocation(path, experimentId, roots);
  if (proxied !== undefined) return proxied;
  tally.add(
    "experiments",
    "artifact_location is a local directory outside the store and --artifacts: kept as it is",
    experimentId,
  );
  return location;
}

/**
 * A run's (or logged model's) local artifact location as the import carries it: the proxied
 * `mlflow-artifacts:/<tail>` and the checked directory to copy from (none when there is
 * nothing), or the location kept (reported) when it lies outside every root. Undefined when
 * the location is not local, for the caller's own handling.
 */
export function localArtifacts(
  location: string,
  tail: string,
  roots: LocalArtifactRoots,
  tally: WarningTally,
  subject: string,
  id: string,
  extra: string[] = [],
): { uri: string; source?: string } | undefined {
  const path = localPathOf(location, roots.base);
  if (path === undefined) return undefined;
  const found = findLocalArtifacts(path, tail, roots, extra);
  if (found.kind === "outside") {
    tally.add(
      subject,
      "artifacts in a local directory outside the store and --artifacts (or reached through a " +
        "symbolic link leading out): location kept as it is, files not copied",
      id,
    );
    return { uri: location };
  }
  return {
    uri: `${PROXIED_ARTIFACTS_SCHEME}${tail}`,
    ...(found.kind === "copy" && { source: found.source }),
  };
}

/**
 * A run's or logged model's artifacts in MLflow's layout at the end of a local path:
 * `<exp>/<run>/artifacts[/…]` or `<exp>/models/<model id>/artifacts[/…]`.
 */
const ARTIFACT_LAYOUT =
  /^.*\/([0-9]+\/(?:[0-9a-f]{32}|models\/m-[0-9a-f]{32})\/artifacts(?:\/.*)?)$/;

/**
 * A model version's `source` or `storage_location` as the import carries it: a local path in
 * MLflow's artifact layout (`/abs/mlruns/1/<run>/artifacts/model`) becomes its proxied form
 * (`mlflow-artifacts:/1/<run>/artifacts/model`), where the import puts that run's files (the
 * writer then follows changed ids); anything else is kept.
 *
 * @example
 * ```ts
 * proxiedModelSource("file:///data/mlruns/1/" + "a".repeat(32) + "/artifacts/model", roots);
 * // "mlflow-artifacts:/1/aaaa…/artifacts/model"
 * ```
 */
export function proxiedModelSource(location: string, roots: LocalArtifactRoots): string {
  const path = localPathOf(location, roots.base);
  const m = path === undefined ? null : ARTIFACT_LAYOUT.exec(path.split(sep).join("/"));
  return m ? `${PROXIED_ARTIFACTS_SCHEME}${m[1]}` : location;
}

/** A model version row's `source` and `storage_location` through {@linkcode proxiedModelSource}. */
export function modelSources(
  v: Record<string, unknown>,
  roots: LocalArtifactRoots,
): { source?: string; storage_location?: string } {
  const out: { source?: string; storage_location?: string } = {};
  for (const k of ["source", "storage_location"] as const) {
    const value = v[k];
    if (typeof value === "string") out[k] = proxiedModelSource(value, roots);
  }
  return out;
}

/** Whether `path` is one of `roots` or below one. */
function isInside(path: string, roots: string[]): boolean {
  return roots.some((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
}

/** The real path of a directory at `path`, undefined when there is none (or it is no directory). */
function realDir(path: string): string | undefined {
  try {
    const real = realpathSync(path);
    return statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The directory a store at `path` sits in: relative locations resolve against it. */
export function storeParent(path: string): string {
  return dirname(resolve(path));
}
