/**
 * Who is calling (issue 11 §5, §7): the credential of a request's `Authorization` header checked
 * against the AuthStore through the per-process credential cache, with failed logins limited per
 * username and per client address. Framework-free: the auth middleware (later) passes the
 * headers and the peer's address, and renders a failure's `response` as it is.
 *
 * Per request, as the hot path sees it:
 * - Basic, cached: one HMAC, no KDF, three KV reads (the two failed-login counters, so a
 *   lockout seen by another process holds here too, and `credentialEpoch`).
 * - Basic, not cached: two KV reads of the failed-login counters and one write reserving the
 *   attempt against the username's count (cleared again on success), then the KDF; a password is
 *   cached only when the user's epoch read before and after the KDF agree, so a password changed
 *   during a login is never cached under the new epoch.
 * - Bearer, or an API token as the Basic password (its owner must be that username): a SHA-256
 *   and two KV reads (`verifyToken`; main.ts's store/auth/cached.ts keeps successes for
 *   `--auth-cache-ttl`, and everything above reads through it). A
 *   valid token is never refused by the limiter (256 random bits cannot be guessed); a wrong one
 *   counts against the client address.
 *
 * @module
 */
import { looksLikeApiToken } from "../../store/auth/secrets.ts";
import type { AuthStore, User } from "../../store/auth/types.ts";
import type { CredentialCache } from "./credential_cache.ts";
import { parseCredentials } from "./credentials.ts";

/** MLflow's 401 text (mlflow-auth-traffic.md §1), sent as the message of a JSON error. */
export const UNAUTHENTICATED_MESSAGE =
  "You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.";
/** The challenge every 401 carries (MLflow's, with kvflow's realm). */
export const WWW_AUTHENTICATE = 'Basic realm="kvflow"';

/** A response as data, for the middleware to render unchanged. */
export interface AuthResponse {
  status: 401 | 429;
  headers: Record<string, string>;
  /** MLflow's error JSON: `{"error_code":…,"message":…}`. */
  body: string;
}

/**
 * Why a request was refused: no `Authorization` header, one that cannot be parsed, a credential
 * that does not verify, or too many failed logins.
 */
export type AuthFailureReason = "missing" | "malformed" | "invalid" | "limited";

/** A refused request. No message ever holds a username, password or token. */
export interface AuthFailure {
  error: 401 | 429;
  reason: AuthFailureReason;
  /** Set with 429: what `Retry-After` says. */
  retryAfterSeconds?: number;
  message: string;
  response: AuthResponse;
}

/** The authenticated user, and which kind of credential they used. */
export interface AuthSuccess {
  user: User;
  via: "password" | "token";
}

/** What {@linkcode authenticate} decides. */
export type AuthResult = AuthSuccess | AuthFailure;

/** The 401 for a missing or bad credential. */
export function unauthenticated(reason: Exclude<AuthFailureReason, "limited">): AuthFailure {
  return {
    error: 401,
    reason,
    message: UNAUTHENTICATED_MESSAGE,
    response: {
      status: 401,
      headers: {
        "content-type": "application/json",
        "www-authenticate": WWW_AUTHENTICATE,
      },
      body: JSON.stringify({ error_code: "UNAUTHENTICATED", message: UNAUTHENTICATED_MESSAGE }),
    },
  };
}

/** The 429 for a username or address over its failed-login limit. */
export function tooManyFailedLogins(retryAfterSeconds: number): AuthFailure {
  const message = `Too many failed logins. Try again in ${retryAfterSeconds} second${
    retryAfterSeconds === 1 ? "" : "s"
  }.`;
  return {
    error: 429,
    reason: "limited",
    retryAfterSeconds,
    message,
    response: {
      status: 429,
      headers: {
        "content-type": "application/json",
        "retry-after": String(retryAfterSeconds),
      },
      body: JSON.stringify({ error_code: "REQUEST_LIMIT_EXCEEDED", message }),
    },
  };
}

/** Whether `r` is a refusal. */
export function isAuthFailure(r: AuthResult): r is AuthFailure {
  return "error" in r;
}

async function bearer(
  store: AuthStore,
  cache: CredentialCache,
  token: string,
  address: string | undefined,
): Promise<AuthResult> {
  const user = await store.verifyToken(token);
  if (user) return { user, via: "token" };
  const local = cache.limiter.checkLocal(undefined, address);
  if (local.limited) return tooManyFailedLogins(local.retryAfterSeconds);
  await cache.limiter.fail(store, undefined, address);
  return unauthenticated("invalid");
}

/**
 * Checks a username and password as Basic auth does (cache, limiter, token as password): for
 * the login form, so it shares the limits and the cache with `Authorization: Basic`.
 */
export async function authenticatePassword(
  store: AuthStore,
  cache: CredentialCache,
  username: string,
  password: string,
  address: string | undefined,
): Promise<AuthResult> {
  const { limiter } = cache;
  // A token that verifies for this very user needs no limiter: it cannot have been guessed.
  if (looksLikeApiToken(password)) {
    const owner = await store.verifyToken(password);
    if (owner && owner.username === username) return { user: owner, via: "token" };
  }

  const key = await cache.key("basic", username, password);
  const hit = cache.get(key);
  if (hit) {
    // Checked on hits too: otherwise a locked-out guesser could still tell a cached right
    // password from a wrong one (login_limiter.ts).
    const local = limiter.checkLocal(username, address);
    if (local.limited) return tooManyFailedLogins(local.retryAfterSeconds);
    // And against the shared counters: a lockout another process saw must hold here too, or a
    // guesser locked out there could still confirm a password cached here. main.ts's
    // store/auth/cached.ts keeps these reads in memory for --auth-cache-ttl.
    const shared = await limiter.check(store, username, address);
    if (shared.limited) return tooManyFailedLogins(shared.retryAfterSeconds);
    if ((await store.credentialEpoch(hit.user.id)) === hit.epoch) {
      return { user: hit.user, via: "password" };
    }
    cache.delete(key);
  }

  const local = limiter.checkLocal(username, address);
  if (local.limited) return tooManyFailedLogins(local.retryAfterSeconds);
  const verdict = await limiter.check(store, username, address);
  if (verdict.limited) return tooManyFailedLogins(verdict.retryAfterSeconds);
  const reserved = await limiter.reserve(store, username);
  if (reserved.limited) return tooManyFailedLogins(reserved.retryAfterSeconds);

  const knownId = cache.knownUserId(username);
  const before = knownId === undefined ? null : await store.credentialEpoch(knownId);
  const user = await store.verifyPassword(username, password);
  if (!user) {
    await limiter.fail(store, undefined, address); // the username's count is reserved already
    return unauthenticated("invalid");
  }
  cache.rememberUserId(username, user.id);
  if (before !== null && knownId === user.id) {
    const after = await store.credentialEpoch(user.id);
    if (after === before) cache.set(key, user, after);
  }
  await limiter.succeed(store, username);
  return { user, via: "password" };
}

/**
 * Authenticates one request from its headers. `clientAddress` is the peer's address (or the
 * trusted proxy's client address); without one, only the username is limited.
 * @example
 * ```ts
 * const r = await authenticate(store, cache, req.headers, info.remoteAddr.hostname);
 * if (isAuthFailure(r)) return new Response(r.response.body, r.response);
 * ```
 */
export async function authenticate(
  store: AuthStore,
  cache: CredentialCache,
  headers: Headers,
  clientAddress?: string,
): Promise<AuthResult> {
  const c = parseCredentials(headers);
  switch (c.kind) {
    case "none":
      return unauthenticated("missing");
    case "malformed":
      return unauthenticated("malformed");
    case "bearer":
      return await bearer(store, cache, c.token, clientAddress);
    case "basic":
      return await authenticatePassword(store, cache, c.username, c.password, clientAddress);
  }
}
