/**
 * The MLflow file-store reader behind `--from-mlflow ./mlruns`: experiments are directories
 * (`.trash/` holds the deleted ones), runs are directories inside them, params and tags are one
 * file per key (a `/` in a key nests), metric histories are text files read line by line, and
 * `models/` is the model registry. Empty directories may be missing (git drops them); nothing
 * here requires them.
 *
 * Metric values are written as Python prints floats (`nan`, `inf`, `-inf`, `-0.0`, `1e-300`) and
 * carried exactly; ±Infinity then reaches kvflow, which stores it as ±1.7976931348623157e308
 * like MLflow's SQL stores.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { MlflowError } from "../errors.ts";
import type { DatasetInput, Tag } from "../types.ts";
import type { ExportRecord, ImportWarning } from "../ops/export_format.ts";
import { toWireNumber } from "../ops/export_format.ts";
import type { ModelVersion } from "../registry/types.ts";
import { PointBuffer, RUN_STATUS_BY_NUMBER, str, WarningTally } from "./_common.ts";
import {
  datasetInput,
  experimentRecord,
  headerRecord,
  LEGACY_SOURCE_FIELDS,
  registeredModelRecord,
  runRecord,
  versionOf,
} from "./_records.ts";
import { type LocalArtifactRoots, localArtifactRoots, storeParent } from "./_local_artifacts.ts";

type Meta = Record<string, unknown>;

/** Directories of an experiment that are not runs. */
const EXPERIMENT_SUBDIRS = new Set(["tags", "datasets", "models", "traces"]);

/** Deepest `/`-nesting of a param, tag or metric key that is followed (MLflow allows no more than the path limit). */
export const MAX_KEY_DEPTH = 32;

/** Longest metric-file line read; a longer one is reported and skipped, not buffered. */
export const MAX_METRIC_LINE_CHARS = 1024;

/**
 * Streams the MLflow file store at `root` as export records: the header, then each experiment
 * followed by its runs (each with its metric points and dataset inputs), then the registry.
 * Artifacts kept on local disk (a store used without a tracking server) are given proxied
 * locations and their directory as `artifact_source`, when inside `root` or `opts.artifactsDir`
 * (see ./_local_artifacts.ts). Throws `INVALID_PARAMETER_VALUE` when `root` is not a file store.
 */
export async function* readMlflowFileStore(
  root: string,
  opts: { onWarning(w: ImportWarning): void; artifactsDir?: string },
): AsyncGenerator<ExportRecord> {
  const experimentDirs = await listExperiments(root);
  const tally = new WarningTally();
  const roots = localArtifactRoots([root, opts.artifactsDir], storeParent(root));
  yield headerRecord("mlflow-file-store");
  for (const dir of experimentDirs) {
    const meta = await readYaml(join(dir, "meta.yaml"), tally);
    if (!meta) continue;
    const experimentId = str(meta.experiment_id);
    const tags = await readKeyFiles(join(dir, "tags"));
    // A deleted experiment's meta.yaml also lists its tags; the tag files win.
    if (meta.tags && typeof meta.tags === "object" && !Array.isArray(meta.tags)) {
      for (const [key, value] of Object.entries(meta.tags as Meta)) {
        if (!tags.some((t) => t.key === key)) tags.push({ key, value: str(value) });
      }
    }
    yield experimentRecord(meta, tags, roots, tally);
    for await (const entry of readDirOrEmpty(dir)) {
      if (!entry.isDirectory) continue;
      if (entry.name === "models" || entry.name === "traces") {
        tally.add(
          "experiments",
          `${entry.name}/ of a file store (MLflow 3 ${
            entry.name === "models" ? "logged models" : "traces"
          }) not carried`,
          experimentId,
        );
      }
      if (EXPERIMENT_SUBDIRS.has(entry.name)) continue;
      yield* readRun(join(dir, entry.name), dir, roots, tally);
    }
  }
  yield* readRegistry(join(root, "models"), roots, tally);
  tally.flush(opts.onWarning);
}

/** Experiment directories, active then deleted, each sorted by id (`0`, Default, first). */
async function listExperiments(root: string): Promise<string[]> {
  const byId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const list = async (dir: string) => {
    const names: string[] = [];
    for await (const e of readDirOrEmpty(dir)) {
      if (e.isDirectory && !e.name.startsWith(".") && e.name !== "models") names.push(e.name);
    }
    return names.sort(byId).map((n) => join(dir, n));
  };
  let isDir = false;
  try {
    isDir = (await Deno.stat(root)).isDirectory;
  } catch { /* reported below */ }
  const active = isDir ? await list(root) : [];
  const dirs = [...active, ...await list(join(root, ".trash"))];
  const withMeta = [];
  for (const d of dirs) if (existsSync(join(d, "meta.yaml"))) withMeta.push(d);
  if (withMeta.length === 0) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `"${root}" is not an MLflow file store: no experiment directory with a meta.yaml`,
    );
  }
  return withMeta;
}

/** One run directory as its run record, metric points and inputs; nothing for a non-run dir. */
async function* readRun(
  dir: string,
  experimentDir: string,
  roots: LocalArtifactRoots,
  tally: WarningTally,
): AsyncGenerator<ExportRecord> {
  const meta = await readYaml(join(dir, "meta.yaml"), tally);
  if (!meta || !meta.run_uuid && !meta.run_id) return;
  const id = str(meta.run_id ?? meta.run_uuid);
  const tags = await readKeyFiles(join(dir, "tags"));
  const status = typeof meta.status === "number"
    ? RUN_STATUS_BY_NUMBER[meta.status]
    : Object.values(RUN_STATUS_BY_NUMBER).find((s) => s === meta.status);
  const params = await readKeyFiles(join(dir, "params"));
  const legacy = LEGACY_SOURCE_FIELDS.some((k) => str(meta[k]) !== "");
  yield runRecord(
    meta,
    {
      id,
      name: meta.run_name,
      status,
      params,
      tags,
      ...(legacy && { legacySource: "fields" }),
      ownArtifactsDir: join(dir, "artifacts"),
    },
    roots,
    tally,
  );
  for (const key of await listKeys(join(dir, "metrics"))) {
    yield* readMetricFile(id, key, join(dir, "metrics", key), tally);
  }
  const dataset_inputs = await readInputs(join(dir, "inputs"), experimentDir, id, tally);
  if (dataset_inputs.length) {
    yield { type: "run_inputs", run_id: id, dataset_inputs, model_inputs: [] };
  }
  if (existsSync(join(dir, "outputs"))) {
    tally.add("runs", "outputs/ of a file store (MLflow 3 model outputs) not carried", id);
  }
}

/**
 * A metric file, line by line (`<timestamp> <value> [<step>]`), in the file's order (logging
 * order), as records of at most MAX_POINTS_PER_RECORD points.
 */
async function* readMetricFile(
  runId: string,
  key: string,
  path: string,
  tally: WarningTally,
): AsyncGenerator<ExportRecord> {
  const buf = new PointBuffer(runId, key);
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    const point = parseMetricLine(line);
    if (!point) {
      tally.add("metric lines", "unreadable: skipped", `${runId}/${key}:${lineNo}`);
      continue;
    }
    const full = buf.push(point);
    if (full) yield full;
  }
  const rest = buf.take();
  if (rest) yield rest;
}

/**
 * One metric line as a point, or undefined when it is not `<int> <float> [<int>]`. The value is
 * read as Python wrote it: `nan`, `inf`, `-inf`, `-0.0`, `1e-300`, `1.7976931348623157e+308`.
 *
 * @example
 * ```ts
 * parseMetricLine("1796471169126 -inf 4"); // { value: "-Infinity", timestamp: 1796471169126, step: 4 }
 * ```
 */
export function parseMetricLine(
  line: string,
): { value: ReturnType<typeof toWireNumber>; timestamp: number; step: number } | undefined {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2 || parts.length > 3) return undefined;
  const [ts, raw, step = "0"] = parts;
  if (!/^-?\d+$/.test(ts) || !/^-?\d+$/.test(step)) return undefined;
  const value = parsePythonFloat(raw);
  if (value === undefined) return undefined;
  return { value: toWireNumber(value), timestamp: Number(ts), step: Number(step) };
}

function parsePythonFloat(s: string): number | undefined {
  switch (s.toLowerCase()) {
    case "nan":
    case "-nan":
    case "+nan":
      return NaN;
    case "inf":
    case "+inf":
    case "infinity":
      return Infinity;
    case "-inf":
    case "-infinity":
      return -Infinity;
  }
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : undefined;
}

/**
 * A run's dataset inputs. MLflow 2.17's file store writes the *dataset* id as `destination_id`
 * of `inputs/<id>/meta.yaml`, so the run is taken from the directory, never from that field.
 */
async function readInputs(
  dir: string,
  experimentDir: string,
  runId: string,
  tally: WarningTally,
): Promise<DatasetInput[]> {
  const out: DatasetInput[] = [];
  for await (const e of readDirOrEmpty(dir)) {
    if (!e.isDirectory) continue;
    const meta = await readYaml(join(dir, e.name, "meta.yaml"), tally);
    if (!meta) continue;
    if (meta.source_type !== "DATASET") {
      tally.add("runs", `input of type ${meta.source_type} not carried`, runId);
      continue;
    }
    const ds = await readYaml(
      join(experimentDir, "datasets", str(meta.source_id), "meta.yaml"),
      tally,
    );
    if (!ds) {
      tally.add("runs", "dataset input naming no stored dataset: not carried", runId);
      continue;
    }
    const tags = meta.tags && typeof meta.tags === "object"
      ? Object.entries(meta.tags as Meta).map(([key, value]) => ({ key, value: str(value) }))
      : [];
    out.push(datasetInput(tags, ds));
  }
  return out.sort((a, b) =>
    a.dataset.name < b.dataset.name ? -1 : a.dataset.name > b.dataset.name ? 1 : 0
  );
}

/** `models/<name>/`: each registered model with its tags, aliases and versions. */
async function* readRegistry(
  dir: string,
  roots: LocalArtifactRoots,
  tally: WarningTally,
): AsyncGenerator<ExportRecord> {
  const names: string[] = [];
  for await (const e of readDirOrEmpty(dir)) if (e.isDirectory) names.push(e.name);
  for (const dirName of names.sort()) {
    const base = join(dir, dirName);
    const meta = await readYaml(join(base, "meta.yaml"), tally);
    if (!meta) continue;
    const name = str(meta.name ?? dirName);
    const aliasFiles = await readKeyFiles(join(base, "aliases"));
    const aliasMap = new Map(aliasFiles.map((a) => [a.key, a.value.trim()]));
    if (meta.aliases && typeof meta.aliases === "object" && !Array.isArray(meta.aliases)) {
      for (const [alias, v] of Object.entries(meta.aliases as Meta)) {
        if (!aliasMap.has(alias)) aliasMap.set(alias, str(v));
      }
    }
    const versionNumbers: number[] = [];
    for await (const e of readDirOrEmpty(base)) {
      const m = /^version-(\d+)$/.exec(e.name);
      if (e.isDirectory && m) versionNumbers.push(Number(m[1]));
    }
    const versions: ModelVersion[] = [];
    for (const n of versionNumbers.sort((a, b) => a - b)) {
      const vdir = join(base, `version-${n}`);
      const v = await readYaml(join(vdir, "meta.yaml"), tally);
      if (!v) continue;
      const version = versionOf(name, v, await readKeyFiles(join(vdir, "tags")), roots, tally);
      if (version) versions.push(version);
    }
    const aliases = [...aliasMap].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([alias, version]) => ({ alias, version }));
    const tags = await readKeyFiles(join(base, "tags"));
    yield registeredModelRecord(name, meta, tags, aliases, versions);
  }
}

/** Every `key → file content` under `dir`, a `/` in a key being a subdirectory; sorted by key. */
async function readKeyFiles(dir: string): Promise<Tag[]> {
  const out: Tag[] = [];
  for (const key of await listKeys(dir)) {
    out.push({ key, value: await Deno.readTextFile(join(dir, key)) });
  }
  return out;
}

/** The keys (relative file paths) under `dir`, sorted; none when it is missing. */
async function listKeys(dir: string, prefix = "", depth = 0): Promise<string[]> {
  const keys: string[] = [];
  if (depth > MAX_KEY_DEPTH) return keys;
  for await (const e of readDirOrEmpty(dir)) {
    const key = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isFile) keys.push(key);
    else if (e.isDirectory) keys.push(...await listKeys(join(dir, e.name), key, depth + 1));
  }
  return keys.sort();
}

async function* readDirOrEmpty(dir: string): AsyncGenerator<Deno.DirEntry> {
  try {
    yield* Deno.readDir(dir);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
  }
}

/**
 * A `meta.yaml` as an object; undefined when missing, or (reported, as MLflow's own file store
 * skips a "malformed" run) when it is not a YAML mapping.
 */
async function readYaml(path: string, tally: WarningTally): Promise<Meta | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  try {
    const v = parseYaml(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Meta;
  } catch { /* reported below */ }
  tally.add("files", "not a YAML mapping: skipped with what it describes", path);
  return undefined;
}

/**
 * The lines of a file, decoded as UTF-8 and read in chunks, so a long history never sits in
 * memory whole. A line longer than {@linkcode MAX_METRIC_LINE_CHARS} comes out as `"\u0000"`
 * (unreadable) instead of growing the buffer.
 */
async function* readLines(path: string): AsyncGenerator<string> {
  using file = await Deno.open(path);
  let rest = "";
  let overlong = false;
  for await (const chunk of file.readable.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const line of parts) {
      yield overlong || line.length > MAX_METRIC_LINE_CHARS ? "\u0000" : line;
      overlong = false;
    }
    if (rest.length > MAX_METRIC_LINE_CHARS) {
      overlong = true;
      rest = "";
    }
  }
  if (overlong) yield "\u0000";
  else if (rest !== "") yield rest;
}
