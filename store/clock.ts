/**
 * The clock a store writes entity times with (`now` in `KvStoreOptions` / `MemoryStoreOptions`).
 * A server uses `Date.now`; an import (`store/ops/import.ts`) sets it to each recorded time
 * before the write that records it, so a deletion, a stage transition or a finalize keeps its
 * original time. Stores never use it for retries, leases, sweeps or timeouts.
 *
 * @module
 */

/**
 * A clock that reads `Date.now()` until {@linkcode SettableClock.set} pins it.
 *
 * @example
 * ```ts
 * const clock = new SettableClock();
 * const store = await createKvStore(kv, { now: clock.now });
 * clock.set(1_700_000_000_000);
 * await store.deleteExperiment("3"); // last_update_time 1_700_000_000_000
 * clock.set(undefined);
 * ```
 */
export class SettableClock {
  #at: number | undefined;
  /** The pinned time, or `Date.now()`; bound, so it can be passed as a store's `now`. */
  readonly now = (): number => this.#at ?? Date.now();
  /** Pins the clock at `at` (milliseconds since the epoch); `undefined` unpins it. */
  set(at: number | undefined): void {
    this.#at = at;
  }
}
