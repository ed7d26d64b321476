/**
 * The background sweep of staged batches abandoned by crashed writers (see `staged_batch.ts`),
 * so a long-running server reclaims them without a restart. Every process sharing a database
 * runs its own; the sweep is safe when several run at once.
 *
 * @module
 */
import { ABANDONED_STAGING_AFTER_MS, sweepAbandonedStagings } from "./staged_batch.ts";

/**
 * How often each process looks for abandoned stagings while it runs. Cheap when there is none
 * (one short list), so many isolates each sweeping this often cost little.
 */
export const STAGING_SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/** Options of {@linkcode startStagingSweeper}. */
export interface StagingSweeperOptions {
  /** Period between sweeps; default {@linkcode STAGING_SWEEP_INTERVAL_MS}. */
  intervalMs?: number;
  /** Age after which an unflipped staging counts as abandoned; default one hour. */
  abandonedAfterMs?: number;
}

/** A running sweeper. */
export interface StagingSweeper {
  /** Stops future sweeps; resolves once a sweep in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Sweeps abandoned stagings every `intervalMs` on an unref'd timer: it never keeps the process
 * alive. It stops by itself once the database is closed, or with `stop()`. A sweep never
 * overlaps the previous one; a failed sweep is logged and tried again next period.
 *
 * @example
 * ```ts
 * const sweeper = startStagingSweeper(kv, { intervalMs: 60_000 });
 * // …
 * await sweeper.stop();
 * ```
 */
export function startStagingSweeper(
  kv: Deno.Kv,
  opts: StagingSweeperOptions = {},
): StagingSweeper {
  const intervalMs = opts.intervalMs ?? STAGING_SWEEP_INTERVAL_MS;
  const abandonedAfterMs = opts.abandonedAfterMs ?? ABANDONED_STAGING_AFTER_MS;
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  async function sweep(): Promise<void> {
    try {
      await sweepAbandonedStagings(kv, Date.now(), abandonedAfterMs);
    } catch (err) {
      // The store's database was closed: nothing left to sweep.
      if (err instanceof Deno.errors.BadResource) halt();
      else console.error("Sweeping abandoned staged batches failed; retrying next period:", err);
    } finally {
      inFlight = null;
    }
  }
  const timer = setInterval(() => {
    if (inFlight === null && !stopped) inFlight = sweep();
  }, intervalMs);
  Deno.unrefTimer(timer);
  function halt(): void {
    stopped = true;
    clearInterval(timer);
  }
  return {
    async stop() {
      halt();
      await inFlight;
    },
  };
}
