/**
 * The lifecycle refusals both backends make, worded once so they answer alike.
 *
 * @module
 */
import { MlflowError } from "./errors.ts";

/** The id of `Default`, the experiment every store starts with and runs land in by default. */
export const DEFAULT_EXPERIMENT_ID = "0";

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
