/**
 * What both backends share about logged models: ids, MLflow's error messages, and how a model's
 * `data.metrics` is derived from the points logged against it.
 *
 * @module
 */
import { invalidParam, MlflowError } from "../errors.ts";
import type { Metric } from "../types.ts";

/** The shape of every id `createLoggedModel` hands out. */
const MODEL_ID = /^m-[0-9a-f]{32}$/;

/** A new model id: `m-` + a uuid4 as 32 lowercase hex, as MLflow makes them. */
export function newModelId(): string {
  return `m-${crypto.randomUUID().replaceAll("-", "")}`;
}

/** Whether `id` could have been made by {@linkcode newModelId}. */
export function isModelId(id: unknown): id is string {
  return typeof id === "string" && MODEL_ID.test(id);
}

/** MLflow's error for an unknown (or deleted) logged model; long ids are cut in the message. */
export function modelNotFound(modelId: string): MlflowError {
  const shown = modelId.length > 100 ? `${modelId.slice(0, 100)}...` : modelId;
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `Logged model with ID '${shown}' not found.`);
}

/** Returns `id` if it could name a model; otherwise throws {@linkcode modelNotFound}. */
export function checkModelRef(id: string): string {
  if (!isModelId(id)) throw modelNotFound(id);
  return id;
}

/** Longest model id accepted where a model is only referenced (metrics, outputs). */
export const MAX_MODEL_REF = 256;

/**
 * Returns `id` unless it is longer than {@linkcode MAX_MODEL_REF}: metrics and `runs/outputs`
 * may name models this server does not know (MLflow stores such references as given), but never
 * ids too long to store.
 */
export function checkModelIdLength(id: string, path: string): string {
  if (id.length > MAX_MODEL_REF) {
    throw invalidParam(
      `Invalid value '${id.slice(0, 100)}...' for parameter '${path}' supplied: a model id has ` +
        `at most ${MAX_MODEL_REF} characters`,
    );
  }
  return id;
}

/** MLflow's error for deleting a tag the model does not have. */
export function modelTagNotFound(modelId: string, key: string): MlflowError {
  return new MlflowError(
    "RESOURCE_DOES_NOT_EXIST",
    `No tag with key '${key}' found for model with ID '${modelId}'.`,
  );
}

/** MLflow's error for a write to an experiment that is not active. */
export function experimentNotActive(expId: string, stage: string): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `The experiment ${expId} must be in the 'active' state. Current state is ${stage}.`,
  );
}

/** The error for a param re-logged on a model with another value. */
export function modelParamChanged(
  modelId: string,
  key: string,
  old: string,
  value: string,
): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Changing param values is not allowed. Param with key='${key}' was already logged with ` +
      `value='${old}' for logged model ID='${modelId}'. Attempted logging new value '${value}'.`,
  );
}

/** `<artifact_location>/models/<id>/artifacts`, joined with exactly one slash. */
export function modelArtifactUri(artifactLocation: string, modelId: string): string {
  return `${artifactLocation.replace(/\/+$/, "")}/models/${modelId}/artifacts`;
}

const nanAsZero = (v: number) => Number.isNaN(v) ? 0 : v;

/**
 * Whether point `a` is later than `b`: MLflow's latest-metric rule, the larger (step, timestamp,
 * value) with NaN read as 0, then (so both backends agree on exact ties) a real value over NaN and
 * the smaller run id.
 */
function isLater(a: Metric, b: Metric): boolean {
  const d = a.step - b.step || a.timestamp - b.timestamp ||
    nanAsZero(a.value) - nanAsZero(b.value) ||
    Number(Number.isNaN(b.value)) - Number(Number.isNaN(a.value));
  if (d !== 0) return d > 0;
  return (a.run_id ?? "") < (b.run_id ?? "");
}

/** The latest of `points` by {@linkcode isLater}; `undefined` for none. */
export function latestOf(points: Iterable<Metric>): Metric | undefined {
  let cur: Metric | undefined;
  for (const p of points) if (!cur || isLater(p, cur)) cur = p;
  return cur;
}

/** Identity of the (key, dataset name, dataset digest) series a model metric belongs to. */
export function seriesId(m: Metric): string {
  return `${m.key}\u0000${m.dataset_name ?? ""}\u0000${m.dataset_digest ?? ""}`;
}

const byCodePoint = (a: string, b: string) => {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
};

/**
 * A model's `data.metrics`: of the points logged against it (each carrying `run_id`, and any
 * `dataset_name` / `dataset_digest`), the latest per (key, dataset name, dataset digest), sorted
 * by key, dataset name, dataset digest. Each keeps `model_id` and the `run_id` that logged it.
 *
 * @example
 * ```ts
 * latestModelMetrics([
 *   { key: "acc", value: 0.5, timestamp: 1, step: 0, run_id: "r" },
 *   { key: "acc", value: 0.7, timestamp: 2, step: 1, run_id: "r" },
 * ]); // [{ key: "acc", value: 0.7, timestamp: 2, step: 1, run_id: "r" }]
 * ```
 */
export function latestModelMetrics(points: Iterable<Metric>): Metric[] {
  const latest = new Map<string, Metric>();
  for (const p of points) {
    const id = seriesId(p);
    const cur = latest.get(id);
    if (!cur || isLater(p, cur)) latest.set(id, p);
  }
  return [...latest.values()].map((m) => ({ ...m })).sort((a, b) =>
    byCodePoint(a.key, b.key) ||
    byCodePoint(a.dataset_name ?? "", b.dataset_name ?? "") ||
    byCodePoint(a.dataset_digest ?? "", b.dataset_digest ?? "")
  );
}

/** Whether a model metric was logged against one of `datasets` (name, and digest when given). */
export function inDatasets(
  m: Metric,
  datasets: readonly { dataset_name?: string; dataset_digest?: string }[],
): boolean {
  return datasets.some((d) =>
    m.dataset_name === d.dataset_name &&
    (d.dataset_digest === undefined || m.dataset_digest === d.dataset_digest)
  );
}

/** Entries sorted by key in code-point order (KV key order), as both backends list them. */
export function sortByKey<T extends { key: string }>(items: T[]): T[] {
  return items.sort((a, b) => byCodePoint(a.key, b.key));
}
