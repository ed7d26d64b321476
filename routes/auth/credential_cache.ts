/**
 * The per-process cache of verified passwords (issue 11 §7), so Basic auth does not run the
 * PBKDF2 KDF on every request. An entry is keyed by HMAC-SHA256 of (kind, username, secret)
 * under a random key made per process, so neither a secret nor anything that could be checked
 * against guesses outside this process is kept. It maps to the user, their credential epoch
 * and an expiry.
 *
 * A hit is confirmed with `AuthStore.credentialEpoch(userId)` (one KV read, no KDF), so a
 * password changed or a user deleted in another process is refused at once. What a hit does not
 * re-read is the user record's other fields: an `is_admin` change made in another process is
 * seen within the TTL ({@linkcode DEFAULT_CREDENTIAL_CACHE_TTL_MS}).
 *
 * API tokens are not kept here: `AuthStore.verifyToken` needs no KDF. `main.ts` puts
 * store/auth/cached.ts in front of the store, which keeps verified tokens, credential epochs and
 * grants for `--auth-cache-ttl`; changes made through another process are then seen within that
 * TTL instead of at once.
 *
 * @module
 */
import { createHmac } from "node:crypto";
import type { User } from "../../store/auth/types.ts";
import { createLoginLimiter, type LoginLimiter } from "./login_limiter.ts";

/**
 * How long a verified password is trusted before it is hashed again (60 s). Password changes
 * and deletions are seen at once regardless (the epoch check); this bounds how stale a cached
 * `is_admin` flag can be in another process, and costs one KDF run per credential per TTL.
 */
export const DEFAULT_CREDENTIAL_CACHE_TTL_MS = 60_000;
/** At most this many credentials are cached per process; the least recently used goes first. */
export const MAX_CACHED_CREDENTIALS = 10_000;

/** One verified credential. */
export interface CachedCredential {
  user: User;
  /** The user's credential epoch when the password was verified. */
  epoch: number;
  /** Epoch ms after which the entry is ignored. */
  expiresAt: number;
}

/** Options of {@linkcode createCredentialCache}. */
export interface CredentialCacheOptions {
  /** Default {@linkcode DEFAULT_CREDENTIAL_CACHE_TTL_MS}. */
  ttlMs?: number;
  /** The clock; default `Date.now`. */
  now?: () => number;
  /** Default {@linkcode MAX_CACHED_CREDENTIALS}. */
  maxEntries?: number;
  /** The failed-login limiter sharing this process state; default one on the same clock. */
  limiter?: LoginLimiter;
}

/**
 * One process's auth state: verified credentials, the user id last verified for each username
 * (so the next verification can read the epoch before hashing, see authenticate.ts), and the
 * failed-login limiter's memory.
 */
export interface CredentialCache {
  readonly ttlMs: number;
  readonly now: () => number;
  readonly limiter: LoginLimiter;
  /** The cache key of a credential: never the secret itself. */
  key(kind: "basic", username: string, secret: string): Promise<string>;
  /** The live entry under `key`, or undefined (an expired one is dropped). */
  get(key: string): CachedCredential | undefined;
  /** Caches a verified credential for the TTL. */
  set(key: string, user: User, epoch: number): void;
  delete(key: string): void;
  /** The id last verified for `username` in this process, if any. */
  knownUserId(username: string): number | undefined;
  rememberUserId(username: string, id: number): void;
  readonly size: number;
}

function touch<V>(m: Map<string, V>, k: string, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  while (m.size > max) m.delete(m.keys().next().value!);
}

/**
 * Creates an empty cache with a fresh HMAC key.
 * @example
 * ```ts
 * const cache = createCredentialCache({ ttlMs: 60_000 });
 * const result = await authenticate(store, cache, req.headers, remoteAddr);
 * ```
 */
export function createCredentialCache(opts: CredentialCacheOptions = {}): CredentialCache {
  const ttlMs = opts.ttlMs ?? DEFAULT_CREDENTIAL_CACHE_TTL_MS;
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? MAX_CACHED_CREDENTIALS;
  const limiter = opts.limiter ?? createLoginLimiter({ now });
  // node:crypto's HMAC is synchronous: WebCrypto's `sign` hops to a worker thread and back,
  // which cost a single client more than the KV read this cache saves.
  const hmacKey = crypto.getRandomValues(new Uint8Array(32));
  const entries = new Map<string, CachedCredential>();
  const ids = new Map<string, number>();

  return {
    ttlMs,
    now,
    limiter,
    key(kind, username, secret) {
      const mac = createHmac("sha256", hmacKey)
        .update(JSON.stringify([kind, username, secret]))
        .digest("hex");
      return Promise.resolve(mac);
    },
    get(key) {
      const e = entries.get(key);
      if (e === undefined) return undefined;
      if (e.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      touch(entries, key, e, max);
      return e;
    },
    set(key, user, epoch) {
      touch(entries, key, { user, epoch, expiresAt: now() + ttlMs }, max);
    },
    delete(key) {
      entries.delete(key);
    },
    knownUserId(username) {
      return ids.get(username);
    },
    rememberUserId(username, id) {
      touch(ids, username, id, max);
    },
    get size() {
      return entries.size;
    },
  };
}
