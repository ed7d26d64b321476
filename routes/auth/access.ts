/**
 * What the caller may read, as two synchronous predicates, for the places that show many items
 * at once: the searches (`experiments/search`, `registered-models/search`,
 * `model-versions/search`) and the UI's pages. A per-item check would cost a KV read per item;
 * this reads the caller's grants once (`AuthStore.getUser`) and answers from memory.
 *
 * Handlers get it from `c.var.access()`: without auth, or for an admin, everything is readable
 * and nothing is read from KV.
 *
 * @example
 * ```ts
 * const access = await c.var.access();
 * const page = await store.searchExperiments({ ...opts, visible: access.experiment });
 * ```
 *
 * @module
 */
import type { AuthStore, Permission, User } from "../../store/auth/types.ts";
import { canRead } from "./permissions.ts";

/** The caller's read access: per experiment id and per registered-model name. */
export interface Access {
  /** True when nothing is hidden (no auth, or an admin): callers may skip filtering. */
  readonly all: boolean;
  /** Whether the caller may read the experiment with this id (and its runs, models, artifacts). */
  experiment(id: string): boolean;
  /** Whether the caller may read the registered model with this name (and its versions). */
  registeredModel(name: string): boolean;
}

/** Everything readable: no auth, or an admin. */
export const FULL_ACCESS: Access = Object.freeze({
  all: true,
  experiment: () => true,
  registeredModel: () => true,
});

/**
 * The caller's access from their grants and the server's default permission. One KV read
 * (their grants); admins read nothing.
 */
export async function loadAccess(
  store: AuthStore,
  user: User,
  defaultPermission: Permission,
): Promise<Access> {
  if (user.is_admin) return FULL_ACCESS;
  const { experiment_permissions, registered_model_permissions } = await store.getUser(
    user.username,
  );
  const experiments = new Map(experiment_permissions.map((g) => [g.experiment_id, g.permission]));
  const models = new Map(registered_model_permissions.map((g) => [g.name, g.permission]));
  const fallback = canRead(defaultPermission);
  const hidesNothing = fallback && [...experiments.values(), ...models.values()].every(canRead);
  return Object.freeze({
    all: hidesNothing,
    experiment: (id: string) => {
      const p = experiments.get(id);
      return p === undefined ? fallback : canRead(p);
    },
    registeredModel: (name: string) => {
      const p = models.get(name);
      return p === undefined ? fallback : canRead(p);
    },
  });
}
