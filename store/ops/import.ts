/**
 * The one writer every import uses (`deno task import FILE`, `--from-mlflow`): it puts a stream
 * of {@linkcode ExportRecord}s into a tracking store through the store's public methods, keeping
 * ids, names, times, lifecycles and statuses, and remapping what is taken.
 *
 * Identity: an experiment, run or logged model keeps its id when the target has none by that
 * id, and gets a new one otherwise (the result lists every change). An experiment whose name
 * exists in the target as an active experiment is merged into it, as MLflow's `set_experiment`
 * and mlflow-export-import do: its runs and models go there and its tags are set on it (the
 * target's own times and lifecycle stay, except that a fresh store's `Default`, with no runs
 * and no tags, takes the exported `Default`'s times). A name held by a deleted experiment gets a suffix,
 * ` (imported)`, ` (imported 2)`, …; so does a registered model whose name is taken. Every
 * reference follows: a run's experiment and artifact URI, `mlflow.parentRunId` tags, model ids
 * in points, inputs and outputs, and versions' `run_id`, `model_id` and `source` (`runs:/`,
 * `models:/`, `mlflow-artifacts:/<exp>/<run>/…`).
 *
 * Times: the store's entity times come from its clock (`store/clock.ts`); given the same
 * {@linkcode SettableClock} as `opts.clock`, the importer pins it to each recorded time before
 * the write that records it (a deletion at the experiment's last update time, a stage change
 * at the version's, …). {@linkcode openImportStore} opens a KV store so.
 *
 * Order: deletions wait until everything under the entity is written (a run's when its data
 * ends, experiments' at the end), since deleted entities take no writes.
 *
 * This file reads the stream and hands each record to the part that writes it:
 * `_import_experiments.ts`, `_import_runs.ts` (runs and their points, inputs and outputs),
 * `_import_logged_models.ts`, `_import_registry.ts`, `_import_auth.ts` (users and grants); they
 * share an `ImportContext` (`_import_context.ts`), the ids and their remapping
 * (`_import_ids.ts`) and the artifact copying (`_import_artifacts.ts`).
 *
 * @module
 */
import { SettableClock } from "../clock.ts";
import { MlflowError } from "../errors.ts";
import { createKvStore, type KvStoreOptions, type KvTrackingStore } from "../kv/mod.ts";
import type { TrackingStore } from "../types.ts";
import { EXPORT_FORMAT, type ExportRecord } from "./export_format.ts";
import { ArtifactImport } from "./_import_artifacts.ts";
import { AuthImport } from "./_import_auth.ts";
import { ImportContext, type ImportOptions, type ImportResult } from "./_import_context.ts";
import { deleteImportedExperiments, importExperiment } from "./_import_experiments.ts";
import { importLoggedModel } from "./_import_logged_models.ts";
import { importRegisteredModel } from "./_import_registry.ts";
import { RunImport } from "./_import_runs.ts";

export {
  IMPORT_BATCH_ITEMS,
  type ImportOptions,
  type ImportResult,
  MAX_IMPORT_WARNINGS,
} from "./_import_context.ts";
export { MAX_NAME_SUFFIXES } from "./_import_ids.ts";
export { PROGRESS_EVERY_POINTS } from "./_import_runs.ts";

/**
 * Opens a KV tracking store for an import: its clock is the returned {@linkcode SettableClock},
 * to pass as `opts.clock` to {@linkcode importRecords}.
 *
 * @example
 * ```ts
 * const { store, clock } = await openImportStore(kv);
 * const result = await importRecords(store, readExportFile(path), { clock });
 * ```
 */
export async function openImportStore(
  kv: Deno.Kv,
  opts: Omit<KvStoreOptions, "now"> = {},
): Promise<{ store: KvTrackingStore; clock: SettableClock }> {
  const clock = new SettableClock();
  return { store: await createKvStore(kv, { ...opts, now: clock.now }), clock };
}

/**
 * Imports `records` into `store` (see the module doc for identity, merging and times), copying
 * artifacts from `opts.artifactsDir` when given with `opts.artifacts`.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` when the stream does not start with a header
 * of {@linkcode EXPORT_FORMAT}; a store error on a write that cannot be skipped.
 */
export async function importRecords(
  store: TrackingStore,
  records: AsyncIterable<ExportRecord>,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const ctx = new ImportContext(store, opts);
  const { write, end } = recordWriter(ctx);
  let first = true;
  let n = 1;
  try {
    for await (const rec of records) {
      if (first) {
        if (rec.type !== "header" || rec.format !== EXPORT_FORMAT) {
          throw new MlflowError(
            "INVALID_PARAMETER_VALUE",
            `Not a kvflow export: the first record must be a header of format ${EXPORT_FORMAT}`,
          );
        }
        first = false;
        continue;
      }
      n++;
      try {
        await write(rec);
      } catch (err) {
        throw inRecord(err, n, rec);
      }
    }
    if (first) throw new MlflowError("INVALID_PARAMETER_VALUE", "The export is empty");
    await end();
    await deleteImportedExperiments(ctx);
  } finally {
    ctx.at(undefined);
  }
  return ctx.finish();
}

/**
 * `write` hands a record after the header to the part that imports its type; `end` ends the
 * stream (the last run's data ends).
 */
function recordWriter(ctx: ImportContext): {
  write: (rec: ExportRecord) => Promise<void>;
  end: () => Promise<void>;
} {
  const artifacts = new ArtifactImport(ctx);
  const runs = new RunImport(ctx, artifacts);
  const auth = new AuthImport(ctx);
  const write = async (rec: ExportRecord): Promise<void> => {
    switch (rec.type) {
      case "metric_points":
        return await runs.points(rec);
      case "run_inputs":
        return await runs.inputs(rec);
      case "run_outputs":
        return await runs.outputs(rec);
    }
    await runs.end();
    switch (rec.type) {
      case "header":
        throw new MlflowError("INVALID_PARAMETER_VALUE", "A second header in the export");
      case "experiment":
        return await importExperiment(ctx, rec);
      case "run":
        return await runs.run(rec);
      case "logged_model":
        return await importLoggedModel(ctx, artifacts, rec);
      case "registered_model":
        return await importRegisteredModel(ctx, rec);
      case "user":
        return await auth.user(rec);
      case "grant":
        return await auth.grant(rec);
      default: {
        const type = (rec as { type?: unknown }).type;
        ctx.warn("import", `unknown record type ${JSON.stringify(type)} skipped`);
      }
    }
  };
  return { write, end: () => runs.end() };
}

/**
 * `err` with the record it happened on (its line in an export file): a record of the wrong
 * shape (a missing field, a wrong type) is `INVALID_PARAMETER_VALUE`, never a crash.
 */
function inRecord(err: unknown, n: number, rec: ExportRecord): MlflowError {
  const type = typeof rec?.type === "string" ? rec.type.slice(0, 40) : "?";
  const where = `Record ${n} (${type})`;
  if (err instanceof MlflowError) return new MlflowError(err.code, `${where}: ${err.message}`);
  if (err instanceof TypeError || err instanceof RangeError) {
    return new MlflowError("INVALID_PARAMETER_VALUE", `${where} is malformed: ${err.message}`);
  }
  throw err;
}
