/**
 * What both MLflow readers share below their records (./_records.ts): cutting a history into
 * point records, the warnings that would repeat once per row (summed into one line per kind),
 * MLflow's status numbers and how a stored value is read.
 *
 * @module
 */
import type { ExportedPoint, ImportWarning, MetricPointsRecord } from "../ops/export_format.ts";
import { MAX_POINTS_PER_RECORD } from "../ops/export_format.ts";
import type { LoggedModelStatus } from "../logged_models/types.ts";
import type { LifecycleStage, RunStatus } from "../types.ts";

/** How many example ids a summed warning names before "…". */
export const MAX_WARNING_EXAMPLES = 5;

/**
 * Gathers warnings that would otherwise come once per run (e.g. every deleted run's
 * `deleted_time`) and gives one line per kind at the end, with a count and a few ids.
 */
export class WarningTally {
  #kinds = new Map<string, { subject: string; message: string; count: number; ids: string[] }>();

  /** Counts one occurrence of `message` about `subject` (e.g. `runs`), naming `id`. */
  add(subject: string, message: string, id: string): void {
    const key = `${subject}\n${message}`;
    let kind = this.#kinds.get(key);
    if (!kind) this.#kinds.set(key, kind = { subject, message, count: 0, ids: [] });
    kind.count++;
    if (kind.ids.length < MAX_WARNING_EXAMPLES) kind.ids.push(id);
  }

  /** Sends one warning per kind, in the order the kinds first appeared. */
  flush(onWarning: (w: ImportWarning) => void): void {
    for (const { subject, message, count, ids } of this.#kinds.values()) {
      const more = count > ids.length ? ", …" : "";
      onWarning({
        subject: `${count} ${subject}`,
        message: `${message} (${ids.join(", ")}${more})`,
      });
    }
    this.#kinds.clear();
  }
}

/**
 * Collects one metric's points and hands out records of at most
 * {@linkcode MAX_POINTS_PER_RECORD}, so a history of any length passes in bounded memory.
 */
export class PointBuffer {
  #points: ExportedPoint[] = [];
  constructor(readonly runId: string, readonly key: string) {}

  /** Adds a point; returns a full record to emit when the buffer reached its limit. */
  push(point: ExportedPoint): MetricPointsRecord | undefined {
    this.#points.push(point);
    return this.#points.length >= MAX_POINTS_PER_RECORD ? this.take() : undefined;
  }

  /** The points gathered so far as a record (undefined when there are none), emptying the buffer. */
  take(): MetricPointsRecord | undefined {
    if (this.#points.length === 0) return undefined;
    const points = this.#points;
    this.#points = [];
    return { type: "metric_points", run_id: this.runId, key: this.key, points };
  }
}

/** MLflow's `RunStatus` numbers (file store `meta.yaml`) to their names. */
export const RUN_STATUS_BY_NUMBER: Readonly<Record<number, RunStatus>> = {
  1: "RUNNING",
  2: "SCHEDULED",
  3: "FINISHED",
  4: "FAILED",
  5: "KILLED",
};

/** MLflow's `LoggedModelStatus` numbers (SQL column `logged_models.status`) to kvflow's. */
export const LOGGED_MODEL_STATUS_BY_NUMBER: Readonly<Record<number, LoggedModelStatus>> = {
  1: "LOGGED_MODEL_PENDING",
  2: "LOGGED_MODEL_READY",
  3: "LOGGED_MODEL_UPLOAD_FAILED",
};

/** The model version stage MLflow gives a deleted version it keeps as a row. */
export const DELETED_VERSION_STAGE = "Deleted_Internal";

/** The scheme under which kvflow's artifact proxy (and `--artifacts`) finds a run's files. */
export const PROXIED_ARTIFACTS_SCHEME = "mlflow-artifacts:/";

/** The logged model a registry `source` of the form `models:/<model_id>` names (MLflow 3). */
export function modelIdOfSource(source: string): string | undefined {
  return /^models:\/(m-[0-9a-f]{32})$/.exec(source)?.[1];
}

/** A stored value as a string; SQL NULL and a missing field are "". */
export const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

/** A stored value (an integer column, a YAML number) as a number. */
export const num = (v: unknown): number => Number(v);

/** MLflow's `lifecycle_stage` as kvflow's: anything but `deleted` is active. */
export const lifecycleStage = (
  v: unknown,
): LifecycleStage => (v === "deleted" ? "deleted" : "active");
