/**
 * Browser sessions over HTTP (issue 11 §6), on both auth-store backends: the login form and its
 * cookie, failed logins and their limit, rotation, expiry, logout, CSRF on cookie-authenticated
 * writes, where a login may redirect to, and what an anonymous browser and an anonymous script
 * are told.
 */
import assert from "node:assert/strict";
import { WWW_AUTHENTICATE } from "../../routes/auth/authenticate.ts";
import { CROSS_SITE_MESSAGE, CSRF_TOKEN_MESSAGE } from "../../routes/auth/csrf.ts";
import { INVALID_LOGIN_MESSAGE, LOGIN_CROSS_SITE_MESSAGE } from "../../routes/auth/login.ts";
import { MAX_FAILED_LOGINS_PER_USER } from "../../routes/auth/login_limiter.ts";
import { SESSION_TTL_MS } from "../../routes/auth/session_cookie.ts";
import { createApp } from "../../routes/mod.ts";
import { createKvAuthStore } from "../../store/auth/kv/mod.ts";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import type { AuthStore, AuthStoreOptions } from "../../store/auth/types.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import { API, expectJson, type TestApp } from "./_helpers.ts";

const ITER = 1000;
const PW = "a long enough password";
const ORIGIN = "http://localhost";
const FORM = "application/x-www-form-urlencoded";

type Backend = { name: string; open(opts: AuthStoreOptions): Promise<[AuthStore, () => void]> };
const BACKENDS: Backend[] = [
  { name: "memory", open: (opts) => Promise.resolve([createMemoryAuthStore(opts), () => {}]) },
  {
    name: "kv",
    async open(opts) {
      const kv = await Deno.openKv(":memory:");
      return [createKvAuthStore(kv, opts), () => kv.close()];
    },
  },
];

interface World {
  app: TestApp;
  auth: AuthStore;
  /** The auth store's clock; tests move it forward. */
  clock: { now: number };
  close(): void;
}

async function world(backend: Backend): Promise<World> {
  const clock = { now: Date.now() };
  const [auth, close] = await backend.open({ pbkdf2Iterations: ITER, now: () => clock.now });
  await auth.createUser("admin", PW, true);
  await auth.createUser("alice", PW, false);
  const app = createApp({
    store: createMemoryStore(),
    auth: { store: auth, defaultPermission: "READ" },
  });
  return { app, auth, clock, close };
}

function login(
  app: TestApp,
  fields: Record<string, string>,
  opts: { base?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return Promise.resolve(app.request(`${opts.base ?? ORIGIN}/login`, {
    method: "POST",
    headers: { "content-type": FORM, origin: opts.base ?? ORIGIN, ...opts.headers },
    body: new URLSearchParams(fields).toString(),
  }));
}

/** The session id a login's `Set-Cookie` carries. */
function sessionOf(res: Response): string {
  const m = /^kvflow_session=([A-Za-z0-9_-]{43});/.exec(res.headers.get("set-cookie") ?? "");
  assert.ok(m, `no session cookie in ${res.headers.get("set-cookie")}`);
  return m[1];
}

/** Logs in and returns the session id and the page's CSRF token. */
async function signIn(w: World, username = "alice"): Promise<{ sid: string; csrf: string }> {
  const res = await login(w.app, { username, password: PW, next: "/" });
  assert.equal(res.status, 303);
  const sid = sessionOf(res);
  const page = await w.app.request("/", { headers: { cookie: cookie(sid), accept: "text/html" } });
  const html = await page.text();
  assert.equal(page.status, 200, html);
  const m = /<meta name="csrf-token" content="([A-Za-z0-9_-]{43})">/.exec(html);
  assert.ok(m, "the page carries no csrf-token meta tag");
  return { sid, csrf: m[1] };
}

const cookie = (sid: string) => `kvflow_session=${sid}`;
const basic = (user: string) => `Basic ${btoa(`${user}:${PW}`)}`;

/** A cookie-authenticated API read. */
function apiRead(app: TestApp, sid: string): Promise<Response> {
  return Promise.resolve(
    app.request(`${API}/experiments/get?experiment_id=0`, { headers: { cookie: cookie(sid) } }),
  );
}

/** A write any authenticated user may make: creating an experiment. */
function apiWrite(
  app: TestApp,
  headers: Record<string, string>,
  name: string = crypto.randomUUID(),
  prefix = API,
): Promise<Response> {
  return Promise.resolve(app.request(`${prefix}/experiments/create`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ name }),
  }));
}

async function expectDenied(res: Promise<Response>, message: string): Promise<void> {
  assert.deepEqual(await expectJson(res, 403), { error_code: "PERMISSION_DENIED", message });
}

async function expectLoginPage(res: Response, status: number): Promise<string> {
  const html = await res.text();
  assert.equal(res.status, status, html);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  assert.equal(res.headers.get("www-authenticate"), null);
  assert.match(html, /<form class="login__form" method="post" action="\/login">/);
  return html;
}

for (const backend of BACKENDS) {
  const t = (name: string, fn: (w: World) => Promise<void>) =>
    Deno.test(`sessions (${backend.name}): ${name}`, async () => {
      const w = await world(backend);
      try {
        await fn(w);
      } finally {
        w.close();
      }
    });

  t("login sets the session cookie with exactly its flags, Secure only over https", async (w) => {
    const res = await login(w.app, { username: "alice", password: PW, next: "/models" });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/models");
    assert.equal(res.headers.get("cache-control"), "no-store");
    const sid = sessionOf(res);
    assert.equal(
      res.headers.get("set-cookie"),
      `kvflow_session=${sid}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`,
    );
    const https = await login(w.app, { username: "alice", password: PW }, {
      base: "https://localhost",
    });
    assert.equal(https.status, 303);
    assert.equal(https.headers.get("location"), "/");
    assert.equal(
      https.headers.get("set-cookie"),
      `kvflow_session=${sessionOf(https)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${
        SESSION_TTL_MS / 1000
      }; Secure`,
    );
  });

  t("a wrong password or an unknown user: the same 401 page, no cookie", async (w) => {
    const pages: string[] = [];
    for (const [username, password] of [["alice", "wrong password!!"], ["nobody", PW]]) {
      const res = await login(w.app, { username, password, next: "/models" });
      assert.equal(res.headers.get("set-cookie"), null);
      const html = await expectLoginPage(res, 401);
      assert.ok(html.includes(INVALID_LOGIN_MESSAGE), html);
      assert.match(html, /name="next" value="\/models"/);
      // Everything but the username filled in again is the same.
      pages.push(html.replace(`value="${username}"`, 'value="…"'));
    }
    assert.equal(pages[0], pages[1]);
    const empty = await login(w.app, { username: "alice", password: "" });
    assert.equal(empty.headers.get("set-cookie"), null);
    await expectLoginPage(empty, 400);
  });

  t(
    "failed logins past the limit: 429 page with Retry-After, even for the right password",
    async (w) => {
      for (let i = 0; i < MAX_FAILED_LOGINS_PER_USER; i++) {
        const res = await login(w.app, { username: "alice", password: `wrong password ${i}` });
        await expectLoginPage(res, 401);
      }
      for (const password of ["wrong again, again", PW]) {
        const res = await login(w.app, { username: "alice", password });
        const html = await expectLoginPage(res, 429);
        assert.equal(res.headers.get("set-cookie"), null);
        const retry = Number(res.headers.get("retry-after"));
        assert.ok(Number.isInteger(retry) && retry > 0, `Retry-After ${retry}`);
        assert.match(
          html,
          new RegExp(`Too many failed logins\\. Try again in ${retry} seconds?\\.`),
        );
      }
      // The same limiter guards Basic auth.
      const res = await w.app.request(`${API}/experiments/get?experiment_id=0`, {
        headers: { authorization: basic("alice") },
      });
      assert.equal(res.status, 429);
      await res.body?.cancel();
    },
  );

  t("a session reads pages and the API; the page header shows the user", async (w) => {
    const { sid, csrf } = await signIn(w);
    const res = await w.app.request("/", { headers: { cookie: cookie(sid), accept: "text/html" } });
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "private, no-cache");
    assert.match(html, /<span class="user-menu__name"[^>]*>.*alice<\/span>/);
    assert.match(html, /<a href="\/settings\/tokens">API tokens<\/a>/);
    assert.doesNotMatch(html, /href="\/admin\/users"/);
    assert.match(html, new RegExp(`<input type="hidden" name="csrf_token" value="${csrf}"/?>`));
    const body = await expectJson(apiRead(w.app, sid), 200);
    assert.equal(body.experiment.experiment_id, "0");
    const admin = await signIn(w, "admin");
    const adminPage = await w.app.request("/", { headers: { cookie: cookie(admin.sid) } });
    assert.match(await adminPage.text(), /<a href="\/admin\/users">Users<\/a>/);
  });

  t("rotation: a new login ends the session the browser had", async (w) => {
    const first = await signIn(w);
    const res = await login(w.app, { username: "alice", password: PW }, {
      headers: { cookie: cookie(first.sid) },
    });
    assert.equal(res.status, 303);
    const second = sessionOf(res);
    assert.notEqual(second, first.sid);
    assert.equal((await apiRead(w.app, first.sid)).status, 401);
    await expectJson(apiRead(w.app, second), 200);
  });

  t("a session expires after SESSION_TTL_MS", async (w) => {
    const { sid } = await signIn(w);
    w.clock.now += SESSION_TTL_MS - 1000;
    await expectJson(apiRead(w.app, sid), 200);
    w.clock.now += 2000;
    const res = await apiRead(w.app, sid);
    assert.equal(res.status, 401);
    // A script of a page whose session ended must not open the browser's Basic dialog.
    assert.equal(res.headers.get("www-authenticate"), null);
    await res.body?.cancel();
    // A page asked for with the ended session: the login form.
    const page = await w.app.request("/models", {
      headers: { cookie: cookie(sid), accept: "text/html" },
    });
    await expectLoginPage(page, 401);
  });

  t("logout ends the session and clears the cookie; it needs the CSRF token", async (w) => {
    const { sid, csrf } = await signIn(w);
    const logout = (fields: Record<string, string>, origin = ORIGIN) =>
      w.app.request("/logout", {
        method: "POST",
        headers: { "content-type": FORM, origin, cookie: cookie(sid) },
        body: new URLSearchParams(fields).toString(),
      });
    await expectDenied(Promise.resolve(logout({})), CSRF_TOKEN_MESSAGE);
    await expectDenied(Promise.resolve(logout({ csrf_token: "x".repeat(43) })), CSRF_TOKEN_MESSAGE);
    await expectDenied(
      Promise.resolve(logout({ csrf_token: csrf }, "http://localhost:9999")),
      CROSS_SITE_MESSAGE,
    );
    await expectJson(apiRead(w.app, sid), 200);
    const res = await logout({ csrf_token: csrf });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/login");
    assert.equal(
      res.headers.get("set-cookie"),
      "kvflow_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0",
    );
    assert.equal((await apiRead(w.app, sid)).status, 401);
    // Logging out an ended session just clears the cookie again.
    const again = await logout({});
    assert.equal(again.status, 303);
    assert.match(again.headers.get("set-cookie") ?? "", /Max-Age=0/);
    const get = await w.app.request("/logout", { headers: { cookie: cookie(sid) } });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    await get.body?.cancel();
  });

  t("a password change or a deleted user ends the sessions", async (w) => {
    const { sid } = await signIn(w);
    await w.auth.updatePassword("alice", "another long password");
    assert.equal((await apiRead(w.app, sid)).status, 401);
    await w.auth.createUser("bob", PW, false);
    const bob = await signIn(w, "bob");
    await w.auth.deleteUser("bob");
    assert.equal((await apiRead(w.app, bob.sid)).status, 401);
  });

  t("CSRF: cookie writes need this site's Origin and the session's token", async (w) => {
    const { sid, csrf } = await signIn(w);
    const c = cookie(sid);
    await expectDenied(apiWrite(w.app, { cookie: c, origin: ORIGIN }), CSRF_TOKEN_MESSAGE);
    await expectDenied(
      apiWrite(w.app, { cookie: c, origin: ORIGIN, "x-csrf-token": `${csrf.slice(1)}A` }),
      CSRF_TOKEN_MESSAGE,
    );
    await expectDenied(
      apiWrite(w.app, { cookie: c, origin: ORIGIN, "x-csrf-token": "short" }),
      CSRF_TOKEN_MESSAGE,
    );
    // security.ts lets localhost origins write to /api; the session's check does not.
    await expectDenied(
      apiWrite(w.app, { cookie: c, origin: "http://localhost:9999", "x-csrf-token": csrf }),
      CROSS_SITE_MESSAGE,
    );
    // /ajax-api is the UI's prefix.
    await expectDenied(
      apiWrite(
        w.app,
        { cookie: c, origin: "http://127.0.0.1:9999", "x-csrf-token": csrf },
        "x",
        "/ajax-api/2.0/mlflow",
      ),
      CROSS_SITE_MESSAGE,
    );
    await expectDenied(apiWrite(w.app, { cookie: c, "x-csrf-token": csrf }), CROSS_SITE_MESSAGE);
    await expectDenied(
      apiWrite(w.app, { cookie: c, "x-csrf-token": csrf, "sec-fetch-site": "same-site" }),
      CROSS_SITE_MESSAGE,
    );
    // An opaque origin (a sandboxed frame): security.ts refuses it first, in its own words.
    const opaque = await apiWrite(w.app, { cookie: c, origin: "null", "x-csrf-token": csrf });
    assert.equal(opaque.status, 403);
    await opaque.body?.cancel();
    await expectJson(apiWrite(w.app, { cookie: c, origin: ORIGIN, "x-csrf-token": csrf }), 200);
    await expectJson(
      apiWrite(w.app, { cookie: c, "x-csrf-token": csrf, "sec-fetch-site": "same-origin" }),
      200,
    );
    await expectJson(
      apiWrite(
        w.app,
        { cookie: c, origin: ORIGIN, "x-csrf-token": csrf },
        undefined,
        "/ajax-api/2.0/mlflow",
      ),
      200,
    );
    // Reads need no token.
    await expectJson(apiRead(w.app, sid), 200);
  });

  t(
    "Basic and Bearer writes are not CSRF-checked; Authorization wins over the cookie",
    async (w) => {
      // A foreign origin security.ts allows (localhost), on /api and on /ajax-api.
      await expectJson(
        apiWrite(w.app, { authorization: basic("alice"), origin: "http://localhost:9999" }),
        200,
      );
      const { token } = await w.auth.createToken("alice", "laptop");
      await expectJson(
        apiWrite(w.app, { authorization: `Bearer ${token}`, origin: "http://localhost:9999" }),
        200,
      );
      const { sid } = await signIn(w);
      await expectJson(
        apiWrite(w.app, { authorization: basic("admin"), cookie: cookie(sid) }),
        200,
      );
      const res = await w.app.request(`${API}/experiments/get?experiment_id=0`, {
        headers: { authorization: "Bearer kvf_not-a-real-token", cookie: cookie(sid) },
      });
      assert.equal(res.status, 401);
      await res.body?.cancel();
    },
  );

  t("a login redirects only to a path on this server", async (w) => {
    const cases: [string, string][] = [
      ["//evil.com", "/"],
      ["https://evil.com", "/"],
      ["/\\evil.com", "/"],
      ["\\\\evil.com", "/"],
      ["/\t/evil.com", "/"],
      ["javascript:alert(1)", "/"],
      ["evil.com", "/"],
      ["", "/"],
      ["/experiments/0?view=all", "/experiments/0?view=all"],
    ];
    for (const [next, expected] of cases) {
      const res = await login(w.app, { username: "alice", password: PW, next });
      assert.equal(res.status, 303, next);
      assert.equal(res.headers.get("location"), expected, JSON.stringify(next));
    }
    const page = await w.app.request("/login?next=//evil.com");
    assert.match(await expectLoginPage(page, 200), /name="next" value="\/"/);
  });

  t("a login form posted from another site is refused (login CSRF)", async (w) => {
    for (
      const headers of [
        { origin: "https://evil.com" },
        { origin: "http://localhost:9999" },
        { origin: "" },
      ]
    ) {
      const res = await login(w.app, { username: "alice", password: PW }, { headers });
      assert.equal(res.headers.get("set-cookie"), null);
      assert.ok((await expectLoginPage(res, 403)).includes(LOGIN_CROSS_SITE_MESSAGE));
    }
    // No Origin at all: only a same-origin fetch metadata header lets it through.
    const noOrigin = (headers: Record<string, string>) =>
      w.app.request("/login", {
        method: "POST",
        headers: { "content-type": FORM, ...headers },
        body: new URLSearchParams({ username: "alice", password: PW }).toString(),
      });
    await expectLoginPage(await noOrigin({}), 403);
    assert.equal((await noOrigin({ "sec-fetch-site": "same-origin" })).status, 303);
  });

  t("anonymous: a browser gets the login page, a script the JSON 401 challenge", async (w) => {
    for (const path of ["/", "/experiments/0", "/models/a%2Fb", "/compare?runs=x"]) {
      const res = await w.app.request(path, {
        headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
      });
      const html = await expectLoginPage(res, 401);
      const next = path.replaceAll("&", "&amp;");
      assert.ok(html.includes(`<input type="hidden" name="next" value="${next}">`), html);
      assert.match(html, /Log in to see this page\./);
      assert.doesNotMatch(html, /class="app-nav"|user-menu/);
    }
    // A path nothing serves: the form too (then its 404), not the browser's Basic dialog.
    await expectLoginPage(
      await w.app.request("/no/such/page", { headers: { accept: "text/html" } }),
      401,
    );
    for (
      const [path, accept] of [
        [`${API}/experiments/get?experiment_id=0`, "text/html"],
        [`${API}/no/such/endpoint`, "text/html"],
        ["/ajax-api/2.0/mlflow/no/such/endpoint", "text/html"],
        ["/", "application/json"],
        ["/", "*/*"],
      ]
    ) {
      const res = await w.app.request(path, { headers: { accept } });
      assert.deepEqual(
        await expectJson(Promise.resolve(res), 401).then((b) => b.error_code),
        "UNAUTHENTICATED",
      );
      assert.equal(res.headers.get("www-authenticate"), WWW_AUTHENTICATE, path);
    }
    // The login page itself and static files stay open.
    await expectLoginPage(await w.app.request("/login?next=/models"), 200);
  });

  t("GET /login shows the form with next; other methods are 405", async (w) => {
    const html = await expectLoginPage(await w.app.request("/login?next=/models/m"), 200);
    assert.match(html, /<input type="hidden" name="next" value="\/models\/m">/);
    assert.match(html, /autocomplete="current-password"/);
    const put = await w.app.request("/login", { method: "PUT" });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET, HEAD, POST");
    await put.body?.cancel();
  });
}

Deno.test("sessions: without auth, /login and /logout redirect to /", async () => {
  const app = createApp({ store: createMemoryStore() });
  for (const method of ["GET", "POST"]) {
    const res = await app.request("/login", { method });
    assert.equal(res.status, 303, method);
    assert.equal(res.headers.get("location"), "/");
  }
  const res = await app.request("/logout", { method: "POST" });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/");
  const page = await (await app.request("/")).text();
  assert.doesNotMatch(page, /csrf-token|user-menu/);
});
