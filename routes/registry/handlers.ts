/**
 * Model registry handlers: read the validated args, call the store, shape the reply.
 *
 * @module
 */
import type { Handler } from "../app_env.ts";
import { json } from "../respond.ts";
import type * as routes from "./routes.ts";

export const createRegisteredModel: Handler<typeof routes.createRegisteredModel> = async (c) => {
  const { name, tags, description } = c.req.valid("json");
  const registered_model = await c.var.store.createRegisteredModel({ name, tags, description });
  return json(c, { registered_model }, 200);
};

export const renameRegisteredModel: Handler<typeof routes.renameRegisteredModel> = async (c) => {
  const { name, new_name } = c.req.valid("json");
  const registered_model = await c.var.store.renameRegisteredModel(name, new_name);
  return json(c, { registered_model }, 200);
};

export const updateRegisteredModel: Handler<typeof routes.updateRegisteredModel> = async (c) => {
  const { name, description } = c.req.valid("json");
  const registered_model = await c.var.store.updateRegisteredModel(name, description ?? "");
  return json(c, { registered_model }, 200);
};

export const deleteRegisteredModel: Handler<typeof routes.deleteRegisteredModel> = async (c) => {
  await c.var.store.deleteRegisteredModel(c.req.valid("json").name);
  return json(c, {}, 200);
};

export const getRegisteredModel: Handler<typeof routes.getRegisteredModel> = async (c) => {
  const registered_model = await c.var.store.getRegisteredModel(c.req.valid("query").name);
  return json(c, { registered_model }, 200);
};

export const searchRegisteredModels: Handler<typeof routes.searchRegisteredModels> = async (c) => {
  const { filter, max_results, order_by, page_token } = c.req.valid("query");
  const access = await c.var.access();
  const page = await c.var.store.searchRegisteredModels({
    filter,
    maxResults: max_results,
    orderBy: order_by,
    pageToken: page_token,
    visible: access.all ? undefined : access.registeredModel,
  });
  return json(c, { registered_models: page.items, next_page_token: page.nextPageToken }, 200);
};

export const getLatestVersions: Handler<typeof routes.getLatestVersions> = async (c) => {
  const { name, stages } = c.req.valid("json");
  const model_versions = await c.var.store.getLatestVersions(name, stages);
  return json(c, { model_versions }, 200);
};

export const getLatestVersionsGet: Handler<typeof routes.getLatestVersionsGet> = async (c) => {
  const { name, stages } = c.req.valid("query");
  const model_versions = await c.var.store.getLatestVersions(name, stages);
  return json(c, { model_versions }, 200);
};

export const setRegisteredModelTag: Handler<typeof routes.setRegisteredModelTag> = async (c) => {
  const { name, key, value } = c.req.valid("json");
  await c.var.store.setRegisteredModelTag(name, key, value);
  return json(c, {}, 200);
};

export const deleteRegisteredModelTag: Handler<typeof routes.deleteRegisteredModelTag> = async (
  c,
) => {
  const { name, key } = c.req.valid("json");
  await c.var.store.deleteRegisteredModelTag(name, key);
  return json(c, {}, 200);
};

export const setAlias: Handler<typeof routes.setAlias> = async (c) => {
  const { name, alias, version } = c.req.valid("json");
  await c.var.store.setRegisteredModelAlias(name, alias, version);
  return json(c, {}, 200);
};

export const deleteAlias: Handler<typeof routes.deleteAlias> = async (c) => {
  const { name, alias } = c.req.valid("json");
  await c.var.store.deleteRegisteredModelAlias(name, alias);
  return json(c, {}, 200);
};

export const getAlias: Handler<typeof routes.getAlias> = async (c) => {
  const { name, alias } = c.req.valid("query");
  const model_version = await c.var.store.getModelVersionByAlias(name, alias);
  return json(c, { model_version }, 200);
};

export const createModelVersion: Handler<typeof routes.createModelVersion> = async (c) => {
  const b = c.req.valid("json");
  const model_version = await c.var.store.createModelVersion({
    name: b.name,
    source: b.source,
    runId: b.run_id,
    tags: b.tags,
    runLink: b.run_link,
    description: b.description,
    modelId: b.model_id,
  });
  return json(c, { model_version }, 200);
};

export const updateModelVersion: Handler<typeof routes.updateModelVersion> = async (c) => {
  const { name, version, description } = c.req.valid("json");
  const model_version = await c.var.store.updateModelVersion(name, version, description ?? "");
  return json(c, { model_version }, 200);
};

export const transitionStage: Handler<typeof routes.transitionStage> = async (c) => {
  const { name, version, stage, archive_existing_versions } = c.req.valid("json");
  const model_version = await c.var.store.transitionModelVersionStage(
    name,
    version,
    stage,
    archive_existing_versions,
  );
  return json(c, { model_version }, 200);
};

export const deleteModelVersion: Handler<typeof routes.deleteModelVersion> = async (c) => {
  const { name, version } = c.req.valid("json");
  await c.var.store.deleteModelVersion(name, version);
  return json(c, {}, 200);
};

export const getModelVersion: Handler<typeof routes.getModelVersion> = async (c) => {
  const { name, version } = c.req.valid("query");
  const model_version = await c.var.store.getModelVersion(name, version);
  return json(c, { model_version }, 200);
};

export const getDownloadUri: Handler<typeof routes.getDownloadUri> = async (c) => {
  const { name, version } = c.req.valid("query");
  const artifact_uri = await c.var.store.getModelVersionDownloadUri(name, version);
  return json(c, { artifact_uri }, 200);
};

export const searchModelVersions: Handler<typeof routes.searchModelVersions> = async (c) => {
  const { filter, max_results, order_by, page_token } = c.req.valid("query");
  const access = await c.var.access();
  const page = await c.var.store.searchModelVersions({
    filter,
    maxResults: max_results,
    orderBy: order_by,
    pageToken: page_token,
    visible: access.all ? undefined : access.registeredModel,
  });
  return json(c, { model_versions: page.items, next_page_token: page.nextPageToken }, 200);
};

export const setModelVersionTag: Handler<typeof routes.setModelVersionTag> = async (c) => {
  const { name, version, key, value } = c.req.valid("json");
  await c.var.store.setModelVersionTag(name, version, key, value);
  return json(c, {}, 200);
};

export const deleteModelVersionTag: Handler<typeof routes.deleteModelVersionTag> = async (c) => {
  const { name, version, key } = c.req.valid("json");
  await c.var.store.deleteModelVersionTag(name, version, key);
  return json(c, {}, 200);
};
