/**
 * Browser sessions in real Chromium (issue 11 §6): an anonymous visit shows the login form, a
 * wrong password says so, logging in lands on the page asked for with the user in the header,
 * an island's write goes through (the CSRF token travels from the page's meta tag), and logging
 * out ends it. Screenshots of the login page and the signed-in header, light and dark, land in
 * `$TMPDIR/kvflow-ui-screenshots`.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ConsoleMessage } from "playwright-core";
import { createApp } from "../routes/mod.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { launchBrowser } from "./helpers/browser.ts";
import { openPage, shoot } from "./helpers/ui.ts";

const PW = "a long enough password";

/** Chromium logs every 401 document ("Failed to load resource … 401"): the login page's status. */
const is401 = (m: ConsoleMessage) => m.text().includes("status of 401");

Deno.test({
  name: "sessions in Chromium: login form, header, an island's write, logout",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const store = createMemoryStore();
    const exp = await store.createExperiment({ name: "alpha" });
    const auth = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
    await auth.createUser("alice", PW, true);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      createApp({ store, auth: { store: auth, defaultPermission: "READ" } }).fetch,
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      let allow401 = true;
      const { page, problems } = await openPage(browser, {
        context: { viewport: { width: 1280, height: 800 } },
        timeoutMs: 10_000,
        allow: (m) => allow401 && is401(m),
      });

      await t.step("an anonymous visit shows the login form, no Basic dialog", async () => {
        const res = await page.goto(`${base}/experiments/${exp}`);
        assert.equal(res?.status(), 401);
        await page.getByRole("heading", { name: "Log in to kvflow" }).waitFor();
        assert.equal(await page.locator(".app-nav, .user-menu").count(), 0);
        await shoot(page, "login");
      });

      await t.step("a wrong password says so and keeps the username", async () => {
        await page.getByLabel("Username").fill("alice");
        await page.getByLabel("Password").fill("not the password");
        await page.getByRole("button", { name: "Log in" }).click();
        await page.getByRole("alert").filter({ hasText: "Invalid username or password." })
          .waitFor();
        assert.equal(await page.getByLabel("Username").inputValue(), "alice");
        await shoot(page, "login-failed");
      });

      await t.step("logging in lands on the page asked for, user in the header", async () => {
        allow401 = false;
        await page.getByLabel("Password").fill(PW);
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL(`${base}/experiments/${exp}`);
        await page.getByRole("heading", { name: "alpha" }).waitFor();
        const menu = page.getByRole("navigation", { name: "Account" });
        assert.match(await menu.textContent() ?? "", /alice.*API tokens.*Users.*Log out/);
        const cookies = await page.context().cookies();
        const session = cookies.find((c) => c.name === "kvflow_session");
        assert.ok(session, "no session cookie");
        assert.equal(session.httpOnly, true);
        assert.equal(session.sameSite, "Lax");
        await shoot(page, "signed-in", { fullPage: false });
      });

      await t.step("an island's write carries the CSRF token", async () => {
        await page.goto(`${base}/`);
        await page.locator("[data-island='ExperimentsList'][data-hydrated]").waitFor();
        await page.getByRole("textbox", { name: "New experiment name" }).fill("made-in-browser");
        await page.getByRole("button", { name: "Create", exact: true }).click();
        await page.getByRole("link", { name: "made-in-browser", exact: true }).waitFor();
        assert.equal((await store.getExperimentByName("made-in-browser")).name, "made-in-browser");
      });

      await t.step("logging out ends the session", async () => {
        await page.getByRole("button", { name: "Log out" }).click();
        await page.waitForURL(`${base}/login`);
        const cookies = await page.context().cookies();
        assert.equal(cookies.find((c) => c.name === "kvflow_session"), undefined);
        allow401 = true;
        const res = await page.goto(`${base}/`);
        assert.equal(res?.status(), 401);
        await page.getByRole("heading", { name: "Log in to kvflow" }).waitFor();
      });

      await t.step("an MLflow link seen before logging in still lands on its page", async () => {
        // The fragment never reaches the server and the form would drop it: the login page maps
        // it first, so the form posts back to the kvflow page.
        await page.goto(`${base}/#/experiments/${exp}`);
        await page.waitForURL(`${base}/experiments/${exp}`);
        await page.getByRole("heading", { name: "Log in to kvflow" }).waitFor();
        allow401 = false;
        await page.getByLabel("Username").fill("alice");
        await page.getByLabel("Password").fill(PW);
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL(`${base}/experiments/${exp}`);
        await page.getByRole("heading", { name: "alpha" }).waitFor();
      });

      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
