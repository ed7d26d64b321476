/**
 * Permanent-delete handlers: each is one bounded `runGc` call.
 *
 * @module
 */
import type { ArtifactRepository } from "../../artifacts/types.ts";
import { type GcOptions, type GcResult, parseOlderThan, runGc } from "../../store/ops/gc.ts";
import type { PurgeMethods } from "../../store/purge_types.ts";
import type { Handler } from "../app_env.ts";
import { json } from "../respond.ts";
import { MAX_GC_PER_REQUEST } from "../schemas/gc.ts";
import type * as routes from "./routes.ts";

export const gc: Handler<typeof routes.gc> = async (c) => {
  const body = c.req.valid("json");
  const result = await gcOn(c.var, {
    olderThanMs: body.older_than === undefined ? undefined : parseOlderThan(body.older_than),
    experimentIds: body.experiment_ids,
    runIds: body.run_ids,
    dryRun: body.dry_run,
    limit: body.max_entities ?? MAX_GC_PER_REQUEST,
  });
  return json(c, result, 200);
};

export const deleteRunPermanently: Handler<typeof routes.deleteRunPermanently> = async (c) => {
  const { run_id } = c.req.valid("json");
  return json(c, await gcOn(c.var, { runIds: [run_id] }), 200);
};

export const deleteExperimentPermanently: Handler<typeof routes.deleteExperimentPermanently> =
  async (c) => {
    const { experiment_id } = c.req.valid("json");
    return json(c, await gcOn(c.var, { experimentIds: [experiment_id] }), 200);
  };

/**
 * Runs gc on the request's store and artifact repository (unset when the server does not serve
 * artifacts: gc then reports them as skipped).
 */
function gcOn(
  vars: { store: PurgeMethods; artifacts?: ArtifactRepository },
  opts: GcOptions,
): Promise<GcResult> {
  return runGc(vars.store, vars.artifacts, opts);
}
