/**
 * The memory store's permanent deletion. A purge removes everything at once (memory writes are
 * synchronous, so nothing can interleave), keeps what it removed as "purging" until its hooks
 * have run, and lists that first, as the KV store lists its tombstones.
 *
 * @module
 */
import { modelNotFound } from "../logged_models/common.ts";
import { notDeleted, refuseDefaultExperiment } from "../purge_errors.ts";
import { listCandidates } from "../purge_listing.ts";
import type { GcCandidate, PurgeHooks, PurgeMethods, PurgeTarget } from "../purge_types.ts";
import type { LoggedModelRecord } from "./logged_models.ts";
import {
  experimentNotFound,
  type ExperimentRecord,
  getRunRecord,
  type MemoryState,
  type RunRecord,
} from "./state.ts";

function runCandidate(s: MemoryState, rec: RunRecord): GcCandidate {
  const exp = s.experiments.get(rec.info.experiment_id)?.experiment;
  return {
    kind: "run",
    id: rec.info.run_id,
    experiment_id: rec.info.experiment_id,
    artifact_uri: rec.info.artifact_uri,
    deleted_time: exp?.lifecycle_stage === "deleted" ? exp.last_update_time : rec.deletedTime ?? 0,
    purging: false,
  };
}

function experimentCandidate(rec: ExperimentRecord): GcCandidate {
  const e = rec.experiment;
  return {
    kind: "experiment",
    id: e.experiment_id,
    experiment_id: e.experiment_id,
    artifact_uri: e.artifact_location,
    deleted_time: e.last_update_time,
    purging: false,
  };
}

function modelCandidate(rec: LoggedModelRecord): GcCandidate {
  return {
    kind: "logged_model",
    id: rec.info.model_id,
    experiment_id: rec.info.experiment_id,
    artifact_uri: rec.info.artifact_uri,
    deleted_time: rec.info.last_updated_timestamp_ms,
    purging: false,
  };
}

const targetOf = ({ kind, id, experiment_id, artifact_uri }: GcCandidate): PurgeTarget => ({
  kind,
  id,
  experiment_id,
  artifact_uri,
});

/** The purge methods of the memory store over its state. */
export function purgeMethods(s: MemoryState): PurgeMethods {
  // Removed entities whose hooks have not all run yet, by `kind:id`, with what they contained.
  const purging = new Map<string, { c: GcCandidate; inner: GcCandidate[] }>();

  function removeRun(rec: RunRecord): GcCandidate {
    const c = runCandidate(s, rec);
    s.runs.delete(rec.info.run_id);
    s.experiments.get(rec.info.experiment_id)?.runIds.delete(rec.info.run_id);
    for (const model of s.loggedModels.values()) {
      for (const [slot, p] of model.points) {
        if (p.run_id === rec.info.run_id) model.points.delete(slot);
      }
    }
    return c;
  }

  function namedRun(id: string): GcCandidate {
    const p = purging.get(`run:${id}`);
    if (p) return p.c;
    const rec = getRunRecord(s, id);
    if (rec.info.lifecycle_stage !== "deleted") throw notDeleted("run", id);
    return runCandidate(s, rec);
  }

  function namedExperiment(id: string): GcCandidate {
    const p = purging.get(`experiment:${id}`);
    if (p) return p.c;
    const rec = s.experiments.get(id);
    if (!rec) throw experimentNotFound(id);
    if (rec.experiment.lifecycle_stage !== "deleted") throw notDeleted("experiment", id);
    return experimentCandidate(rec);
  }

  /** Every candidate, purging ones first; copied, as the consumer purges while it is listed. */
  function everyCandidate(): GcCandidate[] {
    const out = [...purging.values()].map((p) => p.c);
    for (const rec of s.experiments.values()) {
      if (rec.experiment.lifecycle_stage === "deleted") continue;
      for (const runId of rec.runIds) {
        const run = s.runs.get(runId)!;
        if (run.info.lifecycle_stage === "deleted") out.push(runCandidate(s, run));
      }
    }
    for (const m of s.loggedModels.values()) {
      const exp = s.experiments.get(m.info.experiment_id);
      if (m.deleted && exp?.experiment.lifecycle_stage === "active") out.push(modelCandidate(m));
    }
    for (const rec of s.experiments.values()) {
      if (rec.experiment.lifecycle_stage === "deleted") out.push(experimentCandidate(rec));
    }
    return out;
  }

  /** Takes an entity out (or finds it taken out), then runs its hooks. */
  async function purge(
    key: string,
    take: () => { c: GcCandidate; inner: GcCandidate[] },
    hooks: PurgeHooks,
  ): Promise<void> {
    let p = purging.get(key);
    if (!p) {
      p = take();
      p.c = { ...p.c, purging: true };
      purging.set(key, p);
    }
    for (const c of [p.c, ...p.inner]) {
      await hooks.onMarked?.(targetOf(c));
      await hooks.onBatch?.(targetOf(c), 1);
    }
    purging.delete(key);
  }

  return {
    listGcCandidates: (q) => listCandidates(q, { namedRun, namedExperiment, all: everyCandidate }),
    async purgeRun(runId, hooks = {}) {
      await purge(`run:${runId}`, () => {
        const rec = getRunRecord(s, runId);
        if (rec.info.lifecycle_stage !== "deleted") throw notDeleted("run", runId);
        return { c: removeRun(rec), inner: [] };
      }, hooks);
    },
    async purgeLoggedModel(modelId, hooks = {}) {
      await purge(`logged_model:${modelId}`, () => {
        const rec = s.loggedModels.get(modelId);
        if (!rec) throw modelNotFound(modelId);
        const exp = s.experiments.get(rec.info.experiment_id)?.experiment;
        if (!rec.deleted && exp?.lifecycle_stage !== "deleted") {
          throw notDeleted("logged model", modelId);
        }
        s.loggedModels.delete(modelId);
        return { c: modelCandidate(rec), inner: [] };
      }, hooks);
    },
    async purgeExperiment(id, hooks = {}) {
      refuseDefaultExperiment(id);
      await purge(`experiment:${id}`, () => {
        const c = namedExperiment(id);
        const rec = s.experiments.get(id)!;
        const inner: GcCandidate[] = [];
        for (const runId of [...rec.runIds]) inner.push(removeRun(s.runs.get(runId)!));
        for (const m of [...s.loggedModels.values()]) {
          if (m.info.experiment_id !== id) continue;
          s.loggedModels.delete(m.info.model_id);
          inner.push(modelCandidate(m));
        }
        s.experiments.delete(id);
        return { c, inner };
      }, hooks);
    },
  };
}
