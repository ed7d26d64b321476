/**
 * Experiment handlers: read the validated args, call the store, shape the reply.
 *
 * @module
 */
import type { z } from "@hono/zod-openapi";
import type { TrackingStore } from "../../store/types.ts";
import type { Handler } from "../app_env.ts";
import type { Access } from "../auth/access.ts";
import { json } from "../respond.ts";
import type { SearchExperimentsRequest } from "../schemas/experiments.ts";
import type * as routes from "./routes.ts";

export const create: Handler<typeof routes.create> = async (c) => {
  const { name, artifact_location, tags } = c.req.valid("json");
  const experimentId = await c.var.store.createExperiment({
    name,
    artifactLocation: artifact_location,
    tags,
  });
  return json(c, { experiment_id: experimentId }, 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  const experiment = await c.var.store.getExperiment(c.req.valid("query").experiment_id);
  return json(c, { experiment }, 200);
};

export const listKeys: Handler<typeof routes.listKeys> = async (c) => {
  const keys = await c.var.store.listExperimentKeys(c.req.valid("query").experiment_id);
  return json(c, {
    param_keys: keys.paramKeys,
    metric_keys: keys.metricKeys,
    tag_keys: keys.tagKeys,
    truncated: keys.truncated,
  }, 200);
};

export const getByName: Handler<typeof routes.getByName> = async (c) => {
  const experiment = await c.var.store.getExperimentByName(c.req.valid("query").experiment_name);
  return json(c, { experiment }, 200);
};

/** The search both verbs answer; `access` leaves out what the caller may not read. */
async function searchExperiments(
  store: TrackingStore,
  args: z.output<typeof SearchExperimentsRequest>,
  access: Access,
) {
  const page = await store.searchExperiments({
    filter: args.filter,
    orderBy: args.order_by,
    // MLflow rejects an absent max_results; every client sends 1000, so that is the default.
    maxResults: args.max_results ?? 1000,
    pageToken: args.page_token,
    viewType: args.view_type,
    visible: access.all ? undefined : access.experiment,
  });
  return { experiments: page.items, next_page_token: page.nextPageToken };
}

export const search: Handler<typeof routes.search> = async (c) => {
  const page = await searchExperiments(c.var.store, c.req.valid("json"), await c.var.access());
  return json(c, page, 200);
};

export const searchGet: Handler<typeof routes.searchGet> = async (c) => {
  const page = await searchExperiments(c.var.store, c.req.valid("query"), await c.var.access());
  return json(c, page, 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const { experiment_id, new_name } = c.req.valid("json");
  await c.var.store.renameExperiment(experiment_id, new_name);
  return json(c, {}, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await c.var.store.deleteExperiment(c.req.valid("json").experiment_id);
  return json(c, {}, 200);
};

export const restore: Handler<typeof routes.restore> = async (c) => {
  await c.var.store.restoreExperiment(c.req.valid("json").experiment_id);
  return json(c, {}, 200);
};

export const setTag: Handler<typeof routes.setTag> = async (c) => {
  const { experiment_id, key, value } = c.req.valid("json");
  await c.var.store.setExperimentTag(experiment_id, key, value);
  return json(c, {}, 200);
};

export const deleteTag: Handler<typeof routes.deleteTag> = async (c) => {
  const { experiment_id, key } = c.req.valid("json");
  await c.var.store.deleteExperimentTag(experiment_id, key);
  return json(c, {}, 200);
};
