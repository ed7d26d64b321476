/**
 * The contract of kvflow's auth persistence (issue 11): users, per-experiment and
 * per-registered-model grants, API tokens, browser sessions and failed-login counters. Like
 * `TrackingStore`, it has a KV backend (`store/auth/kv/`) and an in-memory one
 * (`store/auth/memory/`) that pass one conformance suite (`tests/conformance/auth/`). It knows
 * nothing of HTTP: the auth middleware (later) decides who may do what; this module only stores
 * and verifies.
 *
 * Secrets are never stored: passwords as salted PBKDF2-SHA256 hashes, API tokens and session ids
 * as SHA-256 digests. Wire shapes follow MLflow's basic-auth app (../shared/mlflow-auth-traffic.md
 * §4): `user_id` in a grant is the numeric user id.
 *
 * @module
 */

/** MLflow's permission levels, weakest first after `NO_PERMISSIONS`. */
export type Permission = "READ" | "EDIT" | "MANAGE" | "NO_PERMISSIONS";

/** The permission names in MLflow's order, for validation messages. */
export const PERMISSIONS: readonly Permission[] = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"];

/** Whether `s` names one of MLflow's levels (exact, case-sensitive, as MLflow compares). */
export function isPermission(s: unknown): s is Permission {
  return typeof s === "string" && (PERMISSIONS as readonly string[]).includes(s);
}

/** A user as MLflow's `users/get` shows it, without grants (see {@linkcode AuthStore.getUser}). */
export interface User {
  /** Numeric id, allocated in creation order from 1 (MLflow's `users.id`). */
  id: number;
  username: string;
  is_admin: boolean;
}

/** One experiment grant, as MLflow's `experiment_permission` object. */
export interface ExperimentPermission {
  experiment_id: string;
  user_id: number;
  permission: Permission;
}

/** One registered-model grant, as MLflow's `registered_model_permission` object. */
export interface RegisteredModelPermission {
  name: string;
  user_id: number;
  permission: Permission;
}

/** A user with their grants, in insertion order: MLflow's `users/get` body. */
export interface UserWithPermissions extends User {
  experiment_permissions: ExperimentPermission[];
  registered_model_permissions: RegisteredModelPermission[];
}

/** A grant on one resource as the "Access" panel lists it. */
export interface Grant {
  username: string;
  user_id: number;
  permission: Permission;
}

/** An API token's public record; the secret itself is shown once, at creation. */
export interface ApiToken {
  /** Opaque id, used to revoke it. */
  id: string;
  /** The owner's label, e.g. "laptop". */
  name: string;
  user_id: number;
  created_at: number;
  /** Epoch ms after which it no longer verifies; absent = never expires. */
  expires_at?: number;
  /** Last successful use, written at most once per {@linkcode TOKEN_LAST_USED_EVERY_MS}. */
  last_used_at?: number;
}

/** A browser session: the id goes in the cookie, the CSRF token in forms and headers. */
export interface Session {
  /** The secret cookie value (only returned at creation; stored as a digest). */
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/** How `last_used_at` of a token is throttled, so a busy token costs no write per request. */
export const TOKEN_LAST_USED_EVERY_MS = 60_000;

/** Failed logins counted under one key (a username or a client address) in a time window. */
export interface FailedLogins {
  count: number;
  /** When the window (and so the count) ends, epoch ms; 0 when there is no count. */
  resets_at: number;
}

/** Options both backends take. */
export interface AuthStoreOptions {
  /**
   * PBKDF2-SHA256 iterations for new password hashes. Default {@linkcode DEFAULT_PBKDF2_ITERATIONS};
   * tests pass a small number to stay fast. Stored hashes carry their own count, so changing it
   * never breaks existing passwords.
   */
  pbkdf2Iterations?: number;
  /** The clock, for expiry tests; default `Date.now`. */
  now?: () => number;
}

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;

/** MLflow 3's rule: a password has at least 12 characters. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * Users, grants, tokens, sessions and failed-login counters. Every method throws `MlflowError`:
 * `RESOURCE_DOES_NOT_EXIST` (404) for an unknown user or grant, `RESOURCE_ALREADY_EXISTS` (400)
 * for a duplicate, `INVALID_PARAMETER_VALUE` (400) for a bad name, password or permission, with
 * MLflow's messages (mlflow-auth-traffic.md §4) where it has one and never a secret or a hash in
 * any message.
 */
export interface AuthStore {
  // ---- users ---------------------------------------------------------------------------------

  /**
   * Creates a user. Usernames are unique and case-sensitive, 1–255 characters, no control
   * characters or `:` (Basic auth splits at the first colon). Passwords need
   * {@linkcode MIN_PASSWORD_LENGTH} characters (`Password must be a string longer than 12
   * characters.`). A duplicate is `User (username=alice) already exists.`
   * @example
   * ```ts
   * const alice = await auth.createUser("alice", "correct horse battery", false);
   * ```
   */
  createUser(username: string, password: string, isAdmin: boolean): Promise<User>;
  /**
   * Import only (no route calls it): creates a user with a password hash as
   * {@linkcode AuthStore.getPasswordHash} gives it (a malformed hash is
   * `INVALID_PARAMETER_VALUE`); otherwise as {@linkcode AuthStore.createUser}.
   */
  createUserWithHash(username: string, passwordHash: string, isAdmin: boolean): Promise<User>;
  /** Export only (no route calls it): the user's stored password hash; 404 when absent. */
  getPasswordHash(username: string): Promise<string>;
  /** The user with their grants; `User with username=X not found` (404) when absent. */
  getUser(username: string): Promise<UserWithPermissions>;
  /** The user with this id, or null (a token or session may outlive its user). */
  getUserById(id: number): Promise<User | null>;
  /**
   * The user's credential epoch, or null once the user is deleted. It changes with every
   * password change, so a per-process cache of verified passwords can keep `(user id, epoch)`
   * and confirm a hit with this one read instead of a KDF run: a password changed or a user
   * deleted in another process is then refused at once, not after the cache's TTL.
   * @example
   * ```ts
   * const ok = cached && (await auth.credentialEpoch(cached.user.id)) === cached.epoch;
   * ```
   */
  credentialEpoch(userId: number): Promise<number | null>;
  /** Every user, by username, at most `maxResults` (default 1000) after `pageToken`. */
  listUsers(opts?: { maxResults?: number; pageToken?: string }): Promise<{
    users: User[];
    nextPageToken?: string;
  }>;
  /**
   * Checks a username and password in constant time with respect to the password (a missing
   * user still costs one hash). Returns the user, or null on any mismatch.
   */
  verifyPassword(username: string, password: string): Promise<User | null>;
  /**
   * Replaces the password (same rules as create; MLflow 3.1.3 checks only on create, kvflow on
   * both); the user's sessions end and the credential epoch changes. API tokens stay valid:
   * they are separate credentials, revoked one by one.
   */
  updatePassword(username: string, password: string): Promise<void>;
  /** Makes the user an admin or not. */
  updateAdmin(username: string, isAdmin: boolean): Promise<void>;
  /**
   * Deletes the user with every grant, token and session they hold (MLflow refuses while any
   * grant exists; that leaves a user who cannot be removed, so kvflow cascades).
   */
  deleteUser(username: string): Promise<void>;

  // ---- grants --------------------------------------------------------------------------------

  /**
   * Creates a grant; a second one for the same pair is `Experiment permission
   * (experiment_id=1, username=carol) already exists.` (400). The experiment's existence is
   * the caller's business.
   */
  createExperimentPermission(
    experimentId: string,
    username: string,
    permission: Permission,
  ): Promise<ExperimentPermission>;
  /** `Experiment permission with experiment_id=1 and username=carol not found` (404). */
  getExperimentPermission(experimentId: string, username: string): Promise<ExperimentPermission>;
  /** The grant's level, or null when there is none; what the middleware asks per request. */
  findExperimentPermission(experimentId: string, userId: number): Promise<Permission | null>;
  updateExperimentPermission(
    experimentId: string,
    username: string,
    permission: Permission,
  ): Promise<void>;
  deleteExperimentPermission(experimentId: string, username: string): Promise<void>;
  /** Every grant on one experiment, by username. */
  listExperimentGrants(experimentId: string): Promise<Grant[]>;

  /** As the experiment methods, for registered models (messages say `Registered model permission … name=…`). */
  createRegisteredModelPermission(
    name: string,
    username: string,
    permission: Permission,
  ): Promise<RegisteredModelPermission>;
  getRegisteredModelPermission(name: string, username: string): Promise<RegisteredModelPermission>;
  findRegisteredModelPermission(name: string, userId: number): Promise<Permission | null>;
  updateRegisteredModelPermission(
    name: string,
    username: string,
    permission: Permission,
  ): Promise<void>;
  deleteRegisteredModelPermission(name: string, username: string): Promise<void>;
  listRegisteredModelGrants(name: string): Promise<Grant[]>;
  /**
   * Moves every grant of a renamed model to its new name. Grants already on the new name (grants
   * may name a model that does not exist) are dropped first, so the renamed model carries
   * exactly its old grants, each keeping its place in `users/get`.
   */
  renameRegisteredModelGrants(oldName: string, newName: string): Promise<void>;
  /** Drops every grant of a deleted model. */
  deleteRegisteredModelGrants(name: string): Promise<void>;

  // ---- API tokens ----------------------------------------------------------------------------

  /**
   * Creates a token for the user: returns its record and the secret (`kvf_` + 43 base64url
   * characters of 256 random bits), which is shown only now. `expiresAt` must be in the future.
   */
  createToken(
    username: string,
    name: string,
    expiresAt?: number,
  ): Promise<{ token: string; record: ApiToken }>;
  /**
   * The user's tokens (never the secrets), newest first, expired ones included until revoked.
   * A user holds at most `MAX_TOKENS_PER_USER` (validation.ts) tokens; one more is
   * `INVALID_PARAMETER_VALUE`.
   */
  listTokens(username: string): Promise<ApiToken[]>;
  /** Revokes one of the user's tokens; 404 when the user has no such token. */
  revokeToken(username: string, tokenId: string): Promise<void>;
  /**
   * The token's owner, or null when the secret is unknown, revoked, expired or its user gone.
   * Bumps `last_used_at` at most once per {@linkcode TOKEN_LAST_USED_EVERY_MS}.
   */
  verifyToken(secret: string): Promise<User | null>;

  // ---- sessions ------------------------------------------------------------------------------

  /**
   * Starts a session of `ttlMs` for the user; returns it with its secret id and CSRF token (both
   * 43 base64url characters of 256 random bits). 404 for an unknown user id. The CSRF token is
   * kept in plain in the session record: alone it authenticates nothing.
   */
  createSession(userId: number, ttlMs: number): Promise<Session>;
  /** The live session for this secret id (without `id`), or null when unknown or expired. */
  getSession(id: string): Promise<Omit<Session, "id"> | null>;
  /** Ends a session (logout); unknown ids are ignored. */
  deleteSession(id: string): Promise<void>;

  // ---- failed logins -------------------------------------------------------------------------

  /**
   * Counts one failed login under `key` in a fixed window of `windowMs` (started by the first
   * failure) and returns the count so far. Exact across processes sharing one KV. Keys longer
   * than 256 characters are counted under their SHA-256 digest.
   */
  recordFailedLogin(key: string, windowMs: number): Promise<FailedLogins>;
  /** The current count under `key` (0 when none or the window is over). */
  failedLogins(key: string): Promise<FailedLogins>;
  /** Forgets the count (after a successful login). */
  clearFailedLogins(key: string): Promise<void>;
}
