/** Run lifecycle methods of the in-memory store: create, get, update, delete/restore, search. */
import { invalidParam, MlflowError } from "../errors.ts";
import { newRunId, randomRunName } from "../ids.ts";
import { cannotRestoreRunOfDeletedExperiment } from "../lifecycle_errors.ts";
import { WorkBudget } from "../search/budget.ts";
import { searchRunsIn, searchRunsYielding } from "../search/mod.ts";
import type { Run, TrackingStore } from "../types.ts";
import {
  getActiveRunRecord,
  getExperimentRecord,
  getRunRecord,
  joinUri,
  type MemoryState,
  type SyncMethods,
  toRun,
} from "./state.ts";

type RunMethods = SyncMethods<
  Pick<
    TrackingStore,
    "createRun" | "getRun" | "updateRun" | "deleteRun" | "restoreRun" | "searchRuns"
  >
>;

const RUN_NAME_TAG = "mlflow.runName";

/** Builds the run-lifecycle part of the memory store over shared state. */
export function runMethods(s: MemoryState): RunMethods {
  return {
    createRun(input) {
      const expId = input.experimentId || "0";
      const exp = getExperimentRecord(s, expId);
      if (exp.experiment.lifecycle_stage !== "active") {
        throw invalidParam(
          `The experiment ${expId} must be in the 'active' state. Current state is ` +
            `${exp.experiment.lifecycle_stage}.`,
        );
      }
      // withValidation resolves and checks the name; this covers unwrapped callers too.
      const tags = new Map((input.tags ?? []).map((t) => [t.key, t.value]));
      const runName = input.runName || tags.get(RUN_NAME_TAG) || randomRunName();
      tags.set(RUN_NAME_TAG, runName);
      const runId = input.runId ?? newRunId();
      if (s.runs.has(runId)) {
        throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Run with id=${runId} already exists.`);
      }
      s.runs.set(runId, {
        info: {
          run_id: runId,
          run_uuid: runId,
          run_name: runName,
          experiment_id: expId,
          user_id: input.userId ?? "",
          status: "RUNNING",
          start_time: input.startTime ?? s.now(),
          artifact_uri: input.artifactUri ??
            `${joinUri(exp.experiment.artifact_location, runId)}/artifacts`,
          lifecycle_stage: "active",
        },
        params: new Map(),
        tags,
        metrics: new Map(),
        datasetInputs: new Map(),
        modelInputs: new Set(),
        modelOutputs: new Map(),
      });
      exp.runIds.add(runId);
      return toRun(s, s.runs.get(runId)!);
    },
    getRun(runId) {
      return toRun(s, getRunRecord(s, runId));
    },
    updateRun(runId, { status, endTime, runName }) {
      const rec = getActiveRunRecord(s, runId);
      if (status !== undefined) rec.info.status = status;
      if (endTime !== undefined) rec.info.end_time = endTime;
      if (runName) {
        rec.info.run_name = runName;
        rec.tags.set(RUN_NAME_TAG, runName);
      }
      return { ...rec.info };
    },
    deleteRun(runId) {
      const rec = getRunRecord(s, runId);
      rec.info.lifecycle_stage = "deleted";
      rec.deletedTime = s.now();
    },
    restoreRun(runId) {
      const rec = getRunRecord(s, runId);
      const expId = rec.info.experiment_id;
      if (s.experiments.get(expId)?.experiment.lifecycle_stage === "deleted") {
        throw cannotRestoreRunOfDeletedExperiment(runId, expId);
      }
      rec.info.lifecycle_stage = "active";
    },
    searchRuns(opts) {
      // Arguments are validated before any run is copied; the copy is the search's snapshot.
      searchRunsIn([], opts);
      const inScope: Run[] = [];
      for (const expId of new Set(opts.experimentIds)) {
        const exp = s.experiments.get(expId);
        if (!exp) continue;
        for (const runId of exp.runIds) inScope.push(toRun(s, s.runs.get(runId)!));
      }
      return searchRunsYielding(inScope, opts, new WorkBudget(s.searchTimeBudgetMs));
    },
  };
}
