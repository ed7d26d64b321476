/**
 * `listExperimentKeys` over Deno KV: the distinct keys an experiment's runs use, read from the
 * search indexes `runs_by_param`, `runs_by_metric` and `runs_by_tag` (keyed experiment, key, …)
 * rather than from the runs. Each index is walked as a skip scan: one list call of a small batch
 * collects the keys it sees, then the next call starts past every entry of the last key seen. So a
 * read costs about one round trip per {@linkcode BATCH} keys when keys are used by few runs, and
 * at worst one per key when each is used by many — never one per run, whatever the run count.
 *
 * @module
 */
import type { ExperimentKeys } from "../types.ts";
import { EXPERIMENT_KEYS_LIMIT } from "../types.ts";
import { batchedReads } from "./read_batcher.ts";
import { experimentKey, RUN_KEY_INDEXES } from "./keys.ts";
import type { ExperimentRecord } from "./records.ts";
import { experimentNotFound } from "./experiments.ts";
import type { KvContext } from "./run_write.ts";

/** Index entries per list call of the skip scan. */
const BATCH = 100;

/**
 * The distinct keys under `[index, expId]` (the key is the third key part), in key order, at most
 * `limit`; `truncated` when more exist.
 */
export async function distinctIndexKeys(
  kv: Deno.Kv,
  index: string,
  expId: string,
  limit: number,
): Promise<{ keys: string[]; truncated: boolean }> {
  const prefix = [index, expId];
  const keys: string[] = [];
  // `true` sorts after every string and number KV key part, so [index, exp, key, true] is past
  // every entry of `key` (the values after the key are strings or numbers).
  let start: Deno.KvKey | undefined;
  for (;;) {
    const selector = start ? { prefix, start } : { prefix };
    let n = 0;
    let last: string | undefined;
    for await (const e of kv.list(selector, { limit: BATCH, batchSize: BATCH })) {
      n++;
      const key = e.key[2] as string;
      if (key === last) continue;
      last = key;
      if (keys.length === limit) return { keys, truncated: true };
      keys.push(key);
    }
    if (n < BATCH || last === undefined) return { keys, truncated: false };
    start = [index, expId, last, true];
  }
}

/** The distinct param, metric and tag keys of experiment `expId`'s runs (see the module doc). */
export async function listExperimentKeys(
  ctx: KvContext,
  expId: string,
  limit = EXPERIMENT_KEYS_LIMIT,
): Promise<ExperimentKeys> {
  const [exp, params, metrics, tags] = await Promise.all([
    batchedReads(ctx.kv).get<ExperimentRecord>(experimentKey(expId)),
    distinctIndexKeys(ctx.kv, RUN_KEY_INDEXES.params, expId, limit),
    distinctIndexKeys(ctx.kv, RUN_KEY_INDEXES.metrics, expId, limit),
    distinctIndexKeys(ctx.kv, RUN_KEY_INDEXES.tags, expId, limit),
  ]);
  if (exp.value === null) throw experimentNotFound(expId);
  return {
    paramKeys: params.keys,
    metricKeys: metrics.keys,
    tagKeys: tags.keys,
    truncated: params.truncated || metrics.truncated || tags.truncated,
  };
}
