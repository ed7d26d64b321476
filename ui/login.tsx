/**
 * The login and logout routes' pages: ui's half of issue 11 §6. What a form submission means
 * (credentials, rotation, cookie, CSRF, where to go next) is decided in routes/auth/login.ts;
 * these handlers turn the outcome into the login page or a redirect.
 *
 * Without auth there is nothing to log in to: `/login` and `/logout` redirect to `/` (303), so
 * an old bookmark lands on the experiments list.
 *
 * @module
 */
import type { Context, Handler } from "hono";
import type { AppEnv } from "../routes/app_env.ts";
import { type FormOutcome, logIn, type LoginDeps, logOut, safeNext } from "../routes/auth/login.ts";
import { errorResponse } from "../routes/errors.ts";
import type { AssetLoader } from "./assets.ts";
import { middlewarePage } from "./unavailable.ts";
import { LoginPage, type LoginPageProps } from "./pages/LoginPage.tsx";
import { renderPage, type UiEnv } from "./render.tsx";

/** What an anonymous browser is told above the form when it asked for a page. */
export const LOGIN_REQUIRED_MESSAGE = "Log in to see this page.";

/** Replies never cached: they carry a cookie, or the form a cookie is set from. */
const NO_STORE = { "Cache-Control": "no-store" };

/** The login page with `props` and `status`, never cached. */
function loginPage(c: Context<UiEnv>, props: LoginPageProps, status = 200): Response {
  // The script: an MLflow link's fragment goes to its page first, so logging in returns there.
  const res = renderPage(c, <LoginPage {...props} />, { title: "Log in", status, script: true });
  res.headers.set("Cache-Control", "no-store");
  return res;
}

function redirect(outcome: Extract<FormOutcome, { kind: "redirect" }>): Response {
  return new Response(null, {
    status: 303,
    headers: { Location: outcome.location, "Set-Cookie": outcome.setCookie, ...NO_STORE },
  });
}

function methodNotAllowed(c: Context, allow: string): Response {
  c.header("Allow", allow);
  return errorResponse(c, 405, "ENDPOINT_NOT_FOUND", `Method ${c.req.method} is not allowed`);
}

/** The store and the credential cache the auth middleware uses; undefined without auth. */
function loginDeps(c: Context<UiEnv>): LoginDeps | undefined {
  const auth = c.var.auth;
  if (auth === undefined) return undefined;
  // createApp gives the middleware and c.var.auth one cache, so both share the login limits.
  if (auth.cache === undefined) throw new Error("c.var.auth has no credential cache");
  return { store: auth.store, cache: auth.cache };
}

/**
 * `/login`: `GET` shows the form (`?next=` kept, if it is a path on this server); `POST` logs in
 * and redirects (303), or shows the form again with the reason: 400 (a field empty), 401
 * (`Invalid username or password.`, whichever was wrong), 403 (posted from another site), 429
 * (too many failed logins, with `Retry-After`).
 */
export const loginRoute: Handler<UiEnv> = async (c) => {
  const deps = loginDeps(c);
  if (deps === undefined) return c.redirect("/", 303);
  const method = c.req.method;
  if (method === "GET" || method === "HEAD") {
    const res = loginPage(c, { next: safeNext(c.req.query("next")) });
    return method === "HEAD" ? new Response(null, res) : res;
  }
  if (method !== "POST") return methodNotAllowed(c, "GET, HEAD, POST");
  const outcome = await logIn(c, deps);
  if (outcome.kind === "redirect") return redirect(outcome);
  const { status, message, username, next, retryAfterSeconds } = outcome;
  const res = loginPage(c, { next, username, message, error: true }, status);
  if (retryAfterSeconds !== undefined) res.headers.set("Retry-After", String(retryAfterSeconds));
  return res;
};

/**
 * `POST /logout` (the header's button): ends the session, clears the cookie and redirects to
 * `/login` (303); a live session's logout without this site's Origin and its CSRF token is 403.
 */
export const logoutRoute: Handler<UiEnv> = async (c) => {
  if (c.req.method !== "POST") return methodNotAllowed(c, "POST");
  const deps = loginDeps(c);
  if (deps === undefined) return c.redirect("/", 303);
  const outcome = await logOut(c, deps);
  if (outcome.kind === "denied") {
    return errorResponse(c, 403, "PERMISSION_DENIED", outcome.message);
  }
  if (outcome.kind === "form") throw new Error("logOut never shows the form");
  return redirect(outcome);
};

/**
 * The 401 for an anonymous browser asking for a page: the login form, posting back to the page
 * asked for. Given to the auth middleware by `createApp`, with the app's asset loader.
 */
export function loginChallenge(assets: AssetLoader): (c: Context<AppEnv>) => Promise<Response> {
  return middlewarePage(assets, (ui) => {
    const url = new URL(ui.req.url);
    const props = { next: safeNext(url.pathname + url.search), message: LOGIN_REQUIRED_MESSAGE };
    return loginPage(ui, props, 401);
  });
}
