/**
 * The web UI with auth on, in real Chromium (issue 11 §6 and its Tests list): a user sees only
 * the experiments they may read; a MANAGE holder grants, changes and revokes access in the
 * Access panel and the other user's list follows; a user creates an API token, sees it once,
 * uses it, and revokes it; an admin creates, promotes and deletes a user.
 *
 * Screenshots (light and dark) land in `$TMPDIR/kvflow-ui-screenshots/auth-*.png`.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { createApp } from "../routes/mod.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { launchBrowser } from "./helpers/browser.ts";
import { openPage, shoot } from "./helpers/ui.ts";

const PW = "a long enough password";

/**
 * A page in its own browser context, logged in as `username` through the login form (so every
 * island write rides the session cookie and must carry its CSRF token), with its problems
 * (console errors, page errors, dialogs).
 */
async function signedIn(
  browser: Browser,
  base: string,
  username: string,
): Promise<{ page: Page; problems: string[] }> {
  const opened = await openPage(browser, {
    context: {
      viewport: { width: 1280, height: 800 },
      permissions: ["clipboard-read", "clipboard-write"],
    },
    timeoutMs: 10_000,
  });
  const { page } = opened;
  await page.goto(`${base}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PW);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${base}/`);
  return opened;
}

async function listedNames(page: Page): Promise<string[]> {
  return await page.locator("tbody td.cell-name a").allTextContents();
}

Deno.test({
  name: "web UI with auth in Chromium: filtered lists, Access panel, API tokens, users",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const store = createMemoryStore();
    const auth = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
    await auth.createUser("admin", PW, true);
    await auth.createUser("alice", PW, false);
    await auth.createUser("bob", PW, false);
    const team = await store.createExperiment({ name: "team-exp" });
    const bobs = await store.createExperiment({ name: "bob-exp" });
    await store.createExperiment({ name: "secret-exp" });
    await auth.createExperimentPermission(team, "alice", "MANAGE");
    await auth.createExperimentPermission(bobs, "bob", "READ");
    // A registered model bob may only read and alice may edit (not manage).
    await store.createRegisteredModel({ name: "shared-model", description: "old" });
    const logged = await store.createLoggedModel({ experimentId: team, name: "team-model" });
    await store.createModelVersion({
      name: "shared-model",
      source: `models:/${logged.info.model_id}`,
    });
    await auth.createRegisteredModelPermission("shared-model", "bob", "READ");
    await auth.createRegisteredModelPermission("shared-model", "alice", "EDIT");

    const app = createApp({ store, auth: { store: auth, defaultPermission: "NO_PERMISSIONS" } });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      const alice = await signedIn(browser, base, "alice");
      const bob = await signedIn(browser, base, "bob");
      const admin = await signedIn(browser, base, "admin");

      await t.step("each user sees only the experiments they may read", async () => {
        await bob.page.goto(`${base}/`);
        await bob.page.locator("[data-island='ExperimentsList'][data-hydrated]").waitFor();
        assert.deepEqual(await listedNames(bob.page), ["bob-exp"]);
        // The island's own searches (the API's, filtered there) show no more than the page did.
        const searched = bob.page.waitForResponse((r) =>
          r.url().endsWith("/experiments/search") && r.request().method() === "POST"
        );
        await bob.page.getByRole("searchbox", { name: "Search experiments" }).fill("exp");
        const reply = await (await searched).json();
        assert.deepEqual(reply.experiments.map((e: { name: string }) => e.name), ["bob-exp"]);
        await bob.page.locator("[data-island='ExperimentsList'] table:not([aria-busy])").waitFor();
        assert.deepEqual(await listedNames(bob.page), ["bob-exp"]);
        await alice.page.goto(`${base}/`);
        assert.deepEqual(await listedNames(alice.page), ["team-exp"]);
        await admin.page.goto(`${base}/`);
        assert.deepEqual(await listedNames(admin.page), [
          "secret-exp",
          "bob-exp",
          "team-exp",
          "Default",
        ]);
        const refused = await bob.page.goto(`${base}/experiments/${team}`);
        assert.equal(refused?.status(), 403);
        await bob.page.getByRole("heading", { name: "Permission denied" }).waitFor();
        await shoot(bob.page, "auth-forbidden");
      });

      await t.step("the registry shows each viewer only the controls they may use", async () => {
        const editButtons = (p: Page) =>
          p.getByRole("button", {
            name: /Edit description|Add tag|Set alias|Change stage|^Delete|Remove alias/,
          }).count();
        // bob (READ): the model and version pages, with no edit or delete controls.
        for (const path of ["/models/shared-model", "/models/shared-model/versions/1"]) {
          await bob.page.goto(`${base}${path}`);
          await bob.page.locator("[data-island='RegistryTags'][data-hydrated]").waitFor();
          assert.equal(await editButtons(bob.page), 0, path);
          assert.equal(
            await bob.page.locator("main").locator("input, textarea, select").count(),
            0,
            path,
          );
        }
        // alice (EDIT): edits, but no deletes (MANAGE); her write carries the CSRF token.
        const page = alice.page;
        await page.goto(`${base}/models/shared-model`);
        await page.locator("[data-island='ModelVersions'][data-hydrated]").waitFor();
        assert.equal(
          await page.getByRole("button", { name: "Change stage of version 1" }).count(),
          1,
        );
        assert.equal(await page.getByRole("button", { name: /^Delete/ }).count(), 0);
        await page.getByRole("button", { name: "Edit description" }).click();
        await page.getByLabel("Description (Markdown)").fill("new");
        await page.getByRole("button", { name: "Save" }).click();
        await page.getByRole("button", { name: "Edit description" }).waitFor();
        assert.equal((await store.getRegisteredModel("shared-model")).description, "new");
        await page.goto(`${base}/models/shared-model/versions/1`);
        await page.locator("[data-island='VersionPanel'][data-hydrated]").waitFor();
        assert.equal(await page.getByRole("button", { name: "Change stage" }).count(), 1);
        assert.equal(await page.getByRole("button", { name: /^Delete|Remove alias/ }).count(), 0);
        await shoot(page, "auth-registry-edit");
      });

      await t.step("a MANAGE holder grants, changes and revokes access", async () => {
        const page = alice.page;
        await page.goto(`${base}/experiments/${team}`);
        await page.locator("[data-island='AccessPanel'][data-hydrated]").waitFor();
        await page.getByRole("textbox", { name: "User name" }).fill("bob");
        await page.getByRole("combobox", { name: "Permission to grant" }).selectOption("READ");
        await page.getByRole("button", { name: "Grant", exact: true }).click();
        await page.getByRole("status").filter({ hasText: "bob now has READ." }).waitFor();
        assert.equal((await auth.getExperimentPermission(team, "bob")).permission, "READ");
        await bob.page.goto(`${base}/`);
        assert.deepEqual(await listedNames(bob.page), ["bob-exp", "team-exp"]);

        await page.getByRole("combobox", { name: "Permission of bob" }).selectOption("EDIT");
        await page.getByRole("status").filter({ hasText: "bob now has EDIT." }).waitFor();
        assert.equal((await auth.getExperimentPermission(team, "bob")).permission, "EDIT");
        await shoot(page, "auth-access-panel");

        await page.getByRole("button", { name: "Revoke bob's access" }).click();
        await page.getByRole("status").filter({ hasText: "revoked" }).waitFor();
        assert.equal(await page.locator("#access-grants tbody tr").count(), 1);
        await bob.page.goto(`${base}/`);
        assert.deepEqual(await listedNames(bob.page), ["bob-exp"]);
        // Lowering her own MANAGE: the change holds, the panel says she no longer manages it.
        await page.getByRole("combobox", { name: "Permission of alice" }).selectOption("READ");
        await page.getByRole("status").filter({ hasText: "You no longer manage access" })
          .waitFor();
        assert.equal((await auth.getExperimentPermission(team, "alice")).permission, "READ");
        assert.equal(
          await page.getByRole("button", { name: "Grant", exact: true }).isDisabled(),
          true,
        );
        await page.reload();
        assert.equal(await page.locator("[data-island='AccessPanel']").count(), 0);
        // bob does not manage bob-exp: no panel for him.
        await bob.page.goto(`${base}/experiments/${bobs}`);
        assert.equal(await bob.page.locator("[data-island='AccessPanel']").count(), 0);
      });

      await t.step(
        "an API token is shown once, works, and stops working once revoked",
        async () => {
          const page = alice.page;
          await page.getByRole("link", { name: "API tokens" }).click();
          await page.waitForURL(`${base}/settings/tokens`);
          await page.locator("[data-island='ApiTokens'][data-hydrated]").waitFor();
          await page.getByRole("textbox", { name: "Name" }).fill("laptop");
          await page.getByRole("button", { name: "Create token" }).click();
          const secret = page.getByRole("textbox", { name: "New token" });
          await secret.waitFor();
          const token = await secret.inputValue();
          assert.match(token, /^kvf_/);
          await page.getByText("you won't see it again").waitFor();
          await page.getByRole("button", { name: "Copy", exact: true }).click();
          await page.getByRole("button", { name: "Copied" }).waitFor();
          await shoot(page, "auth-tokens");

          const use = async () => {
            const res = await fetch(
              `${base}/api/2.0/mlflow/experiments/get?experiment_id=${team}`,
              {
                headers: { authorization: `Bearer ${token}` },
              },
            );
            await res.body?.cancel();
            return res.status;
          };
          assert.equal(await use(), 200);
          await page.getByRole("button", { name: "Done" }).click();
          await page.getByRole("button", { name: "Revoke token laptop" }).click();
          await page.getByRole("button", { name: "Yes, revoke" }).click();
          await page.getByText("No tokens yet.").waitFor();
          assert.equal(await use(), 401);
          // Reloaded, the page lists no token and never shows a secret.
          await page.reload();
          assert.equal(await page.getByText(token).count(), 0);
        },
      );

      await t.step("an admin creates, promotes and deletes a user; others get 403", async () => {
        const page = admin.page;
        await page.getByRole("link", { name: "Users", exact: true }).click();
        await page.waitForURL(`${base}/admin/users`);
        await page.locator("[data-island='UsersAdmin'][data-hydrated]").waitFor();
        await page.getByRole("textbox", { name: "User name" }).fill("carol");
        await page.getByLabel("Password", { exact: true }).fill("carols long password");
        await page.getByRole("button", { name: "Create user" }).click();
        await page.getByRole("status").filter({ hasText: "Created carol." }).waitFor();
        assert.ok(await auth.verifyPassword("carol", "carols long password"));
        await page.getByRole("button", { name: "Make carol an admin" }).click();
        await page.getByRole("button", { name: "Remove admin from carol" }).waitFor();
        assert.equal((await auth.getUser("carol")).is_admin, true);
        await shoot(page, "auth-users");
        await page.getByRole("button", { name: "Reset carol's password" }).click();
        await page.getByLabel("New password for carol").fill("carols new password");
        await page.getByRole("button", { name: "Set password" }).click();
        await page.getByRole("status").filter({ hasText: "carol's password was reset." }).waitFor();
        assert.ok(await auth.verifyPassword("carol", "carols new password"));
        assert.equal(await auth.verifyPassword("carol", "carols long password"), null);
        await page.getByRole("button", { name: "Delete carol" }).click();
        await page.getByRole("button", { name: "Yes, delete" }).click();
        await page.getByRole("status").filter({ hasText: "Deleted carol." }).waitFor();
        await assert.rejects(auth.getUser("carol"));
        // The admin's own row cannot be deleted or demoted from here.
        assert.equal(
          await page.getByRole("button", { name: "Delete admin" }).isDisabled(),
          true,
        );
        const refused = await bob.page.goto(`${base}/admin/users`);
        assert.equal(refused?.status(), 403);
        assert.equal(await bob.page.getByRole("link", { name: "Users", exact: true }).count(), 0);
      });

      await t.step("logging out ends the session", async () => {
        await alice.page.getByRole("button", { name: "Log out" }).click();
        await alice.page.waitForURL(`${base}/login`);
        const res = await alice.page.goto(`${base}/experiments/${team}`);
        assert.equal(res?.status(), 401);
        await alice.page.getByRole("heading", { name: "Log in to kvflow" }).waitFor();
      });

      // Only the 403 and 401 pages this test opened on purpose may have logged their status.
      const unexpected = (ps: string[]) =>
        ps.filter((p) => !p.includes("status of 403") && !p.includes("status of 401"));
      assert.deepEqual(unexpected(alice.problems), []);
      assert.deepEqual(unexpected(bob.problems), []);
      assert.deepEqual(unexpected(admin.problems), []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
