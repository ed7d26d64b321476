/**
 * Logged model handlers: read the validated args, call the store, shape the reply. The path's
 * `model_id` is the one used; a body's copy of it (the Python client sends one) is ignored.
 *
 * @module
 */
import { joinArtifactPath, normaliseArtifactPath } from "../../artifacts/path.ts";
import { proxiedPath } from "../../artifacts/uri.ts";
import { MlflowError } from "../../store/errors.ts";
import type { Handler } from "../app_env.ts";
import { baseName, sortByPath } from "../artifact_io.ts";
import { json } from "../respond.ts";
import type * as routes from "./routes.ts";

export const create: Handler<typeof routes.create> = async (c) => {
  const { experiment_id, name, model_type, source_run_id, params, tags } = c.req.valid("json");
  const model = await c.var.store.createLoggedModel({
    experimentId: experiment_id,
    name,
    modelType: model_type,
    sourceRunId: source_run_id,
    params,
    tags,
  });
  return json(c, { model }, 200);
};

export const search: Handler<typeof routes.search> = async (c) => {
  const args = c.req.valid("json");
  const page = await c.var.store.searchLoggedModels({
    experimentIds: args.experiment_ids ?? [],
    filter: args.filter,
    datasets: args.datasets,
    maxResults: args.max_results,
    orderBy: args.order_by,
    pageToken: args.page_token,
  });
  return json(c, { models: page.items, next_page_token: page.nextPageToken }, 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  const model = await c.var.store.getLoggedModel(c.req.valid("param").model_id);
  return json(c, { model }, 200);
};

export const finalize: Handler<typeof routes.finalize> = async (c) => {
  const { model_id } = c.req.valid("param");
  const model = await c.var.store.finalizeLoggedModel(model_id, c.req.valid("json").status);
  return json(c, { model }, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await c.var.store.deleteLoggedModel(c.req.valid("param").model_id);
  return json(c, {}, 200);
};

export const setTags: Handler<typeof routes.setTags> = async (c) => {
  const { model_id } = c.req.valid("param");
  await c.var.store.setLoggedModelTags(model_id, c.req.valid("json").tags);
  return json(c, {}, 200);
};

export const deleteTag: Handler<typeof routes.deleteTag> = async (c) => {
  const { model_id, tag_key } = c.req.valid("param");
  await c.var.store.deleteLoggedModelTag(model_id, tag_key);
  return json(c, {}, 200);
};

export const logParams: Handler<typeof routes.logParams> = async (c) => {
  const { model_id } = c.req.valid("param");
  await c.var.store.logLoggedModelParams(model_id, c.req.valid("json").params);
  return json(c, {}, 200);
};

/**
 * Lists like run `artifacts/list`: the caller's path is validated before the store is asked, the
 * model's `artifact_uri` is mapped with `proxiedPath` (never opened as a URI; a root this proxy
 * does not serve is 501), and the joined path is validated again.
 */
export const listArtifacts: Handler<typeof routes.listArtifacts> = async (c) => {
  const { model_id } = c.req.valid("param");
  const dir = normaliseArtifactPath(c.req.valid("query").artifact_directory_path ?? "");
  const uri = (await c.var.store.getLoggedModel(model_id)).info.artifact_uri;
  const root = proxiedPath(uri);
  if (root === null) {
    throw new MlflowError(
      "NOT_IMPLEMENTED",
      `The artifact root "${uri}" of logged model "${model_id}" is not served by this server, ` +
        `which serves only proxied roots (mlflow-artifacts:/…)`,
    );
  }
  const entries = await c.var.artifacts.list(joinArtifactPath(root, dir));
  const files = sortByPath(entries.map((f) => {
    const name = baseName(f.path);
    return { ...f, path: dir === "" ? name : `${dir}/${name}` };
  }));
  return json(c, { root_uri: uri, files }, 200);
};

export const logOutputs: Handler<typeof routes.logOutputs> = async (c) => {
  const { run_id, models } = c.req.valid("json");
  await c.var.store.logOutputs(run_id, models);
  return json(c, {}, 200);
};
