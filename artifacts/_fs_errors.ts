/**
 * File-system failures a client can cause or must be told about, as `MlflowError`s: without this
 * they reach the HTTP layer as plain `Error`s and become a 500, which MLflow's client retries for
 * minutes before giving up.
 *
 * @module
 */

import { MlflowError } from "../store/errors.ts";

/** How much of the caller's path an error message may quote. */
const ECHO_LIMIT = 100;

/** errno names (Deno's `err.code`) meaning the disk or the user's quota is full. */
const FULL_DISK = new Set(["ENOSPC", "EDQUOT"]);

/** The message of a write refused for a full disk; the same for every route that writes. */
export const STORAGE_FULL_MESSAGE =
  "The server's artifact storage is full (no space left on its disk, or its quota is used up), " +
  "so the artifact was not stored. Ask the server's administrator to free space, then retry.";

/**
 * Maps a file-system error to what the client should see: `ENAMETOOLONG` → 400
 * `INVALID_PARAMETER_VALUE` (a safety net: `local.ts` checks lengths up front), `ENOSPC` and
 * `EDQUOT` → 507 `INSUFFICIENT_STORAGE`. Anything else is returned unchanged.
 *
 * @example
 * ```ts
 * try { await Deno.mkdir(dir, { recursive: true }); } catch (err) { throw fsFailure(err, rel); }
 * ```
 */
export function fsFailure(err: unknown, path: string): unknown {
  if (err instanceof MlflowError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ENAMETOOLONG") {
    const shown = path.length > ECHO_LIMIT ? `${path.slice(0, ECHO_LIMIT)}…` : path;
    return new MlflowError(
      "INVALID_PARAMETER_VALUE",
      "Invalid path: too long for the file system of the artifact store (a name or the whole " +
        `path is longer than it allows) (${JSON.stringify(shown)})`,
    );
  }
  if (typeof code === "string" && FULL_DISK.has(code)) {
    const full = new MlflowError("INSUFFICIENT_STORAGE", STORAGE_FULL_MESSAGE);
    // Kept for the server's log (it names the server's own paths, so never for the client).
    Object.defineProperty(full, "cause", { value: err, enumerable: false });
    return full;
  }
  return err;
}
