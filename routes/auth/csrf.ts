/**
 * Cross-site request forgery checks for cookie-authenticated requests (issue 11 §6). A browser
 * attaches the session cookie to any request to this site, whoever's page started it, so a
 * write on the cookie's strength must prove it came from kvflow's own pages twice over:
 * - its `Origin` is this server's (or, with no `Origin`, `Sec-Fetch-Site: same-origin`), and
 * - it carries the session's CSRF token (`X-CSRF-Token`, or the `csrf_token` field of a form),
 *   which only pages of this origin could read.
 * Basic and Bearer requests are not checked: a foreign page cannot make a browser send an
 * `Authorization` header it chose.
 *
 * "This server" is the request's own host (the `Host` header routes/security.ts has already
 * checked, or the URL's host): the scheme is not compared, so the check holds behind a proxy that
 * terminates TLS and forwards plain HTTP (a different scheme on the same host and port cannot
 * come from a browser talking to this server directly).
 *
 * @module
 */
import type { Context } from "hono";
import { bytesEqual } from "../../store/auth/secrets.ts";

/** Methods a browser may send cross-site freely, and which change nothing here. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** The header islands send the page's CSRF token in (ui/islands/api.ts). */
export const CSRF_HEADER = "X-CSRF-Token";

/** The form field plain HTML forms send it in (the logout button). */
export const CSRF_FIELD = "csrf_token";

/** What a cookie-authenticated write from another site is told. */
export const CROSS_SITE_MESSAGE =
  "Permission denied: a request signed in with the browser session must come from kvflow's own " +
  "pages (its Origin is missing or another site's). Use an API token or Basic auth from scripts.";

/** What a cookie-authenticated write without the right CSRF token is told. */
export const CSRF_TOKEN_MESSAGE =
  "Permission denied: the request's CSRF token (X-CSRF-Token header or csrf_token field) is " +
  "missing or does not match the browser session. Reload the page and try again.";

/** The request's own host, as routes/security.ts reads it. */
function ownHost(c: Context): string {
  return (c.req.header("host") ?? new URL(c.req.url).host).trim().toLowerCase();
}

/**
 * Whether the request comes from a page of this server: its `Origin` names this host, or there is
 * no `Origin` and `Sec-Fetch-Site` says `same-origin`. Neither header: false (every browser that
 * supports `SameSite` sends `Origin` on a POST, so only non-browsers lack both).
 */
export function isSameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return c.req.header("sec-fetch-site") === "same-origin";
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // the opaque origin "null" (sandboxed frames, file: pages) among others
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return url.host === ownHost(c);
}

/** Compares a presented token with the session's in time independent of where they differ. */
export function csrfTokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const enc = new TextEncoder();
  return bytesEqual(enc.encode(presented), enc.encode(expected));
}

/**
 * Why a cookie-authenticated request must be refused, or null when it may go on. Safe methods
 * always pass; others need {@linkcode isSameOrigin} and the session's token, from the header or
 * else from `formToken` (a form's `csrf_token` field, read by the form's own route).
 */
export function csrfRefusal(
  c: Context,
  sessionCsrfToken: string,
  formToken?: string,
): string | null {
  if (SAFE_METHODS.has(c.req.method)) return null;
  if (!isSameOrigin(c)) return CROSS_SITE_MESSAGE;
  const presented = c.req.header(CSRF_HEADER) ?? formToken;
  return csrfTokenMatches(presented, sessionCsrfToken) ? null : CSRF_TOKEN_MESSAGE;
}
