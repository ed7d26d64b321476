/**
 * The errors every store's purges give for what they refuse, worded once so the memory and KV
 * stores (and gc's callers, which match on them) agree.
 *
 * @module
 */
import { invalidParam, type MlflowError } from "./errors.ts";

/** The error a purge gives for an entity that is not deleted (MLflow's gc refuses these too). */
export function notDeleted(what: string, id: string): MlflowError {
  return invalidParam(`The ${what} ${id} must be in the 'deleted' lifecycle stage to be purged`);
}

/** Throws when `experimentId` is the Default experiment, which no purge removes. */
export function refuseDefaultExperiment(experimentId: string): void {
  if (experimentId === "0") throw invalidParam("Cannot purge the Default experiment");
}
