/**
 * Logging in and out with the browser form (issue 11 §6): what `POST /login` and `POST /logout`
 * decide, as data the UI's handlers (ui/login.tsx) turn into a redirect or the login page again.
 * HTTP concerns live here: the form body under a byte cap, login CSRF, the credential check
 * (shared with Basic auth: cache and failed-login limits), session rotation, the cookie, and
 * where a successful login may send the browser.
 *
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "../app_env.ts";
import { readBytes } from "../body_reader.ts";
import { authenticatePassword, isAuthFailure } from "./authenticate.ts";
import type { CredentialCache } from "./credential_cache.ts";
import { CSRF_FIELD, csrfRefusal, isSameOrigin } from "./csrf.ts";
import { clientAddress } from "./middleware.ts";
import {
  clearedSessionCookie,
  currentSession,
  isHttps,
  SESSION_TTL_MS,
  sessionCookie,
  sessionIdOf,
} from "./session_cookie.ts";
import type { AuthStore } from "../../store/auth/types.ts";

/** The largest login or logout form read; a username, a password and a path fit many times. */
export const LOGIN_FORM_MAX_BYTES = 8 * 1024;

/** How long a login or logout form may take to arrive in all. */
export const LOGIN_FORM_TIMEOUT_MS = 30_000;

/** The one failure message: it never says whether the user exists. */
export const INVALID_LOGIN_MESSAGE = "Invalid username or password.";

/** What a login form posted from another site (or by a non-browser without `Origin`) is told. */
export const LOGIN_CROSS_SITE_MESSAGE =
  "This login form was not sent from this site's login page. Open the login page and try again.";

/** What the form reads from the auth options: the store and the shared credential cache. */
export interface LoginDeps {
  store: AuthStore;
  cache: CredentialCache;
}

/**
 * Where a successful login may go: a path on this server (`/…`), else `/`. Refused: `//host`
 * and `/\host` (browsers read both as another host), any scheme, and any control character,
 * space or non-ASCII character (browsers drop tabs and newlines, so `/\t/evil` would become
 * `//evil`).
 */
export function safeNext(next: string | null | undefined): string {
  if (typeof next !== "string" || !next.startsWith("/")) return "/";
  if (next.startsWith("//") || next.includes("\\")) return "/";
  return /^[\x21-\x7e]+$/.test(next) ? next : "/";
}

/** What a login or logout form led to. */
export type FormOutcome =
  | {
    kind: "redirect";
    location: string;
    /** `Set-Cookie` of the new (or cleared) session cookie. */
    setCookie: string;
  }
  | {
    kind: "form";
    status: 400 | 401 | 403 | 408 | 413 | 415 | 429;
    message: string;
    /** What to fill the form with again (never the password). */
    username: string;
    next: string;
    /** Set with 429: the `Retry-After` seconds. */
    retryAfterSeconds?: number;
  };

type FormRead = { form: URLSearchParams } | { status: 408 | 413 | 415; message: string };

/** Reads an urlencoded form under {@linkcode LOGIN_FORM_MAX_BYTES}. */
async function readForm<E extends AppEnv>(c: Context<E>): Promise<FormRead> {
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    await c.req.raw.body?.cancel().catch(() => {});
    return { status: 415, message: "The form must be sent as application/x-www-form-urlencoded." };
  }
  const bytes = await readBytes(c.req.raw, LOGIN_FORM_MAX_BYTES, {
    idleMs: c.var.bodyIdleTimeoutMs,
    totalMs: LOGIN_FORM_TIMEOUT_MS,
  });
  if (bytes === null) return { status: 413, message: "The form is too large." };
  if ("timedOut" in bytes) return { status: 408, message: "The form took too long to arrive." };
  return { form: new URLSearchParams(new TextDecoder().decode(bytes)) };
}

/**
 * `POST /login`: checks that the form came from this site, then the username and password as
 * Basic auth does; on success ends the session the request's cookie named (if any) and starts a
 * new one (so a session id planted before login is worthless), and redirects to the form's
 * `next` when it is a path on this server.
 */
export async function logIn<E extends AppEnv>(
  c: Context<E>,
  deps: LoginDeps,
): Promise<FormOutcome> {
  const nextOf = (form?: URLSearchParams) => safeNext(form?.get("next") ?? c.req.query("next"));
  if (!isSameOrigin(c)) {
    await c.req.raw.body?.cancel().catch(() => {});
    return {
      kind: "form",
      status: 403,
      message: LOGIN_CROSS_SITE_MESSAGE,
      username: "",
      next: nextOf(),
    };
  }
  const read = await readForm(c);
  if (!("form" in read)) return { kind: "form", ...read, username: "", next: nextOf() };
  const { form } = read;
  const username = form.get("username") ?? "";
  const password = form.get("password") ?? "";
  const next = nextOf(form);
  if (username === "" || password === "") {
    return {
      kind: "form",
      status: 400,
      message: "Enter a username and a password.",
      username,
      next,
    };
  }
  const result = await authenticatePassword(
    deps.store,
    deps.cache,
    username,
    password,
    clientAddress(c),
  );
  if (isAuthFailure(result)) {
    if (result.error === 429) {
      return {
        kind: "form",
        status: 429,
        message: result.message,
        username,
        next,
        retryAfterSeconds: result.retryAfterSeconds,
      };
    }
    return { kind: "form", status: 401, message: INVALID_LOGIN_MESSAGE, username, next };
  }
  const old = sessionIdOf(c.req.header("cookie"));
  if (old !== undefined) await deps.store.deleteSession(old);
  const session = await deps.store.createSession(result.user.id, SESSION_TTL_MS);
  return { kind: "redirect", location: next, setCookie: sessionCookie(session.id, isHttps(c)) };
}

/** Why a logout was refused. */
export interface LogoutRefusal {
  kind: "denied";
  message: string;
}

/**
 * `POST /logout`: ends the cookie's session and clears the cookie. A live session's logout is a
 * cookie-authenticated write like any other, so it needs this site's `Origin` and the session's
 * `csrf_token` field (a foreign page could otherwise log users out); without a live session there
 * is nothing to protect and the cookie is just cleared.
 */
export async function logOut<E extends AppEnv>(
  c: Context<E>,
  deps: LoginDeps,
): Promise<FormOutcome | LogoutRefusal> {
  const cleared: FormOutcome = {
    kind: "redirect",
    location: "/login",
    setCookie: clearedSessionCookie(isHttps(c)),
  };
  const live = await currentSession(deps.store, c.req.header("cookie"));
  if (live === null) {
    await c.req.raw.body?.cancel().catch(() => {});
    return cleared;
  }
  let formToken: string | undefined;
  if (c.req.header("x-csrf-token") === undefined) {
    const read = await readForm(c);
    formToken = "form" in read ? read.form.get(CSRF_FIELD) ?? undefined : undefined;
  } else {
    await c.req.raw.body?.cancel().catch(() => {});
  }
  const refusal = csrfRefusal(c, live.session.csrf_token, formToken);
  if (refusal !== null) return { kind: "denied", message: refusal };
  await deps.store.deleteSession(live.id);
  return cleared;
}
