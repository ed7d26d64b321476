/**
 * Experiment wire schemas: the entity, and the request/response of each experiments endpoint.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { Experiment } from "../../store/types.ts";
import {
  keyValueFields,
  LifecycleStageSchema,
  MaxResults,
  pageResponse,
  PageToken,
  repeated,
  RequiredId,
  RequiredString,
  TagInput,
  TagSchema,
  ViewTypeInput,
  type Wire,
} from "./common.ts";

export const ExperimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string(),
  lifecycle_stage: LifecycleStageSchema,
  creation_time: z.number().int(),
  last_update_time: z.number().int(),
  tags: z.array(TagSchema).optional(),
}).openapi("Experiment") satisfies z.ZodType<Wire<Experiment>>;

export const CreateExperimentRequest = z.object({
  name: RequiredString,
  artifact_location: z.string().optional(),
  tags: repeated(TagInput).optional(),
}).openapi("CreateExperimentRequest");

export const CreateExperimentResponse = z.object({ experiment_id: z.string() })
  .openapi("CreateExperimentReply");

export const GetExperimentQuery = z.object({ experiment_id: RequiredId });

/** kvflow's `experiments/list-keys` query. */
export const ListExperimentKeysQuery = z.object({
  experiment_id: RequiredId.openapi({
    type: "string",
    description: "The experiment whose runs' keys are listed",
  }),
});

/** kvflow's `experiments/list-keys` reply. */
export const ListExperimentKeysResponse = z.object({
  param_keys: z.array(z.string()).openapi({
    description: "Distinct param keys of the experiment's runs (deleted runs included), sorted",
  }),
  metric_keys: z.array(z.string()).openapi({
    description: "Distinct metric keys of the experiment's runs, sorted",
  }),
  tag_keys: z.array(z.string()).openapi({
    description: "Distinct tag keys of the experiment's runs, `mlflow.*` system tags included",
  }),
  truncated: z.boolean().openapi({
    description: "True when a list stopped at 10,000 keys: the experiment uses more",
  }),
}).openapi("ListExperimentKeysReply");

export const GetExperimentByNameQuery = z.object({ experiment_name: RequiredString });

export const GetExperimentResponse = z.object({ experiment: ExperimentSchema })
  .openapi("GetExperimentReply");

/** Used both as the POST body and as GET query parameters. */
export const SearchExperimentsRequest = z.object({
  max_results: MaxResults,
  page_token: PageToken,
  filter: z.string().optional(),
  order_by: repeated(z.string()).optional(),
  view_type: ViewTypeInput.optional(),
}).openapi("SearchExperimentsRequest");

export const SearchExperimentsResponse = pageResponse("experiments", ExperimentSchema)
  .openapi("SearchExperimentsReply");

export const UpdateExperimentRequest = z.object({
  experiment_id: RequiredId,
  new_name: RequiredString,
}).openapi("UpdateExperimentRequest");

/** Body of `experiments/delete` and `experiments/restore`. */
export const ExperimentIdRequest = z.object({ experiment_id: RequiredId })
  .openapi("ExperimentIdRequest");

export const SetExperimentTagRequest = z.object({ experiment_id: RequiredId, ...keyValueFields })
  .openapi("SetExperimentTagRequest");

export const DeleteExperimentTagRequest = z.object({
  experiment_id: RequiredId,
  key: RequiredString,
}).openapi("DeleteExperimentTagRequest");
