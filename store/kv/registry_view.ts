/**
 * A registered model's view: one key holding everything stored under the model's own prefixes
 * (its tags, aliases, versions and version tags), so a page or a `name = …` version search reads
 * a whole model in one point read, with the record, instead of one list per prefix and a
 * consistency re-read (issue 12 §3: a registered model's page was 11 round trips).
 *
 * **Consistency.** Every write under a model checks and re-sets the model record
 * (`registry_io.ts`), and each such commit also writes the view it computes from the view read
 * with the record (one snapshot) and the commit's own mutations. So a view read in one snapshot
 * with the record is that model's exact state. A model with no view (written by a server before
 * the view existed) gets one built from its lists on its next write; until then, and for a model
 * whose view would pass {@linkcode MAX_MODEL_VIEW_BYTES} (it keeps an overflow mark), readers use
 * the lists as before. Servers that do not write views must not share a database with ones that
 * do: their writes would leave a stale view.
 *
 * @module
 */
import {
  modelVersionsPrefix,
  modelVersionTagsPrefix,
  registeredModelAliasesPrefix,
  registeredModelTagsPrefix,
} from "./keys.ts";
import { estimateSize } from "./mutations.ts";
import { compareCodePoints } from "./records.ts";

/**
 * Most estimated bytes a view holds; past it the model keeps an overflow mark and is read from
 * its lists. Well under KV's 64 KiB value limit, and small enough that a registry write's commit
 * (which carries the view) stays a modest request.
 */
export const MAX_MODEL_VIEW_BYTES = 24 * 1024;

/** What is stored under `registeredModelViewKey`: the model's entries in key order, or overflow. */
export type ModelView = { entries: [Deno.KvKey, unknown][] } | { overflow: true };

/** The prefixes a view covers, for model `id`. */
export function viewPrefixes(id: string): Deno.KvKey[] {
  return [
    registeredModelTagsPrefix(id),
    registeredModelAliasesPrefix(id),
    modelVersionsPrefix(id),
    modelVersionTagsPrefix(id),
  ];
}

function startsWith(key: Deno.KvKey, prefix: Deno.KvKey): boolean {
  return prefix.length < key.length && prefix.every((p, i) => key[i] === p);
}

/** Whether `key` belongs in model `id`'s view. */
export function inView(id: string, key: Deno.KvKey): boolean {
  return viewPrefixes(id).some((p) => startsWith(key, p));
}

/** KV's key order for the parts a view holds (strings by code point, numbers numerically). */
export function compareKeys(a: Deno.KvKey, b: Deno.KvKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i], y = b[i];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (typeof x === "string" && typeof y === "string") return compareCodePoints(x, y);
    // Mixed types do not occur at one position of a model's keys; KV puts numbers after strings.
    return typeof x === "string" ? -1 : 1;
  }
  return a.length - b.length;
}

/** A view of `entries` (any order), or the overflow mark when it would be too large. */
export function viewOf(entries: Iterable<[Deno.KvKey, unknown]>): ModelView {
  const sorted = [...entries].sort(([a], [b]) => compareKeys(a, b));
  return estimateSize(sorted) > MAX_MODEL_VIEW_BYTES ? { overflow: true } : { entries: sorted };
}

/**
 * The view after `changes` (a commit's sets, and deletes as `undefined`) on model `id`; `view`
 * must be the one read in the same snapshot as the record the commit checks.
 */
export function nextView(
  id: string,
  view: ModelView,
  changes: Iterable<[Deno.KvKey, unknown]>,
): ModelView {
  if (!("entries" in view)) return view;
  const byKey = new Map(view.entries.map(([k, v]) => [JSON.stringify(k), [k, v] as const]));
  for (const [key, value] of changes) {
    if (!inView(id, key)) continue;
    if (value === undefined) byKey.delete(JSON.stringify(key));
    else byKey.set(JSON.stringify(key), [key, value]);
  }
  return viewOf([...byKey.values()].map(([k, v]) => [k, v]));
}

/** The view's entries under `prefix`, in key order, as listed entries. */
export function viewList<T = unknown>(
  view: { entries: [Deno.KvKey, unknown][] },
  prefix: Deno.KvKey,
): Deno.KvEntry<T>[] {
  return view.entries.filter(([k]) => startsWith(k, prefix)).map(([key, value]) => ({
    key,
    value: value as T,
    versionstamp: "",
  }));
}
