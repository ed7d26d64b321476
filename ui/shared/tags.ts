/**
 * Tag helpers shared by pages and islands.
 *
 * @module
 */
import type { Tag } from "../../store/types.ts";

/**
 * The tags a user set: everything but MLflow's own `mlflow.*` bookkeeping (source, user, notes),
 * which pages show in their own places.
 *
 * @example
 * ```ts
 * userTags([{ key: "team", value: "nlp" }, { key: "mlflow.user", value: "ana" }]);
 * // [{ key: "team", value: "nlp" }]
 * ```
 */
export function userTags(tags: readonly Tag[] | undefined): Tag[] {
  return (tags ?? []).filter((t) => !t.key.startsWith("mlflow."));
}

/** MLflow's own `mlflow.*` tags, sorted by key: the complement of {@linkcode userTags}. */
export function systemTags(tags: readonly Tag[] | undefined): Tag[] {
  return (tags ?? []).filter((t) => t.key.startsWith("mlflow.")).sort(byKey);
}

/**
 * Orders tags, params and metrics by key, for `Array.prototype.sort`.
 *
 * @example
 * ```ts
 * [...run.data.params].sort(byKey);
 * ```
 */
export function byKey(a: { key: string }, b: { key: string }): number {
  return a.key.localeCompare(b.key);
}
