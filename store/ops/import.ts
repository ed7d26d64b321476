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
 * @module
 */
import { copyTree, proxiedPath } from "../../artifacts/copy.ts";
import { copyLocalTree } from "../../artifacts/local_tree.ts";
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import type { ArtifactRepository } from "../../artifacts/types.ts";
import { type AuthStore, isPermission } from "../auth/types.ts";
import { SettableClock } from "../clock.ts";
import { MlflowError } from "../errors.ts";
import { DEFAULT_EXPERIMENT_ID } from "../lifecycle_errors.ts";
import { newRunId } from "../ids.ts";
import { createKvStore, type KvStoreOptions, type KvTrackingStore } from "../kv/mod.ts";
import { newModelId } from "../logged_models/common.ts";
import type { ModelVersion } from "../registry/types.ts";
import type { Metric, Tag, TrackingStore } from "../types.ts";
import {
  type ExperimentRecord,
  EXPORT_FORMAT,
  type ExportRecord,
  fromWireNumber,
  type GrantRecord,
  type ImportWarning,
  type LoggedModelRecord,
  type MetricPointsRecord,
  type RegisteredModelRecord,
  type RunInputsRecord,
  type RunOutputsRecord,
  type RunRecord,
  type UserRecord,
} from "./export_format.ts";

/** Options of {@linkcode importRecords}. */
export interface ImportOptions {
  /** Directory holding artifacts in the proxy layout (<exp>/<run>/artifacts/…, <exp>/models/<id>/artifacts/…); copied into `artifacts`. */
  artifactsDir?: string;
  artifacts?: ArtifactRepository;
  /** The auth store, for user and grant records; without it they are skipped with a warning. */
  authStore?: AuthStore;
  onProgress?: (line: string) => void;
  /**
   * The clock the store was opened with (`now: clock.now`): pinned to each recorded time before
   * the write that records it. Without it, times the store stamps itself (deletions, stage
   * changes, finalizes, registry times) are the import's.
   */
  clock?: SettableClock;
  /** Where `artifactsDir` is read from; default a local repository over it (tests pass others). */
  artifactsSource?: ArtifactRepository;
  /**
   * Copy a record's `artifact_source` directory into `artifacts` (the MLflow readers check it
   * lies inside the store or `--artifacts`). Off for export files: a file could name any path.
   */
  trustArtifactSources?: boolean;
}

/** What {@linkcode importRecords} did. */
export interface ImportResult {
  /** old id → new id, only for ids that changed. */
  remapped: {
    experiments: Map<string, string>;
    runs: Map<string, string>;
    logged_models: Map<string, string>;
    registered_models: Map<string, string>;
  };
  counts: Record<string, number>;
  warnings: ImportWarning[];
}

/** Most warnings kept in a result; past it they are counted in one last warning. */
export const MAX_IMPORT_WARNINGS = 1000;
/** Params, tags, dataset inputs or model ids written per store call (the store's batch limit). */
export const IMPORT_BATCH_ITEMS = 100;
/** Points between two progress lines. */
export const PROGRESS_EVERY_POINTS = 1_000_000;
/** Most suffixes tried for a taken name before the import gives up on the entity. */
export const MAX_NAME_SUFFIXES = 100;

const RUN_NAME_TAG = "mlflow.runName";
const PARENT_RUN_TAG = "mlflow.parentRunId";

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

function chunks<T>(items: readonly T[], size = IMPORT_BATCH_ITEMS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function exists(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (e) {
    if (e instanceof MlflowError && e.code === "RESOURCE_DOES_NOT_EXIST") return false;
    throw e;
  }
}

function isTaken(e: unknown): boolean {
  return e instanceof MlflowError && e.code === "RESOURCE_ALREADY_EXISTS";
}

/** An imported experiment: where it went and what is left to do at the end. */
interface ExperimentState {
  id: string;
  oldLocation: string;
  location: string;
  /** Set when the experiment was created (not merged) and must end deleted. */
  deleteAt?: number;
}

/** The run whose data records are arriving, with what waits until they end. */
interface CurrentRun {
  oldId: string;
  id: string;
  deleted: boolean;
  /** When it was deleted (the record's `deleted_time`); absent: at the import's own time. */
  deletedAt?: number;
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
  return await new Importer(store, opts).run(records);
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

class Importer {
  readonly result: ImportResult = {
    remapped: {
      experiments: new Map(),
      runs: new Map(),
      logged_models: new Map(),
      registered_models: new Map(),
    },
    counts: {
      experiments: 0,
      runs: 0,
      metric_points: 0,
      logged_models: 0,
      registered_models: 0,
      model_versions: 0,
      users: 0,
      grants: 0,
    },
    warnings: [],
  };
  #dropped = 0;
  readonly experiments = new Map<string, ExperimentState>();
  /**
   * Runs that keep their id, decided when first named (by their record or a reference). Kept
   * after the run is written: a later reference (a child's `mlflow.parentRunId`, a model's
   * source run) would otherwise find the imported run in the target and remap it.
   */
  readonly #decided = new Set<string>();
  #current: CurrentRun | null = null;
  #nextProgress = PROGRESS_EVERY_POINTS;
  #artifactSource: ArtifactRepository | undefined;

  constructor(readonly store: TrackingStore, readonly opts: ImportOptions) {
    this.#artifactSource = opts.artifactsSource;
  }

  warn(subject: string, message: string): void {
    if (this.result.warnings.length < MAX_IMPORT_WARNINGS) {
      this.result.warnings.push({ subject, message });
    } else this.#dropped++;
  }

  at(t: number | undefined): void {
    this.opts.clock?.set(t);
  }

  async run(records: AsyncIterable<ExportRecord>): Promise<ImportResult> {
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
          await this.#record(rec);
        } catch (err) {
          throw inRecord(err, n, rec);
        }
      }
      if (first) throw new MlflowError("INVALID_PARAMETER_VALUE", "The export is empty");
      await this.#endRun();
      for (const [oldId, e] of this.experiments) {
        if (e.deleteAt === undefined) continue;
        this.at(e.deleteAt);
        await this.store.deleteExperiment(e.id);
        this.#progress(`deleted experiment ${e.id} (was ${oldId})`);
      }
    } finally {
      this.at(undefined);
    }
    if (this.#dropped > 0) {
      this.result.warnings.push({
        subject: "import",
        message: `${this.#dropped} more warnings were left out`,
      });
    }
    return this.result;
  }

  #progress(line: string): void {
    this.opts.onProgress?.(line);
  }

  async #record(rec: ExportRecord): Promise<void> {
    switch (rec.type) {
      case "metric_points":
        return await this.#points(rec);
      case "run_inputs":
        return await this.#inputs(rec);
      case "run_outputs":
        return await this.#outputs(rec);
    }
    await this.#endRun();
    switch (rec.type) {
      case "header":
        throw new MlflowError("INVALID_PARAMETER_VALUE", "A second header in the export");
      case "experiment":
        return await this.#experiment(rec);
      case "run":
        return await this.#run(rec);
      case "logged_model":
        return await this.#loggedModel(rec);
      case "registered_model":
        return await this.#registeredModel(rec);
      case "user":
        return await this.#user(rec);
      case "grant":
        return await this.#grant(rec);
      default: {
        const type = (rec as { type?: unknown }).type;
        this.warn("import", `unknown record type ${JSON.stringify(type)} skipped`);
      }
    }
  }

  // --- experiments ---

  async #experiment({ experiment: e }: ExperimentRecord): Promise<void> {
    const subject = `experiment ${e.experiment_id}`;
    const byName = await this.store.getExperimentByName(e.name).catch((err) => {
      if (err instanceof MlflowError && err.code === "RESOURCE_DOES_NOT_EXIST") return null;
      throw err;
    });
    if (byName?.lifecycle_stage === "active") {
      // A fresh store's Default was made when it opened: it takes the exported Default's times.
      if (
        e.experiment_id === DEFAULT_EXPERIMENT_ID &&
        byName.experiment_id === DEFAULT_EXPERIMENT_ID && byName.tags.length === 0 &&
        (await this.store.searchRuns({
            experimentIds: [DEFAULT_EXPERIMENT_ID],
            runViewType: "ALL",
            maxResults: 1,
          })).items.length === 0
      ) {
        await this.store.setExperimentTimes("0", e.creation_time, e.last_update_time);
      }
      for (const t of e.tags) {
        await this.store.setExperimentTag(byName.experiment_id, t.key, t.value);
      }
      this.#remember(
        e.experiment_id,
        byName.experiment_id,
        e.artifact_location,
        byName.artifact_location,
      );
      if (byName.experiment_id !== e.experiment_id) {
        this.warn(subject, `merged into experiment ${byName.experiment_id} of the same name`);
      }
      if (e.lifecycle_stage === "deleted") {
        this.warn(subject, "deleted in the export, merged into an active experiment: left active");
      }
      this.result.counts.experiments_merged = (this.result.counts.experiments_merged ?? 0) + 1;
      return;
    }
    let name = e.name;
    if (byName) {
      name = await this.#freeName(
        e.name,
        async (n) => await exists(this.store.getExperimentByName(n)),
      );
      this.warn(subject, `the name is held by a deleted experiment; imported as '${name}'`);
    }
    // An id kvflow cannot hold (an MLflow file store draws random 18-digit ones; kvflow's are
    // ≤ 15 digits, see store/validation.ts) is renumbered like a taken one.
    const keepId = /^(0|[1-9][0-9]{0,14})$/.test(e.experiment_id) &&
      !await exists(this.store.getExperiment(e.experiment_id));
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
    let id: string;
    if (!keepId && derived) id = await this.store.createExperiment(base);
    else {
      try {
        id = await this.store.createExperiment({ ...base, artifactLocation: e.artifact_location });
      } catch (err) {
        if (!(err instanceof MlflowError) || err.code !== "INVALID_PARAMETER_VALUE") throw err;
        this.warn(
          subject,
          `artifact location not allowed here (${err.message}); the default is used`,
        );
        id = await this.store.createExperiment(base);
      }
    }
    for (const part of tags.slice(1)) {
      for (const t of part) await this.store.setExperimentTag(id, t.key, t.value);
    }
    const location = (await this.store.getExperiment(id)).artifact_location;
    this.#remember(e.experiment_id, id, e.artifact_location, location);
    if (e.lifecycle_stage === "deleted") {
      this.experiments.get(e.experiment_id)!.deleteAt = e.last_update_time;
    }
    this.result.counts.experiments++;
  }

  #remember(oldId: string, id: string, oldLocation: string, location: string): void {
    this.experiments.set(oldId, { id, oldLocation, location });
    if (id !== oldId) this.result.remapped.experiments.set(oldId, id);
  }

  async #freeName(name: string, taken: (n: string) => Promise<boolean>): Promise<string> {
    for (let i = 1; i <= MAX_NAME_SUFFIXES; i++) {
      const candidate = i === 1 ? `${name} (imported)` : `${name} (imported ${i})`;
      if (!await taken(candidate)) return candidate;
    }
    throw new MlflowError(
      "RESOURCE_ALREADY_EXISTS",
      `No free name for '${name}' after ${MAX_NAME_SUFFIXES} suffixes`,
    );
  }

  // --- runs ---

  /** The target id of run `oldId`: kept unless the target holds it (decided once). */
  async runId(oldId: string): Promise<string> {
    const mapped = this.result.remapped.runs.get(oldId);
    if (mapped !== undefined) return mapped;
    if (this.#decided.has(oldId)) return oldId;
    if (await exists(this.store.getRun(oldId))) {
      const id = newRunId();
      this.result.remapped.runs.set(oldId, id);
      return id;
    }
    this.#decided.add(oldId);
    return oldId;
  }

  /** The run id for a reference (a tag, a source), or the old id when the run was not imported. */
  #runRef(oldId: string): string {
    return this.result.remapped.runs.get(oldId) ?? oldId;
  }

  #modelRef(oldId: string): string {
    return this.result.remapped.logged_models.get(oldId) ?? oldId;
  }

  async #run({ info, params, tags, artifact_source, deleted_time }: RunRecord): Promise<void> {
    const subject = `run ${info.run_id}`;
    const exp = this.experiments.get(info.experiment_id);
    if (!exp) {
      this.warn(subject, `its experiment ${info.experiment_id} is not in the export; skipped`);
      this.#current = { oldId: info.run_id, id: "", deleted: false };
      return;
    }
    let id = await this.runId(info.run_id);
    const derivedUri = `${exp.oldLocation}/${info.run_id}/artifacts`;
    const input = {
      experimentId: exp.id,
      userId: info.user_id,
      runName: info.run_name,
      startTime: info.start_time,
      tags: [{ key: RUN_NAME_TAG, value: info.run_name }],
      ...(info.artifact_uri !== derivedUri && { artifactUri: info.artifact_uri }),
    };
    try {
      await this.store.createRun({ ...input, runId: id });
    } catch (err) {
      if (!isTaken(err)) throw err;
      id = newRunId();
      this.result.remapped.runs.set(info.run_id, id);
      await this.store.createRun({ ...input, runId: id });
    }
    this.#current = {
      oldId: info.run_id,
      id,
      deleted: info.lifecycle_stage === "deleted",
      // A time the store could not have written (from a hand-edited file) is not carried.
      deletedAt: Number.isSafeInteger(deleted_time) && deleted_time! >= 0
        ? deleted_time
        : undefined,
    };
    this.result.counts.runs++;
    const rest: Tag[] = [];
    for (const t of tags) {
      if (t.key === RUN_NAME_TAG) continue;
      // A parent may come later (runs are listed newest first): its id is decided now.
      rest.push(t.key === PARENT_RUN_TAG ? { key: t.key, value: await this.runId(t.value) } : t);
    }
    for (const part of chunks(params)) await this.store.logBatch(id, { params: part });
    for (const part of chunks(rest)) await this.store.logBatch(id, { tags: part });
    if (info.status !== "RUNNING" || info.end_time !== undefined) {
      await this.store.updateRun(id, {
        status: info.status,
        ...(info.end_time !== undefined && { endTime: info.end_time }),
      });
    }
    if (artifact_source !== undefined) {
      const after = (await this.store.getRun(id)).info.artifact_uri;
      await this.#copyLocal(subject, artifact_source, after);
    } else if (this.opts.artifactsDir && this.opts.artifacts) {
      const after = (await this.store.getRun(id)).info.artifact_uri;
      await this.#copyArtifacts(subject, info.artifact_uri, after);
    }
  }

  /** The run a data record belongs to; null (with a warning) when it was skipped or is unknown. */
  #runOf(oldId: string, what: string): string | null {
    if (this.#current?.oldId !== oldId) {
      this.warn(`run ${oldId}`, `${what} not right after its run record; skipped`);
      return null;
    }
    return this.#current.id || null;
  }

  async #endRun(): Promise<void> {
    const run = this.#current;
    this.#current = null;
    if (!run?.deleted || !run.id) return;
    // The run's deletion time is the clock's when it is deleted: MLflow's, when the record has it.
    this.at(run.deletedAt);
    await this.store.deleteRun(run.id);
    this.at(undefined);
  }

  async #points(rec: MetricPointsRecord): Promise<void> {
    const id = this.#runOf(rec.run_id, `metric '${rec.key}'`);
    if (id === null) return;
    const metrics: Metric[] = rec.points.map((p, i) => {
      const value = fromWireNumber(p.value);
      if (value === undefined) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `Metric '${rec.key}' of run ${rec.run_id}: point ${i} has no number value`,
        );
      }
      const m: Metric = { key: rec.key, value, timestamp: p.timestamp, step: p.step };
      if (p.model_id !== undefined) m.model_id = this.#modelRef(p.model_id);
      if (p.dataset_name !== undefined) m.dataset_name = p.dataset_name;
      if (p.dataset_digest !== undefined) m.dataset_digest = p.dataset_digest;
      return m;
    });
    await this.store.logBatch(id, { metrics });
    this.result.counts.metric_points += metrics.length;
    if (this.result.counts.metric_points >= this.#nextProgress) {
      this.#nextProgress += PROGRESS_EVERY_POINTS;
      this.#progress(
        `${this.result.counts.metric_points} points, ${this.result.counts.runs} runs imported`,
      );
    }
  }

  async #inputs(rec: RunInputsRecord): Promise<void> {
    const id = this.#runOf(rec.run_id, "inputs");
    if (id === null) return;
    for (const part of chunks(rec.dataset_inputs)) await this.store.logInputs(id, part, []);
    const models = rec.model_inputs.map((m) => ({ model_id: this.#modelRef(m.model_id) }));
    for (const part of chunks(models)) await this.store.logInputs(id, [], part);
  }

  async #outputs(rec: RunOutputsRecord): Promise<void> {
    const id = this.#runOf(rec.run_id, "outputs");
    if (id === null) return;
    const outputs = rec.model_outputs.map((m) => ({
      model_id: this.#modelRef(m.model_id),
      step: m.step,
    }));
    for (const part of chunks(outputs)) await this.store.logOutputs(id, part);
  }

  // --- logged models ---

  async #loggedModel({ model, artifact_source }: LoggedModelRecord): Promise<void> {
    const info = model.info;
    const subject = `logged model ${info.model_id}`;
    const exp = this.experiments.get(info.experiment_id);
    if (!exp) {
      this.warn(subject, `its experiment ${info.experiment_id} is not in the export; skipped`);
      return;
    }
    const params = chunks(model.data.params);
    const tags = chunks(info.tags);
    const input = {
      experimentId: exp.id,
      name: info.name,
      modelType: info.model_type ?? "",
      ...(info.source_run_id && { sourceRunId: await this.runId(info.source_run_id) }),
      params: params[0] ?? [],
      tags: tags[0] ?? [],
    };
    this.at(info.creation_timestamp_ms);
    let id = info.model_id;
    try {
      await this.store.createLoggedModel({ ...input, modelId: id });
    } catch (err) {
      if (!isTaken(err)) throw err;
      id = newModelId();
      this.result.remapped.logged_models.set(info.model_id, id);
      await this.store.createLoggedModel({ ...input, modelId: id });
    }
    for (const part of params.slice(1)) await this.store.logLoggedModelParams(id, part);
    for (const part of tags.slice(1)) await this.store.setLoggedModelTags(id, part);
    if (info.status !== "LOGGED_MODEL_PENDING") {
      this.at(info.last_updated_timestamp_ms);
      await this.store.finalizeLoggedModel(id, info.status);
    }
    this.at(undefined);
    if (info.status_message) this.warn(subject, "its status message is not kept");
    this.result.counts.logged_models++;
    if (artifact_source !== undefined) {
      const after = (await this.store.getLoggedModel(id)).info.artifact_uri;
      await this.#copyLocal(subject, artifact_source, after);
    } else if (this.opts.artifactsDir && this.opts.artifacts) {
      const after = (await this.store.getLoggedModel(id)).info.artifact_uri;
      await this.#copyArtifacts(subject, info.artifact_uri, after);
    }
  }

  // --- registry ---

  /** A version's source with the run, model and experiment ids it names remapped. */
  #source(source: string): string {
    let m = /^runs:\/\/?([^/]+)(.*)$/.exec(source);
    if (m) return `runs:/${this.#runRef(m[1])}${m[2]}`;
    m = /^models:\/(m-[0-9a-f]{32})(.*)$/.exec(source);
    if (m) return `models:/${this.#modelRef(m[1])}${m[2]}`;
    m = /^(mlflow-artifacts:\/+)([^/]+)\/([^/]+)\/([^/]+)(.*)$/.exec(source);
    if (m) {
      const exp = this.experiments.get(m[2])?.id ?? m[2];
      if (m[3] === "models") return `${m[1]}${exp}/models/${this.#modelRef(m[4])}${m[5]}`;
      return `${m[1]}${exp}/${this.#runRef(m[3])}/${m[4]}${m[5]}`;
    }
    return source;
  }

  async #registeredModel({ model, versions }: RegisteredModelRecord): Promise<void> {
    const subject = `registered model '${model.name}'`;
    let name = model.name;
    if (await exists(this.store.getRegisteredModel(name))) {
      name = await this.#freeName(
        name,
        async (n) => await exists(this.store.getRegisteredModel(n)),
      );
      this.result.remapped.registered_models.set(model.name, name);
    }
    this.at(model.creation_timestamp);
    await this.store.createRegisteredModel({
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
        const gap = await this.#createVersion(name, v).catch((err) => {
          if (!(err instanceof MlflowError) || err.code !== "INVALID_PARAMETER_VALUE") throw err;
          return null;
        });
        if (gap === null) break; // the version itself is refused below, with its reason
        await this.store.deleteModelVersion(name, gap.version);
      }
      const mv = await this.#createVersion(name, v).catch((err) => {
        if (!(err instanceof MlflowError) || err.code !== "INVALID_PARAMETER_VALUE") throw err;
        this.warn(`${subject} version ${v.version}`, `not imported: ${err.message}`);
        return null;
      });
      next++;
      if (mv === null) continue;
      if (mv.version !== v.version) {
        this.warn(`${subject} version ${v.version}`, `imported as version ${mv.version}`);
      }
      if (v.current_stage !== "None") {
        this.at(v.last_updated_timestamp);
        await this.store.transitionModelVersionStage(name, mv.version, v.current_stage, false);
      } else if (v.last_updated_timestamp !== v.creation_timestamp) {
        this.at(v.last_updated_timestamp);
        await this.store.updateModelVersion(name, mv.version, v.description);
      }
      this.result.counts.model_versions++;
    }
    for (const a of model.aliases) {
      await this.store.setRegisteredModelAlias(name, a.alias, a.version).catch((err) => {
        if (!(err instanceof MlflowError)) throw err;
        this.warn(subject, `alias '${a.alias}' not set: ${err.message}`);
      });
    }
    this.at(model.last_updated_timestamp);
    await this.store.updateRegisteredModel(name, model.description ?? "");
    this.at(undefined);
    this.result.counts.registered_models++;
  }

  async #createVersion(name: string, v: ModelVersion): Promise<ModelVersion> {
    this.at(v.creation_timestamp);
    return await this.store.createModelVersion({
      name,
      source: this.#source(v.source),
      ...(v.run_id && { runId: this.#runRef(v.run_id) }),
      tags: v.tags,
      runLink: v.run_link,
      description: v.description,
      ...(v.model_id && { modelId: this.#modelRef(v.model_id) }),
    });
  }

  // --- users and grants ---

  #noAuth(): boolean {
    if (this.opts.authStore) return false;
    if (this.#authWarned) return true;
    this.#authWarned = true;
    this.warn("users", "users and grants skipped: auth is not enabled on the target (--auth)");
    return true;
  }
  #authWarned = false;

  async #user({ user }: UserRecord): Promise<void> {
    if (this.#noAuth()) return;
    try {
      await this.opts.authStore!.createUserWithHash(
        user.username,
        user.password_hash,
        user.is_admin === true,
      );
      this.result.counts.users++;
    } catch (err) {
      if (!(err instanceof MlflowError)) throw err;
      this.warn(`user ${user.username}`, `not imported: ${err.message}`);
    }
  }

  async #grant({ grant }: GrantRecord): Promise<void> {
    if (this.#noAuth()) return;
    const auth = this.opts.authStore!;
    const permission = grant.permission;
    try {
      if (!isPermission(permission)) {
        throw new MlflowError("INVALID_PARAMETER_VALUE", `bad level ${permission}`);
      }
      if (grant.experiment_id !== undefined) {
        const id = this.experiments.get(grant.experiment_id)?.id ?? grant.experiment_id;
        await auth.createExperimentPermission(id, grant.username, permission);
      } else if (grant.registered_model_name !== undefined) {
        const old = grant.registered_model_name;
        const name = this.result.remapped.registered_models.get(old) ?? old;
        await auth.createRegisteredModelPermission(name, grant.username, permission);
      } else return;
      this.result.counts.grants++;
    } catch (err) {
      if (!(err instanceof MlflowError)) throw err;
      const on = grant.experiment_id ?? `'${grant.registered_model_name}'`;
      this.warn(`grant of ${grant.username} on ${on}`, `not imported: ${err.message}`);
    }
  }

  // --- artifacts ---

  async #copyArtifacts(subject: string, fromUri: string, toUri: string): Promise<void> {
    const from = proxiedPath(fromUri);
    const to = proxiedPath(toUri);
    if (from === null || to === null) {
      this.warn(subject, `artifacts at ${fromUri} are not proxied by kvflow; not copied`);
      return;
    }
    this.#artifactSource ??= createLocalArtifactRepository({ rootDir: this.opts.artifactsDir! });
    const copied = await copyTree(this.#artifactSource, from, this.opts.artifacts!, to);
    for (const dir of copied.skipped) this.warn(subject, `artifacts under ${dir} nest too deep`);
    this.result.counts.artifact_files = (this.result.counts.artifact_files ?? 0) + copied.files;
    this.result.counts.artifact_bytes = (this.result.counts.artifact_bytes ?? 0) + copied.bytes;
  }

  /** Copies a checked local directory (an MLflow store without a server) to `toUri`. */
  async #copyLocal(subject: string, dir: string, toUri: string): Promise<void> {
    if (!this.opts.trustArtifactSources) {
      this.warn(
        subject,
        `artifact_source ${JSON.stringify(dir)} ignored: not from an MLflow store`,
      );
      return;
    }
    const toPath = proxiedPath(toUri);
    if (!this.opts.artifacts || toPath === null) {
      this.warn(subject, `artifacts in ${dir} not copied: no proxied artifact destination`);
      return;
    }
    const copied = await copyLocalTree(dir, this.opts.artifacts, toPath);
    for (const s of copied.skipped) {
      this.warn(subject, `artifact ${s.path} not copied: ${s.reason}`);
    }
    if (copied.skippedCount > copied.skipped.length) {
      this.warn(
        subject,
        `${copied.skippedCount - copied.skipped.length} more artifacts not copied`,
      );
    }
    this.result.counts.artifact_files = (this.result.counts.artifact_files ?? 0) + copied.files;
    this.result.counts.artifact_bytes = (this.result.counts.artifact_bytes ?? 0) + copied.bytes;
  }
}
