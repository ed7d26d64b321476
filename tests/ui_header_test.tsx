/**
 * The page header's account part (issue 11 §6): what `Layout` shows for a viewer (username,
 * "API tokens", "Users" for admins, a logout form with the session's CSRF token) and without one;
 * the login page's bare header; and the CSRF header the islands' API helper sends on writes.
 */
import assert from "node:assert/strict";
import { render } from "preact-render-to-string";
import { Layout } from "../ui/components/Layout.tsx";
import { type Viewer, ViewerContext } from "../ui/components/UserMenu.tsx";
import { requestHeaders } from "../ui/islands/api.ts";
import { LoginPage } from "../ui/pages/LoginPage.tsx";

function header(viewer: Viewer | undefined, bare = false): string {
  const html = render(
    <ViewerContext.Provider value={viewer}>
      <Layout active="experiments" bare={bare}>
        <h1>Page</h1>
      </Layout>
    </ViewerContext.Provider>,
  );
  const m = /<header class="app-header">.*<\/header>/.exec(html);
  assert.ok(m, html);
  return m[0];
}

Deno.test("header: a session viewer sees their name, API tokens and a logout form", () => {
  const html = header({ username: "alice", isAdmin: false, csrfToken: "tok-123" });
  assert.match(html, /<nav class="user-menu" aria-label="Account">/);
  assert.match(html, /title="Signed in as alice"/);
  assert.match(html, /<span class="visually-hidden">Signed in as<\/span>alice<\/span>/);
  assert.match(html, /<a href="\/settings\/tokens">API tokens<\/a>/);
  assert.doesNotMatch(html, /\/admin\/users/);
  assert.match(
    html,
    /<form class="user-menu__logout" method="post" action="\/logout"><input type="hidden" name="csrf_token" value="tok-123"\/?><button type="submit" class="user-menu__button">Log out<\/button><\/form>/,
  );
  // The main navigation stays.
  assert.match(html, /<a href="\/" aria-current="page">Experiments<\/a>/);
});

Deno.test("header: admins also get Users; Basic viewers get no logout button", () => {
  const admin = header({ username: "root", isAdmin: true, csrfToken: "t" });
  assert.match(admin, /<a href="\/admin\/users">Users<\/a>/);
  const basic = header({ username: "bob", isAdmin: true });
  assert.match(basic, /bob<\/span>/);
  assert.match(basic, /<a href="\/admin\/users">Users<\/a>/);
  assert.doesNotMatch(basic, /logout|csrf_token/);
});

Deno.test("header: without a viewer (auth off) there is no account part", () => {
  const html = header(undefined);
  assert.doesNotMatch(html, /user-menu|API tokens|logout|Signed in/);
  assert.match(html, /class="app-nav"/);
});

Deno.test("header: the login page's is bare, even if a viewer is provided", () => {
  const html = header({ username: "alice", isAdmin: true, csrfToken: "t" }, true);
  assert.doesNotMatch(html, /app-nav|user-menu/);
  assert.match(html, /class="brand"/);
});

Deno.test("login page: escapes the username and next it fills in", () => {
  const html = render(
    <LoginPage next={`/x"><script>`} username={`"><img src=x>`} message="Nope" error />,
  );
  assert.doesNotMatch(html, /<script>|<img/);
  assert.match(html, /name="next" value="\/x&quot;>&lt;script>"/);
  assert.match(html, /<p class="notice notice--error" role="alert">Nope<\/p>/);
  // A username filled in again: the password field gets the focus.
  assert.match(html, /type="password"[^>]*autofocus/);
});

Deno.test("islands' API helper sends the page's CSRF token on writes only", () => {
  const g = globalThis as { document?: unknown };
  assert.equal(g.document, undefined);
  assert.deepEqual(requestHeaders("POST", true), { "Content-Type": "application/json" });
  g.document = {
    querySelector: (sel: string) =>
      sel === 'meta[name="csrf-token"]' ? { getAttribute: () => "the-token" } : null,
  };
  try {
    assert.deepEqual(requestHeaders("POST", true), {
      "Content-Type": "application/json",
      "X-CSRF-Token": "the-token",
    });
    assert.deepEqual(requestHeaders("DELETE", false), { "X-CSRF-Token": "the-token" });
    assert.deepEqual(requestHeaders("GET", false), {});
  } finally {
    delete g.document;
  }
});
