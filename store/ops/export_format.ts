/**
 * The records of a kvflow export (`deno task export`), one JSON object per line of a gzip'd
 * JSONL file, and the stream every importer produces: `deno task import FILE` reads them from a
 * file, `--from-mlflow` makes them from an MLflow store, and one writer (`store/ops/import.ts`)
 * puts them into a store. A store of any size streams through in constant memory, so no record
 * holds a whole history: a metric's points come in records of at most
 * {@linkcode MAX_POINTS_PER_RECORD}.
 *
 * Order: the header first; an experiment before its runs and logged models; a run's metric
 * points, inputs and outputs right after it, before the next record of another kind (the writer
 * deletes a deleted run once its data ends); a logged model before the runs that log metrics to
 * it or name it as an input or output; a registered model with its versions and aliases after
 * the runs and logged models they name; users before their grants. A reader never needs to look
 * ahead. kvflow's export writes every experiment, then every logged model, then the runs.
 *
 * Numbers that JSON cannot hold (NaN, ±Infinity, -0) are written as the strings of
 * {@linkcode WireNumber}, so a history survives the trip exactly.
 *
 * @module
 */

import type { Dataset, Experiment, RunInfo, Tag } from "../types.ts";
import type { LoggedModel } from "../logged_models/types.ts";
import type { ModelVersion, RegisteredModel } from "../registry/types.ts";

/** The `format` of an export's header line. */
export const EXPORT_FORMAT = "kvflow-export/1";

/** Most points one {@linkcode MetricPointsRecord} carries (one `log-batch`'s worth). */
export const MAX_POINTS_PER_RECORD = 1000;

/** A number as written in an export: finite numbers as JSON numbers, the rest as these strings. */
export type WireNumber = number | "NaN" | "Infinity" | "-Infinity" | "-0";

/** `n` as a {@linkcode WireNumber}. */
export function toWireNumber(n: number): WireNumber {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  if (Object.is(n, -0)) return "-0";
  return n;
}

/** The number a {@linkcode WireNumber} stands for; anything else is `undefined`. */
export function fromWireNumber(w: unknown): number | undefined {
  if (typeof w === "number") return Number.isFinite(w) ? w : undefined;
  switch (w) {
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    case "-0":
      return -0;
  }
  return undefined;
}

/** The first line: what wrote the file and when. */
export interface HeaderRecord {
  type: "header";
  format: typeof EXPORT_FORMAT;
  /** Milliseconds since the epoch. */
  exported_at: number;
  /** What the records were read from: `kvflow`, `mlflow-sqlite`, `mlflow-file-store`. */
  source: string;
  /** The kvflow schema version of the exporting store (absent for MLflow sources). */
  schema_version?: number;
}

/** An experiment with its tags, lifecycle and times. */
export interface ExperimentRecord {
  type: "experiment";
  experiment: Experiment;
}

/** A run's info, params and tags (its metrics, inputs and outputs follow in their own records). */
export interface RunRecord {
  type: "run";
  info: RunInfo;
  params: { key: string; value: string }[];
  tags: Tag[];
  /**
   * When a deleted run was deleted (ms since the epoch), as MLflow's stores keep it, so
   * `deno task gc --older-than` counts from then after an import. Absent: the import's own time.
   */
  deleted_time?: number;
  /**
   * Import only, from an MLflow store used without a tracking server: the local directory
   * (checked by the reader to lie inside the store or `--artifacts`) holding its artifacts,
   * which the writer copies to the new place when told to trust it. Never written by export.
   */
  artifact_source?: string;
}

/** One point of a metric's history. */
export interface ExportedPoint {
  value: WireNumber;
  timestamp: number;
  step: number;
  /** MLflow 3: the logged model the point was logged against, with its dataset. */
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

/** Up to {@linkcode MAX_POINTS_PER_RECORD} points of one run's metric, in history order. */
export interface MetricPointsRecord {
  type: "metric_points";
  run_id: string;
  key: string;
  points: ExportedPoint[];
}

/** A run's dataset and logged-model inputs. */
export interface RunInputsRecord {
  type: "run_inputs";
  run_id: string;
  dataset_inputs: { tags: Tag[]; dataset: Dataset }[];
  model_inputs: { model_id: string }[];
}

/** A run's logged-model outputs (MLflow 3). */
export interface RunOutputsRecord {
  type: "run_outputs";
  run_id: string;
  model_outputs: { model_id: string; step: number }[];
}

/** A logged model (MLflow 3) with its params and tags; its metrics come with its runs' points. */
export interface LoggedModelRecord {
  type: "logged_model";
  model: LoggedModel;
  /**
   * Import only, from an MLflow store used without a tracking server: the local directory
   * (checked by the reader to lie inside the store or `--artifacts`) holding its artifacts,
   * which the writer copies to the new place when told to trust it. Never written by export.
   */
  artifact_source?: string;
}

/** A registered model with its tags, every version (with tags) and every alias. */
export interface RegisteredModelRecord {
  type: "registered_model";
  model: RegisteredModel;
  versions: ModelVersion[];
}

/** A user of the auth store, with the password hash as stored (never a password). */
export interface UserRecord {
  type: "user";
  /** The auth store's own user record, as its export method gives it. */
  user: ExportedUser;
}

/** What a {@linkcode UserRecord} carries (kvflow's auth store; MLflow's `users` table alike). */
export interface ExportedUser {
  username: string;
  /** As `AuthStore.getPasswordHash` gives it: `pbkdf2-sha256$<iterations>$<salt>$<digest>`. */
  password_hash: string;
  is_admin: boolean;
}

/** A permission grant of a user on an experiment or registered model. */
export interface GrantRecord {
  type: "grant";
  grant: ExportedGrant;
}

/** What a {@linkcode GrantRecord} carries: exactly one of the two resources. */
export interface ExportedGrant {
  username: string;
  experiment_id?: string;
  registered_model_name?: string;
  /** `READ`, `EDIT`, `MANAGE` or `NO_PERMISSIONS`. */
  permission: string;
}

/** Any line of an export. */
export type ExportRecord =
  | HeaderRecord
  | ExperimentRecord
  | RunRecord
  | MetricPointsRecord
  | RunInputsRecord
  | RunOutputsRecord
  | LoggedModelRecord
  | RegisteredModelRecord
  | UserRecord
  | GrantRecord;

/**
 * What an importer could not carry (a run whose artifacts live outside the proxy, a trace, a
 * deleted model version's gap): printed as a list when the import ends.
 */
export interface ImportWarning {
  /** What it is about: `run <id>`, `experiment <id>`, `table trace_info`, … */
  subject: string;
  message: string;
}
