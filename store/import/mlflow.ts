/**
 * Reading an MLflow store (`deno task import --from-mlflow URI`) as export records. A
 * placeholder with the reader's signature: the real reader comes from another branch.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import type { ExportRecord, ImportWarning } from "../ops/export_format.ts";

/**
 * The records of the MLflow store at `uri` (`sqlite:///path/mlflow.db` or a file store
 * directory), in export order; what cannot be carried goes to `opts.onWarning`.
 *
 * @throws {MlflowError} `NOT_IMPLEMENTED` in this build.
 */
export function readMlflowStore(
  uri: string,
  _opts: { onWarning(w: ImportWarning): void },
): AsyncIterable<ExportRecord> {
  return {
    [Symbol.asyncIterator]() {
      throw new MlflowError(
        "NOT_IMPLEMENTED",
        `Importing from MLflow (${uri}) is not available in this build`,
      );
    },
  };
}
