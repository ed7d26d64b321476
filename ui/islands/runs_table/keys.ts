/**
 * The column chooser's key lists: the keys of the loaded rows merged with every key of the
 * experiment (from `experiments/list-keys`), filtered by the chooser's search box.
 *
 * @module
 */
import type { ColumnType } from "./state.ts";

/** Keys per column type. */
export type KeyLists = Record<ColumnType, string[]>;

/** Whether a tag key is one of MLflow's system tags (`mlflow.*`), hidden unless asked for. */
export function isSystemTag(key: string): boolean {
  return key.startsWith("mlflow.");
}

/** Each type's keys of `a` and `b` together, once each, sorted as the chooser lists them. */
export function mergeKeys(a: KeyLists, b: Partial<KeyLists>): KeyLists {
  const merge = (x: string[], y: string[] = []) =>
    [...new Set([...x, ...y])].sort((p, q) => p.localeCompare(q));
  return {
    metrics: merge(a.metrics, b.metrics),
    params: merge(a.params, b.params),
    tags: merge(a.tags, b.tags),
  };
}

/**
 * The keys the chooser shows: those containing every word of `query` (case-insensitive), system
 * tags only when `system` is set. With the search box empty, keys shown as columns (`chosen`)
 * are listed even when they are system tags, so every shown column can be hidden again.
 */
export function visibleKeys(
  keys: KeyLists,
  query: string,
  system: boolean,
  chosen: ReadonlySet<string> = new Set(),
): KeyLists {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const pick = (type: ColumnType) =>
    keys[type].filter((k) => {
      if (chosen.has(`${type}.${k}`) && words.length === 0) return true;
      if (type === "tags" && !system && isSystemTag(k)) return false;
      const lower = k.toLowerCase();
      return words.every((w) => lower.includes(w));
    });
  return { metrics: pick("metrics"), params: pick("params"), tags: pick("tags") };
}
