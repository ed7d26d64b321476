/**
 * Reading an MLflow tracking store (`deno task import --from-mlflow …`) as the record stream of
 * ../ops/export_format.ts, which the one writer (../ops/import.ts) puts into a kvflow store.
 * Two backends: a SQLite database (`sqlite:///…`, read with Deno's built-in `node:sqlite`) and a
 * file store (`./mlruns` or a `file:` URL). Anything that cannot be carried is reported through
 * `onWarning` instead of stopping the import.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MlflowError } from "../errors.ts";
import type { ExportRecord, ImportWarning } from "../ops/export_format.ts";
import { readMlflowSqlite } from "./mlflow_sqlite.ts";
import { readMlflowFileStore } from "./mlflow_file_store.ts";

/** Options of {@linkcode readMlflowStore}. */
export interface ReadMlflowOptions {
  /** Called for each thing the import leaves behind; the CLI lists them at the end. */
  onWarning(w: ImportWarning): void;
  /**
   * `--artifacts DIR`: besides the proxied layout the writer copies from, a root from which
   * local (`file:`) artifact locations may be copied (see ./_local_artifacts.ts).
   */
  artifactsDir?: string;
}

/** Where an MLflow store lives, as {@linkcode parseMlflowUri} reads it. */
export type MlflowSource =
  | { kind: "sqlite"; path: string }
  | { kind: "file"; path: string };

/**
 * Reads `uri` the way MLflow does: `sqlite:///rel.db` is relative to the working directory and
 * `sqlite:////abs/mlflow.db` absolute (SQLAlchemy's rule: the path is what follows the third
 * slash); `file:///abs/mlruns` or a plain directory path is a file store. Throws
 * `INVALID_PARAMETER_VALUE` for any other scheme (MySQL, PostgreSQL, `sqlite://` in memory).
 *
 * @example
 * ```ts
 * parseMlflowUri("sqlite:////tmp/mlflow.db"); // { kind: "sqlite", path: "/tmp/mlflow.db" }
 * parseMlflowUri("./mlruns");                // { kind: "file", path: "<cwd>/mlruns" }
 * ```
 */
export function parseMlflowUri(uri: string): MlflowSource {
  if (uri.startsWith("sqlite:")) {
    if (!uri.startsWith("sqlite:///") || uri.length === "sqlite:///".length) {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Cannot import from "${uri}": give a database file, sqlite:///relative.db or sqlite:////absolute/path.db`,
      );
    }
    // SQLAlchemy ignores a query string for the path (`?mode=ro`, `?timeout=…`).
    const path = uri.slice("sqlite:///".length).split("?")[0];
    return { kind: "sqlite", path: isAbsolute(path) ? path : resolve(path) };
  }
  if (uri.startsWith("file:")) return { kind: "file", path: fileURLToPath(uri) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Cannot import from "${uri}": only a SQLite database (sqlite:///…) or a file store directory can be read`,
    );
  }
  return { kind: "file", path: resolve(uri) };
}

/**
 * Streams an MLflow store as export records, in the order ../ops/export_format.ts documents,
 * never holding a whole table or metric file: ids, names, times, lifecycle, params, tags, metric
 * histories (NaN/±Inf/-0 exactly as stored), datasets, logged models, registered models,
 * versions and aliases. Throws `INVALID_PARAMETER_VALUE` when `uri` names no readable store.
 *
 * @example
 * ```ts
 * const warnings: ImportWarning[] = [];
 * for await (const record of readMlflowStore("sqlite:///mlflow.db", { onWarning: (w) => warnings.push(w) })) {
 *   console.log(record.type);
 * }
 * ```
 */
export function readMlflowStore(
  uri: string,
  opts: ReadMlflowOptions,
): AsyncIterable<ExportRecord> {
  const source = parseMlflowUri(uri);
  return source.kind === "sqlite"
    ? readMlflowSqlite(source.path, opts)
    : readMlflowFileStore(source.path, opts);
}
