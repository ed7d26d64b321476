/**
 * Batched deletes for purges: keys are deleted in commits as large as the backend's limits allow
 * (mutations and key bytes, see `commit_limits.ts`), listed a page at a time, so a purge of any
 * size holds at most one commit's keys in memory.
 *
 * @module
 */
import type { CommitLimits } from "./commit_limits.ts";
import { keyBytes } from "./mutations.ts";
import { RETRY, withRetry } from "./retry.ts";

/** Entries one list call of a purge fetches per round trip. */
export const PURGE_LIST_BATCH = 500;

/** Collects keys to delete and commits them whenever the next group would not fit. */
export class KeyDeleter {
  #kv: Deno.Kv;
  #limits: CommitLimits;
  #onCommit: (deleted: number) => Promise<void> | void;
  #keys: Deno.KvKey[] = [];
  #keyBytes = 0;

  constructor(
    kv: Deno.Kv,
    limits: CommitLimits,
    onCommit: (deleted: number) => Promise<void> | void,
  ) {
    this.#kv = kv;
    this.#limits = limits;
    this.#onCommit = onCommit;
  }

  /** Queues `keys`, which land in one commit together (an entry and its index entries). */
  async add(...keys: Deno.KvKey[]): Promise<void> {
    let bytes = 0;
    for (const k of keys) bytes += keyBytes(k);
    if (
      this.#keys.length + keys.length > this.#limits.mutations ||
      this.#keyBytes + bytes > this.#limits.keyBytes
    ) await this.flush();
    this.#keys.push(...keys);
    this.#keyBytes += bytes;
  }

  /** Commits the queued deletes (deleting a missing key is a no-op, so a retry is harmless). */
  async flush(): Promise<void> {
    const keys = this.#keys;
    if (keys.length === 0) return;
    this.#keys = [];
    this.#keyBytes = 0;
    await withRetry("purge deleted entities", async () => {
      const op = this.#kv.atomic();
      for (const k of keys) op.delete(k);
      return (await op.commit()).ok ? true : RETRY;
    });
    await this.#onCommit(keys.length);
  }

  /** Queues every key under `prefix` (only those `only` accepts, when given), a page at a time. */
  async addPrefix(prefix: Deno.KvKey, only?: (key: Deno.KvKey) => boolean): Promise<void> {
    for await (const e of this.#kv.list({ prefix }, { batchSize: PURGE_LIST_BATCH })) {
      if (!only || only(e.key)) await this.add(e.key);
    }
  }
}
