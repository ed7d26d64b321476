/**
 * Run wire schemas: the run entity and its parts, and the request/response of each runs endpoint.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type {
  Dataset,
  DatasetInput,
  Metric,
  ModelInput,
  ModelOutput,
  Param,
  Run,
  RunData,
  RunInfo,
  RunInputs,
  RunOutputs,
} from "../../store/types.ts";
import {
  Double,
  Id,
  Int64,
  keyValueFields,
  LifecycleStageSchema,
  MaxResults,
  pageResponse,
  PageToken,
  ParamInput,
  protoEnum,
  repeated,
  RequiredString,
  RUN_STATUSES,
  TagInput,
  TagSchema,
  ViewTypeInput,
  type Wire,
  WireDouble,
} from "./common.ts";

export const RunStatusSchema = z.enum(RUN_STATUSES).openapi("RunStatus");

export const RunInfoSchema = z.object({
  run_id: z.string(),
  run_uuid: z.string().openapi({ deprecated: true, description: "Always equals run_id." }),
  run_name: z.string(),
  experiment_id: z.string(),
  user_id: z.string(),
  status: RunStatusSchema,
  start_time: z.number().int(),
  end_time: z.number().int().optional(),
  artifact_uri: z.string(),
  lifecycle_stage: LifecycleStageSchema,
}).openapi("RunInfo") satisfies z.ZodType<Wire<RunInfo>>;

export const MetricSchema = z.object({
  key: z.string(),
  value: WireDouble,
  timestamp: z.number().int(),
  step: z.number().int(),
  model_id: z.string().optional(),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
  run_id: z.string().optional(),
}).openapi("Metric") satisfies z.ZodType<Wire<Metric>>;

export const ParamSchema = z.object({ key: z.string(), value: z.string() })
  .openapi("Param") satisfies z.ZodType<Wire<Param>>;

export const RunDataSchema = z.object({
  metrics: z.array(MetricSchema).optional(),
  params: z.array(ParamSchema).optional(),
  tags: z.array(TagSchema).optional(),
}).openapi("RunData") satisfies z.ZodType<Wire<RunData>>;

export const DatasetSchema = z.object({
  name: z.string(),
  digest: z.string(),
  source_type: z.string(),
  source: z.string(),
  schema: z.string().optional(),
  profile: z.string().optional(),
}).openapi("Dataset") satisfies z.ZodType<Wire<Dataset>>;

export const DatasetInputSchema = z.object({
  tags: z.array(TagSchema).optional(),
  dataset: DatasetSchema,
}).openapi("DatasetInput") satisfies z.ZodType<Wire<DatasetInput>>;

export const ModelInputSchema = z.object({ model_id: z.string() })
  .openapi("ModelInput") satisfies z.ZodType<Wire<ModelInput>>;

export const ModelOutputSchema = z.object({ model_id: z.string(), step: z.number().int() })
  .openapi("ModelOutput") satisfies z.ZodType<Wire<ModelOutput>>;

export const RunInputsSchema = z.object({
  dataset_inputs: z.array(DatasetInputSchema).optional(),
  model_inputs: z.array(ModelInputSchema).optional(),
}).openapi("RunInputs") satisfies z.ZodType<Wire<RunInputs>>;

export const RunOutputsSchema = z.object({
  model_outputs: z.array(ModelOutputSchema).optional(),
}).openapi("RunOutputs") satisfies z.ZodType<Wire<RunOutputs>>;

/** A run; `outputs` is sent by `runs/get` only, as MLflow 3 does. */
export const RunSchema = z.object({
  info: RunInfoSchema,
  data: RunDataSchema,
  inputs: RunInputsSchema,
  outputs: RunOutputsSchema.optional(),
}).openapi("Run") satisfies z.ZodType<Wire<Omit<Run, "outputs"> & Partial<Pick<Run, "outputs">>>>;

/**
 * Every run-addressed request has `run_id` plus the legacy `run_uuid`; request decoding copies
 * `run_uuid` into an absent `run_id`, so only `run_id` is required here.
 */
const runRef = {
  run_id: RequiredString,
  run_uuid: z.string().optional().openapi({ deprecated: true, description: "Legacy run_id." }),
};

export const CreateRunRequest = z.object({
  experiment_id: Id.optional(),
  user_id: z.string().optional(),
  run_name: z.string().optional(),
  start_time: Int64.optional(),
  tags: repeated(TagInput).optional(),
}).openapi("CreateRunRequest");

export const RunResponse = z.object({ run: RunSchema }).openapi("RunReply");

export const GetRunQuery = z.object(runRef);

export const UpdateRunRequest = z.object({
  ...runRef,
  status: protoEnum(RUN_STATUSES).openapi({ type: "string", enum: [...RUN_STATUSES] }).optional(),
  end_time: Int64.optional(),
  run_name: z.string().optional(),
}).openapi("UpdateRunRequest");

export const UpdateRunResponse = z.object({ run_info: RunInfoSchema }).openapi("UpdateRunReply");

/** Body of `runs/delete` and `runs/restore`. */
export const RunIdRequest = z.object(runRef).openapi("RunIdRequest");

const metricFields = {
  key: RequiredString,
  value: Double,
  timestamp: Int64,
  step: Int64.default(0),
  model_id: z.string().optional(),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
};

export const LogMetricRequest = z.object({ ...runRef, ...metricFields }).openapi(
  "LogMetricRequest",
);

export const LogParamRequest = z.object({ ...runRef, ...keyValueFields })
  .openapi("LogParamRequest");

export const SetTagRequest = z.object({ ...runRef, ...keyValueFields }).openapi("SetTagRequest");

export const DeleteTagRequest = z.object({ ...runRef, key: RequiredString })
  .openapi("DeleteTagRequest");

/** One log-batch metric item as zod reads it (exported for the equivalence test). */
export const MetricInput = z.object(metricFields);
type MetricIn = z.output<typeof MetricInput>;
const METRIC_IDS = ["model_id", "dataset_name", "dataset_digest"] as const;

/** A metric item exactly as `MetricInput` returns it, when it needs no coercion; else null. */
function plainMetric(x: unknown): MetricIn | null {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return null;
  const m = x as Record<string, unknown>;
  const { key, value, timestamp, step } = m;
  if (typeof key !== "string" || key.length === 0 || typeof value !== "number") return null;
  if (!Number.isSafeInteger(timestamp)) return null;
  if (step !== undefined && !Number.isSafeInteger(step)) return null;
  const out: MetricIn = { key, value, timestamp: timestamp as number, step: (step ?? 0) as number };
  for (const f of METRIC_IDS) {
    const v = m[f];
    if (v === undefined) continue;
    if (typeof v !== "string") return null;
    out[f] = v;
  }
  return out;
}

/**
 * log-batch's `metrics`, as `repeated(MetricInput)` reads them, minus its cost: zod's object,
 * preprocess and default steps took ~2.7 ms of CPU for 1000 items, about a fifth of the request.
 * An item that needs no coercion is copied as zod would return it; any other goes through
 * `MetricInput` itself, so coercions and errors (the first issue, at the same path) are zod's.
 * The document shows what `repeated(MetricInput)` shows.
 */
const MetricInputs = z.unknown().transform((v, ctx): MetricIn[] | undefined => {
  if (v === undefined) return undefined;
  const items = Array.isArray(v) ? v : [v];
  const out: MetricIn[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const plain = plainMetric(items[i]);
    if (plain) {
      out[i] = plain;
      continue;
    }
    const r = MetricInput.safeParse(items[i]);
    if (!r.success) {
      for (const issue of r.error.issues) {
        ctx.addIssue({ ...issue, path: [i, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
      }
      return z.NEVER;
    }
    out[i] = r.data;
  }
  return out;
}).openapi({
  type: "array",
  items: {
    type: "object",
    properties: {
      key: { type: "string", minLength: 1 },
      value: {
        type: "number",
        description: 'A double; NaN and ±Infinity may be sent as "NaN", "Infinity", "-Infinity".',
      },
      timestamp: { type: "integer", format: "int64" },
      step: { type: "integer", format: "int64" },
      model_id: { type: "string" },
      dataset_name: { type: "string" },
      dataset_digest: { type: "string" },
    },
    required: ["key", "value", "timestamp"],
  },
}).optional();

export const LogBatchRequest = z.object({
  ...runRef,
  metrics: MetricInputs,
  params: repeated(ParamInput).optional(),
  tags: repeated(TagInput).optional(),
}).openapi("LogBatchRequest");

const MODEL_JSON_FIELDS = ["artifact_path", "flavors", "utc_time_created", "run_id"];

/** MLflow's `log-model` checks: `model_json` is a JSON object with the MLmodel essentials. */
const ModelJson = RequiredString.superRefine((text, ctx) => {
  let model: unknown;
  try {
    model = JSON.parse(text);
  } catch {
    model = undefined;
  }
  if (typeof model !== "object" || model === null || Array.isArray(model)) {
    ctx.addIssue({
      code: "custom",
      message: "Malformed model info: 'model_json' is not a JSON object",
      params: { verbatim: true },
    });
    return;
  }
  const missing = MODEL_JSON_FIELDS.filter((f) => !(f in model));
  if (missing.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `Model json is missing mandatory fields: ${missing.map((f) => `'${f}'`).join(", ")}`,
      params: { verbatim: true },
    });
  }
});

export const LogModelRequest = z.object({ ...runRef, model_json: ModelJson })
  .openapi("LogModelRequest");

export const LogInputsRequest = z.object({
  ...runRef,
  datasets: repeated(z.object({
    tags: repeated(TagInput).default([]),
    dataset: z.object({
      name: RequiredString,
      digest: RequiredString,
      source_type: RequiredString,
      source: RequiredString,
      schema: z.string().optional(),
      profile: z.string().optional(),
    }),
  })).optional(),
  models: repeated(z.object({ model_id: RequiredString })).optional(),
}).openapi("LogInputsRequest");

export const SearchRunsRequest = z.object({
  experiment_ids: repeated(Id).optional(),
  filter: z.string().optional(),
  run_view_type: ViewTypeInput.optional(),
  max_results: MaxResults,
  order_by: repeated(z.string()).optional(),
  page_token: PageToken,
}).openapi("SearchRunsRequest");

/**
 * The query of kvflow's `runs/export-csv`: `runs/search`'s arguments as a query string, checked
 * by the same rules (the store validates filter, order and ids as for a search), without paging.
 */
export const ExportRunsCsvQuery = z.object({
  experiment_ids: repeated(Id).pipe(z.array(z.string()).min(1)).openapi({
    type: "array",
    items: { type: "string" },
    description: "1–100 experiment ids, repeated (`?experiment_ids=1&experiment_ids=2`).",
  }),
  filter: z.string().optional().openapi({
    description: "A `runs/search` filter (`metrics.acc > 0.9 and params.lr = '0.01'`).",
  }),
  order_by: repeated(z.string()).optional().openapi({
    type: "array",
    items: { type: "string" },
    description: "`runs/search` order clauses, repeated; default: newest first.",
  }),
  run_view_type: ViewTypeInput.optional().openapi({
    description: "ACTIVE_ONLY (default), DELETED_ONLY or ALL.",
  }),
});

export const SearchRunsResponse = pageResponse("runs", RunSchema).openapi("SearchRunsReply");
