/**
 * The MLflow fixtures of issue 13 §4 (../shared/fixtures/mlflow: stores written by the real
 * MLflow 2.17.0 and 3.1.3 servers, each with `manifest.json`, the REST view read back from that
 * server). They live outside the repository: `KVFLOW_MLFLOW_FIXTURES`, else
 * `../shared/fixtures/mlflow` beside it. Tests that need them are registered with
 * `ignore: !mlflowFixturesDir()`; CI sets `KVFLOW_REQUIRE_MLFLOW_FIXTURES=1`, which turns a
 * missing folder into a failure instead. Never write into them: copy to a temp dir first.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExportRecord, ImportWarning } from "../../store/ops/export_format.ts";
import { readMlflowStore } from "../../store/import/mlflow.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The fixtures folder, or undefined when it is not on this machine (and not required). */
export function mlflowFixturesDir(): string | undefined {
  const dir = Deno.env.get("KVFLOW_MLFLOW_FIXTURES") ??
    join(REPO_ROOT, "..", "shared", "fixtures", "mlflow");
  if (existsSync(join(dir, "README.md"))) return dir;
  if (Deno.env.get("KVFLOW_REQUIRE_MLFLOW_FIXTURES") === "1") {
    throw new Error(`MLflow fixtures not found at ${dir} (set KVFLOW_MLFLOW_FIXTURES)`);
  }
  return undefined;
}

/** One fixture: where its store and artifacts are and the URI `--from-mlflow` takes. */
export interface MlflowFixture {
  name: "2.17.0-sqlite" | "2.17.0-filestore" | "3.1.3-sqlite";
  dir: string;
  uri: string;
  artifactsDir: string;
  sqlite: boolean;
  // deno-lint-ignore no-explicit-any
  manifest: any;
}

/** The three fixtures (empty when the folder is missing). */
export function mlflowFixtures(): MlflowFixture[] {
  const root = mlflowFixturesDir();
  if (!root) return [];
  return (["2.17.0-sqlite", "2.17.0-filestore", "3.1.3-sqlite"] as const).map((name) => {
    const dir = join(root, name);
    const sqlite = name.endsWith("sqlite");
    return {
      name,
      dir,
      sqlite,
      uri: sqlite ? `sqlite:///${join(dir, "mlflow.db")}` : join(dir, "mlruns"),
      artifactsDir: join(dir, "artifacts"),
      manifest: JSON.parse(Deno.readTextFileSync(join(dir, "manifest.json"))),
    };
  });
}

/** Every record and warning a read of `uri` gives. */
export async function readAll(
  uri: string,
): Promise<{ records: ExportRecord[]; warnings: ImportWarning[] }> {
  const warnings: ImportWarning[] = [];
  const records: ExportRecord[] = [];
  for await (const r of readMlflowStore(uri, { onWarning: (w) => warnings.push(w) })) {
    records.push(r);
  }
  return { records, warnings };
}

/** A wire number of the manifest (JSON number or `"NaN"`/`"Infinity"`/`"-Infinity"`) as a number. */
export function manifestNumber(v: number | string): number {
  if (typeof v === "number") return v;
  return v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : NaN;
}

/** `[{key, value}]` as a sorted list of `key=value` strings, for comparing as sets. */
export function kvSet(list: { key: string; value: string }[] | undefined): string[] {
  return (list ?? []).map((t) => `${t.key}=${t.value}`).sort();
}
