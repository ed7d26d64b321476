/**
 * "Delete permanently" in the UI's Deleted views: the experiments list offers it on deleted
 * experiments the viewer manages, the runs table on selected deleted runs of an experiment the
 * viewer manages; without auth everyone may. Server-rendered (the islands' first paint).
 *
 * @module
 */
import assert from "node:assert/strict";
import { createApp } from "../routes/mod.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { launchBrowser } from "./helpers/browser.ts";
import { islandProps, openPage, pageHtml } from "./helpers/ui.ts";

const PW = "a long enough password";
const html = { accept: "text/html" };

/** A store with a deleted experiment and, in a live one, a deleted run. */
async function seeded() {
  const store = createMemoryStore();
  const gone = await store.createExperiment({ name: "gone-exp" });
  await store.deleteExperiment(gone);
  const live = await store.createExperiment({ name: "live-exp" });
  const run = (await store.createRun({ experimentId: live, runName: "old-run" })).info.run_id;
  await store.deleteRun(run);
  return { store, gone, live, run };
}

Deno.test("UI without auth offers Delete permanently in both Deleted views", async () => {
  const { store, live, run } = await seeded();
  const app = createApp({ store });
  const list = await pageHtml(app.request("/?view=deleted", { headers: html }));
  assert.equal(islandProps(list, "ExperimentsList").purgeable, "all");
  assert.match(list, /aria-label="Delete experiment “gone-exp” permanently"/);
  assert.match(list, />Delete permanently</);
  const table = await pageHtml(
    app.request(`/experiments/${live}?view=deleted&sel=${run}`, { headers: html }),
  );
  assert.equal(islandProps(table, "RunsTable").canPurge, true);
  assert.match(table, /aria-label="Delete the selected deleted runs permanently"/);
  // Active rows and unselected runs offer no such button.
  const active = await pageHtml(app.request("/", { headers: html }));
  assert.doesNotMatch(active, /data-purge/);
  const none = await pageHtml(app.request(`/experiments/${live}?view=deleted`, { headers: html }));
  assert.doesNotMatch(none, /data-purge/);
});

Deno.test("UI with auth offers Delete permanently only where the viewer has MANAGE", async () => {
  const { store, gone, live, run } = await seeded();
  const auth = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  const app = createApp({ store, auth: { store: auth, defaultPermission: "READ" } });
  await auth.createUser("admin", PW, true);
  for (const u of ["reader", "manager"]) await auth.createUser(u, PW, false);
  await auth.createExperimentPermission(gone, "manager", "MANAGE");
  await auth.createExperimentPermission(live, "manager", "MANAGE");
  const get = (user: string, path: string) =>
    app.request(path, {
      headers: { ...html, authorization: `Basic ${btoa(`${user}:${PW}`)}` },
    });
  const runs = `/experiments/${live}?view=deleted&sel=${run}`;

  const reader = await pageHtml(get("reader", "/?view=deleted"));
  assert.deepEqual(islandProps(reader, "ExperimentsList").purgeable, []);
  assert.doesNotMatch(reader, /data-purge/);
  const readerRuns = await pageHtml(get("reader", runs));
  assert.equal(islandProps(readerRuns, "RunsTable").canPurge, false);
  assert.doesNotMatch(readerRuns, /data-purge/);

  const manager = await pageHtml(get("manager", "/?view=deleted"));
  assert.deepEqual(islandProps(manager, "ExperimentsList").purgeable, [gone, live]);
  assert.match(manager, /data-purge/);
  assert.match(await pageHtml(get("manager", runs)), /data-purge/);

  const admin = await pageHtml(get("admin", "/?view=deleted"));
  assert.equal(islandProps(admin, "ExperimentsList").purgeable, "all");
});

Deno.test({
  name: "Delete permanently works in Chromium: asks, then removes the row for good",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { store, gone, live, run } = await seeded();
    const app = createApp({ store });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => app.fetch(req),
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      const { page, problems } = await openPage(browser, { timeoutMs: 10_000 });

      await t.step("a deleted experiment, after the confirmation", async () => {
        await page.goto(`${base}/?view=deleted`);
        await page.locator("[data-island='ExperimentsList'][data-hydrated]").waitFor();
        await page.getByRole("button", { name: "Delete experiment “gone-exp” permanently" })
          .click();
        // Nothing happens before the question is answered.
        await page.locator("[data-purge-confirm]").waitFor();
        assert.equal((await store.getExperiment(gone)).lifecycle_stage, "deleted");
        await page.getByRole("button", { name: "Yes, delete permanently" }).click();
        await page.getByText("Permanently deleted experiment “gone-exp”").waitFor();
        assert.equal(await page.getByText("gone-exp", { exact: true }).count(), 0);
        await assert.rejects(store.getExperiment(gone));
      });

      await t.step("selected deleted runs, after the confirmation", async () => {
        await page.goto(`${base}/experiments/${live}?view=deleted&sel=${run}`);
        await page.locator("[data-island='RunsTable'][data-hydrated]").waitFor();
        await page.getByRole("button", { name: "Delete the selected deleted runs permanently" })
          .click();
        await page.getByRole("button", { name: "Yes, delete permanently" }).click();
        await page.getByText("Permanently deleted 1 run").waitFor();
        await assert.rejects(store.getRun(run));
      });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
