/**
 * Failed-login limiting (issue 11 §5): per username and per client address, counted in KV by
 * `AuthStore.recordFailedLogin` in a fixed window, so the limit holds across processes and
 * isolates. A key over its limit is refused before any password is hashed.
 *
 * The counts live in KV; this module also remembers, per process, which keys it has seen over
 * the limit. That lets a credential-cache hit (which reads no counters, to stay cheap) be refused
 * too: without it, a guesser locked out of the slow path could still tell a cached right
 * password (200) from a wrong one (429) at full speed.
 *
 * @module
 */
import type { AuthStore, FailedLogins } from "../../store/auth/types.ts";

/** Failed logins allowed per username in one window; the next attempt gets 429. */
export const MAX_FAILED_LOGINS_PER_USER = 10;
/** Failed logins allowed per client address in one window (several users may share a NAT). */
export const MAX_FAILED_LOGINS_PER_ADDRESS = 50;
/** The fixed window the failed-login counts run in: 5 minutes from the first failure. */
export const FAILED_LOGIN_WINDOW_MS = 5 * 60_000;
/** At most this many keys are remembered as limited per process (oldest dropped first). */
export const MAX_LOCALLY_LIMITED_KEYS = 10_000;

/** Options of {@linkcode createLoginLimiter}; the defaults are the constants above. */
export interface LoginLimiterOptions {
  /** The clock, for Retry-After; must agree with the store's. Default `Date.now`. */
  now?: () => number;
  maxPerUser?: number;
  maxPerAddress?: number;
  windowMs?: number;
}

/** Allowed, or refused until `retryAfterSeconds` have passed. */
export type LimitVerdict = { limited: false; userFailures: number } | {
  limited: true;
  retryAfterSeconds: number;
};

/** One process's view of the failed-login counters (see the module doc). */
export interface LoginLimiter {
  /** Reads both counters from the store (2 KV reads): may this attempt run the KDF? */
  check(store: AuthStore, username: string, address: string | undefined): Promise<LimitVerdict>;
  /** No I/O: is either key known to this process as over its limit? */
  checkLocal(username: string | undefined, address: string | undefined): LimitVerdict;
  /**
   * Counts this attempt against the username before the KDF runs (1 atomic KV write), so
   * concurrent attempts cannot all pass {@linkcode LoginLimiter.check} together: whatever the
   * concurrency, at most the limit's worth of passwords per username is hashed per window.
   * Refused when the count passes the limit. A success then clears the count.
   */
  reserve(store: AuthStore, username: string): Promise<LimitVerdict>;
  /** Counts one failure under the username (if any) and the address (if any). */
  fail(store: AuthStore, username: string | undefined, address: string | undefined): Promise<void>;
  /** Forgets the username's failures after a successful login. */
  succeed(store: AuthStore, username: string): Promise<void>;
}

/** The store key a username's failures are counted under (usernames cannot hold `:`). */
export const userLimitKey = (username: string): string => `user:${username}`;
/** The store key a client address's failures are counted under. */
export const addressLimitKey = (address: string): string => `addr:${address}`;

/** Creates a limiter with its own per-process memory of limited keys. */
export function createLoginLimiter(opts: LoginLimiterOptions = {}): LoginLimiter {
  const now = opts.now ?? Date.now;
  const maxPerUser = opts.maxPerUser ?? MAX_FAILED_LOGINS_PER_USER;
  const maxPerAddress = opts.maxPerAddress ?? MAX_FAILED_LOGINS_PER_ADDRESS;
  const windowMs = opts.windowMs ?? FAILED_LOGIN_WINDOW_MS;
  /** Key → when its window ends (epoch ms), for keys seen at or over their limit. */
  const limited = new Map<string, number>();

  const remember = (key: string, f: FailedLogins, max: number) => {
    if (f.count < max) return;
    limited.delete(key);
    limited.set(key, f.resets_at);
    while (limited.size > MAX_LOCALLY_LIMITED_KEYS) {
      limited.delete(limited.keys().next().value!);
    }
  };
  const retryAfter = (resetsAt: number) => Math.max(1, Math.ceil((resetsAt - now()) / 1000));
  const keys = (username: string | undefined, address: string | undefined) => [
    ...(username !== undefined ? [{ key: userLimitKey(username), max: maxPerUser }] : []),
    ...(address ? [{ key: addressLimitKey(address), max: maxPerAddress }] : []),
  ];

  return {
    async check(store, username, address) {
      const ks = keys(username, address);
      const counts = await Promise.all(ks.map((k) => store.failedLogins(k.key)));
      let until = 0;
      ks.forEach((k, i) => {
        remember(k.key, counts[i], k.max);
        if (counts[i].count >= k.max) until = Math.max(until, counts[i].resets_at);
      });
      return until > 0
        ? { limited: true, retryAfterSeconds: retryAfter(until) }
        : { limited: false, userFailures: counts[0].count };
    },

    checkLocal(username, address) {
      const t = now();
      let until = 0;
      for (const { key } of keys(username, address)) {
        const end = limited.get(key);
        if (end === undefined) continue;
        if (end <= t) limited.delete(key);
        else until = Math.max(until, end);
      }
      return until > 0
        ? { limited: true, retryAfterSeconds: retryAfter(until) }
        : { limited: false, userFailures: 0 };
    },

    async reserve(store, username) {
      const key = userLimitKey(username);
      const f = await store.recordFailedLogin(key, windowMs);
      remember(key, f, maxPerUser);
      return f.count > maxPerUser
        ? { limited: true, retryAfterSeconds: retryAfter(f.resets_at) }
        : { limited: false, userFailures: f.count };
    },

    async fail(store, username, address) {
      const ks = keys(username, address);
      const counts = await Promise.all(ks.map((k) => store.recordFailedLogin(k.key, windowMs)));
      ks.forEach((k, i) => remember(k.key, counts[i], k.max));
    },

    async succeed(store, username) {
      const key = userLimitKey(username);
      limited.delete(key);
      await store.clearFailedLogins(key);
    },
  };
}
