/**
 * Older schema layouts made from a current store, for migration tests.
 *
 * @module
 */
import {
  experimentLifecyclesKey,
  loggedModelsByRunBuiltKey,
  loggedModelsByRunPrefix,
  migrationProgressKey,
  modelVersionsBySourceModelBuiltKey,
  pendingBatchCountKey,
  schemaVersionKey,
} from "../../store/kv/keys.ts";

/**
 * Removes what schema versions 2–5 added (the version key, the lifecycles key, the pending-batch
 * count, both built indexes and their marks): the store as kvflow wrote it before it recorded
 * versions, when each open built these.
 */
export async function toVersionOne(kv: Deno.Kv): Promise<void> {
  for (
    const key of [
      schemaVersionKey(),
      migrationProgressKey(),
      experimentLifecyclesKey(),
      pendingBatchCountKey(),
      loggedModelsByRunBuiltKey(),
      modelVersionsBySourceModelBuiltKey(),
    ]
  ) await kv.delete(key);
  for (const prefix of [loggedModelsByRunPrefix(), ["model_versions_by_source_model"]]) {
    for await (const e of kv.list({ prefix })) await kv.delete(e.key);
  }
}
