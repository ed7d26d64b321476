/**
 * The API reference page (`/docs`): Swagger UI over the server's own `/openapi.json`, served
 * from this server (no CDN) under the UI's strict CSP, linked from the header, behind the login
 * like every page. In Chromium it renders one block per operation of the document, raises no
 * console error or CSP violation, and a try-it-out write goes through with the session's CSRF
 * token. Screenshots (light and dark) land in `$TMPDIR/kvflow-ui-screenshots`.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ConsoleMessage } from "playwright-core";
import { createApp } from "../routes/mod.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { launchBrowser } from "./helpers/browser.ts";
import { LIVE_PASSWORD, startLiveServer } from "./helpers/live_server.ts";
import { openPage, pageHtml, shoot } from "./helpers/ui.ts";

const PW = LIVE_PASSWORD;

Deno.test("GET /docs: the page, its three files from this server, the strict CSP", async () => {
  const app = createApp({ store: createMemoryStore() });
  const res = await app.request("/docs");
  const csp = res.headers.get("content-security-policy") ?? "";
  const page = await pageHtml(res);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  assert.match(page, /<div id="api-docs" class="api-docs" data-spec="\/openapi.json">/);
  assert.match(page, /<a href="\/docs" aria-current="page">API<\/a>/);
  // No inline script: Swagger UI and its starter are files, each served with its type.
  assert.equal((page.match(/<script(?![^>]*\ssrc=)/g) ?? []).length, 0);
  for (
    const [name, type] of [
      ["swagger-ui\\.[0-9a-f]{10}\\.css", "text/css"],
      ["swagger-ui-bundle\\.[0-9a-f]{10}\\.js", "text/javascript"],
      ["docs\\.[0-9a-f]{10}\\.js", "text/javascript"],
    ]
  ) {
    const href = new RegExp(`"(/static/${name})"`).exec(page)?.[1];
    assert.ok(href, name);
    const file = await app.request(href);
    assert.equal(file.status, 200, href);
    assert.match(file.headers.get("content-type") ?? "", new RegExp(`^${type}`));
    assert.match(file.headers.get("cache-control") ?? "", /immutable/);
    assert.ok((await file.arrayBuffer()).byteLength > 100, href);
  }
});

Deno.test("GET /docs needs a login when the server runs with auth, as every page", async () => {
  const auth = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  await auth.createUser("alice", PW, false);
  const app = createApp({
    store: createMemoryStore(),
    auth: { store: auth, defaultPermission: "READ" },
  });
  const anonymous = await app.request("/docs", { headers: { accept: "text/html" } });
  await anonymous.body?.cancel();
  assert.equal(anonymous.status, 401);
  const basic = { authorization: `Basic ${btoa(`alice:${PW}`)}` };
  await pageHtml(app.request("/docs", { headers: basic }));
  assert.equal((await app.request("/openapi.json", { headers: basic })).status, 200);
});

/** Chromium logs every 401 document ("Failed to load resource … 401"): the login page's status. */
const is401 = (m: ConsoleMessage) => m.text().includes("status of 401");

Deno.test({
  name: "the API reference in Chromium: every operation, no console errors, a try-it-out write",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    // Logged in below as "alice" (LIVE_USER), an admin.
    await using server = await startLiveServer({ auth: true, admin: true, artifacts: false });
    const { store } = server;
    const base = server.url;
    const browser = await launchBrowser();
    try {
      let allow401 = true;
      const { page, problems } = await openPage(browser, {
        context: { viewport: { width: 1280, height: 900 } },
        timeoutMs: 20_000,
        allow: (m) => allow401 && is401(m),
      });
      await t.step("logging in from the header link lands on the reference", async () => {
        await page.goto(`${base}/docs`);
        await page.getByLabel("Username").fill("alice");
        await page.getByLabel("Password").fill(PW);
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL(`${base}/docs`);
        allow401 = false;
      });

      await t.step("one block per operation of /openapi.json", async () => {
        const doc = await (await fetch(`${base}/openapi.json`, {
          headers: { authorization: `Basic ${btoa(`alice:${PW}`)}` },
        })).json() as { paths: Record<string, Record<string, unknown>> };
        const methods = ["get", "put", "post", "delete", "patch"];
        const operations = Object.values(doc.paths)
          .flatMap((item) => Object.keys(item).filter((m) => methods.includes(m))).length;
        await page.locator(".opblock").first().waitFor();
        assert.equal(await page.locator(".opblock").count(), operations);
        await shoot(page, "api-docs", { fullPage: false });
      });

      await t.step("try it out: experiments/create runs as the logged-in user", async () => {
        const op = page.locator(".opblock-post", { hasText: "/api/2.0/mlflow/experiments/create" })
          .first();
        await op.locator(".opblock-summary").click();
        await op.getByRole("button", { name: "Try it out" }).click();
        await op.locator("textarea.body-param__text").fill('{"name": "from the docs page"}');
        await op.getByRole("button", { name: "Execute" }).click();
        const status = op.locator(".live-responses-table tbody .response-col_status").first();
        await status.waitFor();
        assert.equal((await status.innerText()).trim(), "200");
        const created = await store.getExperimentByName("from the docs page");
        assert.ok(created);
      });

      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  },
});
