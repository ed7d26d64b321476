/**
 * `withValidation(inner)`: MLflow's stateless input rules (key formats, length limits, batch
 * limits, metric value types, dataset sizes) applied once, in front of any backend, so every
 * backend enforces exactly the same rules and receives normalised copies of its inputs. Rules
 * that need stored state (run active, param immutability, name uniqueness) stay in the backends.
 *
 * @module
 */
import { invalidParam, MlflowError } from "./errors.ts";
import { validateLoggedModel } from "./logged_models/validation.ts";
import { checkModelIdLength } from "./logged_models/common.ts";
import { validateRegistry } from "./registry/validation.ts";
import { purgeMethodsOf } from "./purge_types.ts";
import { randomRunName } from "./ids.ts";
import {
  keyBytes,
  MAX_DATASET_NAME_BYTES,
  MAX_DATASET_SOURCE_TYPE_LENGTH,
  MAX_INPUT_TAGS_CHARS,
  MAX_KEY_LENGTH,
  MAX_USER_ID_LENGTH,
} from "./limits.ts";
import type {
  CreateExperimentInput,
  CreateRunInput,
  DatasetInput,
  Metric,
  MetricHistoryOptions,
  ModelInput,
  Param,
  RunBatch,
  RunStatus,
  Tag,
  TrackingStore,
} from "./types.ts";

/** Options of {@linkcode withValidation}. */
export interface ValidationOptions {
  /**
   * MLflow's `MLFLOW_TRUNCATE_LONG_VALUES`: param values over 6000 and run tag values over 8000
   * characters are truncated when true (the default) and rejected with `INVALID_PARAMETER_VALUE`
   * when false.
   */
  truncateLongValues?: boolean;
  /**
   * Roots an experiment's `artifact_location` must lie under, e.g. `mlflow-artifacts:/` or
   * `s3://bucket/prefix`. The server only ever serves artifacts under roots it owns (MLflow's
   * artifact CVEs came from locations such as `file:///etc` or internal `http://` URLs); absent
   * or empty means no restriction.
   */
  allowedArtifactRoots?: string[];
}

const MAX_KEY = MAX_KEY_LENGTH;
const MAX_PARAM_VALUE = 6000;
const MAX_RUN_TAG_VALUE = 8000;
const MAX_EXPERIMENT_TAG_VALUE = 5000;
const MAX_EXPERIMENT_NAME = 500;
const MAX_ARTIFACT_LOCATION = 2048;
const MAX_METRICS_PER_BATCH = 1000;
const MAX_PARAMS_TAGS_PER_BATCH = 100;
const MAX_ENTITIES_PER_BATCH = 1000;
const RUN_NAME_TAG = "mlflow.runName";
const STATUSES: readonly RunStatus[] = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];
const MODEL_JSON_FIELDS = ["artifact_path", "flavors", "utc_time_created", "run_id"];

// Python's `\w` on str patterns is Unicode: letters, numbers and underscore.
const NAME_CHARS = /^[\/\p{L}\p{N}_.\- :]*$/u;
const RUN_ID = /^[a-zA-Z0-9][\p{L}\p{N}_\-]{0,255}$/u;
const BAD_CHARS = "Names may only contain alphanumerics, underscores (_), dashes (-), " +
  "periods (.), spaces ( ), colon(:) and slashes (/).";

/** Shortens a caller's value for an error message so messages stay small. */
function preview(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}...` : value;
}

export function missing(path: string): MlflowError {
  return invalidParam(
    `Missing value for required parameter '${path}'. ` +
      "See the API docs for more information about request parameters.",
  );
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== "string" || value === "") throw missing(path);
  return value;
}

/**
 * Enforces a length limit in code points (Python's `len`), truncating when allowed. Code points
 * never outnumber UTF-16 units, so the common short case skips counting.
 */
export function fitLength(what: string, value: string, limit: number, truncate = false): string {
  if (value.length <= limit) return value;
  const points = Array.from(value);
  if (points.length <= limit) return value;
  if (truncate) return points.slice(0, limit).join("");
  throw invalidParam(
    `${what} '${
      preview(value)
    }' had length ${points.length}, which exceeded length limit of ${limit}`,
  );
}

/** Python's `posixpath.normpath`, which MLflow uses to reject names that alias other names. */
function normpath(p: string): string {
  if (p === "") return ".";
  const lead = p.startsWith("//") && !p.startsWith("///") ? 2 : p.startsWith("/") ? 1 : 0;
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (lead === 0) out.push("..");
      continue;
    }
    out.push(seg);
  }
  return "/".repeat(lead) + out.join("/") || ".";
}

/** Checks a metric, param or tag key as MLflow does (characters, path aliasing, length). */
export function checkKey(kind: string, lengthName: string, key: unknown, path: string): string {
  if (typeof key !== "string") throw missing(path);
  if (!NAME_CHARS.test(key)) {
    throw invalidParam(`Invalid ${kind} name: '${preview(key)}'. ${BAD_CHARS}`);
  }
  const norm = normpath(key);
  if (norm !== key || norm === "." || norm.startsWith("..") || norm.startsWith("/")) {
    throw invalidParam(
      `Invalid ${kind} name: '${preview(key)}'. Names may be treated as files in certain cases, ` +
        `and must not resolve to other names when treated as such. This name would resolve to '${
          preview(norm)
        }'`,
    );
  }
  return fitLength(lengthName, key, MAX_KEY);
}

export function checkRunId(runId: unknown): string {
  if (typeof runId !== "string" || !RUN_ID.test(runId)) {
    throw invalidParam(
      `Invalid value ${JSON.stringify(preview(String(runId)))} for parameter 'run_id' supplied`,
    );
  }
  return runId;
}

function checkExperimentName(name: unknown): string {
  if (typeof name !== "string" || name === "") {
    throw invalidParam(`Invalid experiment name: '${typeof name === "string" ? name : ""}'`);
  }
  return fitLength("Experiment name", name, MAX_EXPERIMENT_NAME);
}

/**
 * Decodes percent-escapes until stable (at most 10 rounds), as MLflow's URI checks do. Escapes
 * are decoded one byte at a time, so a malformed sequence elsewhere cannot stop the decoding.
 */
function decodeRepeatedly(s: string): string {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const next = cur.replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    if (next === cur) return cur;
    cur = next;
  }
  return cur;
}

/** True when `loc` is `root` or lies under it (a `//` right after the root, a netloc, is not). */
function underRoot(loc: string, root: string): boolean {
  const r = root.replace(/\/+$/, "");
  if (loc === r || loc === root) return true;
  return loc.startsWith(`${r}/`) && !loc.slice(r.length + 1).startsWith("/");
}

function checkArtifactLocation(loc: string, roots: readonly string[]): string {
  if (loc.length > MAX_ARTIFACT_LOCATION) {
    throw invalidParam(
      "Invalid artifact path length. The length of the artifact path cannot be greater than " +
        `${MAX_ARTIFACT_LOCATION} characters`,
    );
  }
  const bad = (why: string) => invalidParam(`Invalid artifact location '${preview(loc)}': ${why}`);
  if (loc.startsWith("runs:")) throw bad("it cannot be a runs:/ URI");
  for (const form of [loc, decodeRepeatedly(loc)]) {
    if (form.includes("#")) throw bad("URI fragments are not allowed");
    if (form.includes(";")) throw bad("URI parameters are not allowed");
    if (form.split(/[\/\\?&=]/).includes("..")) throw bad("'..' path segments are not allowed");
  }
  if (roots.length > 0 && !roots.some((r) => underRoot(loc, r))) {
    throw bad(`it must lie under this server's artifact root (${roots.join(", ")})`);
  }
  return loc;
}

/**
 * A run name follows the rule of the `mlflow.runName` tag it is stored as (≤8000 characters,
 * truncated unless `truncateLongValues` is off), whether it comes as `run_name` or as the tag,
 * in `runs/create` or `runs/update`: the name and its tag can then never differ.
 */
function fitRunName(name: string, truncate: boolean): string {
  return fitLength("Tag value", name, MAX_RUN_TAG_VALUE, truncate);
}

function checkTags(
  tags: Tag[] | undefined,
  valueLimit: number,
  truncate: boolean,
  path: string,
): Tag[] {
  return (tags ?? []).map((t, i) => ({
    key: checkKey("tag", "Tag key", t?.key, `${path}[${i}].key`),
    value: fitLength("Tag value", t.value ?? "", valueLimit, truncate),
  }));
}

/** Keeps the last value of each repeated key, as MLflow's upserts do. */
export function lastPerKey(tags: Tag[]): Tag[] {
  return [...new Map(tags.map((t) => [t.key, t.value])).entries()].map(([key, value]) => ({
    key,
    value,
  }));
}

function checkMetric(m: Metric, i: number, checked: Set<string>): Metric {
  // A batch repeats a few keys many times (a key per metric, a point per step): check each once.
  const key = typeof m?.key === "string" && checked.has(m.key)
    ? m.key
    : checkKey("metric", "Metric name", m?.key, `metrics[${i}].key`);
  checked.add(key);
  const { value, timestamp } = m;
  const step = m.step ?? 0;
  if (typeof value !== "number") {
    throw invalidParam(
      `Got invalid value ${value} for metric '${key}' (timestamp=${timestamp}). ` +
        "Please specify value as a valid double (64-bit floating point)",
    );
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw invalidParam(
      `Got invalid timestamp ${timestamp} for metric '${key}' (value=${value}). ` +
        "Timestamp must be a nonnegative long (64-bit integer)",
    );
  }
  if (!Number.isSafeInteger(step)) {
    throw invalidParam(
      `Got invalid step ${step} for metric '${key}' (value=${value}). ` +
        "Step must be a valid long (64-bit integer)",
    );
  }
  // MLflow stores ±Infinity as the largest finite doubles.
  const stored = value === Infinity
    ? Number.MAX_VALUE
    : value === -Infinity
    ? -Number.MAX_VALUE
    : value;
  const out: Metric = { key, value: stored, timestamp, step };
  // Any id is kept (as MLflow does); only one that could be a KV key part is accepted.
  if (m.model_id) out.model_id = checkModelIdLength(m.model_id, `metrics[${i}].model_id`);
  if (m.dataset_name) out.dataset_name = fitDatasetName(m.dataset_name);
  if (m.dataset_digest) out.dataset_digest = fitLength("Dataset digest", m.dataset_digest, 36);
  return out;
}

function checkParam(p: Param, i: number, truncate: boolean): Param {
  return {
    key: checkKey("param", "Param key", p?.key, `params[${i}].key`),
    value: fitLength("Param value", p.value ?? "", MAX_PARAM_VALUE, truncate),
  };
}

function checkBatchLimit(what: string, limit: number, n: number): void {
  if (n > limit) {
    throw invalidParam(
      `A batch logging request can contain at most ${limit} ${what}. Got ${n} ${what}. ` +
        `Please split up ${what} across multiple requests and try again.`,
    );
  }
}

/** The §4.2 order: per-item rules, then count limits, then duplicate param keys. */
function checkBatch(batch: RunBatch, truncate: boolean): Required<RunBatch> {
  const checkedKeys = new Set<string>();
  const metrics = (batch.metrics ?? []).map((m, i) => checkMetric(m, i, checkedKeys));
  const params = (batch.params ?? []).map((p, i) => checkParam(p, i, truncate));
  const tags = checkTags(batch.tags, MAX_RUN_TAG_VALUE, truncate, "tags");
  checkBatchLimit("metrics", MAX_METRICS_PER_BATCH, metrics.length);
  checkBatchLimit("params", MAX_PARAMS_TAGS_PER_BATCH, params.length);
  checkBatchLimit("tags", MAX_PARAMS_TAGS_PER_BATCH, tags.length);
  const total = metrics.length + params.length + tags.length;
  checkBatchLimit("metrics, params, and tags", MAX_ENTITIES_PER_BATCH, total);
  const counts = new Map<string, number>();
  for (const p of params) counts.set(p.key, (counts.get(p.key) ?? 0) + 1);
  const dupes = [...counts].filter(([, n]) => n > 1).map(([k]) => `'${k}'`);
  if (dupes.length > 0) {
    throw invalidParam(
      `Duplicate parameter keys have been submitted: [${dupes.join(", ")}]. Please ensure ` +
        "the request contains only one param value per param key.",
    );
  }
  return { metrics, params, tags: lastPerKey(tags) };
}

/** MLflow's 500 characters, and {@linkcode MAX_DATASET_NAME_BYTES} so it fits a KV key. */
function fitDatasetName(name: string): string {
  fitLength("Dataset name", name, 500);
  const bytes = keyBytes(name);
  if (bytes > MAX_DATASET_NAME_BYTES) {
    throw invalidParam(
      `Dataset name '${preview(name)}' is ${bytes} bytes long in UTF-8, which exceeds the limit ` +
        `of ${MAX_DATASET_NAME_BYTES} bytes`,
    );
  }
  return name;
}

function checkDatasetInputs(inputs: DatasetInput[]): DatasetInput[] {
  return inputs.map((input, i) => {
    const path = `datasets[${i}]`;
    const d = input?.dataset;
    if (!d) throw missing(`${path}.dataset`);
    const dataset: DatasetInput["dataset"] = {
      name: fitDatasetName(requireString(d.name, `${path}.dataset.name`)),
      digest: fitLength("Dataset digest", requireString(d.digest, `${path}.dataset.digest`), 36),
      source_type: fitLength(
        "Dataset source type",
        requireString(d.source_type, `${path}.dataset.source_type`),
        MAX_DATASET_SOURCE_TYPE_LENGTH,
      ),
      source: fitLength("Dataset source", requireString(d.source, `${path}.dataset.source`), 65535),
    };
    if (d.schema) dataset.schema = fitLength("Dataset schema", d.schema, 1048575);
    if (d.profile) dataset.profile = fitLength("Dataset profile", d.profile, 16777215);
    const tags = (input.tags ?? []).map((t, j) => {
      if (typeof t?.value !== "string") throw missing(`${path}.tags[${j}].value`);
      return {
        key: fitLength("Input tag key", requireString(t.key, `${path}.tags[${j}].key`), 255),
        value: fitLength("Input tag value", t.value, 500),
      };
    });
    const size = tags.reduce((n, t) => n + t.key.length + t.value.length, 0);
    if (size > MAX_INPUT_TAGS_CHARS) {
      throw invalidParam(
        `The input tags of '${path}' have ${size} characters in all, which exceeds the limit ` +
          `of ${MAX_INPUT_TAGS_CHARS}`,
      );
    }
    return { tags, dataset };
  });
}

function checkModelJson(modelJson: string): string {
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch {
    throw invalidParam(`Malformed model info. \n ${preview(modelJson)}\n is not a valid JSON.`);
  }
  if (typeof model !== "object" || model === null || Array.isArray(model)) {
    throw invalidParam("Model json must be a JSON object");
  }
  const absent = MODEL_JSON_FIELDS.filter((f) => !(f in model));
  if (absent.length > 0) {
    throw invalidParam(
      `Model json is missing mandatory fields: ${absent.map((f) => `'${f}'`).join(", ")}`,
    );
  }
  return modelJson;
}

/**
 * Wraps a backend so that every call first passes MLflow's stateless validation and reaches the
 * backend with normalised copies: ±Infinity metric values become ±`Number.MAX_VALUE`, long param
 * and run tag values are truncated, a repeated tag key keeps its last value, and `createRun`
 * resolves the run name (`runName`, else the `mlflow.runName` tag, else a random name) and always
 * passes the matching tag. Throws `MlflowError("INVALID_PARAMETER_VALUE")` with MLflow's messages.
 *
 * @example
 * ```ts
 * const store = withValidation(createRawStore());
 * await store.logBatch(runId, { params: [{ key: "../x", value: "1" }] }); // throws: bad name
 * ```
 */
/**
 * Experiment ids are short (kvflow numbers them); one longer than this cannot exist, and as a
 * KV key part it would be refused by the database (2 KiB key limit) with a 500.
 */
const MAX_EXPERIMENT_ID = 256;

/** `id`, or `RESOURCE_DOES_NOT_EXIST` (MLflow's message) when it is too long to exist. */
function existingExperimentId(id: string): string {
  if (id.length > MAX_EXPERIMENT_ID) {
    throw new MlflowError(
      "RESOURCE_DOES_NOT_EXIST",
      `No Experiment with id=${id.slice(0, 64)}… exists`,
    );
  }
  return id;
}

/**
 * Imported experiment ids are decimal integers without leading zeros, up to 19 digits (MLflow's
 * file store draws random ones that long).
 */
const IMPORTED_EXPERIMENT_ID = /^(0|[1-9][0-9]{0,18})$/;

/** The import-only identity fields of `createExperiment`, checked; `{}` when none is given. */
function importedExperimentIdentity(input: CreateExperimentInput): Partial<CreateExperimentInput> {
  const out: Partial<CreateExperimentInput> = {};
  if (input.experimentId !== undefined) {
    if (!IMPORTED_EXPERIMENT_ID.test(input.experimentId)) {
      throw invalidParam(`Invalid experiment id '${preview(String(input.experimentId))}'`);
    }
    out.experimentId = input.experimentId;
  }
  for (const field of ["creationTime", "lastUpdateTime"] as const) {
    const t = input[field];
    if (t === undefined) continue;
    if (!Number.isSafeInteger(t) || t < 0) throw invalidParam(`Invalid ${field} ${t}`);
    out[field] = t;
  }
  return out;
}

/** The import-only identity fields of `createRun`, checked; `{}` when none is given. */
function importedRunIdentity(input: CreateRunInput): Partial<CreateRunInput> {
  const out: Partial<CreateRunInput> = {};
  if (input.runId !== undefined) out.runId = checkRunId(input.runId);
  if (input.artifactUri !== undefined) {
    if (typeof input.artifactUri !== "string" || input.artifactUri === "") {
      throw invalidParam("Invalid artifact URI ''");
    }
    out.artifactUri = fitLength("Artifact URI", input.artifactUri, MAX_ARTIFACT_LOCATION);
  }
  return out;
}

/** The checked key and options of a history read (either form). */
function checkHistoryRead(
  runId: string,
  key: string,
  { maxResults, pageToken }: MetricHistoryOptions,
): [string, MetricHistoryOptions] {
  checkRunId(runId);
  if (maxResults !== undefined && (!Number.isSafeInteger(maxResults) || maxResults < 1)) {
    throw invalidParam(`Invalid value ${maxResults} for parameter 'max_results' supplied`);
  }
  return [fitLength("Metric name", key, MAX_KEY), { maxResults, pageToken }];
}

/** Search ids without those too long to exist (they would match nothing). */
function possibleExperimentIds(ids: string[]): string[] {
  return ids.filter((id) => id.length <= MAX_EXPERIMENT_ID);
}

export function withValidation(inner: TrackingStore, opts: ValidationOptions = {}): TrackingStore {
  const truncate = opts.truncateLongValues ?? true;
  const roots = opts.allowedArtifactRoots ?? [];
  return {
    ...validateLoggedModel(inner, opts),
    ...validateRegistry(inner, opts),
    ...purgeMethodsOf(inner),
    async createExperiment(input) {
      const out = {
        name: checkExperimentName(input.name),
        tags: lastPerKey(checkTags(input.tags, MAX_EXPERIMENT_TAG_VALUE, false, "tags")),
        ...importedExperimentIdentity(input),
      };
      if (input.artifactLocation === undefined || input.artifactLocation === "") {
        return await inner.createExperiment(out);
      }
      const artifactLocation = checkArtifactLocation(input.artifactLocation, roots);
      return await inner.createExperiment({ ...out, artifactLocation });
    },
    getExperiment: async (id) => await inner.getExperiment(existingExperimentId(id)),
    listExperimentKeys: async (id, limit) =>
      await inner.listExperimentKeys(existingExperimentId(id), limit),
    getExperimentNames: async (ids) =>
      await inner.getExperimentNames(possibleExperimentIds([...ids])),
    async getExperimentByName(name) {
      if (name.length > MAX_EXPERIMENT_NAME) {
        throw new MlflowError(
          "RESOURCE_DOES_NOT_EXIST",
          `Could not find experiment with name '${name.slice(0, 64)}…'`,
        );
      }
      return await inner.getExperimentByName(name);
    },
    searchExperiments: async (o) => await inner.searchExperiments(o),
    async renameExperiment(id, newName) {
      await inner.renameExperiment(existingExperimentId(id), checkExperimentName(newName));
    },
    deleteExperiment: async (id) => await inner.deleteExperiment(existingExperimentId(id)),
    restoreExperiment: async (id) => await inner.restoreExperiment(existingExperimentId(id)),
    async setExperimentTag(id, key, value) {
      const [t] = checkTags([{ key, value }], MAX_EXPERIMENT_TAG_VALUE, false, "tags");
      await inner.setExperimentTag(existingExperimentId(id), t.key, t.value);
    },
    async setExperimentTimes(id, creationTime, lastUpdateTime) {
      const t = importedExperimentIdentity({ name: "", creationTime, lastUpdateTime });
      await inner.setExperimentTimes(existingExperimentId(id), t.creationTime!, t.lastUpdateTime!);
    },
    deleteExperimentTag: async (id, key) =>
      await inner.deleteExperimentTag(existingExperimentId(id), fitLength("Tag key", key, MAX_KEY)),

    async createRun(input) {
      const tags = lastPerKey(checkTags(input.tags, MAX_RUN_TAG_VALUE, truncate, "tags"));
      const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
      const givenName = input.runName ? fitRunName(input.runName, truncate) : undefined;
      if (givenName && tagName !== undefined && givenName !== tagName) {
        throw invalidParam(
          "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different " +
            `values (run_name='${preview(givenName)}', mlflow.runName='${preview(tagName)}').`,
        );
      }
      const runName = givenName || tagName || randomRunName();
      const startTime = input.startTime;
      if (startTime !== undefined && (!Number.isSafeInteger(startTime) || startTime < 0)) {
        throw invalidParam(`Invalid value ${startTime} for parameter 'start_time' supplied`);
      }
      return await inner.createRun({
        experimentId: existingExperimentId(input.experimentId || "0"),
        userId: fitLength("User ID", input.userId ?? "", MAX_USER_ID_LENGTH),
        runName,
        ...(startTime !== undefined && { startTime }),
        ...importedRunIdentity(input),
        tags: [...tags.filter((t) => t.key !== RUN_NAME_TAG), {
          key: RUN_NAME_TAG,
          value: runName,
        }],
      });
    },
    getRun: async (runId) => await inner.getRun(checkRunId(runId)),
    async updateRun(runId, input) {
      checkRunId(runId);
      const { status, endTime, runName } = input;
      if (status !== undefined && !STATUSES.includes(status)) {
        throw invalidParam(
          `Invalid value '${status}' for parameter 'status' supplied. Must be one of ${
            STATUSES.join(", ")
          }`,
        );
      }
      if (endTime !== undefined && (!Number.isSafeInteger(endTime) || endTime < 0)) {
        throw invalidParam(`Invalid value ${endTime} for parameter 'end_time' supplied`);
      }
      return await inner.updateRun(runId, {
        ...(status !== undefined && { status }),
        ...(endTime !== undefined && { endTime }),
        ...(runName && { runName: fitRunName(runName, truncate) }),
      });
    },
    deleteRun: async (runId) => await inner.deleteRun(checkRunId(runId)),
    restoreRun: async (runId) => await inner.restoreRun(checkRunId(runId)),
    async logBatch(runId, batch) {
      checkRunId(runId);
      await inner.logBatch(runId, checkBatch(batch, truncate));
    },
    deleteTag: async (runId, key) =>
      await inner.deleteTag(checkRunId(runId), fitLength("Tag key", key, MAX_KEY)),
    async logModel(runId, modelJson) {
      checkRunId(runId);
      await inner.logModel(runId, checkModelJson(modelJson));
    },
    async logInputs(runId, datasets, models) {
      checkRunId(runId);
      const checked = checkDatasetInputs(datasets ?? []);
      const modelInputs: ModelInput[] = (models ?? []).map((m, i) => ({
        model_id: checkModelIdLength(
          requireString(m?.model_id, `models[${i}].model_id`),
          `models[${i}].model_id`,
        ),
      }));
      await inner.logInputs(runId, checked, modelInputs);
    },
    async getMetricHistory(runId, key, o = {}) {
      return await inner.getMetricHistory(runId, ...checkHistoryRead(runId, key, o));
    },
    async getMetricHistoryColumns(runId, key, o = {}) {
      return await inner.getMetricHistoryColumns(runId, ...checkHistoryRead(runId, key, o));
    },
    async searchRuns(o) {
      const experimentIds = possibleExperimentIds(o.experimentIds);
      if (experimentIds.length === 0 && o.experimentIds.length > 0) return { items: [] };
      return await inner.searchRuns({ ...o, experimentIds });
    },
  };
}

// Logged models (store/logged_models/validation.ts) apply the run rules to their params and tags.
export { checkBatchLimit, requireString };
