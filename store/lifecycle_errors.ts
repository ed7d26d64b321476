/**
 * The lifecycle refusals both backends make, worded once so they answer alike.
 *
 * @module
 */
import { MlflowError } from "./errors.ts";

/** The id of `Default`, the experiment every store starts with and runs land in by default. */
export const DEFAULT_EXPERIMENT_ID = "0";

/**
 * An imported experiment id at or above this is kept without numbering later experiments past
 * it: MLflow's file store draws random ids of up to 19 digits, which a counter must not jump to.
 */
export const MAX_SEQUENTIAL_EXPERIMENT_ID = 2 ** 31;

/** The next sequential id after an imported experiment id `id`, given the current `next`. */
export function nextExperimentIdAfter(next: number, id: string): number {
  const n = Number(id);
  return n < MAX_SEQUENTIAL_EXPERIMENT_ID ? Math.max(next, n + 1) : next;
}

/**
 * MLflow's file store refuses to delete `Default` with exactly this message (an
 * `MlflowException`); kvflow answers it as 400 `INVALID_PARAMETER_VALUE`.
 */
export function cannotDeleteDefaultExperiment(): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Cannot delete the default experiment '${DEFAULT_EXPERIMENT_ID}'. ` +
      "This is an internally reserved experiment.",
  );
}

/**
 * A run of a deleted experiment cannot be restored on its own: it would stay deleted, because a
 * run's stage follows its experiment's. Restoring the experiment restores its runs.
 */
export function cannotRestoreRunOfDeletedExperiment(runId: string, experimentId: string) {
  return new MlflowError(
    "INVALID_STATE",
    `Cannot restore run ${runId} because its experiment ${experimentId} is deleted; ` +
      "restore the experiment first.",
  );
}
