/**
 * Runs in an import (store/ops/import.ts): a run record, then the data records that follow it
 * (metric points, inputs, outputs). A run deleted in the export is deleted when its data ends,
 * since deleted runs take no writes.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import { newRunId } from "../ids.ts";
import type { Metric, Tag } from "../types.ts";
import {
  fromWireNumber,
  type MetricPointsRecord,
  type RunInputsRecord,
  type RunOutputsRecord,
  type RunRecord,
} from "./export_format.ts";
import type { ArtifactImport } from "./_import_artifacts.ts";
import { chunks, type ImportContext } from "./_import_context.ts";

/** Points between two progress lines. */
export const PROGRESS_EVERY_POINTS = 1_000_000;

const RUN_NAME_TAG = "mlflow.runName";
const PARENT_RUN_TAG = "mlflow.parentRunId";

/** The run whose data records are arriving, with what waits until they end. */
interface CurrentRun {
  oldId: string;
  id: string;
  deleted: boolean;
  /** When it was deleted (the record's `deleted_time`); absent: at the import's own time. */
  deletedAt?: number;
}

/** Writes runs and their data; holds the run whose data records are arriving. */
export class RunImport {
  #current: CurrentRun | null = null;
  #nextProgress = PROGRESS_EVERY_POINTS;

  constructor(readonly ctx: ImportContext, readonly artifacts: ArtifactImport) {}

  /** Creates the run of `rec` with its params and tags, status, end time and artifacts. */
  async run({ info, params, tags, artifact_source, deleted_time }: RunRecord): Promise<void> {
    const { ctx } = this;
    const { store } = ctx;
    const subject = `run ${info.run_id}`;
    const exp = ctx.ids.experiments.get(info.experiment_id);
    if (!exp) {
      ctx.warn(subject, `its experiment ${info.experiment_id} is not in the export; skipped`);
      this.#current = { oldId: info.run_id, id: "", deleted: false };
      return;
    }
    const derivedUri = `${exp.oldLocation}/${info.run_id}/artifacts`;
    const input = {
      experimentId: exp.id,
      userId: info.user_id,
      runName: info.run_name,
      startTime: info.start_time,
      tags: [{ key: RUN_NAME_TAG, value: info.run_name }],
      ...(info.artifact_uri !== derivedUri && { artifactUri: info.artifact_uri }),
    };
    const id = await ctx.ids.create(
      "runs",
      info.run_id,
      await ctx.ids.runId(info.run_id),
      (runId) => store.createRun({ ...input, runId }),
      newRunId,
    );
    this.#current = {
      oldId: info.run_id,
      id,
      deleted: info.lifecycle_stage === "deleted",
      // A time the store could not have written (from a hand-edited file) is not carried.
      deletedAt: Number.isSafeInteger(deleted_time) && deleted_time! >= 0
        ? deleted_time
        : undefined,
    };
    ctx.count("runs");
    const rest: Tag[] = [];
    for (const t of tags) {
      if (t.key === RUN_NAME_TAG) continue;
      // A parent may come later (runs are listed newest first): its id is decided now.
      rest.push(t.key === PARENT_RUN_TAG ? { key: t.key, value: await ctx.ids.runId(t.value) } : t);
    }
    for (const part of chunks(params)) await store.logBatch(id, { params: part });
    for (const part of chunks(rest)) await store.logBatch(id, { tags: part });
    if (info.status !== "RUNNING" || info.end_time !== undefined) {
      await store.updateRun(id, {
        status: info.status,
        ...(info.end_time !== undefined && { endTime: info.end_time }),
      });
    }
    await this.artifacts.copy(
      subject,
      artifact_source,
      info.artifact_uri,
      async () => (await store.getRun(id)).info.artifact_uri,
    );
  }

  /** Ends the current run's data: a run deleted in the export is deleted now. */
  async end(): Promise<void> {
    const run = this.#current;
    this.#current = null;
    if (!run?.deleted || !run.id) return;
    // The run's deletion time is the clock's when it is deleted: MLflow's, when the record has it.
    this.ctx.at(run.deletedAt);
    await this.ctx.store.deleteRun(run.id);
    this.ctx.at(undefined);
  }

  /** Logs a page of one metric's points, with their model ids remapped. */
  async points(rec: MetricPointsRecord): Promise<void> {
    const id = this.#runOf(rec.run_id, `metric '${rec.key}'`);
    if (id === null) return;
    const { ctx } = this;
    const metrics: Metric[] = rec.points.map((p, i) => {
      const value = fromWireNumber(p.value);
      if (value === undefined) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `Metric '${rec.key}' of run ${rec.run_id}: point ${i} has no number value`,
        );
      }
      const m: Metric = { key: rec.key, value, timestamp: p.timestamp, step: p.step };
      if (p.model_id !== undefined) m.model_id = ctx.ids.modelRef(p.model_id);
      if (p.dataset_name !== undefined) m.dataset_name = p.dataset_name;
      if (p.dataset_digest !== undefined) m.dataset_digest = p.dataset_digest;
      return m;
    });
    await ctx.store.logBatch(id, { metrics });
    ctx.count("metric_points", metrics.length);
    if (ctx.result.counts.metric_points >= this.#nextProgress) {
      this.#nextProgress += PROGRESS_EVERY_POINTS;
      ctx.progress(
        `${ctx.result.counts.metric_points} points, ${ctx.result.counts.runs} runs imported`,
      );
    }
  }

  /** Logs the run's dataset and model inputs. */
  async inputs(rec: RunInputsRecord): Promise<void> {
    const id = this.#runOf(rec.run_id, "inputs");
    if (id === null) return;
    const { store, ids } = this.ctx;
    for (const part of chunks(rec.dataset_inputs)) await store.logInputs(id, part, []);
    const models = rec.model_inputs.map((m) => ({ model_id: ids.modelRef(m.model_id) }));
    for (const part of chunks(models)) await store.logInputs(id, [], part);
  }

  /** Logs the run's model outputs. */
  async outputs(rec: RunOutputsRecord): Promise<void> {
    const id = this.#runOf(rec.run_id, "outputs");
    if (id === null) return;
    const { store, ids } = this.ctx;
    const outputs = rec.model_outputs.map((m) => ({
      model_id: ids.modelRef(m.model_id),
      step: m.step,
    }));
    for (const part of chunks(outputs)) await store.logOutputs(id, part);
  }

  /** The run a data record belongs to; null (with a warning) when it was skipped or is unknown. */
  #runOf(oldId: string, what: string): string | null {
    if (this.#current?.oldId !== oldId) {
      this.ctx.warn(`run ${oldId}`, `${what} not right after its run record; skipped`);
      return null;
    }
    return this.#current.id || null;
  }
}
