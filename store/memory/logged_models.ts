/**
 * The in-memory backend's logged models methods, plus the hooks run logging uses to attach
 * metrics (logged with a `model_id`) to their models.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import { randomRunName } from "../ids.ts";
import {
  experimentNotActive,
  latestModelMetrics,
  modelArtifactUri,
  modelNotFound,
  modelParamChanged,
  modelTagNotFound,
  newModelId,
  seriesId,
} from "../logged_models/common.ts";
import type { LoggedModel, LoggedModelInfo, LoggedModelMethods } from "../logged_models/types.ts";
import { parseLoggedModelQuery, searchLoggedModelsYielding } from "../search/logged_models.ts";
import type { Metric } from "../types.ts";
import {
  getActiveRunRecord,
  getExperimentRecord,
  type MemoryState,
  sortedPairs,
  type SyncMethods,
} from "./state.ts";

/** A stored logged model. */
export interface LoggedModelRecord {
  info: Omit<LoggedModelInfo, "tags">;
  deleted: boolean;
  tags: Map<string, string>;
  params: Map<string, string>;
  /**
   * Points logged against the model, one per (key, dataset, run, step, timestamp): a later write
   * to the same slot replaces it, as the KV backend's point keys do. `data.metrics` is derived.
   */
  points: Map<string, Metric>;
}

/** A detached wire copy of a stored model. */
function toLoggedModel(rec: LoggedModelRecord): LoggedModel {
  return {
    info: { ...rec.info, tags: sortedPairs(rec.tags) },
    data: { params: sortedPairs(rec.params), metrics: latestModelMetrics(rec.points.values()) },
  };
}

/** The live (not deleted) model; throws MLflow's not-found error otherwise. */
function liveModel(s: MemoryState, modelId: string): LoggedModelRecord {
  const rec = s.loggedModels.get(modelId);
  if (!rec || rec.deleted) throw modelNotFound(modelId);
  return rec;
}

/**
 * Records the points that carry a `model_id` under their models, with the logging run's id. A
 * point naming no stored model stays on the run only (MLflow accepts such ids too); one naming a
 * deleted model is kept with it, out of sight.
 */
export function attachModelMetrics(s: MemoryState, runId: string, metrics: readonly Metric[]) {
  for (const m of metrics) {
    const model = m.model_id === undefined ? undefined : s.loggedModels.get(m.model_id);
    if (!model) continue;
    // Proto field order: key, value, timestamp, step, dataset_name, dataset_digest, model_id, run_id.
    const point: Metric = { key: m.key, value: m.value, timestamp: m.timestamp, step: m.step };
    if (m.dataset_name !== undefined) point.dataset_name = m.dataset_name;
    if (m.dataset_digest !== undefined) point.dataset_digest = m.dataset_digest;
    point.model_id = m.model_id;
    point.run_id = runId;
    const slot = `${seriesId(point)}\u0000${runId}\u0000${m.step}\u0000${m.timestamp}`;
    model.points.set(slot, point);
  }
}

/** The logged models methods over `state`. */
export function loggedModelMethods(s: MemoryState): SyncMethods<LoggedModelMethods> {
  return {
    createLoggedModel(input) {
      const exp = getExperimentRecord(s, input.experimentId).experiment;
      if (exp.lifecycle_stage !== "active") {
        throw experimentNotActive(exp.experiment_id, exp.lifecycle_stage);
      }
      const modelId = input.modelId ?? newModelId();
      if (s.loggedModels.has(modelId)) {
        throw new MlflowError(
          "RESOURCE_ALREADY_EXISTS",
          `Logged model with ID '${modelId}' already exists.`,
        );
      }
      const now = s.now();
      const info: LoggedModelRecord["info"] = {
        model_id: modelId,
        experiment_id: exp.experiment_id,
        name: input.name || randomRunName(),
        creation_timestamp_ms: now,
        last_updated_timestamp_ms: now,
        artifact_uri: modelArtifactUri(exp.artifact_location, modelId),
        status: "LOGGED_MODEL_PENDING",
        model_type: input.modelType ?? "",
      };
      if (input.sourceRunId) info.source_run_id = input.sourceRunId;
      const rec: LoggedModelRecord = {
        info,
        deleted: false,
        tags: new Map((input.tags ?? []).map((t) => [t.key, t.value])),
        params: new Map((input.params ?? []).map((p) => [p.key, p.value])),
        points: new Map(),
      };
      s.loggedModels.set(modelId, rec);
      return toLoggedModel(rec);
    },
    getLoggedModel(modelId) {
      return toLoggedModel(liveModel(s, modelId));
    },
    finalizeLoggedModel(modelId, status) {
      const rec = liveModel(s, modelId);
      rec.info.status = status;
      rec.info.last_updated_timestamp_ms = s.now();
      return toLoggedModel(rec);
    },
    deleteLoggedModel(modelId) {
      const rec = liveModel(s, modelId);
      rec.deleted = true;
      rec.info.last_updated_timestamp_ms = s.now();
    },
    setLoggedModelTags(modelId, tags) {
      const rec = liveModel(s, modelId);
      for (const t of tags) rec.tags.set(t.key, t.value);
    },
    deleteLoggedModelTag(modelId, key) {
      if (!liveModel(s, modelId).tags.delete(key)) throw modelTagNotFound(modelId, key);
    },
    logLoggedModelParams(modelId, params) {
      const rec = liveModel(s, modelId);
      // Every check before the first write, so a rejected call changes nothing.
      for (const p of params) {
        const old = rec.params.get(p.key);
        if (old !== undefined && old !== p.value) {
          throw modelParamChanged(modelId, p.key, old, p.value);
        }
      }
      for (const p of params) rec.params.set(p.key, p.value);
    },
    searchLoggedModels(opts) {
      const q = parseLoggedModelQuery(opts); // rejects bad arguments before anything is copied
      const scope = new Set(q.experimentIds);
      const live: LoggedModel[] = [];
      for (const rec of s.loggedModels.values()) {
        if (!rec.deleted && scope.has(rec.info.experiment_id)) live.push(toLoggedModel(rec));
      }
      return searchLoggedModelsYielding(live, q);
    },
    logOutputs(runId, models) {
      // Like log-inputs' models, outputs may name any model id (MLflow does not check them).
      const run = getActiveRunRecord(s, runId);
      for (const m of models) {
        run.modelOutputs.set(`${m.model_id}\u0000${m.step}`, {
          model_id: m.model_id,
          step: m.step,
        });
      }
    },
  };
}
