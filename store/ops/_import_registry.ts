/**
 * Registered models in an import (store/ops/import.ts): a taken name gets a suffix; versions
 * keep their numbers (a gap left by a deleted version is made and deleted again), their stages
 * and times, with the runs, models and experiments their sources name remapped; then aliases.
 *
 * @module
 */
import type { ModelVersion } from "../registry/types.ts";
import type { RegisteredModelRecord } from "./export_format.ts";
import type { ImportContext } from "./_import_context.ts";
import { exists, freeName, nullIf } from "./_import_ids.ts";

/** Creates the registered model of `rec`, its versions and its aliases. */
export async function importRegisteredModel(
  ctx: ImportContext,
  { model, versions }: RegisteredModelRecord,
): Promise<void> {
  const { store } = ctx;
  const subject = `registered model '${model.name}'`;
  let name = model.name;
  if (await exists(store.getRegisteredModel(name))) {
    name = await freeName(name, async (n) => await exists(store.getRegisteredModel(n)));
    ctx.result.remapped.registered_models.set(model.name, name);
  }
  ctx.at(model.creation_timestamp);
  await store.createRegisteredModel({
    name,
    tags: model.tags,
    ...(model.description && { description: model.description }),
  });
  const sorted = [...versions].sort((a, b) => Number(a.version) - Number(b.version));
  let next = 1;
  for (const v of sorted) {
    const want = Number(v.version);
    // Numbers are never reused: a gap left by a deleted version is made and deleted again.
    for (; next < want; next++) {
      const gap = await nullIf("INVALID_PARAMETER_VALUE", createVersion(ctx, name, v));
      if (gap === null) break; // the version itself is refused below, with its reason
      await store.deleteModelVersion(name, gap.version);
    }
    const mv = await ctx.orWarn(
      `${subject} version ${v.version}`,
      (reason) => `not imported: ${reason}`,
      createVersion(ctx, name, v),
      "INVALID_PARAMETER_VALUE",
    );
    next++;
    if (mv === null) continue;
    if (mv.version !== v.version) {
      ctx.warn(`${subject} version ${v.version}`, `imported as version ${mv.version}`);
    }
    if (v.current_stage !== "None") {
      ctx.at(v.last_updated_timestamp);
      await store.transitionModelVersionStage(name, mv.version, v.current_stage, false);
    } else if (v.last_updated_timestamp !== v.creation_timestamp) {
      ctx.at(v.last_updated_timestamp);
      await store.updateModelVersion(name, mv.version, v.description);
    }
    ctx.count("model_versions");
  }
  for (const a of model.aliases) {
    await ctx.orWarn(
      subject,
      (reason) => `alias '${a.alias}' not set: ${reason}`,
      store.setRegisteredModelAlias(name, a.alias, a.version),
    );
  }
  ctx.at(model.last_updated_timestamp);
  await store.updateRegisteredModel(name, model.description ?? "");
  ctx.at(undefined);
  ctx.count("registered_models");
}

/** Creates a version like `v` (at its creation time) under `name`, its references remapped. */
async function createVersion(
  ctx: ImportContext,
  name: string,
  v: ModelVersion,
): Promise<ModelVersion> {
  ctx.at(v.creation_timestamp);
  return await ctx.store.createModelVersion({
    name,
    source: ctx.ids.source(v.source),
    ...(v.run_id && { runId: ctx.ids.runRef(v.run_id) }),
    tags: v.tags,
    runLink: v.run_link,
    description: v.description,
    ...(v.model_id && { modelId: ctx.ids.modelRef(v.model_id) }),
  });
}
