/**
 * The two steps every KV purge shares: the mark (the first commit, which sets the tombstone and
 * makes the entity gone for every reader and writer) and the order after it: `onMarked` (where gc
 * deletes artifacts) before any other key goes, then batched deletes, the tombstone last, so a
 * purge interrupted anywhere is finished by the next one.
 *
 * @module
 */
import type { PurgeHooks, PurgeTarget } from "../purge_types.ts";
import { KeyDeleter } from "./purge_batches.ts";
import { type RETRY, withRetry } from "./retry.ts";
import type { KvContext } from "./run_write.ts";

/** Where an entity's live record and its purge tombstone are stored. */
export interface MarkKeys {
  record: Deno.KvKey;
  tombstone: Deno.KvKey;
}

/**
 * Marks an entity (or finds it marked) and returns its last record. Each attempt reads the record
 * and the tombstone together: a tombstone means an earlier purge marked it (its record is
 * returned, so this purge resumes that one); neither means `notFound()`. Otherwise `commit`
 * refuses what may not be purged and commits the mark under a check of `rec`, or returns
 * {@linkcode RETRY} when that check (or another) failed.
 */
export async function markEntity<T>(
  ctx: KvContext,
  what: string,
  keys: MarkKeys,
  notFound: () => Error,
  commit: (rec: Deno.KvEntry<T>) => Promise<T | typeof RETRY>,
): Promise<T> {
  return await withRetry(`purge ${what}`, async () => {
    const [rec, tomb] = await ctx.kv.getMany<[T, T]>([keys.record, keys.tombstone]);
    if (tomb.value !== null) return tomb.value;
    if (rec.value === null) throw notFound();
    return await commit(rec as Deno.KvEntry<T>);
  });
}

/**
 * Runs one purge in the order every purge keeps: `mark` (or find marked), then
 * `hooks.onMarked` with the entity's target, then `finish`, which deletes the rest through a
 * deleter that reports each committed batch to `hooks.onBatch` (and deletes the tombstone last).
 */
export async function purgeMarked<T>(
  ctx: KvContext,
  hooks: PurgeHooks,
  mark: () => Promise<T>,
  targetOf: (rec: T) => PurgeTarget,
  finish: (rec: T, del: KeyDeleter) => Promise<void>,
): Promise<void> {
  const rec = await mark();
  const target = targetOf(rec);
  await hooks.onMarked?.(target);
  await finish(rec, new KeyDeleter(ctx.kv, ctx.limits, (n) => hooks.onBatch?.(target, n)));
}
