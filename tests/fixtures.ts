/**
 * Small builders shared by tests. Timestamps are fixed (`T0`) so results never depend on the clock.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type ErrorCode, MlflowError } from "../store/errors.ts";
import type {
  CreateRunInput,
  Dataset,
  DatasetInput,
  Metric,
  Param,
  Run,
  Tag,
  TrackingStore,
} from "../store/types.ts";

/** A fixed epoch-millisecond timestamp (2023-11-14) that tests offset from. */
export const T0 = 1_700_000_000_000;

let names = 0;

/** A fresh experiment name, unique within the process. */
export function randomExperimentName(prefix = "exp"): string {
  return `${prefix}-${++names}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A metric point; `timestamp` defaults to `T0` and `step` to 0. */
export function metric(key: string, value: number, timestamp = T0, step = 0): Metric {
  return { key, value, timestamp, step };
}

/** A param. */
export function param(key: string, value: string): Param {
  return { key, value };
}

/** A tag (run, experiment or input tag). */
export function tag(key: string, value: string): Tag {
  return { key, value };
}

/** A dataset with the required fields filled in. */
export function dataset(name: string, digest: string, extra: Partial<Dataset> = {}): Dataset {
  return { name, digest, source_type: "local", source: `file:///data/${name}`, ...extra };
}

/** A run↔dataset input, optionally with input tags. */
export function datasetInput(name: string, digest: string, tags: Tag[] = []): DatasetInput {
  return { tags, dataset: dataset(name, digest) };
}

/** A `log-model` payload with every mandatory field. */
export function modelJson(runId: string, artifactPath = "model"): string {
  return JSON.stringify({
    artifact_path: artifactPath,
    flavors: { python_function: { loader_module: "mlflow.sklearn" } },
    utc_time_created: "2023-11-14 22:13:20.000000",
    run_id: runId,
  });
}

/** `n` repetitions of `ch`: long values at MLflow's limits. */
export function chars(n: number, ch = "x"): string {
  return ch.repeat(n);
}

/** Creates a fresh experiment and a run in it (start time `T0` unless given). */
export async function newRun(
  store: TrackingStore,
  input: CreateRunInput = {},
): Promise<{ experimentId: string; run: Run; runId: string }> {
  const experimentId = input.experimentId ??
    await store.createExperiment({ name: randomExperimentName() });
  const run = await store.createRun({ startTime: T0, ...input, experimentId });
  return { experimentId, run, runId: run.info.run_id };
}

/**
 * Asserts that `p` rejects with an `MlflowError` of `code`, and, when given, exactly `message`
 * (a string) or a message matching it (a RegExp). Returns the error.
 */
export async function assertMlflowError(
  p: Promise<unknown>,
  code: ErrorCode,
  message?: string | RegExp,
): Promise<MlflowError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof MlflowError, `expected MlflowError(${code}), got ${caught}`);
  assert.equal(caught.code, code, `code of: ${caught.message}`);
  if (typeof message === "string") assert.equal(caught.message, message);
  else if (message) assert.match(caught.message, message);
  return caught;
}
