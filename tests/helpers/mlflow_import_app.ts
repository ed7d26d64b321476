/**
 * The REST harness of the `import --from-mlflow` tests: an MLflow store read and imported into a
 * fresh in-memory kvflow store with a temp local artifact destination, an app serving it, and
 * the reads the tests compare (JSON calls, bytes, every file of a run with its sha256).
 *
 * @module
 */
import { deepStrictEqual } from "node:assert/strict";
import { createHash } from "node:crypto";
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import { createApp } from "../../routes/mod.ts";
import { readMlflowStore } from "../../store/import/mlflow.ts";
import { importRecords, type ImportResult, openImportStore } from "../../store/ops/import.ts";
import type { ImportWarning } from "../../store/ops/export_format.ts";

/** A REST answer, read loosely: the tests compare it field by field. */
// deno-lint-ignore no-explicit-any
export type Json = any;

/** The MLflow REST prefix. */
export const API = "/api/2.0/mlflow";

/** A query string of `params`. */
export const q = (params: Record<string, string | number>): string =>
  new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

/** The hex sha256 of `b`, as the fixtures' manifests give each artifact. */
export const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** Options of {@linkcode importMlflowStore}. */
export interface ImportMlflowOptions {
  /** The reader's `--artifacts` root, from which local (`file:`) locations may be copied. */
  readerArtifactsDir?: string;
  /** The importer's `artifactsDir`: files in the proxy layout to copy. */
  artifactsDir?: string;
  /** Copy the reader's checked `artifact_source` directories (what the CLI does). */
  trustArtifactSources?: boolean;
}

/** An imported store and its REST reads; {@linkcode ImportedMlflowStore.close} removes it all. */
export interface ImportedMlflowStore {
  result: ImportResult;
  readerWarnings: ImportWarning[];
  /** The reader's warnings and the importer's, as `subject: message` lines. */
  messages(): string[];
  /** GET `path`, or POST `body` as JSON; the answer's JSON (throws unless 200). */
  call(path: string, body?: unknown): Promise<Json>;
  /** GET `path`'s body (throws unless 200). */
  bytes(path: string): Promise<Uint8Array>;
  /**
   * Every file of a run through `artifacts/list` (recursively) and `get-artifact`, sorted by
   * path; each file's listed size is checked against its bytes.
   */
  runFiles(runId: string): Promise<{ path: string; size: number; sha256: string }[]>;
  /** The artifact destination's directory. */
  dest: string;
  close(): Promise<void>;
}

/** Reads the MLflow store at `uri` and imports it into a fresh store (see the module doc). */
export async function importMlflowStore(
  uri: string,
  opts: ImportMlflowOptions = {},
): Promise<ImportedMlflowStore> {
  const kv = await Deno.openKv(":memory:");
  const dest = await Deno.makeTempDir({ prefix: "kvflow-mlflow-import-" });
  const artifacts = createLocalArtifactRepository({ rootDir: dest });
  const { store, clock } = await openImportStore(kv);
  const readerWarnings: ImportWarning[] = [];
  const result = await importRecords(
    store,
    readMlflowStore(uri, {
      onWarning: (w) => readerWarnings.push(w),
      artifactsDir: opts.readerArtifactsDir,
    }),
    {
      clock,
      artifacts,
      artifactsDir: opts.artifactsDir,
      trustArtifactSources: opts.trustArtifactSources,
    },
  );
  const app = createApp({ store, artifacts });
  const fetchOk = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const res = await app.request(path, init);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  const call = async (path: string, body?: unknown): Promise<Json> => {
    const res = await fetchOk(
      path,
      body === undefined ? {} : {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      },
    );
    return await res.json();
  };
  const bytes = async (path: string) => new Uint8Array(await (await fetchOk(path)).arrayBuffer());
  const runFiles = async (runId: string) => {
    const files: { path: string; size: number; sha256: string }[] = [];
    const walk = async (path: string) => {
      const page = await call(`${API}/artifacts/list?${q({ run_id: runId, path })}`);
      for (const file of page.files ?? []) {
        if (file.is_dir) await walk(file.path);
        else {
          const body = await bytes(`/get-artifact?${q({ run_id: runId, path: file.path })}`);
          // Protobuf JSON leaves a zero file_size out, in MLflow as in kvflow.
          deepStrictEqual(body.length, Number(file.file_size ?? 0), file.path);
          files.push({ path: file.path, size: body.length, sha256: sha256(body) });
        }
      }
    };
    await walk("");
    return files.sort((a, b) => (a.path < b.path ? -1 : 1));
  };
  return {
    result,
    readerWarnings,
    messages: () =>
      [...readerWarnings, ...result.warnings].map((w) => `${w.subject}: ${w.message}`),
    call,
    bytes,
    runFiles,
    dest,
    async close() {
      kv.close();
      await Deno.remove(dest, { recursive: true });
    },
  };
}
