/**
 * The Deno KV auth store. Every entity write and its index writes go in one checked atomic
 * commit, retried on conflicts and `database is locked` with bounded backoff, so several
 * processes or isolates sharing one database stay consistent: usernames are unique, user ids come
 * from one counter and are never reused, and grants are unique per (resource, user).
 *
 * @module
 */
import { DEFAULT_PBKDF2_ITERATIONS } from "../types.ts";
import type { AuthStore, AuthStoreOptions } from "../types.ts";
import type { Ctx } from "./_ctx.ts";
import { kvFailedLogins } from "./failed_logins.ts";
import { kvGrants } from "./grants.ts";
import { kvSessions } from "./sessions.ts";
import { kvTokens } from "./tokens.ts";
import { kvUsers } from "./users.ts";

/**
 * Creates the auth store over an open KV handle (which the caller owns and closes).
 * @example
 * ```ts
 * const kv = await Deno.openKv("mlruns.kv");
 * const auth = createKvAuthStore(kv);
 * const alice = await auth.verifyPassword("alice", "correct horse battery");
 * ```
 */
export function createKvAuthStore(kv: Deno.Kv, opts: AuthStoreOptions = {}): AuthStore {
  const ctx: Ctx = {
    kv,
    now: opts.now ?? Date.now,
    iterations: opts.pbkdf2Iterations ?? DEFAULT_PBKDF2_ITERATIONS,
  };
  const exp = kvGrants(ctx, "experiment");
  const model = kvGrants(ctx, "registered_model");
  return {
    ...kvUsers(ctx),
    ...kvTokens(ctx),
    ...kvSessions(ctx),
    ...kvFailedLogins(ctx),

    async createExperimentPermission(experiment_id, username, permission) {
      const user_id = await exp.create(experiment_id, username, permission);
      return { experiment_id, user_id, permission };
    },
    async getExperimentPermission(experiment_id, username) {
      const g = await exp.get(experiment_id, username);
      return { experiment_id, user_id: g.userId, permission: g.permission };
    },
    findExperimentPermission: (experimentId, userId) => exp.find(experimentId, userId),
    updateExperimentPermission: (id, username, p) => exp.update(id, username, p),
    deleteExperimentPermission: (id, username) => exp.remove(id, username),
    listExperimentGrants: (id) => exp.list(id),

    async createRegisteredModelPermission(name, username, permission) {
      const user_id = await model.create(name, username, permission);
      return { name, user_id, permission };
    },
    async getRegisteredModelPermission(name, username) {
      const g = await model.get(name, username);
      return { name, user_id: g.userId, permission: g.permission };
    },
    findRegisteredModelPermission: (name, userId) => model.find(name, userId),
    updateRegisteredModelPermission: (name, username, p) => model.update(name, username, p),
    deleteRegisteredModelPermission: (name, username) => model.remove(name, username),
    listRegisteredModelGrants: (name) => model.list(name),
    renameRegisteredModelGrants: (oldName, newName) => model.moveAll(oldName, newName),
    deleteRegisteredModelGrants: (name) => model.moveAll(name),
  };
}
