/**
 * The first admin (issue 11 §1): kvflow never ships a default password (MLflow's is
 * `password1234`), so the operator names the admin account on start and the server makes sure it
 * exists. Run on every start, by every process or isolate: it is idempotent, safe when several
 * start at once on one database, and never changes an existing user's password, so a password
 * changed through `users/update-password` survives a restart with the old variables still set.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import type { AuthStore } from "./types.ts";

/** The admin account named at start (`KVFLOW_ADMIN_USERNAME`, `KVFLOW_ADMIN_PASSWORD`). */
export interface AdminCredentials {
  username: string;
  password: string;
}

/**
 * What {@linkcode ensureAdmin} did:
 * - `created`: the user did not exist and was created as an admin with the given password;
 * - `promoted`: the user existed without admin rights and was made an admin (password untouched);
 * - `unchanged`: the user existed and was already an admin (password untouched);
 * - `users-exist`: no admin was named, and the store already has users, so nothing was needed;
 * - `no-users`: no admin was named and the store has no user, so nobody could ever log in: the
 *   caller must refuse to start.
 */
export type EnsureAdminOutcome = "created" | "promoted" | "unchanged" | "users-exist" | "no-users";

/**
 * Makes sure the named admin exists and is an admin, or, with none named, that someone can log
 * in at all. A new user is created with the store's own checks (username rules, a password of
 * at least `MIN_PASSWORD_LENGTH` characters), which throw `MlflowError` as usual.
 *
 * @example
 * ```ts
 * const outcome = await ensureAdmin(createKvAuthStore(kv), { username: "admin", password });
 * if (outcome === "no-users") throw new Error("set KVFLOW_ADMIN_USERNAME and KVFLOW_ADMIN_PASSWORD");
 * ```
 */
export async function ensureAdmin(
  store: AuthStore,
  admin: AdminCredentials | undefined,
): Promise<EnsureAdminOutcome> {
  if (admin === undefined) {
    const { users } = await store.listUsers({ maxResults: 1 });
    return users.length > 0 ? "users-exist" : "no-users";
  }
  let existing = await findUser(store, admin.username);
  if (existing === null) {
    try {
      await store.createUser(admin.username, admin.password, true);
      return "created";
    } catch (e) {
      // Another process starting at the same moment created it first: treat it as existing.
      if (!(e instanceof MlflowError && e.code === "RESOURCE_ALREADY_EXISTS")) throw e;
      existing = await store.getUser(admin.username);
    }
  }
  if (existing.is_admin) return "unchanged";
  await store.updateAdmin(admin.username, true);
  return "promoted";
}

async function findUser(store: AuthStore, username: string) {
  try {
    return await store.getUser(username);
  } catch (e) {
    if (e instanceof MlflowError && e.code === "RESOURCE_DOES_NOT_EXIST") return null;
    throw e;
  }
}
