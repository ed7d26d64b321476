/**
 * Logged model wire schemas (MLflow 3, mlflow-rest.md §2, §4.4): the entity, and the request and
 * response of each `logged-models` endpoint and of `runs/outputs`. Request bodies are exactly what
 * the 3.x Python client sends (mlflow-client-traffic.md).
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { LoggedModel, LoggedModelInfo } from "../../store/logged_models/types.ts";
import {
  Bool,
  Id,
  Int64,
  MaxResults,
  pageResponse,
  PageToken,
  ParamInput,
  protoEnum,
  repeated,
  RequiredId,
  RequiredString,
  TagInput,
  TagSchema,
  type Wire,
} from "./common.ts";
import { FileInfoSchema } from "./artifacts.ts";
import { MetricSchema, ParamSchema } from "./runs.ts";

/** Proto numbers 1, 2, 3 (0 is `LOGGED_MODEL_STATUS_UNSPECIFIED`, which is never stored). */
export const LOGGED_MODEL_STATUSES = [
  "LOGGED_MODEL_PENDING",
  "LOGGED_MODEL_READY",
  "LOGGED_MODEL_UPLOAD_FAILED",
] as const;

export const LoggedModelStatusSchema = z.enum(LOGGED_MODEL_STATUSES).openapi("LoggedModelStatus");

export const LoggedModelInfoSchema = z.object({
  model_id: z.string().openapi({ example: "m-17377da9276f4238823c1d6b263e94df" }),
  experiment_id: z.string(),
  name: z.string(),
  creation_timestamp_ms: z.number().int(),
  last_updated_timestamp_ms: z.number().int(),
  artifact_uri: z.string(),
  status: LoggedModelStatusSchema,
  model_type: z.string().optional().openapi({ description: '"" when none was given' }),
  source_run_id: z.string().optional(),
  status_message: z.string().optional(),
  tags: z.array(TagSchema).optional(),
}).openapi("LoggedModelInfo") satisfies z.ZodType<Wire<LoggedModelInfo>>;

export const LoggedModelDataSchema = z.object({
  params: z.array(ParamSchema).optional(),
  metrics: z.array(MetricSchema).optional().openapi({
    description: "The latest value per (key, dataset_name, dataset_digest), with its run_id",
  }),
}).openapi("LoggedModelData");

export const LoggedModelSchema = z.object({
  info: LoggedModelInfoSchema,
  data: LoggedModelDataSchema,
}).openapi("LoggedModel") satisfies z.ZodType<Wire<LoggedModel>>;

/** `{model}`: the reply of create, get and finalize. */
export const LoggedModelResponse = z.object({ model: LoggedModelSchema })
  .openapi("LoggedModelReply");

export const CreateLoggedModelRequest = z.object({
  experiment_id: RequiredId,
  name: z.string().optional(),
  model_type: z.string().optional(),
  source_run_id: z.string().optional(),
  params: repeated(ParamInput).optional(),
  tags: repeated(TagInput).optional(),
}).openapi("CreateLoggedModelRequest");

/** `{model_id}` in the path. */
export const ModelIdParams = z.object({
  model_id: z.string().openapi({
    param: { name: "model_id", in: "path" },
    example: "m-17377da9276f4238823c1d6b263e94df",
  }),
});

/** `{model_id}/tags/{tag_key}`; the key may contain slashes. */
export const ModelTagParams = z.object({
  model_id: ModelIdParams.shape.model_id,
  tag_key: z.string().openapi({ param: { name: "tag_key", in: "path" } }),
});

/** PATCH body: finalize. `model_id` repeats the path's (the path wins). */
export const FinalizeLoggedModelRequest = z.object({
  model_id: z.string().optional(),
  status: protoEnum(LOGGED_MODEL_STATUSES).openapi({
    type: "string",
    enum: [...LOGGED_MODEL_STATUSES],
  }),
}).openapi("FinalizeLoggedModelRequest");

/** DELETE body; the path's id is the one used. */
export const DeleteLoggedModelRequest = z.object({ model_id: z.string().optional() })
  .openapi("DeleteLoggedModelRequest");

export const SetLoggedModelTagsRequest = z.object({
  model_id: z.string().optional(),
  tags: repeated(TagInput),
}).openapi("SetLoggedModelTagsRequest");

export const LogLoggedModelParamsRequest = z.object({
  model_id: z.string().optional(),
  params: repeated(ParamInput),
}).openapi("LogLoggedModelParamsRequest");

export const SearchLoggedModelsRequest = z.object({
  experiment_ids: repeated(Id).optional(),
  filter: z.string().optional(),
  datasets: repeated(z.object({
    dataset_name: z.string().optional(),
    dataset_digest: z.string().optional(),
  })).optional().openapi({ description: "Restrict metric filters to these datasets" }),
  max_results: MaxResults.openapi({ description: "Default 50" }),
  order_by: repeated(z.object({
    field_name: z.string().optional(),
    ascending: Bool.optional(),
    dataset_name: z.string().optional(),
    dataset_digest: z.string().optional(),
  })).optional(),
  page_token: PageToken,
}).openapi("SearchLoggedModelsRequest");

export const SearchLoggedModelsResponse = pageResponse("models", LoggedModelSchema)
  .openapi("SearchLoggedModelsReply");

export const ListLoggedModelArtifactsQuery = z.object({
  artifact_directory_path: z.string().optional().openapi({
    description: "Directory relative to the model's artifact root; absent is the root",
  }),
  page_token: z.string().optional().openapi({ description: "Ignored: one page holds all" }),
});

export const ListLoggedModelArtifactsResponse = z.object({
  root_uri: z.string().openapi({ description: "The model's artifact_uri" }),
  files: z.array(FileInfoSchema).optional().openapi({
    description: "Paths relative to the model's artifact root",
  }),
}).openapi("ListLoggedModelArtifactsReply");

/** `runs/outputs`. */
export const LogOutputsRequest = z.object({
  run_id: RequiredString,
  models: repeated(z.object({ model_id: RequiredString, step: Int64.default(0) })),
}).openapi("LogOutputsRequest");
