/**
 * Small pieces every remote store needs (S3 and Azure): the wait between retries, errors that
 * carry their cause to the server log only, and the reading of a download's answer.
 *
 * @module
 */

import type { MlflowError } from "../store/errors.ts";
import { servedRange, unsatisfiable } from "./_range.ts";
import type { ArtifactObject, ByteRange } from "./types.ts";

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

/**
 * The object a remote store's GET answered: null for a missing file (the store's 404 mapped by
 * `failure` to `RESOURCE_DOES_NOT_EXIST`) or for what `isFolder` says is a folder; `range`
 * trimmed to exactly the bytes asked for (see `servedRange`).
 *
 * @throws {MlflowError} `failure`'s error for any other failed answer; the unsatisfiable-range
 * error for a 416.
 */
export async function objectOf(
  res: Response,
  range: ByteRange | undefined,
  failure: (res: Response) => Promise<MlflowError>,
  isFolder: (res: Response) => boolean = () => false,
): Promise<ArtifactObject | null> {
  if (res.status === 404) {
    const err = await failure(res);
    if (err.code === "RESOURCE_DOES_NOT_EXIST") return null;
    throw err;
  }
  if (res.status === 416 && range) {
    await res.body?.cancel();
    throw unsatisfiable(range);
  }
  if (!res.ok) throw await failure(res);
  const body = res.body ?? new Blob([]).stream();
  if (isFolder(res)) {
    await body.cancel();
    return null;
  }
  if (!range) return { body, size: Number(res.headers.get("content-length") ?? 0) };
  return await servedRange(res, body, range);
}
