import { MlflowError } from "../errors.ts";

/** Returned by an attempt that lost an optimistic-concurrency race and must start over. */
export const RETRY: unique symbol = Symbol("retry");

const MAX_ATTEMPTS = 200;
const MAX_ELAPSED_MS = 30_000;

/** True for SQLite's transient lock error, which Deno KV surfaces when processes share a file. */
export function isLockedError(e: unknown): boolean {
  return e instanceof Error && /database is (locked|busy)/i.test(e.message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `attempt` until it returns something other than {@linkcode RETRY}. Lost races and
 * `database is locked` errors are retried with jittered, growing backoff; correctness comes from
 * the attempt's own atomic checks, never from in-process locks. Gives up with
 * `TEMPORARILY_UNAVAILABLE` (503) rather than hanging.
 */
export async function withRetry<T>(
  what: string,
  attempt: () => Promise<T | typeof RETRY>,
): Promise<T> {
  const started = Date.now();
  for (let i = 0;; i++) {
    let result: T | typeof RETRY;
    try {
      result = await attempt();
    } catch (e) {
      if (!isLockedError(e)) throw e;
      result = RETRY;
    }
    if (result !== RETRY) return result;
    if (i >= MAX_ATTEMPTS || Date.now() - started > MAX_ELAPSED_MS) {
      throw new MlflowError(
        "TEMPORARILY_UNAVAILABLE",
        `Too much contention while trying to ${what}; retry later`,
      );
    }
    if (i > 0) await sleep(Math.min(100, 1 + Math.random() * 2 ** Math.min(i, 7)));
  }
}
