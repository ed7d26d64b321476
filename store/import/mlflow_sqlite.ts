/**
 * The MLflow SQLite reader behind `--from-mlflow sqlite:///…`: opens the database read-only with
 * Deno's built-in `node:sqlite` and walks it with stepping statements (`iterate`), so no table is
 * ever loaded whole. Works on the schemas of MLflow 2.x and 3.x (columns and tables a version
 * lacks are looked up first, not assumed).
 *
 * Values are carried as stored: NaN comes from `is_nan`, ±Infinity was already clamped to
 * ±1.7976931348623157e308 by MLflow's SQL store (kvflow stores it the same way), -0 is gone.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { MlflowError } from "../errors.ts";
import type { ExportRecord, ImportWarning } from "../ops/export_format.ts";
import { toWireNumber } from "../ops/export_format.ts";
import type { RunStatus, Tag } from "../types.ts";
import type { ModelVersion } from "../registry/types.ts";
import { LOGGED_MODEL_STATUS_BY_NUMBER, num, PointBuffer, str, WarningTally } from "./_common.ts";
import {
  datasetInput,
  experimentRecord,
  headerRecord,
  LEGACY_SOURCE_FIELDS,
  registeredModelRecord,
  type Row,
  runRecord,
  versionOf,
} from "./_records.ts";
import {
  type LocalArtifactRoots,
  localArtifactRoots,
  localArtifacts,
  storeParent,
} from "./_local_artifacts.ts";

const RUN_STATUSES: readonly RunStatus[] = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];

/** Tables whose rows kvflow has no place for (tracing, MLflow 3's GenAI features). */
const UNCARRIED_TABLES = [
  "trace_info",
  "trace_tags",
  "trace_request_metadata",
  "spans",
  "assessments",
  "entity_associations",
  "evaluation_datasets",
  "webhooks",
];

/**
 * Streams the MLflow SQLite database at `path` as export records: the header, every experiment
 * (with tags), every logged model (MLflow 3), every run with its metric points, inputs and
 * outputs, then the registry. Throws `INVALID_PARAMETER_VALUE` when the file is missing or not
 * an MLflow database.
 *
 * Artifacts a client wrote to local disk without a tracking server (MLflow's default for a
 * SQLite store is `./mlruns` beside it, so locations like `/abs/mlruns/1/<run>/artifacts`) get
 * proxied locations and their directory as `artifact_source` when inside `opts.artifactsDir`
 * or the `mlruns/` directory beside the database (see ./_local_artifacts.ts).
 */
export async function* readMlflowSqlite(
  path: string,
  opts: { onWarning(w: ImportWarning): void; artifactsDir?: string },
): AsyncGenerator<ExportRecord> {
  if (!existsSync(path)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Cannot find the MLflow database "${path}"`);
  }
  const db = openReadOnly(path);
  let tables: Set<string>;
  try {
    tables = new Set(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) =>
        str(r.name)
      ),
    );
  } catch (e) {
    db.close();
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Cannot read "${path}" as a SQLite database: ${e instanceof Error ? e.message : e}`,
    );
  }
  try {
    for (const t of ["experiments", "runs", "metrics", "params", "tags"]) {
      if (!tables.has(t)) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `"${path}" is not an MLflow database: it has no table "${t}"`,
        );
      }
    }
    const columns = (table: string) =>
      new Set(db.prepare(`PRAGMA table_info("${table}")`).all().map((r) => str(r.name)));
    const tally = new WarningTally();
    const roots = localArtifactRoots(
      [opts.artifactsDir, join(storeParent(path), "mlruns")],
      storeParent(path),
    );
    yield headerRecord("mlflow-sqlite");
    yield* experiments(db, roots, tally);
    if (tables.has("logged_models")) yield* loggedModels(db, roots, tally);
    yield* runs(db, tables, columns, roots, tally);
    if (tables.has("registered_models")) yield* registry(db, tables, roots, tally);
    for (const t of UNCARRIED_TABLES) {
      if (!tables.has(t)) continue;
      const n = num(db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get()?.n);
      if (n > 0) {
        opts.onWarning({
          subject: `table ${t}`,
          message: `${n} rows not carried: kvflow has no place for them`,
        });
      }
    }
    tally.flush(opts.onWarning);
  } finally {
    db.close();
  }
}

function openReadOnly(path: string): DatabaseSync {
  try {
    return new DatabaseSync(path, { readOnly: true });
  } catch (e) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Cannot open "${path}" as a SQLite database: ${e instanceof Error ? e.message : e}`,
    );
  }
}

/** Experiments by id, each with its tags, read beside it from a second cursor in the same order. */
function* experiments(
  db: DatabaseSync,
  roots: LocalArtifactRoots,
  tally: WarningTally,
): Generator<ExportRecord> {
  const tags = peekable(
    db.prepare(
      'SELECT experiment_id, "key", value FROM experiment_tags ORDER BY experiment_id, "key"',
    ).iterate(),
  );
  for (const e of db.prepare("SELECT * FROM experiments ORDER BY experiment_id").iterate()) {
    const expTags: Tag[] = [];
    for (const t of tags.takeWhile((t) => num(t.experiment_id) <= num(e.experiment_id))) {
      if (num(t.experiment_id) === num(e.experiment_id)) {
        expTags.push({ key: str(t.key), value: str(t.value) });
      }
    }
    yield experimentRecord(e, expTags, roots, tally);
  }
}

/** MLflow 3's logged models with params and tags; their metrics travel with the run points. */
function* loggedModels(
  db: DatabaseSync,
  roots: LocalArtifactRoots,
  tally: WarningTally,
): Generator<ExportRecord> {
  const params = db.prepare(
    "SELECT param_key, param_value FROM logged_model_params WHERE model_id = ? ORDER BY param_key",
  );
  const tags = db.prepare(
    "SELECT tag_key, tag_value FROM logged_model_tags WHERE model_id = ? ORDER BY tag_key",
  );
  const models = db.prepare(
    "SELECT * FROM logged_models ORDER BY experiment_id, creation_timestamp_ms, model_id",
  );
  for (const m of models.iterate()) {
    const id = str(m.model_id);
    if (m.lifecycle_stage === "deleted") {
      tally.add("logged models", "deleted in MLflow: not carried", id);
      continue;
    }
    const status = LOGGED_MODEL_STATUS_BY_NUMBER[num(m.status)];
    if (!status) tally.add("logged models", `unknown status ${m.status}: carried as READY`, id);
    const local = localArtifacts(
      str(m.artifact_location),
      `${str(m.experiment_id)}/models/${id}/artifacts`,
      roots,
      tally,
      "logged models",
      id,
    );
    yield {
      type: "logged_model",
      model: {
        info: {
          model_id: id,
          experiment_id: str(m.experiment_id),
          name: str(m.name),
          artifact_uri: local?.uri ?? str(m.artifact_location),
          creation_timestamp_ms: num(m.creation_timestamp_ms),
          last_updated_timestamp_ms: num(m.last_updated_timestamp_ms),
          status: status ?? "LOGGED_MODEL_READY",
          model_type: str(m.model_type),
          ...(m.source_run_id ? { source_run_id: str(m.source_run_id) } : {}),
          ...(m.status_message ? { status_message: str(m.status_message) } : {}),
          tags: [...tags.iterate(id)].map((t) => ({
            key: str(t.tag_key),
            value: str(t.tag_value),
          })),
        },
        data: {
          params: [...params.iterate(id)].map((p) => ({
            key: str(p.param_key),
            value: str(p.param_value),
          })),
          metrics: [],
        },
      },
      ...(local?.source !== undefined && { artifact_source: local.source }),
    };
  }
}

/** Every run, then (before the next run) its points, inputs and outputs. */
function* runs(
  db: DatabaseSync,
  tables: Set<string>,
  columns: (table: string) => Set<string>,
  roots: LocalArtifactRoots,
  tally: WarningTally,
): Generator<ExportRecord> {
  const runColumns = columns("runs");
  const params = db.prepare('SELECT "key", value FROM params WHERE run_uuid = ? ORDER BY "key"');
  const tags = db.prepare('SELECT "key", value FROM tags WHERE run_uuid = ? ORDER BY "key"');
  const points = metricPoints(db, tables);
  const inputs = tables.has("inputs") ? runInputs(db, tables, columns("inputs")) : undefined;
  const latest = tables.has("latest_metrics")
    ? db.prepare(
      'SELECT "key", value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = ?',
    )
    : undefined;
  for (
    const r of db.prepare("SELECT * FROM runs ORDER BY experiment_id, start_time, run_uuid")
      .iterate()
  ) {
    const id = str(r.run_uuid);
    const runTags = [...tags.iterate(id)].map((t) => ({ key: str(t.key), value: str(t.value) }));
    const status = RUN_STATUSES.includes(r.status as RunStatus)
      ? (r.status as RunStatus)
      : undefined;
    yield runRecord(
      r,
      {
        id,
        name: r.name,
        status,
        params: [...params.iterate(id)].map((p) => ({ key: str(p.key), value: str(p.value) })),
        tags: runTags,
        ...(legacySource(r, runColumns) && { legacySource: "columns" }),
      },
      roots,
      tally,
    );
    yield* points(id, tally);
    if (latest) checkLatest(id, latest, points.latestOf, tally);
    if (inputs) yield* inputs(id, tally);
  }
}

/** Whether the run's pre-1.0 source columns hold anything kvflow would drop. */
function legacySource(r: Row, cols: Set<string>): boolean {
  return LEGACY_SOURCE_FIELDS.some((c) => cols.has(c) && str(r[c]) !== "");
}

/**
 * A run's points, metric by metric, in kvflow's history order (timestamp, step, value); on
 * MLflow 3 each point logged against a logged model carries its `model_id` and dataset, found
 * in `logged_model_metrics` by (run, key, timestamp, step, value).
 */
function metricPoints(db: DatabaseSync, tables: Set<string>) {
  const linked = tables.has("logged_model_metrics");
  // NaN is stored as NULL in logged_model_metrics (SQLite has no NaN) and as is_nan = 1 in metrics.
  const stmt = db.prepare(
    linked
      ? `SELECT m."key", m.value, m.timestamp, m.step, m.is_nan,
           l.model_id, l.dataset_name, l.dataset_digest
         FROM metrics m LEFT JOIN logged_model_metrics l
           ON l.run_id = m.run_uuid AND l.metric_name = m."key"
          AND l.metric_timestamp_ms = m.timestamp AND l.metric_step = m.step
          AND (l.metric_value = m.value OR (m.is_nan = 1 AND l.metric_value IS NULL))
         WHERE m.run_uuid = ?
         ORDER BY m."key", m.timestamp, m.step, m.is_nan, m.value, l.model_id`
      : `SELECT "key", value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ?
         ORDER BY "key", timestamp, step, is_nan, value`,
  );
  /** The greatest point per key of the last run read, by MLflow's (step, timestamp, value) rule. */
  const latestOf = new Map<string, { value: number; timestamp: number; step: number }>();
  const read = function* (runId: string, tally: WarningTally) {
    latestOf.clear();
    let buf: PointBuffer | undefined;
    let prev: Row | undefined;
    for (const row of stmt.iterate(runId)) {
      const key = str(row.key);
      const value = num(row.is_nan) ? NaN : num(row.value);
      // A point linked to two models joins twice; the run keeps one point, so the first link wins.
      if (
        prev && prev.key === row.key && prev.timestamp === row.timestamp &&
        prev.step === row.step && prev.value === row.value && prev.is_nan === row.is_nan
      ) {
        tally.add(
          "metric points",
          "logged against more than one model: linked to the first only",
          `${runId}/${key}`,
        );
        continue;
      }
      prev = row;
      if (buf?.key !== key) {
        const rest = buf?.take();
        if (rest) yield rest;
        buf = new PointBuffer(runId, key);
      }
      const point = {
        value: toWireNumber(value),
        timestamp: num(row.timestamp),
        step: num(row.step),
      };
      const cur = latestOf.get(key);
      if (!cur || compareLatest(point.step, point.timestamp, value, cur) > 0) {
        latestOf.set(key, { value, timestamp: point.timestamp, step: point.step });
      }
      const full = buf.push(
        row.model_id
          ? {
            ...point,
            model_id: str(row.model_id),
            ...(row.dataset_name ? { dataset_name: str(row.dataset_name) } : {}),
            ...(row.dataset_digest ? { dataset_digest: str(row.dataset_digest) } : {}),
          }
          : point,
      );
      if (full) yield full;
    }
    const rest = buf?.take();
    if (rest) yield rest;
  };
  return Object.assign(read, { latestOf });
}

/**
 * MLflow's latest-metric order: greater step, then greater timestamp, then greater value, where
 * NaN counts above every number (SQLAlchemy's `is_nan` comparison).
 */
function compareLatest(
  step: number,
  timestamp: number,
  value: number,
  cur: { value: number; timestamp: number; step: number },
): number {
  if (step !== cur.step) return step - cur.step;
  if (timestamp !== cur.timestamp) return timestamp - cur.timestamp;
  const a = Number.isNaN(value), b = Number.isNaN(cur.value);
  if (a || b) return Number(a) - Number(b);
  return value - cur.value;
}

/**
 * kvflow derives a run's latest metrics from the history; this says where MLflow's
 * `latest_metrics` table disagrees (it is written incrementally and can lag an imported history).
 */
function checkLatest(
  runId: string,
  stmt: StatementSync,
  derived: Map<string, { value: number; timestamp: number; step: number }>,
  tally: WarningTally,
): void {
  for (const l of stmt.iterate(runId)) {
    const d = derived.get(str(l.key));
    const value = num(l.is_nan) ? NaN : num(l.value);
    if (
      !d || d.step !== num(l.step) || d.timestamp !== num(l.timestamp) ||
      !Object.is(d.value, value) && !(d.value === value)
    ) {
      tally.add(
        "latest metrics",
        "MLflow's latest_metrics row differs from the latest point of the history, which kvflow shows",
        `${runId}/${l.key}`,
      );
    }
  }
}

/** A run's dataset and model inputs, and its model outputs (MLflow 3). */
function runInputs(db: DatabaseSync, tables: Set<string>, inputCols: Set<string>) {
  const datasets = db.prepare(
    `SELECT i.input_uuid, d.name, d.digest, d.dataset_source_type AS source_type,
       d.dataset_source AS source, d.dataset_schema AS schema, d.dataset_profile AS profile
     FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
     WHERE i.destination_type = 'RUN' AND i.destination_id = ? AND i.source_type = 'DATASET'
     ORDER BY d.name, d.digest`,
  );
  const orphans = db.prepare(
    `SELECT COUNT(*) AS n FROM inputs i LEFT JOIN datasets d ON d.dataset_uuid = i.source_id
     WHERE i.destination_type = 'RUN' AND i.destination_id = ? AND i.source_type = 'DATASET'
       AND d.dataset_uuid IS NULL`,
  );
  const inputTags = tables.has("input_tags")
    ? db.prepare("SELECT name, value FROM input_tags WHERE input_uuid = ? ORDER BY name")
    : undefined;
  const modelInputs = db.prepare(
    `SELECT destination_id FROM inputs WHERE source_type = 'RUN_INPUT' AND source_id = ?
       AND destination_type = 'MODEL_INPUT' ORDER BY destination_id`,
  );
  const outputs = db.prepare(
    `SELECT destination_id, ${inputCols.has("step") ? "step" : "0 AS step"} FROM inputs
     WHERE source_type = 'RUN_OUTPUT' AND source_id = ? AND destination_type = 'MODEL_OUTPUT'
     ORDER BY destination_id`,
  );
  return function* (runId: string, tally: WarningTally): Generator<ExportRecord> {
    const dataset_inputs = [...datasets.iterate(runId)].map((d) =>
      datasetInput(
        inputTags
          ? [...inputTags.iterate(str(d.input_uuid))].map((t) => ({
            key: str(t.name),
            value: str(t.value),
          }))
          : [],
        d,
      )
    );
    const missing = num(orphans.get(runId)?.n);
    if (missing > 0) {
      tally.add("runs", "dataset input naming no stored dataset: not carried", runId);
    }
    const model_inputs = [...modelInputs.iterate(runId)].map((m) => ({
      model_id: str(m.destination_id),
    }));
    if (dataset_inputs.length || model_inputs.length) {
      yield { type: "run_inputs", run_id: runId, dataset_inputs, model_inputs };
    }
    const model_outputs = [...outputs.iterate(runId)].map((o) => ({
      model_id: str(o.destination_id),
      step: num(o.step),
    }));
    if (model_outputs.length) yield { type: "run_outputs", run_id: runId, model_outputs };
  };
}

/** Registered models by name, each with its tags, aliases and versions (with their tags). */
function* registry(
  db: DatabaseSync,
  tables: Set<string>,
  roots: LocalArtifactRoots,
  tally: WarningTally,
): Generator<ExportRecord> {
  const tags = db.prepare(
    'SELECT "key", value FROM registered_model_tags WHERE name = ? ORDER BY "key"',
  );
  const aliases = tables.has("registered_model_aliases")
    ? db.prepare(
      "SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias",
    )
    : undefined;
  const versions = db.prepare("SELECT * FROM model_versions WHERE name = ? ORDER BY version");
  const versionTags = db.prepare(
    'SELECT version, "key", value FROM model_version_tags WHERE name = ? ORDER BY version, "key"',
  );
  for (const m of db.prepare("SELECT * FROM registered_models ORDER BY name").iterate()) {
    const name = str(m.name);
    const vTags = peekable(versionTags.iterate(name));
    const out: ModelVersion[] = [];
    for (const v of versions.iterate(name)) {
      const vt: Tag[] = [];
      for (const t of vTags.takeWhile((t) => num(t.version) <= num(v.version))) {
        if (num(t.version) === num(v.version)) vt.push({ key: str(t.key), value: str(t.value) });
      }
      const version = versionOf(name, v, vt, roots, tally);
      if (version) out.push(version);
    }
    const modelAliases = aliases
      ? [...aliases.iterate(name)].map((a) => ({ alias: str(a.alias), version: str(a.version) }))
      : [];
    const modelTags = [...tags.iterate(name)].map((t) => ({
      key: str(t.key),
      value: str(t.value),
    }));
    yield registeredModelRecord(name, m, modelTags, modelAliases, out);
  }
}

/**
 * An iterator that can be read up to a condition without losing the first row past it: the
 * second cursor of a merge by key (experiment tags beside experiments, version tags beside
 * versions), so neither table is held in memory.
 */
function peekable(it: Iterator<Row>) {
  let head: IteratorResult<Row> | undefined;
  return {
    *takeWhile(pred: (row: Row) => boolean): Generator<Row> {
      while (true) {
        head ??= it.next();
        if (head.done || !pred(head.value)) return;
        yield head.value;
        head = undefined;
      }
    },
  };
}
