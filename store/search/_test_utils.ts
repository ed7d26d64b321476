/** Small fixtures for the search tests; not part of the public API. */

import { ok, throws } from "node:assert/strict";
import { MlflowError } from "../errors.ts";
import type { Experiment, LifecycleStage, Run, RunStatus } from "../types.ts";

/** What a test run may specify; everything else gets a fixed default. */
export interface RunSpec {
  id?: string;
  exp?: string;
  start?: number;
  end?: number;
  status?: RunStatus;
  user?: string;
  name?: string;
  /** Set `false` to omit the `mlflow.runName` tag (as after deleting it). */
  nameTag?: boolean;
  artifactUri?: string;
  stage?: LifecycleStage;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: { name: string; digest: string; context?: string }[];
}

let counter = 0;

/** Builds a `Run`; run ids default to unique 32-hex strings. */
export function makeRun(spec: RunSpec = {}): Run {
  const id = spec.id ?? (++counter).toString(16).padStart(32, "0");
  const name = spec.name ?? `run-${id.slice(-4)}`;
  const tags = Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value }));
  if (spec.nameTag !== false && !tags.some((t) => t.key === "mlflow.runName")) {
    tags.push({ key: "mlflow.runName", value: name });
  }
  return {
    info: {
      run_id: id,
      run_uuid: id,
      run_name: name,
      experiment_id: spec.exp ?? "1",
      user_id: spec.user ?? "alice",
      status: spec.status ?? "FINISHED",
      start_time: spec.start ?? 1000,
      ...(spec.end !== undefined && { end_time: spec.end }),
      artifact_uri: spec.artifactUri ?? `mlflow-artifacts:/1/${id}/artifacts`,
      lifecycle_stage: spec.stage ?? "active",
    },
    data: {
      metrics: Object.entries(spec.metrics ?? {}).map(([key, value]) => ({
        key,
        value,
        timestamp: 1,
        step: 0,
      })),
      params: Object.entries(spec.params ?? {}).map(([key, value]) => ({ key, value })),
      tags,
    },
    inputs: {
      dataset_inputs: (spec.datasets ?? []).map((d) => ({
        tags: d.context === undefined ? [] : [{ key: "mlflow.data.context", value: d.context }],
        dataset: { name: d.name, digest: d.digest, source_type: "local", source: "/tmp/x" },
      })),
      model_inputs: [],
    },
    outputs: { model_outputs: [] },
  };
}

/** Builds an `Experiment`. */
export function makeExperiment(
  id: string,
  spec: Partial<Omit<Experiment, "tags">> & { tags?: Record<string, string> } = {},
): Experiment {
  return {
    experiment_id: id,
    name: spec.name ?? `exp-${id}`,
    artifact_location: `mlflow-artifacts:/${id}`,
    lifecycle_stage: spec.lifecycle_stage ?? "active",
    creation_time: spec.creation_time ?? 0,
    last_update_time: spec.last_update_time ?? 0,
    tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
  };
}

/**
 * Asserts `fn` throws an `INVALID_PARAMETER_VALUE` MlflowError whose message contains every
 * fragment (case-sensitive).
 */
export function assertInvalid(fn: () => unknown, ...fragments: string[]): void {
  throws(fn, (e: unknown) => {
    ok(e instanceof MlflowError, `expected MlflowError, got ${e}`);
    ok(e.code === "INVALID_PARAMETER_VALUE", `unexpected code ${e.code}`);
    for (const f of fragments) ok(e.message.includes(f), `message ${e.message} lacks ${f}`);
    return true;
  });
}
