/** The in-memory store's API tokens, sessions and failed-login counters. */
import { MlflowError } from "../../errors.ts";
import { tokenNotFound, tooManyTokens, userNotFound } from "../messages.ts";
import {
  digestSecret,
  looksLikeApiToken,
  looksLikeSessionId,
  newApiToken,
  newCsrfToken,
  newSessionId,
  newTokenId,
} from "../secrets.ts";
import { failedLoginKey } from "../shared.ts";
import { type ApiToken, type AuthStore, TOKEN_LAST_USED_EVERY_MS } from "../types.ts";
import {
  MAX_TOKENS_PER_USER,
  validateDuration,
  validateExpiry,
  validateTokenName,
  validateUsername,
} from "../validation.ts";
import { lift, mustUser, publicUser, type SessionRec, type State, SWEEP_ABOVE } from "./_state.ts";

type CredentialMethods = Pick<
  AuthStore,
  | "createToken"
  | "listTokens"
  | "revokeToken"
  | "verifyToken"
  | "createSession"
  | "getSession"
  | "deleteSession"
  | "recordFailedLogin"
  | "failedLogins"
  | "clearFailedLogins"
>;

const newestFirst = (a: ApiToken, b: ApiToken) =>
  b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Drops entries whose time is up, once a map has grown past {@linkcode SWEEP_ABOVE}. */
function sweep<V>(m: Map<string, V>, endsAt: (v: V) => number, now: number): void {
  if (m.size <= SWEEP_ABOVE) return;
  for (const [k, v] of m) if (endsAt(v) <= now) m.delete(k);
}

/** The token, session and failed-login methods over one state. */
export function memoryCredentials(s: State): CredentialMethods {
  return {
    async createToken(username, name, expiresAt) {
      validateUsername(username);
      validateTokenName(name);
      const t = s.now();
      validateExpiry(expiresAt, t);
      const u = mustUser(s, username);
      const token = newApiToken();
      const digest = await digestSecret(token);
      if (s.users.get(u.id) !== u) throw userNotFound(username);
      const held = [...s.tokens.values()].filter((r) => r.user_id === u.id).length;
      if (held >= MAX_TOKENS_PER_USER) throw tooManyTokens(MAX_TOKENS_PER_USER);
      const record: ApiToken = {
        id: newTokenId(),
        name,
        user_id: u.id,
        created_at: t,
        ...(expiresAt !== undefined && { expires_at: expiresAt }),
      };
      s.tokens.set(digest, record);
      return { token, record: { ...record } };
    },
    listTokens: lift((username: string) => {
      const u = mustUser(s, username);
      return [...s.tokens.values()].filter((r) => r.user_id === u.id)
        .map((r) => ({ ...r })).sort(newestFirst);
    }),
    revokeToken: lift((username: string, tokenId: string) => {
      const u = mustUser(s, username);
      for (const [d, r] of s.tokens) {
        if (r.user_id === u.id && r.id === tokenId) return void s.tokens.delete(d);
      }
      throw tokenNotFound(String(tokenId));
    }),
    async verifyToken(secret) {
      if (typeof secret !== "string" || !looksLikeApiToken(secret)) return null;
      const r = s.tokens.get(await digestSecret(secret));
      const t = s.now();
      if (!r || (r.expires_at !== undefined && r.expires_at <= t)) return null;
      const u = s.users.get(r.user_id);
      if (!u) return null;
      if (r.last_used_at === undefined || t - r.last_used_at >= TOKEN_LAST_USED_EVERY_MS) {
        r.last_used_at = t;
      }
      return publicUser(u);
    },

    async createSession(userId, ttlMs) {
      validateDuration("Session lifetime", ttlMs);
      const id = newSessionId();
      const digest = await digestSecret(id);
      const u = s.users.get(userId);
      if (!u) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `User with id=${userId} not found`);
      const t = s.now();
      sweep(s.sessions, (x) => x.expires_at, t);
      const rec: SessionRec = {
        user_id: userId,
        csrf_token: newCsrfToken(),
        created_at: t,
        expires_at: t + ttlMs,
        epoch: u.epoch,
      };
      s.sessions.set(digest, rec);
      const { epoch: _, ...pub } = rec;
      return { id, ...pub };
    },
    async getSession(id) {
      if (typeof id !== "string" || !looksLikeSessionId(id)) return null;
      const digest = await digestSecret(id);
      const x = s.sessions.get(digest);
      if (!x) return null;
      const u = s.users.get(x.user_id);
      if (x.expires_at <= s.now() || !u || u.epoch !== x.epoch) {
        s.sessions.delete(digest);
        return null;
      }
      const { epoch: _, ...pub } = x;
      return pub;
    },
    async deleteSession(id) {
      if (typeof id !== "string" || !looksLikeSessionId(id)) return;
      s.sessions.delete(await digestSecret(id));
    },

    async recordFailedLogin(key, windowMs) {
      validateDuration("Failed-login window", windowMs);
      const k = await failedLoginKey(key);
      const t = s.now();
      sweep(s.failed, (f) => f.resets_at, t);
      const cur = s.failed.get(k);
      const next = cur && cur.resets_at > t
        ? { count: cur.count + 1, resets_at: cur.resets_at }
        : { count: 1, resets_at: t + windowMs };
      s.failed.set(k, next);
      return { ...next };
    },
    async failedLogins(key) {
      const cur = s.failed.get(await failedLoginKey(key));
      return cur && cur.resets_at > s.now() ? { ...cur } : { count: 0, resets_at: 0 };
    },
    async clearFailedLogins(key) {
      s.failed.delete(await failedLoginKey(key));
    },
  };
}
