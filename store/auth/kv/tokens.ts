/**
 * API tokens in KV, stored under the SHA-256 digest of their secret with a per-user pointer for
 * listing, revoking and deleting with the user. `last_used_at` is written at most once per
 * {@linkcode TOKEN_LAST_USED_EVERY_MS}, and only as a best effort: a lost race or a locked
 * database never fails a request that authenticated.
 *
 * @module
 */
import { isLockedError, RETRY, withRetry } from "../../kv/retry.ts";
import { tokenNotFound, tooManyTokens } from "../messages.ts";
import { digestSecret, looksLikeApiToken, newApiToken, newTokenId } from "../secrets.ts";
import { type ApiToken, type AuthStore, TOKEN_LAST_USED_EVERY_MS } from "../types.ts";
import {
  MAX_TOKENS_PER_USER,
  validateExpiry,
  validateTokenName,
  validateUsername,
} from "../validation.ts";
import { type Ctx, getManyBatched, mustUser, publicUser, type UserRec } from "./_ctx.ts";
import { tokenByUserKey, tokenKey, tokensByUserPrefix, userKey } from "./keys.ts";

type TokenMethods = Pick<AuthStore, "createToken" | "listTokens" | "revokeToken" | "verifyToken">;

async function userDigests(kv: Deno.Kv, userId: number, limit?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list<string>({ prefix: tokensByUserPrefix(userId) }, { limit })) {
    out.push(e.value);
  }
  return out;
}

/** The token methods of the KV auth store. */
export function kvTokens(ctx: Ctx): TokenMethods {
  const { kv } = ctx;
  return {
    async createToken(username, name, expiresAt) {
      validateUsername(username);
      validateTokenName(name);
      const created_at = ctx.now();
      validateExpiry(expiresAt, created_at);
      const token = newApiToken();
      const digest = await digestSecret(token);
      const id = newTokenId();
      const record = await withRetry("create a token", async () => {
        const u = await mustUser(ctx, username);
        // A soft cap: two concurrent creates may pass it together, which is harmless.
        const held = await userDigests(kv, u.value.id, MAX_TOKENS_PER_USER);
        if (held.length >= MAX_TOKENS_PER_USER) throw tooManyTokens(MAX_TOKENS_PER_USER);
        const rec: ApiToken = {
          id,
          name,
          user_id: u.value.id,
          created_at,
          ...(expiresAt !== undefined && { expires_at: expiresAt }),
        };
        const res = await kv.atomic()
          .check(u, { key: tokenKey(digest), versionstamp: null })
          .set(tokenKey(digest), rec)
          .set(tokenByUserKey(u.value.id, id), digest)
          .commit();
        return res.ok ? rec : RETRY;
      });
      return { token, record };
    },

    async listTokens(username) {
      const u = await mustUser(ctx, username);
      const digests = await userDigests(kv, u.value.id);
      const recs = await getManyBatched<ApiToken>(kv, digests.map(tokenKey));
      return recs.flatMap((r) => r.value ? [r.value] : [])
        .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    },

    async revokeToken(username, tokenId) {
      const u = await mustUser(ctx, username);
      if (typeof tokenId !== "string" || !/^[A-Za-z0-9_-]{16}$/.test(tokenId)) {
        throw tokenNotFound(String(tokenId));
      }
      const ptr = await kv.get<string>(tokenByUserKey(u.value.id, tokenId));
      if (ptr.value === null) throw tokenNotFound(tokenId);
      await withRetry("revoke a token", async () => {
        await kv.atomic().delete(tokenKey(ptr.value!)).delete(ptr.key).commit();
      });
    },

    async verifyToken(secret) {
      if (typeof secret !== "string" || !looksLikeApiToken(secret)) return null;
      const entry = await kv.get<ApiToken>(tokenKey(await digestSecret(secret)));
      const t = ctx.now();
      const rec = entry.value;
      if (!rec || (rec.expires_at !== undefined && rec.expires_at <= t)) return null;
      const u = await kv.get<UserRec>(userKey(rec.user_id));
      if (!u.value) return null;
      if (rec.last_used_at === undefined || t - rec.last_used_at >= TOKEN_LAST_USED_EVERY_MS) {
        try {
          // The check keeps a token revoked meanwhile from being written back.
          await kv.atomic().check(entry).set(entry.key, { ...rec, last_used_at: t }).commit();
        } catch (e) {
          if (!isLockedError(e)) throw e;
        }
      }
      return publicUser(u.value);
    },
  };
}
