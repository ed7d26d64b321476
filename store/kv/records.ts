/**
 * The shapes stored in KV and how they become wire entities. Lifecycle is derived, not copied:
 * deleting or restoring an experiment flips one record, and each run's stage follows from it, so
 * a cascade over 100,000 runs is still one atomic commit.
 *
 * @module
 */
import type { Experiment, LifecycleStage, RunInfo, RunStatus, Tag } from "../types.ts";
import type { LoggedModelInfo } from "../logged_models/types.ts";
import type { RunSummary } from "./run_summary.ts";

/** A logged model as stored: its info without tags, a soft-delete flag and the write counter. */
export interface ModelRecord extends Omit<LoggedModelInfo, "tags"> {
  deleted: boolean;
  seq: number;
}

/** An experiment as stored (tags live under their own keys). */
export interface ExperimentRecord {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
  /** Bumped on every restore; a run deleted in an earlier epoch is active again. */
  epoch: number;
}

/** What a run's stage depends on of its experiment (see {@linkcode runStage}). */
export type ExperimentLifecycle = Pick<ExperimentRecord, "lifecycle_stage" | "epoch">;

/** A run as stored; `lifecycle_stage` is derived with {@linkcode runStage}. */
export interface RunRecord {
  run_id: string;
  experiment_id: string;
  run_name: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  deleted: boolean;
  /** The experiment epoch in which the run was deleted. */
  deleted_epoch: number;
  /** When the run was last deleted (ms); absent in runs deleted before it was recorded. */
  deleted_time?: number;
  /** What search reads of the run's data (see `run_summary.ts`). */
  s?: RunSummary;
}

/** A run's write head (see `runHeadKey`). */
export interface RunHead {
  seq: number;
  /** Id of a committed multi-commit batch that is still being applied. */
  pending?: string;
  /**
   * How long (ms) a reader holds the run still. Set only by a reader whose optimistic reads kept
   * being overtaken by writes; a writer that sees it waits this long on its own clock, counted
   * from when it first saw this head (see `run_write.ts`). A duration, not an instant: the
   * processes sharing a database run on different machines whose clocks need not agree.
   */
  leaseMs?: number;
}

/**
 * A run is deleted when its experiment is, or when it was deleted individually since the
 * experiment's last restore (MLflow's restore reactivates every run of the experiment).
 */
export function runStage(run: RunRecord, exp: ExperimentLifecycle): LifecycleStage {
  if (exp.lifecycle_stage === "deleted") return "deleted";
  return run.deleted && run.deleted_epoch === exp.epoch ? "deleted" : "active";
}

/** Orders strings by code point, as KV orders keys (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** The wire `RunInfo` of a stored run. */
export function toRunInfo(run: RunRecord, exp: ExperimentLifecycle): RunInfo {
  const info: RunInfo = {
    run_id: run.run_id,
    run_uuid: run.run_id,
    run_name: run.run_name,
    experiment_id: run.experiment_id,
    user_id: run.user_id,
    status: run.status,
    start_time: run.start_time,
    artifact_uri: run.artifact_uri,
    lifecycle_stage: runStage(run, exp),
  };
  if (run.end_time !== undefined) info.end_time = run.end_time;
  return info;
}

/** The wire `Experiment` of a stored experiment and its tags. */
export function toExperiment(rec: ExperimentRecord, tags: Tag[]): Experiment {
  return {
    experiment_id: rec.experiment_id,
    name: rec.name,
    artifact_location: rec.artifact_location,
    lifecycle_stage: rec.lifecycle_stage,
    creation_time: rec.creation_time,
    last_update_time: rec.last_update_time,
    tags,
  };
}
