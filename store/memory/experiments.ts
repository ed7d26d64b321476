/** Experiment methods of the in-memory store: CRUD, unique names, delete/restore cascades. */
import { invalidParam, MlflowError } from "../errors.ts";
import {
  cannotDeleteDefaultExperiment,
  DEFAULT_EXPERIMENT_ID,
  nextExperimentIdAfter,
} from "../lifecycle_errors.ts";
import { searchExperimentsIn, searchExperimentsYielding } from "../search/mod.ts";
import { type CreateExperimentInput, EXPERIMENT_KEYS_LIMIT, type TrackingStore } from "../types.ts";
import {
  compareCodePoints,
  experimentNotFound,
  type ExperimentRecord,
  getExperimentRecord,
  joinUri,
  type MemoryState,
  type SyncMethods,
  toExperiment,
} from "./state.ts";

type ExperimentMethods = SyncMethods<
  Pick<
    TrackingStore,
    | "createExperiment"
    | "getExperiment"
    | "getExperimentNames"
    | "listExperimentKeys"
    | "getExperimentByName"
    | "searchExperiments"
    | "renameExperiment"
    | "deleteExperiment"
    | "restoreExperiment"
    | "setExperimentTag"
    | "deleteExperimentTag"
    | "setExperimentTimes"
  >
>;

function alreadyExists(name: string): MlflowError {
  return new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${name}) already exists.`);
}

function findByName(s: MemoryState, name: string): ExperimentRecord | undefined {
  for (const rec of s.experiments.values()) if (rec.experiment.name === name) return rec;
  return undefined;
}

function requireActive(rec: ExperimentRecord): void {
  const { experiment_id, lifecycle_stage } = rec.experiment;
  if (lifecycle_stage !== "active") {
    throw invalidParam(
      `The experiment ${experiment_id} must be in the 'active' state. ` +
        `Current state is ${lifecycle_stage}.`,
    );
  }
}

/** Inserts an experiment record without validation; used for `Default` and by create. */
export function insertExperiment(
  s: MemoryState,
  name: string,
  artifactLocation: string | undefined,
  tags: { key: string; value: string }[],
  identity: Pick<CreateExperimentInput, "experimentId" | "creationTime" | "lastUpdateTime"> = {},
): string {
  const id = identity.experimentId ?? String(s.nextExperimentId);
  if (s.experiments.has(id)) {
    throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment with id=${id} already exists.`);
  }
  // An imported id numbers later experiments past it, so they never collide.
  s.nextExperimentId = nextExperimentIdAfter(s.nextExperimentId, id);
  const created = identity.creationTime ?? s.now();
  s.experiments.set(id, {
    experiment: {
      experiment_id: id,
      name,
      artifact_location: artifactLocation ?? joinUri(s.defaultArtifactRoot, id),
      lifecycle_stage: "active",
      creation_time: created,
      last_update_time: identity.lastUpdateTime ?? created,
    },
    tags: new Map(tags.map((t) => [t.key, t.value])),
    datasets: new Map(),
    runIds: new Set(),
  });
  return id;
}

/** Moves an experiment and every one of its runs to `stage`, as MLflow's delete/restore do. */
function setStage(s: MemoryState, rec: ExperimentRecord, stage: "active" | "deleted"): void {
  rec.experiment.lifecycle_stage = stage;
  rec.experiment.last_update_time = s.now();
  for (const runId of rec.runIds) s.runs.get(runId)!.info.lifecycle_stage = stage;
}

/** Builds the experiment half of the memory store over shared state. */
export function experimentMethods(s: MemoryState): ExperimentMethods {
  return {
    createExperiment({ name, artifactLocation, tags, ...identity }) {
      if (findByName(s, name)) throw alreadyExists(name);
      return insertExperiment(s, name, artifactLocation, tags ?? [], identity);
    },
    getExperiment(id) {
      return toExperiment(getExperimentRecord(s, id));
    },
    listExperimentKeys(id, limit = EXPERIMENT_KEYS_LIMIT) {
      const rec = getExperimentRecord(s, id);
      const params = new Set<string>();
      const metrics = new Set<string>();
      const tags = new Set<string>();
      for (const runId of rec.runIds) {
        const run = s.runs.get(runId);
        if (!run) continue;
        for (const k of run.params.keys()) params.add(k);
        for (const k of run.metrics.keys()) metrics.add(k);
        for (const k of run.tags.keys()) tags.add(k);
      }
      let truncated = false;
      const list = (set: Set<string>) => {
        const all = [...set].sort(compareCodePoints);
        if (all.length > limit) truncated = true;
        return all.slice(0, limit);
      };
      const out = { paramKeys: list(params), metricKeys: list(metrics), tagKeys: list(tags) };
      return { ...out, truncated };
    },
    getExperimentNames(ids) {
      const out = new Map<string, string>();
      for (const id of ids) {
        const rec = s.experiments.get(id);
        if (rec) out.set(id, rec.experiment.name);
      }
      return out;
    },
    getExperimentByName(name) {
      const rec = findByName(s, name);
      if (!rec) {
        throw new MlflowError(
          "RESOURCE_DOES_NOT_EXIST",
          `Could not find experiment with name '${name}'`,
        );
      }
      return toExperiment(rec);
    },
    searchExperiments(opts) {
      searchExperimentsIn([], opts); // rejects bad arguments before anything is copied
      return searchExperimentsYielding([...s.experiments.values()].map(toExperiment), opts);
    },
    renameExperiment(id, newName) {
      const rec = getExperimentRecord(s, id);
      if (rec.experiment.lifecycle_stage !== "active") {
        throw new MlflowError("INVALID_STATE", "Cannot rename a non-active experiment.");
      }
      if (rec.experiment.name === newName) return;
      // MLflow answers a rename onto a taken name with BAD_REQUEST (create uses RESOURCE_ALREADY_EXISTS).
      if (findByName(s, newName)) {
        throw new MlflowError("BAD_REQUEST", `Experiment(name=${newName}) already exists.`);
      }
      rec.experiment.name = newName;
      rec.experiment.last_update_time = s.now();
    },
    deleteExperiment(id) {
      if (id === DEFAULT_EXPERIMENT_ID) throw cannotDeleteDefaultExperiment();
      const rec = s.experiments.get(id);
      if (!rec || rec.experiment.lifecycle_stage !== "active") {
        throw new MlflowError(
          "RESOURCE_DOES_NOT_EXIST",
          `No active experiment with id=${id} exists`,
        );
      }
      setStage(s, rec, "deleted");
    },
    restoreExperiment(id) {
      const rec = s.experiments.get(id);
      if (!rec || rec.experiment.lifecycle_stage !== "deleted") {
        throw new MlflowError(
          "RESOURCE_DOES_NOT_EXIST",
          `No deleted experiment with id=${id} exists`,
        );
      }
      setStage(s, rec, "active");
    },
    setExperimentTag(id, key, value) {
      const rec = getExperimentRecord(s, id);
      requireActive(rec);
      rec.tags.set(key, value);
    },
    setExperimentTimes(id, creationTime, lastUpdateTime) {
      const rec = s.experiments.get(id);
      if (!rec) throw experimentNotFound(id);
      rec.experiment.creation_time = creationTime;
      rec.experiment.last_update_time = lastUpdateTime;
    },
    deleteExperimentTag(id, key) {
      const rec = s.experiments.get(id);
      if (!rec) throw experimentNotFound(id);
      requireActive(rec);
      if (!rec.tags.delete(key)) {
        throw new MlflowError(
          "RESOURCE_DOES_NOT_EXIST",
          `No tag with name: ${key} in experiment with id ${id}`,
        );
      }
    },
  };
}
