/**
 * Browser sessions in KV, stored under the SHA-256 digest of their id with a KV expiry, and a
 * per-user pointer so a deleted user's sessions can be removed. A session carries the user's
 * `epoch` from its creation; a password change bumps it, which ends every older session at once.
 *
 * @module
 */
import { MlflowError } from "../../errors.ts";
import { RETRY, withRetry } from "../../kv/retry.ts";
import { digestSecret, looksLikeSessionId, newCsrfToken, newSessionId } from "../secrets.ts";
import type { AuthStore, Session } from "../types.ts";
import { validateDuration } from "../validation.ts";
import type { Ctx, UserRec } from "./_ctx.ts";
import { sessionByUserKey, sessionKey, userKey } from "./keys.ts";

type SessionMethods = Pick<AuthStore, "createSession" | "getSession" | "deleteSession">;

interface SessionRec extends Omit<Session, "id"> {
  epoch: number;
}

/** The session methods of the KV auth store. */
export function kvSessions(ctx: Ctx): SessionMethods {
  const { kv } = ctx;
  return {
    async createSession(userId, ttlMs) {
      validateDuration("Session lifetime", ttlMs);
      const id = newSessionId();
      const digest = await digestSecret(id);
      const csrf_token = newCsrfToken();
      return await withRetry("create a session", async () => {
        const u = Number.isSafeInteger(userId)
          ? await kv.get<UserRec>(userKey(userId))
          : { value: null };
        if (u.value === null) {
          throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `User with id=${userId} not found`);
        }
        const t = ctx.now();
        const rec: SessionRec = {
          user_id: userId,
          csrf_token,
          created_at: t,
          expires_at: t + ttlMs,
          epoch: u.value.epoch,
        };
        const res = await kv.atomic()
          .check(u as Deno.KvEntry<UserRec>)
          .set(sessionKey(digest), rec, { expireIn: ttlMs })
          .set(sessionByUserKey(userId, digest), null, { expireIn: ttlMs })
          .commit();
        const { epoch: _, ...pub } = rec;
        return res.ok ? { id, ...pub } : RETRY;
      });
    },

    async getSession(id) {
      if (typeof id !== "string" || !looksLikeSessionId(id)) return null;
      const s = await kv.get<SessionRec>(sessionKey(await digestSecret(id)));
      if (s.value === null || s.value.expires_at <= ctx.now()) return null;
      const u = await kv.get<UserRec>(userKey(s.value.user_id));
      if (u.value === null || u.value.epoch !== s.value.epoch) return null;
      const { epoch: _, ...pub } = s.value;
      return pub;
    },

    async deleteSession(id) {
      if (typeof id !== "string" || !looksLikeSessionId(id)) return;
      const digest = await digestSecret(id);
      const s = await kv.get<SessionRec>(sessionKey(digest));
      if (s.value === null) return;
      await withRetry("end a session", async () => {
        await kv.atomic()
          .delete(sessionKey(digest))
          .delete(sessionByUserKey(s.value!.user_id, digest))
          .commit();
      });
    },
  };
}
