/**
 * The in-memory store's state (plain Maps) and the lookups every entity file shares. Records are
 * private; everything handed to callers is built fresh by the `to*` functions below.
 *
 * @module
 */
import { invalidParam, MlflowError } from "../errors.ts";
import type { Dataset, Experiment, Metric, ModelOutput, Run, RunInfo, Tag } from "../types.ts";
import type { LoggedModelRecord } from "./logged_models.ts";

/** One metric key of one run: every point plus the cached latest value. */
export interface MetricSeries {
  points: Metric[];
  /** Whether `points` is known to be in history order; appends out of order clear it. */
  sorted: boolean;
  /** Identity of each stored point, to ignore exact repeats (NaN equals NaN here). */
  seen: Set<string>;
  latest: Metric;
}

/** A stored run. */
export interface RunRecord {
  info: RunInfo;
  params: Map<string, string>;
  tags: Map<string, string>;
  metrics: Map<string, MetricSeries>;
  /** Dataset id (within the experiment) → tags of this run↔dataset edge. */
  datasetInputs: Map<string, Tag[]>;
  modelInputs: Set<string>;
  /** `runs/outputs`: logged models this run produced, by `model_id\0step`. */
  modelOutputs: Map<string, ModelOutput>;
  /** When the run was last deleted (ms), for gc's `--older-than`. */
  deletedTime?: number;
}

/** A stored experiment. */
export interface ExperimentRecord {
  experiment: Omit<Experiment, "tags">;
  tags: Map<string, string>;
  /** Datasets logged to this experiment's runs, by `name\0digest`. */
  datasets: Map<string, Dataset>;
  runIds: Set<string>;
}

/** Everything the memory store holds. */
export interface MemoryState {
  defaultArtifactRoot: string;
  nextExperimentId: number;
  experiments: Map<string, ExperimentRecord>;
  runs: Map<string, RunRecord>;
  /** Logged models (MLflow 3), by model id; see `logged_models.ts`. */
  loggedModels: Map<string, LoggedModelRecord>;
  /** The time written into entities; an import sets it (see `store/clock.ts`). */
  now: () => number;
  /** Evaluation time a run search may spend before its 400 (store/search/budget.ts). */
  searchTimeBudgetMs: number;
}

/**
 * Orders strings by code point, which is also the UTF-8 byte order Deno KV keys use, so both
 * backends list keys identically (plain `<` compares UTF-16 units and differs above U+FFFF).
 */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** A map's entries as `{key, value}` pairs sorted by key. */
export function sortedPairs(m: Map<string, string>): Tag[] {
  return [...m].map(([key, value]) => ({ key, value })).sort((a, b) =>
    compareCodePoints(a.key, b.key)
  );
}

/** Joins a default artifact root and a child with exactly one slash between them. */
export function joinUri(root: string, child: string): string {
  return `${root.replace(/\/+$/, "")}/${child}`;
}

export function experimentNotFound(id: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `No Experiment with id=${id} exists`);
}

export function getExperimentRecord(s: MemoryState, id: string): ExperimentRecord {
  const rec = s.experiments.get(id);
  if (!rec) throw experimentNotFound(id);
  return rec;
}

export function getRunRecord(s: MemoryState, runId: string): RunRecord {
  const rec = s.runs.get(runId);
  if (!rec) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Run with id=${runId} not found`);
  return rec;
}

/** MLflow's check before any write to a run. */
export function getActiveRunRecord(s: MemoryState, runId: string): RunRecord {
  const rec = getRunRecord(s, runId);
  if (rec.info.lifecycle_stage !== "active") {
    throw invalidParam(
      `The run ${runId} must be in the 'active' state. Current state is ${rec.info.lifecycle_stage}.`,
    );
  }
  return rec;
}

export function toExperiment(rec: ExperimentRecord): Experiment {
  return { ...rec.experiment, tags: sortedPairs(rec.tags) };
}

function copyMetric(m: Metric): Metric {
  return { ...m };
}

/** A full, detached copy of a run; data lists are sorted by key, inputs by name/digest/id. */
export function toRun(s: MemoryState, rec: RunRecord): Run {
  const exp = s.experiments.get(rec.info.experiment_id);
  const metrics = [...rec.metrics.values()].map((series) => copyMetric(series.latest))
    .sort((a, b) => compareCodePoints(a.key, b.key));
  const datasetInputs = [...rec.datasetInputs].map(([datasetId, tags]) => ({
    tags: tags.map((t) => ({ ...t })),
    dataset: { ...exp!.datasets.get(datasetId)! },
  })).sort((a, b) =>
    compareCodePoints(a.dataset.name, b.dataset.name) ||
    compareCodePoints(a.dataset.digest, b.dataset.digest)
  );
  return {
    info: { ...rec.info },
    data: { metrics, params: sortedPairs(rec.params), tags: sortedPairs(rec.tags) },
    inputs: {
      dataset_inputs: datasetInputs,
      model_inputs: [...rec.modelInputs].sort(compareCodePoints).map((model_id) => ({ model_id })),
    },
    outputs: {
      model_outputs: [...rec.modelOutputs.values()].map((o) => ({ ...o })).sort((a, b) =>
        compareCodePoints(a.model_id, b.model_id) || a.step - b.step
      ),
    },
  };
}

/**
 * A promise-returning interface written as plain functions (see {@linkcode asAsync}). A method
 * may still return a promise: the searches do, once they have copied what they read.
 */
export type SyncMethods<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => R | Promise<R>
    : never;
};

/**
 * Turns synchronous methods into the async interface, converting throws into rejections. Keeping
 * the bodies synchronous is what makes every memory-store operation atomic: no other call can
 * interleave with a write, so a batch is validated completely before anything is applied. The
 * searches take their snapshot synchronously too, and only then evaluate it asynchronously,
 * pausing for the event loop (store/search/budget.ts).
 */
export function asAsync<T>(methods: SyncMethods<T>): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(methods) as [string, (...a: unknown[]) => unknown][]) {
    out[name] = (...args: unknown[]) => {
      try {
        return Promise.resolve(fn(...args));
      } catch (e) {
        return Promise.reject(e);
      }
    };
  }
  return out as T;
}
