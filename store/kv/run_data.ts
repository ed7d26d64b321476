/** Logging to runs in KV: log-batch (params, metrics, tags), delete-tag, log-model, log-inputs. */
import { invalidParam, MlflowError } from "../errors.ts";
import type { DatasetInput, Metric, ModelInput, RunBatch } from "../types.ts";
import { planDatasetInputs } from "./datasets.ts";
import { runKey, runMetricKey, runModelInputKey, runParamKey, runTagKey } from "./keys.ts";
import { type MetricHead, planMetricAppend, type Point } from "./metric_history.ts";
import { indexMetricChange, indexParam, indexTagChange } from "./run_index.ts";
import { planModelMetrics } from "./logged_models.ts";
import type { RunRecord } from "./records.ts";
import { type KvContext, requireActive, writeRun } from "./run_write.ts";
import { rollForwardAll } from "./staged_batch.ts";
import { MAX_MODEL_HISTORY_CHARS, modelHistoryTooLong } from "../limits.ts";

const RUN_NAME_TAG = "mlflow.runName";
const MODEL_HISTORY_TAG = "mlflow.log-model.history";

function toPoint(m: Metric): Point {
  const p: Point = { timestamp: m.timestamp, step: m.step, value: m.value };
  if (m.model_id !== undefined || m.dataset_name !== undefined || m.dataset_digest !== undefined) {
    p.x = {};
    if (m.model_id !== undefined) p.x.model_id = m.model_id;
    if (m.dataset_name !== undefined) p.x.dataset_name = m.dataset_name;
    if (m.dataset_digest !== undefined) p.x.dataset_digest = m.dataset_digest;
  }
  return p;
}

/**
 * Logs a batch all-or-nothing: params are checked against what is stored before anything is
 * written; metrics, params, tags and a rename by `mlflow.runName` are planned together and commit
 * together (across several commits through the staged path when the batch is large).
 */
export function logBatch(ctx: KvContext, runId: string, batch: RunBatch): Promise<void> {
  return writeRun(ctx, runId, `log a batch to run ${runId}`, async (s, m) => {
    requireActive(s);
    const params = batch.params ?? [];
    const stored = await s.params(params.map((p) => p.key));
    params.forEach((p, i) => {
      const old = stored[i];
      if (old === null) {
        m.set(runParamKey(runId, p.key), p.value);
        indexParam(m, s.run, p.key, p.value);
      } else if (old !== p.value) {
        throw invalidParam(
          `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
        );
      }
    });

    const byKey = new Map<string, Point[]>();
    for (const metric of batch.metrics ?? []) {
      const list = byKey.get(metric.key) ?? [];
      list.push(toPoint(metric));
      byKey.set(metric.key, list);
    }
    const keys = [...byKey.keys()];
    const heads = await s.metricHeads(keys);
    await Promise.all(
      keys.map((k, i) => planMetricAppend(s.kv, m, runId, k, heads[i], byKey.get(k)!)),
    );
    keys.forEach((k, i) => {
      const next = m.get(runMetricKey(runId, k))?.value as MetricHead | undefined;
      if (next) indexMetricChange(m, s.run, k, heads[i]?.latest, next.latest);
    });
    // Points logged with a model_id also go under their models, in this same commit.
    await planModelMetrics(s.kv, m, runId, batch.metrics ?? []);

    const tags = new Map((batch.tags ?? []).map((t) => [t.key, t.value]));
    const oldTags = await s.tags([...tags.keys()]);
    let i = 0;
    for (const [key, value] of tags) {
      const old = oldTags[i++];
      if (old === value) continue;
      m.set(runTagKey(runId, key), value);
      indexTagChange(m, s.run, key, old, value);
    }
    const rename = tags.get(RUN_NAME_TAG);
    if (rename !== undefined && rename !== s.run.run_name) {
      m.set(runKey(runId), { ...s.run, run_name: rename } satisfies RunRecord);
    }
  }, {
    params: (batch.params ?? []).map((p) => p.key),
    metrics: [...new Set((batch.metrics ?? []).map((x) => x.key))],
    tags: (batch.tags ?? []).map((t) => t.key),
  });
}

/** Deletes a tag of an active run (the run keeps its name when `mlflow.runName` goes). */
export function deleteTag(ctx: KvContext, runId: string, key: string): Promise<void> {
  return writeRun(ctx, runId, `delete a tag of run ${runId}`, async (s, m) => {
    requireActive(s);
    const [old] = await s.tags([key]);
    if (old === null) {
      throw new MlflowError(
        "RESOURCE_DOES_NOT_EXIST",
        `No tag with name: ${key} in run with id ${runId}`,
      );
    }
    m.delete(runTagKey(runId, key));
    indexTagChange(m, s.run, key, old, null);
  });
}

/** Appends a model description to the run's `mlflow.log-model.history` tag. */
export function logModel(ctx: KvContext, runId: string, modelJson: string): Promise<void> {
  return writeRun(ctx, runId, `log a model to run ${runId}`, async (s, m) => {
    requireActive(s);
    const [old] = await s.tags([MODEL_HISTORY_TAG]);
    let history: unknown[] = [];
    try {
      const parsed = old === null ? [] : JSON.parse(old);
      if (Array.isArray(parsed)) history = parsed;
    } catch {
      // A hand-set, non-JSON tag value is replaced by a well-formed history.
    }
    history.push(JSON.parse(modelJson));
    const value = JSON.stringify(history);
    if (value.length > MAX_MODEL_HISTORY_CHARS) throw modelHistoryTooLong(runId);
    m.set(runTagKey(runId, MODEL_HISTORY_TAG), value);
    indexTagChange(m, s.run, MODEL_HISTORY_TAG, old, value);
  });
}

/** Logs dataset inputs (deduplicated per experiment) and model inputs to an active run. */
export async function logInputs(
  ctx: KvContext,
  runId: string,
  datasets: DatasetInput[],
  models: ModelInput[] = [],
): Promise<void> {
  // A dataset staged by another run's unfinished batch must become visible before we dedupe.
  await rollForwardAll(ctx.kv);
  await writeRun(ctx, runId, `log inputs to run ${runId}`, async (s, m) => {
    requireActive(s);
    await planDatasetInputs(s.kv, s, m, datasets);
    for (const model of models) m.set(runModelInputKey(runId, model.model_id), 1);
  });
}
