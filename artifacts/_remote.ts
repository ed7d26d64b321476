/**
 * Small pieces every remote store's wire layer needs (`_s3_client.ts`, `_azure_client.ts`): the
 * wait between retries, and errors that carry their cause to the server log only.
 *
 * @module
 */

import type { MlflowError } from "../store/errors.ts";

/** Waits before retry `attempt` (0-based): 100 ms doubling, with jitter so retries spread. */
export function backoff(attempt: number): Promise<void> {
  const ms = 100 * 2 ** attempt * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `err` with a `cause` for the server log (routes/errors.ts logs every error that has one).
 * Not enumerable, so no serialisation of the error ever sends it to a client.
 */
export function withCause(err: MlflowError, cause: unknown): MlflowError {
  Object.defineProperty(err, "cause", { value: cause, enumerable: false });
  return err;
}
