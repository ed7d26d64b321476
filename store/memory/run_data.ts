/** Run data methods of the in-memory store: log-batch, tags, log-model and log-inputs. */
import { invalidParam, MlflowError } from "../errors.ts";
import type { TrackingStore } from "../types.ts";
import { addMetric } from "./metrics.ts";
import { attachModelMetrics } from "./logged_models.ts";
import { getActiveRunRecord, type MemoryState, type SyncMethods } from "./state.ts";
import { MAX_MODEL_HISTORY_CHARS, modelHistoryTooLong } from "../limits.ts";

type RunDataMethods = SyncMethods<
  Pick<TrackingStore, "logBatch" | "deleteTag" | "logModel" | "logInputs">
>;

const RUN_NAME_TAG = "mlflow.runName";
const MODEL_HISTORY_TAG = "mlflow.log-model.history";

/** Builds the run-data part of the memory store over shared state. */
export function runDataMethods(s: MemoryState): RunDataMethods {
  return {
    logBatch(runId, { metrics = [], params = [], tags = [] }) {
      const rec = getActiveRunRecord(s, runId);
      // Every check happens before the first write, so a rejected batch changes nothing.
      for (const { key, value } of params) {
        const old = rec.params.get(key);
        if (old !== undefined && old !== value) {
          throw invalidParam(
            `Changing param values is not allowed. Param with key='${key}' was already logged ` +
              `with value='${old}' for run ID='${runId}'. Attempted logging new value '${value}'.`,
          );
        }
      }
      for (const p of params) rec.params.set(p.key, p.value);
      for (const m of metrics) addMetric(rec, m);
      attachModelMetrics(s, runId, metrics);
      for (const t of tags) {
        rec.tags.set(t.key, t.value);
        if (t.key === RUN_NAME_TAG) rec.info.run_name = t.value;
      }
    },
    deleteTag(runId, key) {
      const rec = getActiveRunRecord(s, runId);
      // Deleting mlflow.runName keeps run_name, as MLflow does.
      if (!rec.tags.delete(key)) {
        throw new MlflowError(
          "RESOURCE_DOES_NOT_EXIST",
          `No tag with name: ${key} in run with id ${runId}`,
        );
      }
    },
    logModel(runId, modelJson) {
      const rec = getActiveRunRecord(s, runId);
      const model: unknown = JSON.parse(modelJson);
      let history: unknown[] = [];
      try {
        const old: unknown = JSON.parse(rec.tags.get(MODEL_HISTORY_TAG) ?? "[]");
        if (Array.isArray(old)) history = old;
      } catch {
        // A hand-set, non-JSON history tag is replaced rather than blocking model logging.
      }
      const value = JSON.stringify([...history, model]);
      // The KV backend's limit (one KV value), so both backends refuse the same log-model.
      if (value.length > MAX_MODEL_HISTORY_CHARS) throw modelHistoryTooLong(runId);
      rec.tags.set(MODEL_HISTORY_TAG, value);
    },
    logInputs(runId, datasets, models = []) {
      const rec = getActiveRunRecord(s, runId);
      const exp = s.experiments.get(rec.info.experiment_id)!;
      for (const { dataset, tags } of datasets) {
        const id = `${dataset.name}\0${dataset.digest}`;
        // The first logging of (name, digest) in an experiment defines the dataset.
        if (!exp.datasets.has(id)) exp.datasets.set(id, { ...dataset });
        if (!rec.datasetInputs.has(id)) rec.datasetInputs.set(id, tags.map((t) => ({ ...t })));
      }
      for (const m of models) rec.modelInputs.add(m.model_id);
    },
  };
}
