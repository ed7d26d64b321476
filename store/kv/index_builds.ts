/**
 * Building an index that stores written before it existed lack, once per database: the entries
 * go out in commits of at most {@linkcode INDEX_BUILD_COMMIT_KEYS}, then a mark under
 * `index_builds` tells later opens to skip it. A build killed midway runs again on the next
 * open; its entries are plain sets, so writing one twice is harmless.
 *
 * @module
 */
import { applyMutations, type Mutation } from "./mutations.ts";
import { batchedReads } from "./read_batcher.ts";

/** Index entries one build commit writes (under every backend's mutation and size limits). */
export const INDEX_BUILD_COMMIT_KEYS = 500;

/**
 * Unless `builtKey` is set, writes the entries `collect` returns and then sets `builtKey`. The
 * mark's read goes through the read batcher, so a store opening with several builds pays one
 * round trip when all are done.
 */
export async function buildIndexOnce(
  kv: Deno.Kv,
  builtKey: Deno.KvKey,
  collect: () => Promise<Mutation[]>,
): Promise<void> {
  if ((await batchedReads(kv).get(builtKey)).value) return;
  const entries = await collect();
  for (let i = 0; i < entries.length; i += INDEX_BUILD_COMMIT_KEYS) {
    const op = kv.atomic();
    applyMutations(op, entries.slice(i, i + INDEX_BUILD_COMMIT_KEYS));
    await op.commit();
  }
  await kv.set(builtKey, true);
}
