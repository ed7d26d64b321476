/**
 * Experiments in an import (store/ops/import.ts): one whose name is an active experiment's in the
 * target is merged into it; any other is created, keeping its id when it can, and deleted at the
 * end when it was deleted in the export (deleted experiments take no writes).
 *
 * @module
 */
import { DEFAULT_EXPERIMENT_ID } from "../lifecycle_errors.ts";
import type { ExperimentRecord } from "./export_format.ts";
import { chunks, type ImportContext } from "./_import_context.ts";
import { exists, freeName, nullIf } from "./_import_ids.ts";

/** Merges or creates the experiment of `rec`, recording where it went in `ctx.ids`. */
export async function importExperiment(
  ctx: ImportContext,
  { experiment: e }: ExperimentRecord,
): Promise<void> {
  const { store } = ctx;
  const subject = `experiment ${e.experiment_id}`;
  const byName = await nullIf("RESOURCE_DOES_NOT_EXIST", store.getExperimentByName(e.name));
  if (byName?.lifecycle_stage === "active") {
    // A fresh store's Default was made when it opened: it takes the exported Default's times.
    if (
      e.experiment_id === DEFAULT_EXPERIMENT_ID &&
      byName.experiment_id === DEFAULT_EXPERIMENT_ID && byName.tags.length === 0 &&
      (await store.searchRuns({
          experimentIds: [DEFAULT_EXPERIMENT_ID],
          runViewType: "ALL",
          maxResults: 1,
        })).items.length === 0
    ) {
      await store.setExperimentTimes("0", e.creation_time, e.last_update_time);
    }
    for (const t of e.tags) {
      await store.setExperimentTag(byName.experiment_id, t.key, t.value);
    }
    ctx.ids.experiment(
      e.experiment_id,
      byName.experiment_id,
      e.artifact_location,
      byName.artifact_location,
    );
    if (byName.experiment_id !== e.experiment_id) {
      ctx.warn(subject, `merged into experiment ${byName.experiment_id} of the same name`);
    }
    if (e.lifecycle_stage === "deleted") {
      ctx.warn(subject, "deleted in the export, merged into an active experiment: left active");
    }
    ctx.count("experiments_merged");
    return;
  }
  let name = e.name;
  if (byName) {
    name = await freeName(e.name, async (n) => await exists(store.getExperimentByName(n)));
    ctx.warn(subject, `the name is held by a deleted experiment; imported as '${name}'`);
  }
  // An id kvflow cannot hold (an MLflow file store draws random 18-digit ones; kvflow's are
  // ≤ 15 digits, see store/validation.ts) is renumbered like a taken one.
  const keepId = /^(0|[1-9][0-9]{0,14})$/.test(e.experiment_id) &&
    !await exists(store.getExperiment(e.experiment_id));
  const tags = chunks(e.tags);
  const base = {
    name,
    tags: tags[0] ?? [],
    creationTime: e.creation_time,
    lastUpdateTime: e.last_update_time,
    ...(keepId && { experimentId: e.experiment_id }),
  };
  // A location the source derived from the id follows the new id; any other is kept.
  const derived = e.artifact_location.endsWith(`/${e.experiment_id}`);
  let id: string | null = null;
  if (keepId || !derived) {
    id = await ctx.orWarn(
      subject,
      (reason) => `artifact location not allowed here (${reason}); the default is used`,
      store.createExperiment({ ...base, artifactLocation: e.artifact_location }),
      "INVALID_PARAMETER_VALUE",
    );
  }
  id ??= await store.createExperiment(base);
  for (const part of tags.slice(1)) {
    for (const t of part) await store.setExperimentTag(id, t.key, t.value);
  }
  const location = (await store.getExperiment(id)).artifact_location;
  ctx.ids.experiment(e.experiment_id, id, e.artifact_location, location);
  if (e.lifecycle_stage === "deleted") {
    ctx.ids.experiments.get(e.experiment_id)!.deleteAt = e.last_update_time;
  }
  ctx.count("experiments");
}

/** Deletes the imported experiments that were deleted in the export, each at its recorded time. */
export async function deleteImportedExperiments(ctx: ImportContext): Promise<void> {
  for (const [oldId, e] of ctx.ids.experiments) {
    if (e.deleteAt === undefined) continue;
    ctx.at(e.deleteAt);
    await ctx.store.deleteExperiment(e.id);
    ctx.progress(`deleted experiment ${e.id} (was ${oldId})`);
  }
}
