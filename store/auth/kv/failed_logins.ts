/**
 * Failed-login counters in KV: a fixed window started by the first failure, counted with a
 * checked read-modify-write (retried on conflict), so counts from several processes add up
 * exactly. The record expires with its window.
 *
 * A window's end (`resets_at`) is an instant on the clock of the process that opened it, and other
 * processes (other machines, on Deploy) compare it with their own: a clock skew of d moves where
 * the window ends by d for them. Counts stay exact; only the window's length varies, by the skew.
 *
 * @module
 */
import { RETRY, withRetry } from "../../kv/retry.ts";
import { failedLoginKey } from "../shared.ts";
import type { AuthStore, FailedLogins } from "../types.ts";
import { validateDuration } from "../validation.ts";
import type { Ctx } from "./_ctx.ts";
import { failedLoginsKey } from "./keys.ts";

type FailedLoginMethods = Pick<
  AuthStore,
  "recordFailedLogin" | "failedLogins" | "clearFailedLogins"
>;

const NONE: FailedLogins = { count: 0, resets_at: 0 };

/** The failed-login methods of the KV auth store. */
export function kvFailedLogins(ctx: Ctx): FailedLoginMethods {
  const { kv } = ctx;
  return {
    async recordFailedLogin(key, windowMs) {
      validateDuration("Failed-login window", windowMs);
      const k = failedLoginsKey(await failedLoginKey(key));
      return await withRetry("count a failed login", async () => {
        const cur = await kv.get<FailedLogins>(k);
        const t = ctx.now();
        const next: FailedLogins = cur.value && cur.value.resets_at > t
          ? { count: cur.value.count + 1, resets_at: cur.value.resets_at }
          : { count: 1, resets_at: t + windowMs };
        const res = await kv.atomic()
          .check(cur)
          .set(k, next, { expireIn: Math.max(1, next.resets_at - t) })
          .commit();
        return res.ok ? next : RETRY;
      });
    },

    async failedLogins(key) {
      const cur = await kv.get<FailedLogins>(failedLoginsKey(await failedLoginKey(key)));
      return cur.value && cur.value.resets_at > ctx.now() ? cur.value : { ...NONE };
    },

    async clearFailedLogins(key) {
      const k = failedLoginsKey(await failedLoginKey(key));
      await withRetry("clear failed logins", () => kv.delete(k));
    },
  };
}
