/**
 * The in-memory auth store: Maps, for tests and `--store memory`. It behaves as the KV backend
 * does (the conformance suite in tests/conformance/auth/ runs on both).
 *
 * @module
 */
import { grantMethods } from "../grant_methods.ts";
import { type AuthStore, type AuthStoreOptions, DEFAULT_PBKDF2_ITERATIONS } from "../types.ts";
import type { State } from "./_state.ts";
import { memoryCredentials } from "./credentials.ts";
import { memoryGrants } from "./grants.ts";
import { memoryUsers } from "./users.ts";

/**
 * Creates an empty in-memory auth store.
 * @example
 * ```ts
 * const auth = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
 * await auth.createUser("admin", "a long password", true);
 * ```
 */
export function createMemoryAuthStore(opts: AuthStoreOptions = {}): AuthStore {
  const s: State = {
    now: opts.now ?? Date.now,
    iterations: opts.pbkdf2Iterations ?? DEFAULT_PBKDF2_ITERATIONS,
    users: new Map(),
    byName: new Map(),
    nextUserId: 1,
    grants: new Map(),
    tokens: new Map(),
    sessions: new Map(),
    failed: new Map(),
  };
  return {
    ...memoryUsers(s),
    ...grantMethods(memoryGrants(s, "experiment"), memoryGrants(s, "registered_model")),
    ...memoryCredentials(s),
  };
}
