/**
 * The browser session's cookie (issue 11 §6): its name, lifetime and flags, and the lookup of
 * the session it names. The id is an opaque secret from `AuthStore.createSession`; the store
 * keeps only its digest, so the cookie alone carries it.
 *
 * Flags: `HttpOnly` (no script reads it), `SameSite=Lax` (not sent on cross-site subrequests or
 * cross-site POSTs), `Path=/`, and `Secure` when the request reached kvflow over https. kvflow
 * trusts no `X-Forwarded-Proto` anywhere (routes/security.ts reads only `Host`), so "over https"
 * means the request URL's scheme; behind a TLS-terminating proxy that forwards plain HTTP the
 * cookie goes without `Secure`, as the server cannot tell.
 *
 * @module
 */
import type { Context } from "hono";
import { looksLikeSessionId } from "../../store/auth/secrets.ts";
import type { AuthStore, Session, User } from "../../store/auth/types.ts";

/** The cookie's name (the contract between helpers fixes it). */
export const SESSION_COOKIE = "kvflow_session";

/**
 * How long a login lasts: a week, not sliding. A stolen cookie stops working then at the latest;
 * logout and a password change end it at once.
 */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Whether the request reached this server over https (the URL's scheme only; see module doc). */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:";
}

/** The `Set-Cookie` value that stores `sessionId` for {@linkcode SESSION_TTL_MS}. */
export function sessionCookie(sessionId: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${sessionId}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${
    Math.floor(SESSION_TTL_MS / 1000)
  }${secure ? "; Secure" : ""}`;
}

/** The `Set-Cookie` value that makes the browser drop the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0${secure ? "; Secure" : ""}`;
}

/**
 * The session id the request's `Cookie` header carries, or undefined. Only a value shaped like a
 * session id counts (anything else cannot name a session, so the store is not asked). With the
 * cookie repeated (a sibling subdomain can add one), the first well-formed one is taken.
 */
export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (looksLikeSessionId(value)) return value;
  }
  return undefined;
}

/** Whether the request carries a session cookie at all, valid or not. */
export function hasSessionCookie(cookieHeader: string | undefined): boolean {
  return cookieHeader !== undefined &&
    cookieHeader.split(";").some((part) => part.split("=")[0].trim() === SESSION_COOKIE);
}

/** A live session and its user. */
export interface LiveSession {
  id: string;
  session: Omit<Session, "id">;
  user: User;
}

/**
 * The live session the request's cookie names, with its user; null when there is no cookie, the
 * session ended or expired, or its user was deleted (the caller is then anonymous).
 */
export async function currentSession(
  store: AuthStore,
  cookieHeader: string | undefined,
): Promise<LiveSession | null> {
  const id = sessionIdOf(cookieHeader);
  if (id === undefined) return null;
  const session = await store.getSession(id);
  if (session === null) return null;
  const user = await store.getUserById(session.user_id);
  return user === null ? null : { id, session, user };
}
