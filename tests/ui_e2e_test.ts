/**
 * The web UI in real Chromium (playwright-core): pages load without console errors, the
 * experiments island hydrates and its search, create, rename, delete, undo and restore work,
 * the keyboard reaches every control, and user text carrying script payloads stays text.
 *
 * Screenshots of every page, light and dark, land in `$TMPDIR/kvflow-ui-screenshots` (printed).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { launchBrowser } from "./helpers/browser.ts";
import { isApi400, openPage, shoot, SHOTS_DIR } from "./helpers/ui.ts";

const XSS_NAME = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`;

/** A row of the experiments table by its exact experiment name. */
function row(page: Page, name: string) {
  return page.locator("tbody tr").filter({
    has: page.getByRole("link", { name, exact: true }),
  });
}

async function rowNames(page: Page): Promise<string[]> {
  return await page.locator("tbody td.cell-name a").allTextContents();
}

async function waitForNames(page: Page, expected: string[]) {
  await page.waitForFunction(
    (want) =>
      JSON.stringify(
        [...document.querySelectorAll("tbody td.cell-name a")].map((a) => a.textContent),
      ) ===
        JSON.stringify(want),
    expected,
  ).catch(async (err) => {
    throw new Error(`rows ${JSON.stringify(await rowNames(page))} ≠ ${JSON.stringify(expected)}`, {
      cause: err,
    });
  });
}

/** Waits until `locator` has focus (islands move focus right after their render). */
async function waitForFocus(locator: Locator) {
  const el = await locator.elementHandle();
  await locator.page().waitForFunction((target) => target === document.activeElement, el);
}

Deno.test({
  name: "web UI works in Chromium: experiments page, island actions, keyboard, XSS",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const store = createMemoryStore();
    const alpha = await store.createExperiment({
      name: "alpha-baseline",
      tags: [{ key: "team", value: "vision" }, { key: "owner", value: "ana" }],
    });
    const beta = await store.createExperiment({
      name: "beta-tuning",
      tags: [{ key: "team", value: "nlp" }],
    });
    await store.createExperiment({
      name: XSS_NAME,
      tags: [{ key: "note", value: XSS_NAME }],
    });
    for (let i = 0; i < 3; i++) {
      const run = await store.createRun({ experimentId: alpha, runName: `run-${i}` });
      if (i > 0) {
        await store.updateRun(run.info.run_id, {
          status: i === 1 ? "FINISHED" : "FAILED",
          endTime: run.info.start_time + 61_000 * i,
        });
      }
    }
    await store.createRun({ experimentId: alpha, runName: XSS_NAME });

    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      createApp({ store }).fetch,
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      // Steps that provoke an API error on purpose allow the browser's "Failed to load
      // resource … 400" line for /ajax-api/ calls; every other console error fails the test.
      let allowApi400 = false;
      const { page, problems } = await openPage(browser, {
        context: { viewport: { width: 1280, height: 800 } },
        timeoutMs: 10_000,
        allow: (m) => allowApi400 && isApi400(m),
      });

      await t.step("/ renders the list and hydrates the island", async () => {
        await page.goto(`${base}/`);
        await page.locator("[data-island='ExperimentsList'][data-hydrated]").waitFor();
        // Newest first; the Default experiment is the oldest.
        assert.deepEqual(await rowNames(page), [
          XSS_NAME,
          "beta-tuning",
          "alpha-baseline",
          "Default",
        ]);
        await shoot(page, "experiments");
      });

      await t.step("a script-carrying name and tag show as text and run nothing", async () => {
        await assert.doesNotReject(row(page, XSS_NAME).waitFor());
        assert.equal(await page.locator("img[src='x']").count(), 0);
        assert.equal(await page.locator("main script").count(), 0);
        assert.equal(await page.locator(".tag__value", { hasText: "<script>" }).count(), 1);
      });

      await t.step(
        "typing in the search box filters; a bad filter shows the API's message",
        async () => {
          const search = page.getByRole("searchbox", { name: "Search experiments" });
          await search.fill("beta");
          await waitForNames(page, ["beta-tuning"]);
          assert.match(page.url(), /\?filter=beta$/);
          await search.fill("tags.team = 'vision'");
          await waitForNames(page, ["alpha-baseline"]);
          allowApi400 = true;
          await search.fill("name = ");
          const error = page.locator("#experiment-search-error");
          await error.waitFor();
          assert.match(await error.textContent() ?? "", /Invalid filter/);
          assert.equal(await search.getAttribute("aria-invalid"), "true");
          allowApi400 = false;
          await search.fill("");
          await waitForNames(page, [XSS_NAME, "beta-tuning", "alpha-baseline", "Default"]);
          assert.equal(await error.count(), 0);
        },
      );

      await t.step(
        "creating an experiment adds it; a duplicate name is refused inline",
        async () => {
          const input = page.getByRole("textbox", { name: "New experiment name" });
          await input.fill("gamma-new");
          await page.getByRole("button", { name: "Create", exact: true }).click();
          await row(page, "gamma-new").waitFor();
          assert.equal(await input.inputValue(), "");
          await input.fill("gamma-new");
          allowApi400 = true;
          await input.press("Enter");
          const error = page.locator("#new-experiment-error");
          await error.waitFor();
          assert.match(await error.textContent() ?? "", /already exists/);
          allowApi400 = false;
          await input.fill("");
          // An empty name is refused under the name field (not under the search box).
          await page.getByRole("button", { name: "Create", exact: true }).click();
          await page.locator("#new-experiment-error", { hasText: "Enter a name" }).waitFor();
          const field = (await input.boundingBox())!;
          const msg = (await error.boundingBox())!;
          assert.ok(msg.y >= field.y + field.height - 1, "the error is not under the field");
          assert.ok(Math.abs(msg.x - field.x) < 2, `error at x=${msg.x}, field at x=${field.x}`);
          await shoot(page, "experiments-create-error");
          await input.fill("x");
          await error.waitFor({ state: "detached" });
          await input.fill("");
        },
      );

      await t.step("rename edits in place; Escape cancels; focus returns", async () => {
        const widths = () =>
          page.locator("main table thead th").evaluateAll((ths) =>
            ths.map((th) => Math.round(th.getBoundingClientRect().width))
          );
        // Only short names shown, so the input and its buttons are wider than the name column:
        // they fit the column as it was, and no column jumps.
        const search = page.getByRole("searchbox", { name: "Search experiments" });
        await search.fill("a-");
        await waitForNames(page, ["gamma-new", "beta-tuning", "alpha-baseline"]);
        const before = await widths();
        await page.getByRole("button", { name: "Rename gamma-new" }).click();
        const edit = page.getByRole("textbox", { name: "New name for gamma-new" });
        await waitForFocus(edit);
        assert.deepEqual(await widths(), before);
        await shoot(page, "experiments-rename-short", { fullPage: false });
        await edit.press("Escape");
        await search.fill("");
        await waitForNames(page, [
          "gamma-new",
          XSS_NAME,
          "beta-tuning",
          "alpha-baseline",
          "Default",
        ]);
        await page.getByRole("button", { name: "Rename gamma-new" }).click();
        await waitForFocus(edit);
        await edit.press("Escape");
        await page.getByRole("button", { name: "Rename gamma-new" }).waitFor();
        await page.getByRole("button", { name: "Rename gamma-new" }).click();
        await edit.fill("gamma-renamed");
        await shoot(page, "experiments-rename");
        await edit.press("Enter");
        await row(page, "gamma-renamed").waitFor();
        const rename = page.getByRole("button", { name: "Rename gamma-renamed" });
        await waitForFocus(rename);
      });

      await t.step("delete hides the row and offers Undo", async () => {
        await page.getByRole("button", { name: "Delete gamma-renamed" }).click();
        await row(page, "gamma-renamed").waitFor({ state: "detached" });
        const undo = page.getByRole("button", { name: "Undo" });
        await waitForFocus(undo);
        await shoot(page, "experiments-undo");
        await undo.click();
        await row(page, "gamma-renamed").waitFor();
      });

      await t.step("Deleted and All views; restore brings an experiment back", async () => {
        await page.getByRole("button", { name: "Delete gamma-renamed" }).click();
        await row(page, "gamma-renamed").waitFor({ state: "detached" });
        await page.getByRole("link", { name: "Deleted", exact: true }).click();
        await waitForNames(page, ["gamma-renamed"]);
        assert.match(page.url(), /\?view=deleted$/);
        await shoot(page, "experiments-deleted");
        await page.getByRole("button", { name: "Restore gamma-renamed" }).click();
        await waitForNames(page, []);
        await page.getByRole("link", { name: "All", exact: true }).click();
        await row(page, "gamma-renamed").waitFor();
        await page.getByRole("link", { name: "Active", exact: true }).click();
        await row(page, "gamma-renamed").waitFor();
      });

      await t.step("the keyboard reaches search, views and Create", async () => {
        await page.goto(`${base}/`);
        await page.locator("[data-island][data-hydrated]").waitFor();
        const seen: string[] = [];
        for (let i = 0; i < 12; i++) {
          await page.keyboard.press("Tab");
          const label = await page.evaluate(() => {
            const el = document.activeElement as HTMLElement | null;
            return el?.getAttribute("aria-label") || el?.id || el?.textContent?.trim() || "";
          });
          seen.push(label);
          if (label === "Create") break;
        }
        assert.equal(seen[0], "Skip to content");
        assert.ok(seen.includes("experiment-search"), seen.join(" | "));
        assert.equal(seen.at(-1), "Create", seen.join(" | "));
        // Keyboard-only create: type a name and press Enter.
        await page.keyboard.press("Shift+Tab");
        await page.keyboard.type("delta-keyboard");
        await page.keyboard.press("Enter");
        await row(page, "delta-keyboard").waitFor();
      });

      await t.step("an experiment page lists its runs (RunsTable island)", async () => {
        await page.getByRole("link", { name: "alpha-baseline", exact: true }).click();
        await page.waitForURL(`${base}/experiments/${alpha}`);
        assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "alpha-baseline");
        assert.equal(await page.locator("tbody tr").count(), 4);
        assert.equal(await page.locator("main script").count(), 0);
        assert.equal(await page.locator("img[src='x']").count(), 0);
        await page.getByRole("cell", { name: XSS_NAME, exact: true }).waitFor();
        await shoot(page, "experiment");
      });

      await t.step("an MLflow experiment link lands on the experiment page", async () => {
        await page.goto(`${base}/#/experiments/${alpha}/runs?searchFilter=`);
        await page.waitForURL(`${base}/experiments/${alpha}`);
        await page.locator("[data-island='ExperimentDescription'][data-hydrated]").waitFor();
      });

      await t.step("the description: added as Markdown, rendered safely, kept", async () => {
        // None yet: only the button, no empty section.
        assert.equal(await page.getByRole("heading", { name: "Description" }).count(), 0);
        await page.getByRole("button", { name: "Add description" }).click();
        const box = page.getByRole("textbox", { name: "Description (Markdown)" });
        await box.fill(
          `## Goal\n\nTune **lr** for \`resnet\`; see [notes](https://example.com/n).\n\n` +
            `- baseline first\n- then *sweeps*\n\n${XSS_NAME} [x](javascript:alert(1))`,
        );
        await page.getByRole("button", { name: "Save", exact: true }).click();
        const md = page.locator("[data-island='ExperimentDescription'] .markdown");
        await md.locator("h4", { hasText: "Goal" }).waitFor();
        assert.equal(await md.locator("strong", { hasText: "lr" }).count(), 1);
        assert.equal(await md.locator("li").count(), 2);
        assert.equal(await md.locator("a").count(), 1);
        assert.equal(await md.locator("a").getAttribute("href"), "https://example.com/n");
        assert.equal(await page.locator("img[src='x']").count(), 0);
        await waitForFocus(page.getByRole("button", { name: "Edit description" }));
        // Saved as MLflow keeps it, and rendered on the server after a reload.
        await page.reload();
        await md.locator("h4", { hasText: "Goal" }).waitFor();
        await page.locator("[data-island='ExperimentDescription'][data-hydrated]").waitFor();
        await shoot(page, "experiment-description");
        // Cancel leaves it as it was.
        await page.getByRole("button", { name: "Edit description" }).click();
        await box.fill("changed");
        await page.getByRole("button", { name: "Cancel" }).click();
        await md.locator("h4", { hasText: "Goal" }).waitFor();
        await waitForFocus(page.getByRole("button", { name: "Edit description" }));
        await page.getByRole("button", { name: "Edit description" }).click();
        await shoot(page, "experiment-description-edit");
        await page.getByRole("button", { name: "Cancel" }).click();
      });

      await t.step("renaming on the experiment page updates its breadcrumb and title", async () => {
        await page.goto(`${base}/experiments/${beta}`);
        await page.locator("[data-island='ExperimentHeader'][data-hydrated]").waitFor();
        assert.equal(await page.title(), "beta-tuning · kvflow");
        await page.getByRole("button", { name: "Rename" }).click();
        const input = page.getByRole("textbox", { name: "Experiment name" });
        await waitForFocus(input);
        await input.fill(`beta ${XSS_NAME}`);
        await shoot(page, "experiment-rename", { fullPage: false });
        await input.press("Enter");
        await page.getByRole("heading", { level: 1, name: `beta ${XSS_NAME}` }).waitFor();
        const crumb = page.locator('.crumbs [aria-current="page"]');
        assert.equal(await crumb.textContent(), `beta ${XSS_NAME}`);
        assert.equal(await page.title(), `beta ${XSS_NAME} · kvflow`);
        assert.equal(await page.locator("img[src='x']").count(), 0);
        await waitForFocus(page.getByRole("button", { name: "Rename" }));
        // Escape cancels and keeps the name.
        await page.getByRole("button", { name: "Rename" }).click();
        await input.fill("not this");
        await input.press("Escape");
        await page.getByRole("heading", { level: 1, name: `beta ${XSS_NAME}` }).waitFor();
        await page.getByRole("button", { name: "Rename" }).click();
        await input.fill("beta-tuning");
        await input.press("Enter");
        await page.getByRole("heading", { level: 1, name: "beta-tuning" }).waitFor();
        assert.equal(await crumb.textContent(), "beta-tuning");
        await shoot(page, "experiment-renamed", { fullPage: false });
      });

      await t.step("ticked experiments' runs in one table, with an Experiment column", async () => {
        await store.createRun({ experimentId: beta, runName: "beta-run" });
        await page.goto(`${base}/`);
        await page.locator("[data-island='ExperimentsList'][data-hydrated]").waitFor();
        await page.getByRole("checkbox", { name: "Select alpha-baseline" }).check();
        await page.getByText("Tick another to compare their runs").waitFor();
        await page.getByRole("checkbox", { name: "Select beta-tuning" }).check();
        await shoot(page, "experiments-ticked", { fullPage: false });
        await page.getByRole("link", { name: "Compare 2 experiments" }).click();
        await page.waitForURL(`${base}/experiments/compare/${alpha},${beta}`);
        await page.locator("[data-island='RunsTable'][data-hydrated]").waitFor();
        assert.equal(await page.title(), "Compare alpha-baseline, beta-tuning · kvflow");
        const rows = page.locator(".rt-table tbody tr[data-run-id]");
        assert.equal(await rows.count(), 5);
        const experimentOf = (run: string) =>
          page.locator(".rt-table tbody tr", { has: page.getByRole("link", { name: run }) })
            .locator("td.rt-experiment").textContent();
        assert.equal(await experimentOf("beta-run"), "beta-tuning");
        assert.equal(await experimentOf("run-1"), "alpha-baseline");
        assert.equal(await page.locator("img[src='x']").count(), 0);
        // The table's state is the query string, as on one experiment's page.
        const filter = page.getByRole("searchbox", { name: "Filter runs" });
        await filter.fill("attributes.run_name LIKE 'beta%'");
        await filter.press("Enter");
        await page.waitForFunction(() =>
          document.querySelectorAll(".rt-table tbody tr[data-run-id]").length === 1
        );
        assert.equal(
          page.url(),
          `${base}/experiments/compare/${alpha},${beta}?filter=attributes.run_name+LIKE+%27beta%25%27`,
        );
        await page.reload();
        await page.locator("[data-island='RunsTable'][data-hydrated]").waitFor();
        assert.equal(await rows.count(), 1);
        await page.goto(`${base}/experiments/compare/${alpha},${beta}`);
        await page.locator("[data-island='RunsTable'][data-hydrated]").waitFor();
        await shoot(page, "experiments-compare", { fullPage: false });
        // The column chooser lists the keys of every experiment of the table, also those only
        // deleted runs (never loaded in the Active view) have.
        for (const [exp, key] of [[alpha, "alpha_only_key"], [beta, "beta_only_key"]]) {
          const gone = await store.createRun({ experimentId: exp });
          await store.logBatch(gone.info.run_id, { params: [{ key, value: "1" }] });
          await store.deleteRun(gone.info.run_id);
        }
        await page.getByRole("button", { name: /^Columns/ }).click();
        for (const key of ["alpha_only_key", "beta_only_key"]) {
          await page.getByRole("checkbox", { name: key, exact: true }).waitFor();
        }
        await page.keyboard.press("Escape");
        // MLflow's link to the same view.
        await page.goto(`${base}/#/compare-experiments/s?experiments=["${beta}","${alpha}"]`);
        await page.waitForURL(`${base}/experiments/compare/${beta},${alpha}`);
        await page.locator("[data-island='RunsTable'][data-hydrated]").waitFor();
        assert.equal(await rows.count(), 5);
      });

      await t.step("a tablet-width viewport keeps everything usable", async () => {
        await page.setViewportSize({ width: 768, height: 1024 });
        await page.goto(`${base}/`);
        await page.locator("[data-island][data-hydrated]").waitFor();
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        );
        assert.equal(overflow, 0, "the page scrolls sideways");
        await shoot(page, "experiments-tablet");
      });

      await t.step("Load more appends the next page", async () => {
        const big = createMemoryStore();
        for (let i = 0; i < 130; i++) await big.createExperiment({ name: `bulk-${i}` });
        const bigServer = Deno.serve(
          { hostname: "127.0.0.1", port: 0, onListen: () => {} },
          createApp({ store: big }).fetch,
        );
        try {
          await page.goto(`http://127.0.0.1:${bigServer.addr.port}/`);
          await page.locator("[data-island][data-hydrated]").waitFor();
          assert.equal(await page.locator("tbody tr").count(), 100);
          await page.getByRole("button", { name: "Load more" }).click();
          await page.locator("tbody tr").nth(130).waitFor();
          assert.equal(await page.getByRole("button", { name: "Load more" }).count(), 0);
          assert.equal((await rowNames(page)).at(-1), "Default");
          assert.equal(new Set(await rowNames(page)).size, 131);
        } finally {
          await bigServer.shutdown();
        }
      });

      assert.deepEqual(problems, []);
      console.log(`screenshots: ${SHOTS_DIR}`);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
