/**
 * Every Deno KV key of the auth store, built in this one place. All prefixes start with `auth_`,
 * so they never meet the tracking store's (store/kv/keys.ts) in one database. Index prefixes read
 * `<things>_by_<field>`; index values are pointers, never copies.
 *
 * @module
 */
import type { GrantKind } from "../messages.ts";

/** The last user id handed out (a number); ids are never reused. */
export const userSeqKey = () => ["auth_counters", "user_id"] as const;
/** A user record (id, name, admin flag, password hash, session epoch, grant sequence). */
export const userKey = (id: number) => ["auth_users", id] as const;
/** Unique-name index: username → user id. */
export const userByNameKey = (username: string) => ["auth_users_by_name", username] as const;
/** Prefix of the name index, listed in name order by `listUsers`. */
export const usersByNamePrefix = () => ["auth_users_by_name"] as const;

/** One grant: (kind, resource, user id) → `{ permission, seq }`. */
export const grantKey = (kind: GrantKind, resource: string, userId: number) =>
  ["auth_grants", kind, resource, userId] as const;
/** Prefix of every grant on one resource. */
export const grantsOfResourcePrefix = (kind: GrantKind, resource: string) =>
  ["auth_grants", kind, resource] as const;
/**
 * A user's grants in insertion order: (user id, seq) → `{ kind, resource }`, the pointer
 * `users/get` follows to list grants as MLflow does.
 */
export const grantByUserKey = (userId: number, seq: number) =>
  ["auth_grants_by_user", userId, seq] as const;
/** Prefix of one user's grant pointers. */
export const grantsByUserPrefix = (userId: number) => ["auth_grants_by_user", userId] as const;

/** An API token record, under the SHA-256 digest of its secret. */
export const tokenKey = (digest: string) => ["auth_tokens", digest] as const;
/** A user's tokens: (user id, token id) → digest. */
export const tokenByUserKey = (userId: number, tokenId: string) =>
  ["auth_tokens_by_user", userId, tokenId] as const;
/** Prefix of one user's token pointers. */
export const tokensByUserPrefix = (userId: number) => ["auth_tokens_by_user", userId] as const;

/** A session record, under the SHA-256 digest of its id. */
export const sessionKey = (digest: string) => ["auth_sessions", digest] as const;
/** A user's sessions: (user id, digest) → null, so a deleted user's sessions can be found. */
export const sessionByUserKey = (userId: number, digest: string) =>
  ["auth_sessions_by_user", userId, digest] as const;
/** Prefix of one user's session pointers. */
export const sessionsByUserPrefix = (userId: number) => ["auth_sessions_by_user", userId] as const;

/** A failed-login counter `{ count, resets_at }` under a username or client address. */
export const failedLoginsKey = (key: string) => ["auth_failed_logins", key] as const;
