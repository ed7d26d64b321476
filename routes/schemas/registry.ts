/**
 * Model registry wire schemas (mlflow-rest.md §7): the registered model and model version
 * entities, and the request/response of each registry endpoint. GET endpoints read these from the
 * query string, every other method from a JSON body (DELETE included).
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type {
  ModelVersion,
  RegisteredModel,
  RegisteredModelAlias,
} from "../../store/registry/types.ts";
import {
  Bool,
  keyValueFields,
  MaxResults,
  pageResponse,
  PageToken,
  repeated,
  RequiredId,
  RequiredString,
  TagInput,
  TagSchema,
  type Wire,
} from "./common.ts";
import { HtmlPreviewQuery } from "./artifacts.ts";

export const ModelVersionStageSchema = z.enum(["None", "Staging", "Production", "Archived"])
  .openapi("ModelVersionStage");

export const ModelVersionSchema = z.object({
  name: z.string(),
  version: z.string().openapi({ example: "1" }),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  user_id: z.string().optional(),
  current_stage: ModelVersionStageSchema,
  description: z.string(),
  source: z.string(),
  run_id: z.string().optional(),
  status: z.literal("READY"),
  tags: z.array(TagSchema).optional(),
  run_link: z.string(),
  aliases: z.array(z.string()).optional(),
  model_id: z.string().optional(),
}).openapi("ModelVersion") satisfies z.ZodType<Wire<ModelVersion>>;

export const RegisteredModelAliasSchema = z.object({
  alias: z.string(),
  version: z.string(),
}).openapi("RegisteredModelAlias") satisfies z.ZodType<Wire<RegisteredModelAlias>>;

export const RegisteredModelSchema = z.object({
  name: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  user_id: z.string().optional(),
  description: z.string().optional(),
  latest_versions: z.array(ModelVersionSchema).optional(),
  tags: z.array(TagSchema).optional(),
  aliases: z.array(RegisteredModelAliasSchema).optional(),
}).openapi("RegisteredModel") satisfies z.ZodType<Wire<RegisteredModel>>;

/** A version number; JSON clients may send it as a number. */
const Version = RequiredId.openapi({ type: "string", example: "1" });

export const CreateRegisteredModelRequest = z.object({
  name: RequiredString,
  tags: repeated(TagInput).optional(),
  description: z.string().optional(),
}).openapi("CreateRegisteredModelRequest");

export const RegisteredModelResponse = z.object({ registered_model: RegisteredModelSchema })
  .openapi("RegisteredModelReply");

export const RenameRegisteredModelRequest = z.object({
  name: RequiredString,
  new_name: RequiredString,
}).openapi("RenameRegisteredModelRequest");

export const UpdateRegisteredModelRequest = z.object({
  name: RequiredString,
  description: z.string().optional(),
}).openapi("UpdateRegisteredModelRequest");

/** `registered-models/delete` body and `registered-models/get` query. */
export const RegisteredModelNameArgs = z.object({ name: RequiredString })
  .openapi("RegisteredModelNameArgs");

export const SearchRegisteredModelsQuery = z.object({
  filter: z.string().optional(),
  max_results: MaxResults,
  order_by: repeated(z.string()).optional(),
  page_token: PageToken,
});

export const SearchRegisteredModelsResponse = pageResponse(
  "registered_models",
  RegisteredModelSchema,
).openapi("SearchRegisteredModelsReply");

/** `get-latest-versions`, as a POST body or GET query. */
export const GetLatestVersionsArgs = z.object({
  name: RequiredString,
  stages: repeated(z.string()).optional(),
}).openapi("GetLatestVersionsArgs");

export const ModelVersionsResponse = z.object({
  model_versions: z.array(ModelVersionSchema).optional(),
}).openapi("ModelVersionsReply");

export const SetRegisteredModelTagRequest = z.object({ name: RequiredString, ...keyValueFields })
  .openapi("SetRegisteredModelTagRequest");

export const DeleteRegisteredModelTagRequest = z.object({
  name: RequiredString,
  key: RequiredString,
}).openapi("DeleteRegisteredModelTagRequest");

export const SetRegisteredModelAliasRequest = z.object({
  name: RequiredString,
  alias: RequiredString,
  version: Version,
}).openapi("SetRegisteredModelAliasRequest");

/** `registered-models/alias` DELETE body and GET query. */
export const RegisteredModelAliasArgs = z.object({
  name: RequiredString,
  alias: RequiredString,
}).openapi("RegisteredModelAliasArgs");

export const ModelVersionResponse = z.object({ model_version: ModelVersionSchema })
  .openapi("ModelVersionReply");

export const CreateModelVersionRequest = z.object({
  name: RequiredString,
  source: RequiredString.openapi({
    description: "An artifact URI this server owns (inside the run's or logged model's " +
      "artifact directory), `runs:/<run_id>/<path>`, `models:/<model_id>`, " +
      "`models:/<name>/<version>` or `models:/<name>@<alias>`",
  }),
  run_id: z.string().optional(),
  tags: repeated(TagInput).optional(),
  run_link: z.string().optional(),
  description: z.string().optional(),
  model_id: z.string().optional(),
}).openapi("CreateModelVersionRequest");

export const UpdateModelVersionRequest = z.object({
  name: RequiredString,
  version: Version,
  description: z.string().optional(),
}).openapi("UpdateModelVersionRequest");

export const TransitionModelVersionStageRequest = z.object({
  name: RequiredString,
  version: Version,
  stage: RequiredString.openapi({
    description: "None, Staging, Production or Archived, in any case",
  }),
  archive_existing_versions: Bool,
}).openapi("TransitionModelVersionStageRequest");

/** `model-versions/delete` body; `get` and `get-download-uri` query. */
export const ModelVersionArgs = z.object({ name: RequiredString, version: Version })
  .openapi("ModelVersionArgs");

/** `/model-versions/get-artifact`'s query: a file of a version, and the HTML `preview` option. */
export const ModelVersionFileQuery = z.object({
  name: RequiredString,
  version: Version,
  path: RequiredString.openapi({
    description: "The file, relative to the version's artifact location",
    example: "MLmodel",
  }),
}).extend(HtmlPreviewQuery.shape);

export const DownloadUriResponse = z.object({ artifact_uri: z.string() })
  .openapi("ModelVersionDownloadUriReply");

export const SearchModelVersionsQuery = SearchRegisteredModelsQuery;

export const SearchModelVersionsResponse = pageResponse("model_versions", ModelVersionSchema)
  .openapi("SearchModelVersionsReply");

export const SetModelVersionTagRequest = z.object({
  name: RequiredString,
  version: Version,
  ...keyValueFields,
}).openapi("SetModelVersionTagRequest");

export const DeleteModelVersionTagRequest = z.object({
  name: RequiredString,
  version: Version,
  key: RequiredString,
}).openapi("DeleteModelVersionTagRequest");
