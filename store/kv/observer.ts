/**
 * How the KV store reports what it does (commits, conflicts, lock retries, staged batches, points)
 * to whoever watches, without the store knowing about HTTP or Prometheus: `main.ts` hands
 * {@linkcode KvStoreOptions.observer} an object that feeds routes/monitoring/'s counters.
 *
 * @module
 */
import { isLockedError } from "./retry.ts";

/**
 * Receives the store's events. Every method must be cheap and must not throw: they run on the
 * write path, once per commit.
 *
 * @example
 * ```ts
 * let commits = 0;
 * const store = await createKvStore(kv, {
 *   observer: { onCommit: () => commits++, onLocked() {}, onStagedBatch() {}, onPoints() {} },
 * });
 * ```
 */
export interface StoreObserver {
  /**
   * An atomic commit (or a single `set`/`delete`) came back: `ok` false when one of its checks
   * failed, i.e. another writer got there first (the writer re-reads and retries, or reports the
   * conflict).
   */
  onCommit(ok: boolean): void;
  /** A commit was refused with SQLite's `database is locked`; the store retries it. */
  onLocked(): void;
  /** A run write too large for one commit went through the staged (multi-commit) path. */
  onStagedBatch(): void;
  /** `n` metric points were written by a successful `logBatch`. */
  onPoints(n: number): void;
}

/**
 * `kv` with every atomic commit, `set` and `delete` reported to `observer`. Every other method
 * is `kv`'s own, bound to it, so the wrapper behaves as the database it wraps.
 */
export function observeKv(kv: Deno.Kv, observer: StoreObserver): Deno.Kv {
  const atomic = () => observeAtomic(kv.atomic(), observer);
  const set: Deno.Kv["set"] = (key, value, options) =>
    reported(kv.set(key, value, options), observer);
  const del: Deno.Kv["delete"] = async (key) => {
    await kv.delete(key);
    observer.onCommit(true);
  };
  // Deno.Kv's methods read private state: they must run with the real database as `this`.
  const bound = new Map<PropertyKey, unknown>([["atomic", atomic], ["set", set], ["delete", del]]);
  return new Proxy(kv, {
    get(target, prop) {
      const known = bound.get(prop);
      if (known !== undefined) return known;
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const fn = value.bind(target);
      bound.set(prop, fn);
      return fn;
    },
  });
}

function observeAtomic(op: Deno.AtomicOperation, observer: StoreObserver): Deno.AtomicOperation {
  const commit = op.commit.bind(op);
  op.commit = () => reported(commit(), observer);
  return op;
}

async function reported<T extends Deno.KvCommitResult | Deno.KvCommitError>(
  pending: Promise<T>,
  observer: StoreObserver,
): Promise<T> {
  try {
    const res = await pending;
    observer.onCommit(res.ok);
    return res;
  } catch (e) {
    if (isLockedError(e)) observer.onLocked();
    throw e;
  }
}
