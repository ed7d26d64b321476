/**
 * A per-process read cache in front of any {@linkcode AuthStore}, for the four reads the auth
 * middleware makes on every request: a password's credential epoch, an API token, and the
 * caller's grant on the experiment or registered model a request names. Without it each
 * authenticated request costs two or three KV reads on top of its own work, which made Basic and
 * Bearer log-metric 13–38% slower than unauthenticated (`deno task bench --only auth`).
 *
 * What it costs in freshness, and only across processes: a grant changed, a password changed, a
 * token revoked or a user deleted through ANOTHER process (or isolate) is seen here within
 * `ttlMs`. Every write made through this wrapper empties the cache, so in this process such a
 * change holds at once. The failed-login counters the limiter reads are cached the same way (a
 * lockout reached through another process holds here within `ttlMs`); recording or clearing one
 * through this process updates just its entry. `ttlMs` 0 turns caching off. Sessions and
 * everything else pass straight through.
 *
 * Only successes of `verifyToken` are kept (keyed by the token's SHA-256 digest, never the
 * secret); an unknown token is asked again every time, so guessing gains nothing.
 *
 * @example
 * ```ts
 * const auth = createCachedAuthStore(createKvAuthStore(kv), { ttlMs: 2_000 });
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { AuthStore, Permission, User } from "./types.ts";

/** How long a cached read is trusted by default: what another process's change may take here. */
export const DEFAULT_AUTH_CACHE_TTL_MS = 2_000;
/** At most this many reads are cached per process; the oldest goes first. */
export const MAX_CACHED_AUTH_READS = 20_000;

/** Options of {@linkcode createCachedAuthStore}. */
export interface CachedAuthStoreOptions {
  /** Default {@linkcode DEFAULT_AUTH_CACHE_TTL_MS}; 0 caches nothing. */
  ttlMs?: number;
  /** The clock; default `Date.now`. */
  now?: () => number;
  /** Default {@linkcode MAX_CACHED_AUTH_READS}. */
  maxEntries?: number;
}

/** The methods that change what the cached reads would answer. */
const WRITES = [
  "createUser",
  "createUserWithHash",
  "updatePassword",
  "updateAdmin",
  "deleteUser",
  "createExperimentPermission",
  "updateExperimentPermission",
  "deleteExperimentPermission",
  "createRegisteredModelPermission",
  "updateRegisteredModelPermission",
  "deleteRegisteredModelPermission",
  "renameRegisteredModelGrants",
  "deleteRegisteredModelGrants",
  "createToken",
  "revokeToken",
] as const satisfies readonly (keyof AuthStore)[];

/** Wraps `store`; see the module doc for what is cached and how stale it may be. */
export function createCachedAuthStore(
  store: AuthStore,
  opts: CachedAuthStoreOptions = {},
): AuthStore {
  const ttlMs = opts.ttlMs ?? DEFAULT_AUTH_CACHE_TTL_MS;
  if (ttlMs <= 0) return store;
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? MAX_CACHED_AUTH_READS;
  const entries = new Map<string, { value: unknown; expiresAt: number }>();
  // Bumped by every write: a read that started before a write must not cache its (older) answer.
  let generation = 0;

  /** Keeps `value` for the TTL; the oldest entry goes when the cache is full. */
  function remember(key: string, value: unknown): void {
    entries.delete(key);
    entries.set(key, { value, expiresAt: now() + ttlMs });
    if (entries.size > max) entries.delete(entries.keys().next().value!);
  }

  async function cached<T>(
    key: string,
    read: () => Promise<T>,
    keep: (v: T) => boolean = () => true,
  ): Promise<T> {
    const hit = entries.get(key);
    if (hit !== undefined) {
      if (hit.expiresAt > now()) return hit.value as T;
      entries.delete(key);
    }
    const started = generation;
    const value = await read();
    if (started === generation && keep(value)) remember(key, value);
    return value;
  }

  // Both backends are plain objects of closures, so a spread copies every method.
  const wrapped: AuthStore = { ...store };
  for (const name of WRITES) {
    const write = store[name] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      try {
        return await write.apply(store, args);
      } finally {
        generation++;
        entries.clear();
      }
    };
  }
  return Object.assign(wrapped, {
    credentialEpoch: (userId: number) =>
      cached(`epoch\0${userId}`, () => store.credentialEpoch(userId)),
    findExperimentPermission: (experimentId: string, userId: number) =>
      cached<Permission | null>(
        `exp\0${userId}\0${experimentId}`,
        () => store.findExperimentPermission(experimentId, userId),
      ),
    findRegisteredModelPermission: (name: string, userId: number) =>
      cached<Permission | null>(
        `model\0${userId}\0${name}`,
        () => store.findRegisteredModelPermission(name, userId),
      ),
    // Failed-login counters: the limiter reads them on every Basic request, a cached one too.
    // Recording or clearing through this process updates just that key, so a guesser cannot
    // empty the whole cache by failing logins.
    failedLogins: (key: string) => cached(`fail\0${key}`, () => store.failedLogins(key)),
    async recordFailedLogin(key: string, windowMs: number) {
      try {
        const counted = await store.recordFailedLogin(key, windowMs);
        remember(`fail\0${key}`, counted);
        return counted;
      } finally {
        generation++;
      }
    },
    async clearFailedLogins(key: string) {
      try {
        await store.clearFailedLogins(key);
      } finally {
        generation++;
        entries.delete(`fail\0${key}`);
      }
    },
    async verifyToken(secret: string) {
      // Synchronous: WebCrypto's digest would hop to a worker thread on every request.
      const digest = createHash("sha256").update(secret).digest("base64url");
      return await cached<User | null>(
        `token\0${digest}`,
        () => store.verifyToken(secret),
        (user) => user !== null,
      );
    },
  });
}
