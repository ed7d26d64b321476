/**
 * Logged models in an import (store/ops/import.ts): created in their experiment's new home,
 * keeping the id when the target has none by it, finalized at their recorded time, and their
 * artifacts copied.
 *
 * @module
 */
import { newModelId } from "../logged_models/common.ts";
import type { LoggedModelRecord } from "./export_format.ts";
import type { ArtifactImport } from "./_import_artifacts.ts";
import { chunks, type ImportContext } from "./_import_context.ts";

/** Creates the logged model of `rec` with its params, tags, status and artifacts. */
export async function importLoggedModel(
  ctx: ImportContext,
  artifacts: ArtifactImport,
  { model, artifact_source }: LoggedModelRecord,
): Promise<void> {
  const { store } = ctx;
  const info = model.info;
  const subject = `logged model ${info.model_id}`;
  const exp = ctx.ids.experiments.get(info.experiment_id);
  if (!exp) {
    ctx.warn(subject, `its experiment ${info.experiment_id} is not in the export; skipped`);
    return;
  }
  const params = chunks(model.data.params);
  const tags = chunks(info.tags);
  const input = {
    experimentId: exp.id,
    name: info.name,
    modelType: info.model_type ?? "",
    ...(info.source_run_id && { sourceRunId: await ctx.ids.runId(info.source_run_id) }),
    params: params[0] ?? [],
    tags: tags[0] ?? [],
  };
  ctx.at(info.creation_timestamp_ms);
  const id = await ctx.ids.create(
    "logged_models",
    info.model_id,
    info.model_id,
    (modelId) => store.createLoggedModel({ ...input, modelId }),
    newModelId,
  );
  for (const part of params.slice(1)) await store.logLoggedModelParams(id, part);
  for (const part of tags.slice(1)) await store.setLoggedModelTags(id, part);
  if (info.status !== "LOGGED_MODEL_PENDING") {
    ctx.at(info.last_updated_timestamp_ms);
    await store.finalizeLoggedModel(id, info.status);
  }
  ctx.at(undefined);
  if (info.status_message) ctx.warn(subject, "its status message is not kept");
  ctx.count("logged_models");
  await artifacts.copy(
    subject,
    artifact_source,
    info.artifact_uri,
    async () => (await store.getLoggedModel(id)).info.artifact_uri,
  );
}
