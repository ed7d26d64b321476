/**
 * Run handlers: read the validated args, call the store, shape the reply. `log-metric`,
 * `log-parameter` and `set-tag` are one-item `logBatch` calls, as in MLflow's base store.
 *
 * @module
 */
import type { Run } from "../../store/types.ts";
import type { Handler } from "../app_env.ts";
import { contentDisposition } from "../artifact_io.ts";
import { json } from "../respond.ts";
import { exportFileName } from "./csv.ts";
import { collectKeys, csvStream, type ExportRunsArgs } from "./export_csv.ts";
import type * as routes from "./routes.ts";

/** Only `runs/get` carries `outputs` (MLflow 3 omits it from create and search). */
function withoutOutputs({ info, data, inputs }: Run) {
  return { info, data, inputs };
}

export const create: Handler<typeof routes.create> = async (c) => {
  const { experiment_id, user_id, run_name, start_time, tags } = c.req.valid("json");
  const run = await c.var.store.createRun({
    experimentId: experiment_id,
    // With auth on, the run is the authenticated caller's, whatever the client claims.
    userId: c.var.user?.username ?? user_id,
    runName: run_name,
    startTime: start_time,
    tags,
  });
  return json(c, { run: withoutOutputs(run) }, 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  const run = await c.var.store.getRun(c.req.valid("query").run_id);
  return json(c, { run }, 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const { run_id, status, end_time, run_name } = c.req.valid("json");
  const runInfo = await c.var.store.updateRun(run_id, {
    status,
    endTime: end_time,
    runName: run_name,
  });
  return json(c, { run_info: runInfo }, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await c.var.store.deleteRun(c.req.valid("json").run_id);
  return json(c, {}, 200);
};

export const restore: Handler<typeof routes.restore> = async (c) => {
  await c.var.store.restoreRun(c.req.valid("json").run_id);
  return json(c, {}, 200);
};

export const logMetric: Handler<typeof routes.logMetric> = async (c) => {
  const { run_id, run_uuid: _, ...metric } = c.req.valid("json");
  await c.var.store.logBatch(run_id, { metrics: [metric] });
  return json(c, {}, 200);
};

export const logParameter: Handler<typeof routes.logParameter> = async (c) => {
  const { run_id, key, value } = c.req.valid("json");
  await c.var.store.logBatch(run_id, { params: [{ key, value }] });
  return json(c, {}, 200);
};

export const setTag: Handler<typeof routes.setTag> = async (c) => {
  const { run_id, key, value } = c.req.valid("json");
  await c.var.store.logBatch(run_id, { tags: [{ key, value }] });
  return json(c, {}, 200);
};

export const deleteTag: Handler<typeof routes.deleteTag> = async (c) => {
  const { run_id, key } = c.req.valid("json");
  await c.var.store.deleteTag(run_id, key);
  return json(c, {}, 200);
};

export const logBatch: Handler<typeof routes.logBatch> = async (c) => {
  const { run_id, metrics, params, tags } = c.req.valid("json");
  await c.var.store.logBatch(run_id, { metrics, params, tags });
  return json(c, {}, 200);
};

export const logModel: Handler<typeof routes.logModel> = async (c) => {
  const { run_id, model_json } = c.req.valid("json");
  await c.var.store.logModel(run_id, model_json);
  return json(c, {}, 200);
};

export const logInputs: Handler<typeof routes.logInputs> = async (c) => {
  const { run_id, datasets, models } = c.req.valid("json");
  await c.var.store.logInputs(run_id, datasets ?? [], models);
  return json(c, {}, 200);
};

export const search: Handler<typeof routes.search> = async (c) => {
  const args = c.req.valid("json");
  const page = await c.var.store.searchRuns({
    experimentIds: args.experiment_ids ?? [],
    filter: args.filter,
    orderBy: args.order_by,
    maxResults: args.max_results ?? 1000,
    pageToken: args.page_token,
    runViewType: args.run_view_type,
  });
  return json(
    c,
    { runs: page.items.map(withoutOutputs), next_page_token: page.nextPageToken },
    200,
  );
};

export const exportCsv: Handler<typeof routes.exportCsv> = async (c) => {
  const q = c.req.valid("query");
  const args: ExportRunsArgs = {
    experimentIds: q.experiment_ids,
    filter: q.filter,
    orderBy: q.order_by,
    runViewType: q.run_view_type,
  };
  // The first pass runs before the reply starts, so a bad filter or an export over the caps is
  // an MLflow error body, not a cut-off file.
  const keys = await collectKeys(c.var.store, args);
  return c.body(csvStream(c.var.store, args, keys), 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": contentDisposition(exportFileName(q.experiment_ids)),
    "Cache-Control": "no-store",
  });
};
