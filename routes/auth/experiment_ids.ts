/**
 * A per-process memory of which experiment a run or a logged model belongs to, for the auth
 * middleware: a grant names an experiment, a request names a run, and reading the run to find
 * its experiment (`TrackingStore.getRun` lists the whole run) was the largest part of the
 * per-request cost of auth on `log-metric` (measured in `deno task bench --only auth`).
 *
 * Safe to keep without expiry or cross-process checks because the mapping never changes: run
 * and logged-model ids are random and never reused, and no API moves a run or a model to another
 * experiment. Only the mapping is kept; the caller's grant on the experiment is still read on
 * every request, so grants and revocations take effect at once in every process.
 *
 * @module
 */

/** At most this many run and logged-model ids are remembered per process (least recent out). */
export const MAX_CACHED_EXPERIMENT_IDS = 10_000;

/** What a resource id maps to; the kinds are kept apart so ids of two kinds never collide. */
export type OwnedResource = "run" | "logged_model";

/** The memory; see the module doc. */
export interface ExperimentIdCache {
  /** The experiment id remembered for the resource, if any. */
  get(kind: OwnedResource, id: string): string | undefined;
  /** Remembers the experiment of a resource that exists (never of a failed lookup). */
  set(kind: OwnedResource, id: string, experimentId: string): void;
  readonly size: number;
}

/**
 * Creates an empty cache.
 * @example
 * ```ts
 * const experiments = createExperimentIdCache();
 * const id = experiments.get("run", runId) ??
 *   (await store.getRun(runId)).info.experiment_id;
 * ```
 */
export function createExperimentIdCache(
  maxEntries = MAX_CACHED_EXPERIMENT_IDS,
): ExperimentIdCache {
  const entries = new Map<string, string>();
  return {
    get(kind, id) {
      const key = `${kind}:${id}`;
      const v = entries.get(key);
      if (v !== undefined) {
        entries.delete(key);
        entries.set(key, v);
      }
      return v;
    },
    set(kind, id, experimentId) {
      const key = `${kind}:${id}`;
      entries.delete(key);
      entries.set(key, experimentId);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    get size() {
      return entries.size;
    },
  };
}
