/**
 * MLflow's stateless validation of the logged models methods, applied by `withValidation`.
 * Params and tags follow the run rules (key format, values over 6000 / 8000 characters truncated
 * or rejected per `truncateLongValues`); ids this server cannot have made are answered as unknown
 * before any backend sees them.
 *
 * @module
 */
import { invalidParam, MlflowError } from "../errors.ts";
import { randomRunName } from "../ids.ts";
import type { Param, Tag, TrackingStore } from "../types.ts";
import {
  checkBatchLimit,
  checkKey,
  checkRunId,
  fitLength,
  lastPerKey,
  missing,
  requireString,
  type ValidationOptions,
} from "../validation.ts";
import { parseLoggedModelQuery } from "../search/logged_models.ts";
import { checkModelIdLength, checkModelRef, isModelId, modelTagNotFound } from "./common.ts";
import type { LoggedModelMethods, LoggedModelStatus } from "./types.ts";

const MAX_PARAM_VALUE = 6000;
const MAX_TAG_VALUE = 8000;
const MAX_ITEMS = 100;
const MAX_NAME = 500;
const MAX_MODEL_TYPE = 500;
const EXPERIMENT_ID = /^\d{1,30}$/;
const RUN_ID = /^[a-zA-Z0-9][\p{L}\p{N}_\-]{0,255}$/u;
const BAD_NAME_CHARS = ["/", ":", ".", "%", '"', "'"];
const FINAL_STATUSES: readonly LoggedModelStatus[] = [
  "LOGGED_MODEL_READY",
  "LOGGED_MODEL_UPLOAD_FAILED",
];

/** MLflow's `_validate_logged_model_name`, plus a length cap (its column holds 500). */
function checkName(name: string): string {
  if (BAD_NAME_CHARS.some((c) => name.includes(c))) {
    const shown = name.length > 100 ? `${name.slice(0, 100)}...` : name;
    throw invalidParam(
      `Invalid model name ('${shown}') provided. Model name must be a non-empty string and ` +
        `cannot contain the following characters: ('/', ':', '.', '%', '"', "'")`,
    );
  }
  return fitLength("Model name", name, MAX_NAME);
}

/** A run id's format (MLflow's `_validate_run_id`); the run itself need not exist. */
/** An imported model id must have the shape kvflow and MLflow hand out. */
function checkImportedModelId(id: string): string {
  if (!isModelId(id)) throw invalidParam(`Invalid logged model id '${String(id).slice(0, 100)}'`);
  return id;
}

function checkSourceRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    const shown = runId.length > 100 ? `${runId.slice(0, 100)}...` : runId;
    throw invalidParam(
      `Invalid value ${JSON.stringify(shown)} for parameter 'source_run_id' supplied`,
    );
  }
  return runId;
}

function checkParams(params: Param[] | undefined, truncate: boolean): Param[] {
  const out = (params ?? []).map((p, i) => ({
    key: checkKey("param", "Param key", p?.key, `params[${i}].key`),
    value: fitLength("Param value", p.value ?? "", MAX_PARAM_VALUE, truncate),
  }));
  checkBatchLimit("params", MAX_ITEMS, out.length);
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const p of out) (seen.has(p.key) ? dupes : seen).add(p.key);
  if (dupes.size > 0) {
    throw invalidParam(
      `Duplicate parameter keys have been submitted: [${
        [...dupes].map((k) => `'${k}'`).join(", ")
      }]. Please ensure the request contains only one param value per param key.`,
    );
  }
  return out;
}

function checkTags(tags: Tag[] | undefined, truncate: boolean): Tag[] {
  const out = (tags ?? []).map((t, i) => ({
    key: checkKey("tag", "Tag key", t?.key, `tags[${i}].key`),
    value: fitLength("Tag value", t.value ?? "", MAX_TAG_VALUE, truncate),
  }));
  checkBatchLimit("tags", MAX_ITEMS, out.length);
  return lastPerKey(out);
}

/** The validating wrappers of the logged models methods of `inner`. */
export function validateLoggedModel(
  inner: TrackingStore,
  opts: ValidationOptions,
): LoggedModelMethods {
  const truncate = opts.truncateLongValues ?? true;
  return {
    async createLoggedModel(input) {
      const experimentId = requireString(input.experimentId, "experiment_id");
      // Experiment ids are sequential integers; anything else names none (and must not reach
      // a KV key, which a hostile 70 kB id would overflow).
      if (!EXPERIMENT_ID.test(experimentId)) {
        const shown = experimentId.length > 100 ? `${experimentId.slice(0, 100)}...` : experimentId;
        throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No Experiment with id=${shown} exists`);
      }
      const name = input.name ? checkName(input.name) : randomRunName();
      const modelType = fitLength("Model type", input.modelType ?? "", MAX_MODEL_TYPE);
      const params = checkParams(input.params, truncate);
      const tags = checkTags(input.tags, truncate);
      return await inner.createLoggedModel({
        experimentId,
        name,
        modelType,
        ...(input.sourceRunId && { sourceRunId: checkSourceRunId(input.sourceRunId) }),
        ...(input.modelId !== undefined && { modelId: checkImportedModelId(input.modelId) }),
        params,
        tags,
      });
    },
    getLoggedModel: async (id) => await inner.getLoggedModel(checkModelRef(id)),
    async finalizeLoggedModel(id, status) {
      checkModelRef(id);
      if (!FINAL_STATUSES.includes(status)) {
        throw invalidParam(
          `Invalid value '${status}' for parameter 'status' supplied. A logged model is ` +
            `finalized as ${FINAL_STATUSES.join(" or ")}`,
        );
      }
      return await inner.finalizeLoggedModel(id, status);
    },
    deleteLoggedModel: async (id) => await inner.deleteLoggedModel(checkModelRef(id)),
    async setLoggedModelTags(id, tags) {
      checkModelRef(id);
      await inner.setLoggedModelTags(id, checkTags(tags, truncate));
    },
    async deleteLoggedModelTag(id, key) {
      checkModelRef(id);
      requireString(key, "tag_key");
      // Longer than any valid key (250 code points): no such tag, and too long for a KV key.
      if (key.length > 500) throw modelTagNotFound(id, `${key.slice(0, 100)}...`);
      await inner.deleteLoggedModelTag(id, key);
    },
    async logLoggedModelParams(id, params) {
      checkModelRef(id);
      await inner.logLoggedModelParams(id, checkParams(params, truncate));
    },
    async searchLoggedModels(o) {
      // Every argument is checked here, before a backend reads anything.
      parseLoggedModelQuery(o);
      return await inner.searchLoggedModels(o);
    },
    async logOutputs(runId, models) {
      checkRunId(runId);
      if (!Array.isArray(models) || models.length === 0) throw missing("models");
      checkBatchLimit("models", MAX_ITEMS, models.length);
      const checked = models.map((m, i) => {
        const path = `models[${i}].model_id`;
        const modelId = checkModelIdLength(requireString(m?.model_id, path), path);
        const step = m.step ?? 0;
        if (!Number.isSafeInteger(step)) {
          throw invalidParam(`Invalid value ${step} for parameter 'models[${i}].step' supplied`);
        }
        return { model_id: modelId, step };
      });
      await inner.logOutputs(runId, checked);
    },
  };
}
