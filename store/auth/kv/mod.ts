/**
 * The Deno KV auth store. Every entity write and its index writes go in one checked atomic
 * commit, retried on conflicts and `database is locked` with bounded backoff, so several
 * processes or isolates sharing one database stay consistent: usernames are unique, user ids come
 * from one counter and are never reused, and grants are unique per (resource, user).
 *
 * @module
 */
import { grantMethods } from "../grant_methods.ts";
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
  return {
    ...kvUsers(ctx),
    ...grantMethods(kvGrants(ctx, "experiment"), kvGrants(ctx, "registered_model")),
    ...kvTokens(ctx),
    ...kvSessions(ctx),
    ...kvFailedLogins(ctx),
  };
}
