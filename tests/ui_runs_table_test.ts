/**
 * The runs table of `/experiments/:id` (the `RunsTable` island): the server renders the first
 * page from the store honouring the URL's filter / order / columns, user text stays text, and in
 * real Chromium sorting, filtering, paging, nesting, selection, delete / restore and the CSV
 * download work.
 *
 * Screenshots land in `$TMPDIR/kvflow-ui-screenshots` (the folder of tests/ui_e2e_test.ts).
 *
 * @module
 */
import assert from "node:assert/strict";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { TrackingStore } from "../store/types.ts";
import { isLive, mergeFresh, runIdsFilter } from "../ui/islands/runs_table/live.ts";
import {
  countNewer,
  NEW_RUNS_PROBE,
  newestStart,
  newRunsText,
  nextCheckDelay,
} from "../ui/islands/runs_table/new_runs.ts";
import { isNewestFirst } from "../ui/islands/runs_table/NewRunsNotice.tsx";
import {
  parseRunsState,
  runsStateQuery,
  type TableRun,
  treeRows,
} from "../ui/islands/runs_table/state.ts";
import { parseCsv } from "../ui/shared/csv.ts";
import { formatRelative } from "../ui/shared/format.ts";
import { isSystemTag, mergeKeys, visibleKeys } from "../ui/islands/runs_table/keys.ts";
import {
  clampWidth,
  MAX_WIDTH,
  MIN_WIDTH,
  parseWidths,
  widthAfterKey,
} from "../ui/islands/runs_table/resize.ts";
import { datasetLabel, datasetsOf, modelsOf } from "../ui/islands/runs_table/run_links.ts";
import { slimRun } from "../ui/islands/runs_table/state.ts";
import type { Run } from "../store/types.ts";
import { launchBrowser } from "./helpers/browser.ts";
import { isApi400, islandProps, openPage, shoot, SHOTS_DIR } from "./helpers/ui.ts";

const XSS_NAME = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`;
const T0 = Date.UTC(2026, 0, 1);

interface Seeded {
  store: TrackingStore;
  expId: string;
  ids: Map<string, string>;
}

/**
 * An experiment with `n` runs `run-000…` (newest last) with metrics `acc` = (i % 100) / 100 and
 * `loss`, params `opt` (odd: adam, even: sgd) and `lr`, tag `team`; then a parent with two
 * children and a run named with a script payload, all newer than the bulk.
 */
async function seed(n: number): Promise<Seeded> {
  const store = createMemoryStore();
  const expId = await store.createExperiment({ name: "runs-table" });
  const ids = new Map<string, string>();
  const create = async (
    name: string,
    start: number,
    tags: { key: string; value: string }[] = [],
  ) => {
    const run = await store.createRun({
      experimentId: expId,
      runName: name,
      userId: "ana",
      startTime: start,
      tags,
    });
    ids.set(name, run.info.run_id);
    return run.info.run_id;
  };
  for (let i = 0; i < n; i++) {
    const id = await create(`run-${String(i).padStart(3, "0")}`, T0 + i * 1000, [
      { key: "mlflow.source.name", value: "train.py" },
      { key: "mlflow.user", value: "ana" },
    ]);
    await store.logBatch(id, {
      metrics: [
        { key: "acc", value: (i % 100) / 100, timestamp: T0, step: 0 },
        { key: "loss", value: 1 - (i % 100) / 100, timestamp: T0, step: 0 },
      ],
      params: [{ key: "opt", value: i % 2 ? "adam" : "sgd" }, { key: "lr", value: String(i) }],
      tags: [{ key: "team", value: i % 3 ? "vision" : "nlp" }],
    });
    if (i % 2 === 0) {
      await store.updateRun(id, { status: "FINISHED", endTime: T0 + i * 1000 + 61_500 });
    }
  }
  const parent = await create("parent-run", T0 + n * 1000 + 3000);
  await create("child-a", T0 + n * 1000 + 2000, [{ key: "mlflow.parentRunId", value: parent }]);
  await create("child-b", T0 + n * 1000 + 1000, [{ key: "mlflow.parentRunId", value: parent }]);
  await create(XSS_NAME, T0 + n * 1000 + 4000, [{ key: "team", value: XSS_NAME }]);
  return { store, expId, ids };
}

/** The whole app (`/experiments/:id` is the RunsTable page) as a fetch function. */
function appFetch(store: TrackingStore): Promise<(req: Request) => Promise<Response>> {
  const app = createApp({ store });
  return Promise.resolve(async (req: Request) => await app.fetch(req));
}

function propNames(page: string): string[] {
  const runs = islandProps(page, "RunsTable").runs as { info: { run_name: string } }[];
  return runs.map((r) => r.info.run_name);
}

Deno.test("runs table helpers: URL state round trip, CSV escaping, nesting", () => {
  const state = {
    filter: "metrics.acc > 0.5",
    order: "metrics.`acc` DESC",
    view: "all" as const,
    cols: ["metrics.acc", "params.a,b"],
    sel: ["r1", "r2"],
  };
  assert.deepEqual(parseRunsState(new URLSearchParams(runsStateQuery(state))), state);
  assert.equal(runsStateQuery({ filter: " ", order: "", view: "active", cols: [], sel: [] }), "");
  const run = (id: string, parent?: string) => ({
    info: { run_id: id } as never,
    data: {
      metrics: [],
      params: [],
      tags: parent ? [{ key: "mlflow.parentRunId", value: parent }] : [],
    },
  });
  const runs = [run("c1", "p"), run("x"), run("p"), run("c2", "p"), run("orphan", "gone")];
  const ids = (rows: ReturnType<typeof treeRows>) =>
    rows.map((r) => `${"-".repeat(r.depth)}${r.run.info.run_id}`);
  assert.deepEqual(ids(treeRows(runs, new Set())), ["x", "p", "-c1", "-c2", "orphan"]);
  assert.deepEqual(ids(treeRows(runs, new Set(["p"]))), ["x", "p", "orphan"]);
  // A parent cycle does not lose runs or loop.
  assert.equal(treeRows([run("a", "b"), run("b", "a")], new Set()).length, 2);
});

Deno.test("GET /experiments/:id renders the runs table's first page on the server", async (t) => {
  const { store, expId, ids } = await seed(120);
  const fetch = await appFetch(store);
  const get = async (query = "", status = 200) => {
    const res = await fetch(new Request(`http://localhost/experiments/${expId}${query}`));
    const text = await res.text();
    assert.equal(res.status, status, text.slice(0, 300));
    return text;
  };

  await t.step("first page only, newest first, with the island marker and run links", async () => {
    const page = await get();
    assert.match(page, /<div data-island="RunsTable" data-props="/);
    assert.match(page, /<script type="module" src="\/static\/client\.[0-9a-f]{10}\.js">/);
    const props = islandProps(page, "RunsTable");
    assert.equal((props.runs as unknown[]).length, 100);
    assert.equal(typeof props.nextPageToken, "string");
    assert.equal(propNames(page)[0], XSS_NAME);
    assert.ok(page.includes(`<a href="/runs/${ids.get("run-119")}"`));
    // Rows are in the HTML itself (first paint without JavaScript).
    assert.match(page, />run-119<\/a>/);
    assert.doesNotMatch(page, />run-010<\/a>/);
  });

  await t.step("a script-carrying run name and tag are escaped", async () => {
    const page = await get("?col=tags.team");
    assert.equal(page.includes(XSS_NAME), false);
    assert.equal(/<img\b/i.test(page), false);
    assert.equal((page.match(/<script\b/gi) ?? []).length, 1);
    assert.match(page, /&lt;script>alert\(1\)&lt;\/script>/);
  });

  await t.step("?filter=, ?order= and ?col= are honoured on the server", async () => {
    const qs = new URLSearchParams();
    qs.set("filter", "metrics.acc > 0.5 AND params.opt = 'adam'");
    qs.set("order", "metrics.`acc` ASC");
    qs.append("col", "metrics.acc");
    qs.append("col", "params.opt");
    qs.append("sel", ids.get("run-051")!);
    const page = await get(`?${qs}`);
    const names = propNames(page);
    assert.equal(names.length, 25);
    assert.equal(names[0], "run-051");
    assert.equal(names.at(-1), "run-099");
    assert.match(
      page,
      /<th scope="col" class="rt-extra rt-extra--metrics" aria-sort="ascending" data-col="metrics.acc">/,
    );
    assert.match(page, /<span>opt<\/span>/);
    // The selected run's checkbox is checked in the server HTML.
    assert.match(page, /aria-label="Select run-051" checked/);
    assert.match(page, /Compare 1/);
  });

  await t.step("a bad filter shows the API's message inline", async () => {
    const page = await get(`?filter=${encodeURIComponent("metrics.acc >")}`);
    assert.match(page, /<p id="runs-filter-error" class="field-error" role="alert">[^<]+<\/p>/);
    assert.deepEqual(propNames(page), []);
  });

  await t.step("?view=deleted lists deleted runs", async () => {
    await store.deleteRun(ids.get("run-005")!);
    assert.deepEqual(propNames(await get("?view=deleted")), ["run-005"]);
    assert.equal(propNames(await get("?view=all")).length, 100);
  });
});

Deno.test("GET /experiments/compare/:ids renders one runs table over several experiments", async () => {
  const { store, expId } = await seed(3);
  const other = await store.createExperiment({ name: `other ${XSS_NAME}` });
  await store.createRun({ experimentId: other, runName: "other-run", startTime: T0 + 99_000 });
  const fetch = await appFetch(store);
  const get = async (path: string, status = 200) => {
    const res = await fetch(new Request(`http://localhost${path}`));
    const text = await res.text();
    assert.equal(res.status, status, text.slice(0, 300));
    return text;
  };
  const page = await get(
    `/experiments/compare/${expId},${other}?filter=attributes.run_name+LIKE+%27%25run%27`,
  );
  const props = islandProps(page, "RunsTable");
  assert.deepEqual(props.experiments, [
    { experiment_id: expId, name: "runs-table" },
    { experiment_id: other, name: `other ${XSS_NAME}` },
  ]);
  assert.deepEqual(propNames(page), ["other-run", "parent-run"]);
  assert.match(page, /<th scope="col" class="rt-experiment">Experiment<\/th>/);
  assert.match(page, new RegExp(`<a href="/experiments/${other}">other &lt;script>`));
  assert.equal(/<img\b/i.test(page), false);
  assert.equal((page.match(/<script\b/gi) ?? []).length, 1);
  // Too many, malformed or no ids: the page says why (400); a missing one is a 404.
  const many = Array.from({ length: 21 }, (_, i) => String(i)).join(",");
  assert.match(await get(`/experiments/compare/${many}`, 400), /at most 20 experiments/);
  assert.match(
    await get(`/experiments/compare/1,${encodeURIComponent("<b>")}`, 400),
    /“&lt;b>” is not an experiment ID/,
  );
  assert.match(await get(`/experiments/compare/${expId},999`, 404), /no experiment with ID “999”/);
});

Deno.test({
  name: "runs table works in Chromium: sort, filter, paging, nesting, selection, CSV, XSS",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { store, expId, ids } = await seed(250);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      await appFetch(store),
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const url = `${base}/experiments/${expId}`;
    const browser = await launchBrowser();
    try {
      let allowApi400 = false;
      const { page, problems } = await openPage(browser, {
        context: { viewport: { width: 1280, height: 800 }, acceptDownloads: true },
        timeoutMs: 10_000,
        allow: (m) => allowApi400 && isApi400(m),
      });

      const rows = page.locator(".rt-table tbody tr[data-run-id]");
      const names = () => page.locator(".rt-table tbody td.cell-name a").allTextContents();
      const waitForCount = (n: number) =>
        page.waitForFunction(
          (want) => document.querySelectorAll(".rt-table tbody tr[data-run-id]").length === want,
          n,
        );
      const hydrated = () => page.locator("[data-island='RunsTable'][data-hydrated]").waitFor();

      await t.step("the island hydrates the server's first page", async () => {
        await page.goto(url);
        await hydrated();
        assert.equal(await rows.count(), 100);
        const first = await names();
        // Newest first; children nested right under their parent.
        assert.deepEqual(first.slice(0, 4), [XSS_NAME, "parent-run", "child-a", "child-b"]);
      });

      await t.step("the script-named run shows as text and runs nothing", async () => {
        await page.getByRole("link", { name: XSS_NAME, exact: true }).waitFor();
        assert.equal(await page.locator("img[src='x']").count(), 0);
        assert.equal(await page.locator("main script").count(), 0);
      });

      await t.step(
        "a running run's status and duration update live, without a reload",
        async () => {
          const id = ids.get("run-249")!;
          const row = page.locator(`.rt-table tbody tr[data-run-id="${id}"]`);
          assert.match(await row.innerText(), /Running/);
          // Running: the time so far (started in January), not "—".
          assert.match(await row.locator("td.num").first().innerText(), /^\d+d \d+h$/);
          await page.locator("[data-live]").waitFor();
          await store.updateRun(id, { status: "FINISHED", endTime: T0 + 249_000 + 5_000 });
          // The table polls every 5 s.
          await page.waitForFunction(
            (runId) =>
              document.querySelector(`tr[data-run-id="${runId}"]`)?.textContent?.includes(
                "Finished",
              ),
            id,
            { timeout: 12_000 },
          );
          assert.match(await row.innerText(), /\b5\.0s\b/);
        },
      );

      await t.step("a parent collapses and expands its children", async () => {
        await page.getByRole("button", { name: "Collapse parent-run (2 child runs)" }).click();
        await waitForCount(98);
        assert.equal(await page.getByRole("link", { name: "child-a" }).count(), 0);
        await page.getByRole("button", { name: "Expand parent-run (2 child runs)" }).click();
        await waitForCount(100);
      });

      await t.step("a metric column from the picker sorts by its header", async () => {
        await page.getByRole("button", { name: /^Columns/ }).click();
        await page.getByRole("checkbox", { name: "acc", exact: true }).check();
        await page.getByRole("button", { name: /^Columns/ }).click();
        assert.match(page.url(), /[?&]col=metrics\.acc(&|$)/);
        const header = page.getByRole("button", { name: /^acc/ });
        await header.click();
        await page.waitForFunction(() =>
          document.querySelector(".rt-table tbody td.cell-name a")?.textContent === "run-199"
        );
        assert.equal(new URL(page.url()).searchParams.get("order"), "metrics.`acc` DESC");
        const th = page.locator("th.rt-extra--metrics");
        assert.equal(await th.getAttribute("aria-sort"), "descending");
        const accs = await page.locator(".rt-table tbody td.num:last-child").allTextContents();
        assert.deepEqual(accs.slice(0, 3), ["0.99", "0.99", "0.98"]);
        await header.click();
        await page.waitForFunction(() =>
          document.querySelector(".rt-table tbody td.cell-name a")?.textContent === "run-200"
        );
        assert.equal(await th.getAttribute("aria-sort"), "ascending");
        await shoot(page, "runs-table-sorted", { fullPage: false });
      });

      await t.step("a reload restores columns and order from the URL", async () => {
        await page.reload();
        await hydrated();
        assert.equal((await names())[0], "run-200");
        assert.equal(
          await page.locator("th.rt-extra--metrics").getAttribute("aria-sort"),
          "ascending",
        );
      });

      await t.step("the filter grammar narrows rows; a bad filter shows the error", async () => {
        const filter = page.getByRole("searchbox", { name: "Filter runs" });
        await filter.fill("metrics.acc > 0.5 AND params.opt = 'adam'");
        await filter.press("Enter");
        await waitForCount(50);
        assert.equal(
          new URL(page.url()).searchParams.get("filter"),
          "metrics.acc > 0.5 AND params.opt = 'adam'",
        );
        assert.equal(await page.getByRole("button", { name: "Load more" }).count(), 0);
        assert.equal((await names())[0], "run-151"); // acc ASC; ties newest first
        allowApi400 = true;
        await filter.fill("metrics.acc >");
        await filter.press("Enter");
        const error = page.locator("#runs-filter-error");
        await error.waitFor();
        assert.ok((await error.textContent() ?? "").length > 5);
        assert.equal(await filter.getAttribute("aria-invalid"), "true");
        await shoot(page, "runs-table-error", { fullPage: false });
        allowApi400 = false;
        await filter.fill("");
        await filter.press("Enter");
        await waitForCount(100);
        assert.equal(await error.count(), 0);
      });

      await t.step("Load more appends pages and never the whole experiment at once", async () => {
        await page.goto(url);
        await hydrated();
        const more = page.getByRole("button", { name: "Load more" });
        await more.click();
        await waitForCount(200);
        await more.click();
        await waitForCount(254);
        assert.equal(await more.count(), 0);
        assert.equal(new Set(await names()).size, 254);
      });

      await t.step("selecting two runs offers Compare with both ids", async () => {
        await page.goto(url);
        await hydrated();
        await page.getByRole("checkbox", { name: "Select run-249" }).check();
        await page.getByRole("checkbox", { name: "Select run-248" }).check();
        const compare = page.locator("a[data-compare]");
        await compare.waitFor();
        const href = await compare.getAttribute("href") ?? "";
        const runs = new URL(href, base).searchParams.get("runs")?.split(",") ?? [];
        assert.equal(new URL(href, base).pathname, "/compare");
        assert.deepEqual(runs.sort(), [ids.get("run-248")!, ids.get("run-249")!].sort());
        assert.deepEqual(new URL(page.url()).searchParams.getAll("sel").sort(), runs.sort());
        await shoot(page, "runs-table-selected", { fullPage: false });
        // The selection survives a reload.
        await page.reload();
        await hydrated();
        assert.equal(
          await page.getByRole("checkbox", { name: "Select run-249" }).isChecked(),
          true,
        );
        await page.getByRole("button", { name: "Clear selection" }).click();
        assert.equal(await compare.count(), 0);
      });

      await t.step("delete asks first, then offers Undo, which brings the runs back", async () => {
        const ids2 = [ids.get("run-249")!, ids.get("run-248")!];
        await page.getByRole("checkbox", { name: "Select run-249" }).check();
        await page.getByRole("checkbox", { name: "Select run-248" }).check();
        await page.getByRole("button", { name: "Delete", exact: true }).click();
        const ask = page.locator("[data-delete-confirm]");
        assert.match(await ask.innerText(), /Delete 2 runs\?/);
        // Focus sits on Cancel; Escape cancels and returns it to Delete.
        await page.waitForFunction(() => document.activeElement?.textContent?.trim() === "Cancel");
        await page.keyboard.press("Escape");
        await page.waitForFunction(() => document.activeElement?.matches("[data-delete]"));
        assert.equal((await store.getRun(ids2[0])).info.lifecycle_stage, "active");
        await page.getByRole("button", { name: "Delete", exact: true }).click();
        await shoot(page, "runs-table-delete-confirm", { fullPage: false });
        await page.getByRole("button", { name: "Yes, delete" }).click();
        await page.locator(`tr[data-run-id="${ids2[0]}"]`).waitFor({ state: "detached" });
        assert.equal((await store.getRun(ids2[1])).info.lifecycle_stage, "deleted");
        assert.match(await page.locator(".notice").innerText(), /Deleted 2 runs/);
        await shoot(page, "runs-table-delete-undo", { fullPage: false });
        await page.locator("[data-undo]").click();
        await page.locator(`tr[data-run-id="${ids2[0]}"]`).waitFor();
        await page.locator(`tr[data-run-id="${ids2[1]}"]`).waitFor();
        assert.equal((await store.getRun(ids2[1])).info.lifecycle_stage, "active");
        assert.match(await page.locator(".notice").innerText(), /Restored 2 runs/);
      });

      await t.step("delete and restore a selected run", async () => {
        const id = ids.get("run-249")!;
        await page.getByRole("checkbox", { name: "Select run-249" }).check();
        await page.getByRole("button", { name: "Delete", exact: true }).click();
        await page.getByRole("button", { name: "Yes, delete" }).click();
        await page.locator(`tr[data-run-id="${id}"]`).waitFor({ state: "detached" });
        assert.equal((await store.getRun(id)).info.lifecycle_stage, "deleted");
        await page.getByRole("link", { name: "Deleted", exact: true }).click();
        await waitForCount(1);
        assert.equal(new URL(page.url()).searchParams.get("view"), "deleted");
        await page.getByRole("checkbox", { name: "Select run-249" }).check();
        await page.getByRole("button", { name: "Restore", exact: true }).click();
        await waitForCount(0);
        assert.equal((await store.getRun(id)).info.lifecycle_stage, "active");
        await page.getByRole("link", { name: "Active", exact: true }).click();
        await page.locator(`tr[data-run-id="${id}"]`).waitFor();
      });

      await t.step(
        "Download CSV exports every matching run with all params and metrics",
        async () => {
          // No columns chosen and only the first page loaded: the server still exports every
          // run the filter matches, with a column per param, metric and tag.
          await page.goto(`${url}?${new URLSearchParams({ filter: "params.opt = 'adam'" })}`);
          await hydrated();
          const link = page.getByRole("link", { name: "Download CSV" });
          assert.match(await link.getAttribute("href") ?? "", /runs\/export-csv\?.*filter=/);
          const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
          assert.equal(download.suggestedFilename(), `runs-${expId}.csv`);
          const csv = await Deno.readTextFile(await download.path());
          const [head, ...body] = parseCsv(csv).rows;
          assert.equal(body.length, 125, "every odd run, not only the loaded page");
          for (const col of ["run_id", "run_name", "params.lr", "params.opt", "metrics.acc"]) {
            assert.ok(head.includes(col), `${col} in ${head.join(",")}`);
          }
          const at = (row: string[], col: string) => row[head.indexOf(col)];
          const run249 = body.find((r) => at(r, "run_name") === "run-249")!;
          assert.equal(at(run249, "run_id"), ids.get("run-249"));
          assert.equal(at(run249, "params.opt"), "adam");
          assert.equal(at(run249, "metrics.acc"), "0.49");
          assert.ok(body.every((r) => at(r, "params.opt") === "adam"));
        },
      );

      await t.step("768 px wide: only the table scrolls sideways", async () => {
        await page.setViewportSize({ width: 768, height: 1024 });
        await page.goto(`${url}?col=metrics.acc&col=metrics.loss&col=params.opt&col=tags.team`);
        await hydrated();
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        );
        assert.equal(overflow, 0, "the page scrolls sideways");
        await shoot(page, "runs-table-tablet", { fullPage: false });
        await page.setViewportSize({ width: 1280, height: 800 });
      });

      await t.step("headers and checkboxes are reachable by keyboard", async () => {
        await page.goto(url);
        await hydrated();
        await page.getByRole("searchbox", { name: "Filter runs" }).focus();
        const seen: string[] = [];
        for (let i = 0; i < 16; i++) {
          await page.keyboard.press("Tab");
          seen.push(
            await page.evaluate(() => {
              const el = document.activeElement as HTMLElement | null;
              return el?.getAttribute("aria-label") || el?.textContent?.trim() || "";
            }),
          );
        }
        for (const want of ["Columns", "Download CSV", "Select all shown runs", "Run name↕"]) {
          assert.ok(seen.includes(want), `${want} not in ${seen.join(" | ")}`);
        }
        // The column picker opens from the keyboard and Escape closes it.
        const summary = page.getByRole("button", { name: /^Columns/ });
        await summary.focus();
        await page.keyboard.press("Enter");
        await page.getByRole("checkbox", { name: "loss", exact: true }).focus();
        await page.keyboard.press("Escape");
        assert.equal(await page.locator("#rt-columns-menu").count(), 0);
        assert.equal(await summary.getAttribute("aria-expanded"), "false");
        assert.equal(await summary.evaluate((el) => el === document.activeElement), true);
        await page.getByRole("button", { name: /^Run name/ }).focus();
        await page.keyboard.press("Enter");
        await page.waitForFunction(() => location.search.includes("order="));
        // A text column's first click sorts A→Z.
        assert.equal(
          new URL(page.url()).searchParams.get("order"),
          "attributes.run_name ASC",
        );
        await shoot(page, "runs-table", { fullPage: false });
      });

      await t.step(
        "the column chooser lists every key of the experiment and searches them",
        async () => {
          // run-000 is the oldest run: not on the first page, so only list-keys can offer its key.
          await store.logBatch(ids.get("run-000")!, {
            params: [{ key: "only_on_an_old_run", value: "x" }],
          });
          await page.goto(url);
          await hydrated();
          const toggle = page.getByRole("button", { name: /^Columns/ });
          await toggle.click();
          const menu = page.locator("#rt-columns-menu");
          // The search box gets focus as the panel opens (an effect after the render, so wait).
          const box = await page.getByRole("searchbox", { name: "Search columns" }).elementHandle();
          await page.waitForFunction((el) => el === document.activeElement, box, {
            timeout: 5_000,
          });
          const rare = page.getByRole("checkbox", { name: "only_on_an_old_run", exact: true });
          await rare.waitFor();
          // System tags are off by default, and a switch away.
          assert.equal(await menu.getByText("mlflow.source.name", { exact: true }).count(), 0);
          await page.getByRole("checkbox", { name: /Show system tags/ }).check();
          await menu.getByText("mlflow.source.name", { exact: true }).waitFor();
          await page.getByRole("checkbox", { name: /Show system tags/ }).uncheck();
          const search = page.getByRole("searchbox", { name: "Search columns" });
          await search.fill("old run");
          await menu.getByText("only_on_an_old_run", { exact: true }).waitFor();
          await search.fill("ONLY_on");
          assert.deepEqual(
            await menu.locator(".rt-columns__key").allTextContents(),
            ["only_on_an_old_run"],
          );
          await shoot(page, "runs-table-chooser", { fullPage: false });
          await rare.check();
          assert.match(page.url(), /[?&]col=params\.only_on_an_old_run(&|$)/);
          await page.keyboard.press("Escape");
          assert.equal(await menu.count(), 0);
          // The column survives a reload (it is in the URL); the loaded runs have no value for it.
          await page.reload();
          await hydrated();
          await page.locator('th[data-col="params.only_on_an_old_run"]').waitFor();
        },
      );

      await t.step("columns resize by drag and by keyboard; widths survive a reload", async () => {
        await page.evaluate(() => localStorage.removeItem("kvflow.runsTable.widths"));
        await page.goto(`${url}?col=params.lr`);
        await hydrated();
        const th = page.locator('th[data-col="user"]');
        const width = () => th.evaluate((el) => Math.round(el.getBoundingClientRect().width));
        const cellWidth = () =>
          page.evaluate(() => {
            const th = document.querySelector<HTMLTableCellElement>('th[data-col="user"]')!;
            const row = document.querySelector<HTMLTableRowElement>(".rt-table tbody tr")!;
            return Math.round(row.cells[th.cellIndex].getBoundingClientRect().width);
          });
        const before = await width();
        const grip = page.getByRole("separator", { name: "Resize column User" });
        const box = (await grip.boundingBox())!;
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2, { steps: 4 });
        await page.mouse.up();
        const dragged = await width();
        assert.ok(Math.abs(dragged - (before + 60)) <= 2, `${before} → ${dragged}`);
        assert.equal(await cellWidth(), dragged, "body cells follow the header");
        // Keyboard: focus the grip, arrows resize in 16 px steps.
        await grip.focus();
        await page.keyboard.press("ArrowLeft");
        await page.keyboard.press("ArrowLeft");
        assert.ok(Math.abs((await width()) - (dragged - 32)) <= 2);
        // A long param column resized narrow: its cells cut, the whole value on hover.
        const lr = page.getByRole("separator", { name: "Resize column lr" });
        await lr.focus();
        for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowLeft");
        const stored = await page.evaluate(() =>
          JSON.parse(localStorage.getItem("kvflow.runsTable.widths") ?? "{}")
        );
        assert.equal(stored.user, dragged - 32);
        assert.equal(stored["params.lr"], 48);
        // A reload keeps the widths.
        await page.reload();
        await hydrated();
        assert.ok(Math.abs((await width()) - (dragged - 32)) <= 2, "width lost on reload");
        await shoot(page, "runs-table-resized", { fullPage: false });
        // Opened on the chart view (which reads no widths), then switched to the table: kept.
        await page.goto(`${url}?col=params.lr&view=charts`);
        await hydrated();
        await page.getByRole("link", { name: "Table", exact: true }).click();
        await th.waitFor();
        assert.ok(Math.abs((await width()) - (dragged - 32)) <= 2, "width lost via the charts");
        // Escape on a grip gives the column its natural width back.
        await page.getByRole("separator", { name: "Resize column User" }).focus();
        await page.keyboard.press("Escape");
        await page.getByRole("separator", { name: "Resize column lr" }).focus();
        await page.keyboard.press("Escape");
        assert.deepEqual(
          await page.evaluate(() => JSON.parse(localStorage.getItem("kvflow.runsTable.widths")!)),
          {},
        );
      });

      await t.step("long names and values: one line, the whole text on hover", async () => {
        const longKey = `learning_rate_schedule_${"warmup_".repeat(10)}end`;
        const longValue = `cosine-${"annealing-".repeat(20)}end`;
        const id = await store.createRun({
          experimentId: expId,
          runName: `long-${"name-".repeat(30)}end`,
          userId: "ana",
          startTime: Date.now(),
          tags: [],
        }).then((r) => r.info.run_id);
        await store.logBatch(id, { params: [{ key: longKey, value: longValue }] });
        await page.goto(`${url}?col=${encodeURIComponent(`params.${longKey}`)}`);
        await hydrated();
        const head = page.locator(`th[data-col="params.${longKey}"]`);
        const label = head.locator(".rt-sort > span").first();
        assert.ok(await label.evaluate((el) => el.scrollWidth > el.clientWidth), "key not cut");
        assert.equal(
          await head.locator(".rt-sort").getAttribute("title"),
          `Parameters: ${longKey}`,
        );
        const row = page.locator(`tr[data-run-id="${id}"]`);
        const cell = row.locator("td.rt-text").last();
        assert.equal(await cell.getAttribute("title"), longValue);
        assert.ok(await cell.evaluate((el) => el.scrollWidth > el.clientWidth), "value not cut");
        const h = await cell.evaluate((el) => el.getBoundingClientRect().height);
        assert.ok(h < 50, `the value wraps (${h}px)`);
        const name = row.locator("td.cell-name");
        assert.ok(await name.evaluate((el) => el.scrollWidth > el.clientWidth), "name not cut");
        assert.match((await name.locator("a").getAttribute("title"))!, /^long-name-/);
      });

      await t.step("Dataset and Models columns show inputs and logged models, linked", async () => {
        const id = await store.createRun({
          experimentId: expId,
          runName: "with-inputs",
          userId: "ana",
          startTime: Date.now(),
          tags: [],
        }).then((r) => r.info.run_id);
        const ds = (name: string, digest: string, context: string) => ({
          dataset: { name, digest, source_type: "local", source: "/data" },
          tags: [{ key: "mlflow.data.context", value: context }],
        });
        await store.logInputs(id, [
          ds("iris", "a1b2c3d4e5f6", "train"),
          ds("iris", "ffff0000", "eval"),
        ]);
        await store.logModel(
          id,
          JSON.stringify({
            run_id: id,
            artifact_path: "model",
            utc_time_created: "2026-01-01 00:00:00.000000",
            flavors: { python_function: {} },
          }),
        );
        const model = await store.createLoggedModel({ experimentId: expId, name: "clf" });
        await store.logOutputs(id, [{ model_id: model.info.model_id, step: 3 }]);
        await store.createRegisteredModel({ name: "churn" });
        await store.createModelVersion({
          name: "churn",
          source: `models:/${model.info.model_id}`,
          runId: id,
        });
        await page.goto(url);
        await hydrated();
        const row = page.locator(`tr[data-run-id="${id}"]`);
        const datasets = row.locator("td.rt-datasets");
        assert.equal(await datasets.innerText(), "iris (a1b2c3d4) train, iris (ffff0000) eval");
        assert.equal(
          await datasets.getAttribute("title"),
          "iris (a1b2c3d4) train\niris (ffff0000) eval",
        );
        const links = row.locator("td.rt-models a");
        // The registered version arrives with one search for the whole page, after hydration.
        await row.locator("td.rt-models a", { hasText: "churn v1" }).waitFor();
        assert.equal(await links.count(), 3);
        assert.equal(await links.nth(2).getAttribute("href"), "/models/churn/versions/1");
        assert.equal(await links.nth(0).innerText(), "model");
        assert.equal(
          await links.nth(0).getAttribute("href"),
          `/runs/${id}?artifact=model`,
        );
        assert.equal(
          await links.nth(1).getAttribute("href"),
          `/logged-models/${model.info.model_id}`,
        );
        await page.locator(".runs-table .table-wrap").evaluate((el) => {
          el.scrollLeft = el.scrollWidth;
        });
        await shoot(page, "runs-table-inputs", { fullPage: false });
      });

      await t.step(
        "wide sweeps: full width, pinned name and header, groups, hover text",
        async () => {
          const long = `sweep-${"very-long-name-".repeat(8)}end`;
          const id = await store.createRun({
            experimentId: expId,
            runName: long,
            userId: "ana",
            startTime: Date.now() - 3 * 60_000,
            tags: [],
          }).then((r) => r.info.run_id);
          await store.logBatch(id, {
            metrics: [{ key: "lr", value: 0.5, timestamp: T0, step: 0 }],
            params: [{ key: "lr", value: "0.01" }],
            tags: [],
          });
          await page.setViewportSize({ width: 1920, height: 900 });
          const cols = ["params.lr", "metrics.lr", "tags.team", "metrics.acc", "params.opt"];
          await page.goto(`${url}?${cols.map((c) => `col=${c}`).join("&")}&sel=${id}`);
          await hydrated();
          // The page is no longer capped at 1280 px.
          const mainWidth = await page.locator("main").evaluate((el) => el.clientWidth);
          assert.ok(mainWidth > 1800, `main is ${mainWidth}px`);
          // Groups over the columns, which follow them: the two `lr` read differently.
          const groups = await page.locator(".rt-groups th.rt-group").evaluateAll((ths) =>
            ths.map((th) => `${th.textContent}:${(th as HTMLTableCellElement).colSpan}`)
          );
          assert.deepEqual(groups, ["Metrics:2", "Parameters:2", "Tags:1"]);
          const extra = await page.locator("th.rt-extra").allInnerTexts();
          assert.deepEqual(extra.map((t) => t.replace(/[↕↑↓]/g, "").trim()), [
            "lr",
            "acc",
            "lr",
            "opt",
            "team",
          ]);
          // Relative "Created" with the absolute time on hover; a long name on one line, whole in
          // its title.
          const row = page.locator(`tr[data-run-id="${id}"]`);
          const created = row.locator("td.col-time time");
          assert.equal(await created.innerText(), "3 min ago");
          assert.match((await created.getAttribute("title"))!, /^\d{4}-\d\d-\d\d \d\d:\d\d \(/);
          const name = row.locator("td.cell-name");
          assert.ok(await name.evaluate((el) => el.scrollWidth > el.clientWidth), "not truncated");
          assert.ok((await name.locator("a").getAttribute("title"))!.startsWith(long));
          const nameHeight = await name.evaluate((el) => el.getBoundingClientRect().height);
          assert.ok(nameHeight < 50, `the name wraps (${nameHeight}px)`);
          await shoot(page, "runs-table-wide", { fullPage: false });

          // 1280 px: the table scrolls sideways and down inside its box; the name column, the
          // header rows and the Compare bar stay on screen.
          await page.setViewportSize({ width: 1280, height: 800 });
          const wrap = page.locator(".runs-table .table-wrap");
          const before = await name.boundingBox();
          await wrap.evaluate((el) => el.scrollTo(400, 0));
          await page.evaluate(() => globalThis.scrollTo(0, document.body.scrollHeight));
          const pinned = await page.evaluate(() => {
            const wrap = document.querySelector(".runs-table .table-wrap")!;
            wrap.scrollTop = 2000;
            const top = (sel: string) => document.querySelector(sel)!.getBoundingClientRect().top;
            return {
              wrapLeft: wrap.scrollLeft,
              bar: top(".rt-actions"),
              barBottom: document.querySelector(".rt-actions")!.getBoundingClientRect().bottom,
              wrapTop: top(".runs-table .table-wrap"),
              group: top(".rt-groups th.rt-group") - top(".runs-table .table-wrap"),
              head: top("th.rt-extra") - top(".runs-table .table-wrap"),
              compare: !!document.querySelector(".rt-actions [data-compare]"),
            };
          });
          assert.ok(pinned.wrapLeft > 0, "the table does not scroll sideways at 1280 px");
          // Scrolled to the end, the bar is still at the window's top, right above the box.
          assert.ok(pinned.bar >= 0 && pinned.bar < 10, `bar at ${pinned.bar}`);
          assert.ok(pinned.compare);
          assert.ok(pinned.wrapTop >= pinned.barBottom, "the bar covers the table's header");
          assert.ok(Math.abs(pinned.group - 1) <= 1, `group row at ${pinned.group}`);
          assert.ok(Math.abs(pinned.head - 29) <= 2, `header row at ${pinned.head}`);
          const first = page.locator(".rt-table tbody td.cell-name").first();
          assert.equal(Math.round((await first.boundingBox())!.x), Math.round(before!.x));
          await shoot(page, "runs-table-pinned", { fullPage: false });
        },
      );

      await t.step("chart view: a card per metric, bars for a metric logged once", async () => {
        // A curve of 40 steps on the 12 newest bulk runs (the others logged acc and loss once).
        for (let i = 238; i < 250; i++) {
          await store.logBatch(ids.get(`run-${i}`)!, {
            metrics: Array.from({ length: 40 }, (_, s) => ({
              key: "curve",
              value: (i % 2 ? 2 : 1) + s / 40 + (i % 3) / 10,
              timestamp: T0 + s * 1000,
              step: s,
            })),
            params: [],
            tags: [],
          });
        }
        await page.setViewportSize({ width: 1440, height: 1000 });
        // The server paints the cards (the first of 100 loaded runs logged these four keys).
        const html = await (await fetch(`${url}?view=charts`)).text();
        assert.equal(html.match(/data-chart-card/g)?.length, 4);
        const bulk: string[] = [];
        const onRequest = (r: { url(): string }) => {
          if (r.url().includes("/get-history-downsampled-bulk?")) bulk.push(r.url());
        };
        page.on("request", onRequest);
        const started = Date.now();
        await page.goto(`${url}?view=charts`);
        await hydrated();
        await page.waitForFunction(() =>
          document.querySelectorAll("[data-chart-card][data-drawn]").length === 4
        );
        const ms = Date.now() - started;
        page.off("request", onRequest);
        const keys = await page.locator("[data-chart-card]").evaluateAll((els) =>
          els.map((el) => (el as HTMLElement).dataset.key)
        );
        assert.deepEqual(keys, ["acc", "curve", "loss", "lr"]);
        // Each card's first read came inside the page (one reply per card, naming its runs,
        // ≤ 100, and its metric), so the cards asked for nothing; the island took every reply.
        assert.equal(bulk.length, 0, bulk.join("\n"));
        const carried = [...html.matchAll(/data-reply="([^"]*)"/g)].map((m) =>
          new URL(m[1].replaceAll("&amp;", "&"), url).searchParams
        );
        assert.deepEqual(carried.map((q) => q.get("metric_key")).sort(), keys);
        assert.ok(carried.every((q) => q.getAll("run_ids").length <= 100));
        assert.equal(await page.locator("script[data-reply]").count(), 0);
        const kind = (key: string) =>
          page.locator(`[data-chart-card][data-key="${key}"]`).getAttribute("data-kind");
        assert.equal(await kind("acc"), "bars");
        assert.equal(await kind("curve"), "lines");
        assert.match(
          await page.locator('[data-chart-card][data-key="curve"] .cv-card__foot').innerText(),
          /^12 runs, 480 points/,
        );
        // The table is out of the way; the Table | Charts toggle says where we are.
        assert.equal(await page.locator(".runs-table .table-wrap").isVisible(), false);
        assert.equal(
          await page.locator('[data-display="charts"]').getAttribute("aria-current"),
          "true",
        );
        console.log(`chart view: 4 cards drawn in ${ms} ms`);
        await shoot(page, "chart-view", { fullPage: false, settleMs: 300 });
        // Past 100 loaded runs the charts say they show the first 100.
        await page.getByRole("button", { name: "Load more" }).click();
        await page.getByText("Charts show the first 100 of the 200 loaded runs.").waitFor();
        assert.equal(await page.locator(".cv-runs li").count(), 100);
      });

      await t.step(
        "chart view: search and reorder cards by keyboard, kept in the URL",
        async () => {
          const search = page.getByRole("searchbox", { name: "Search charts" });
          await search.fill("CUR");
          await page.waitForFunction(() =>
            document.querySelectorAll("[data-chart-card]").length === 1
          );
          assert.equal(new URL(page.url()).searchParams.get("cq"), "CUR");
          await search.fill("");
          await page.waitForFunction(() =>
            document.querySelectorAll("[data-chart-card]").length === 4
          );
          await page.getByRole("button", { name: "Move loss earlier" }).focus();
          await page.keyboard.press("Enter");
          await page.keyboard.press("Enter");
          const order = () =>
            page.locator("[data-chart-card]").evaluateAll((els) =>
              els.map((el) => (el as HTMLElement).dataset.key)
            );
          assert.deepEqual(await order(), ["loss", "acc", "curve", "lr"]);
          // Focus stays on the moved card's button (it is now first, so that button is disabled
          // and focus went nowhere else on the page).
          assert.deepEqual(new URL(page.url()).searchParams.getAll("card"), [
            "loss",
            "acc",
            "curve",
            "lr",
          ]);
          await page.reload();
          await hydrated();
          assert.deepEqual(await order(), ["loss", "acc", "curve", "lr"]);
        },
      );

      await t.step("chart view: one colour per run in table and charts; hide and pin", async () => {
        const id = ids.get("run-249")!;
        const swatch = (sel: string) =>
          page.locator(sel).evaluate((el) => ({
            cls: el.className,
            color: getComputedStyle(el).backgroundColor,
          }));
        const inCharts = await swatch(`.cv-runs li[data-run-id="${id}"] .cmp-swatch`);
        // The table renders no rows under the chart view: look at it, then come back.
        assert.equal(await page.locator(".rt-table tbody tr[data-run-id]").count(), 0);
        await page.locator('[data-display="table"]').click();
        const inTable = await swatch(`tr[data-run-id="${id}"] .cmp-swatch`);
        assert.deepEqual(inCharts, inTable);
        await page.goto(`${url}?view=charts`);
        await hydrated();
        const slot = /cmp-c(\d+)/.exec(inTable.cls)![1];
        const series = await page.evaluate(
          (s) => getComputedStyle(document.documentElement).getPropertyValue(`--series-${s}`),
          slot,
        );
        assert.ok(series.trim().startsWith("#"), series);
        const foot = page.locator('[data-chart-card][data-key="curve"] .cv-card__foot');
        const eye = page.getByRole("button", { name: "Show run-249", exact: true });
        assert.equal(await eye.getAttribute("aria-pressed"), "true");
        await eye.focus();
        await page.keyboard.press("Enter");
        assert.equal(await eye.getAttribute("aria-pressed"), "false");
        await page.waitForFunction(() =>
          document.querySelector('[data-chart-card][data-key="curve"] .cv-card__foot')
            ?.textContent?.startsWith("11 runs")
        );
        assert.deepEqual(new URL(page.url()).searchParams.getAll("hide"), [id]);
        await eye.click();
        await page.waitForFunction(() =>
          document.querySelector('[data-chart-card][data-key="curve"] .cv-card__foot')
            ?.textContent?.startsWith("12 runs")
        );
        // Hide all, then Show all.
        await page.getByRole("button", { name: "Hide all" }).click();
        await page.locator('[data-chart-card][data-key="curve"]').getByText(
          "Every run with this metric is hidden.",
        ).waitFor();
        await page.getByRole("button", { name: "Show all" }).click();
        await page.waitForFunction(() =>
          document.querySelector('[data-chart-card][data-key="curve"] .cv-card__foot')
            ?.textContent?.startsWith("12 runs")
        );
        // A pinned run stays in the charts when the search leaves it out.
        const pin = page.getByRole("button", { name: "Pin run-249", exact: true });
        await pin.click();
        assert.equal(await pin.getAttribute("aria-pressed"), "true");
        const filter = page.getByRole("searchbox", { name: "Filter runs" });
        await filter.fill("params.opt = 'sgd'");
        await filter.press("Enter");
        await page.waitForFunction(() =>
          document.querySelector('[data-chart-card][data-key="curve"] .cv-card__foot')
            ?.textContent?.startsWith("7 runs")
        );
        assert.equal(await page.locator(".cv-runs li").first().getAttribute("data-run-id"), id);
        assert.match(await foot.innerText(), /^7 runs/); // 6 sgd runs + the pinned adam one
        await filter.fill("");
        await filter.press("Enter");
        await page.waitForFunction(() =>
          document.querySelector('[data-chart-card][data-key="curve"] .cv-card__foot')
            ?.textContent?.startsWith("12 runs")
        );
      });

      await t.step("chart view: group by a param draws each value's mean and band", async () => {
        await page.getByRole("combobox", { name: "Group by" }).selectOption("params.opt");
        const card = page.locator('[data-chart-card][data-key="curve"]');
        await page.waitForFunction(() =>
          document.querySelector('[data-chart-card][data-key="curve"]')?.getAttribute(
            "data-bands",
          ) === "2"
        );
        assert.equal(await card.getAttribute("data-kind"), "groups");
        const legend = await card.locator(".cv-groups li").allInnerTexts();
        assert.deepEqual(legend.map((s) => s.trim()), ["adam (6 runs)", "sgd (6 runs)"]);
        assert.equal(new URL(page.url()).searchParams.get("group"), "params.opt");
        await shoot(page, "chart-view-grouped", { fullPage: false, settleMs: 300 });
        // The grouping is in the link: a reload draws the groups again.
        await page.reload();
        await hydrated();
        await page.waitForFunction(() =>
          document.querySelector('[data-chart-card][data-key="curve"]')?.getAttribute(
            "data-bands",
          ) === "2"
        );
        // Table and back: the table's URL carries no chart settings.
        await page.locator('[data-display="table"]').click();
        assert.equal(await page.locator(".runs-table .table-wrap").isVisible(), true);
        assert.equal(new URL(page.url()).searchParams.getAll("view").includes("charts"), false);
        assert.equal(new URL(page.url()).searchParams.get("group"), null);
        await page.locator('[data-display="charts"]').click();
        await card.waitFor();
        assert.match(page.url(), /[?&]view=charts(&|$)/);
      });

      await t.step("chart view: drag to zoom a card, which asks for that range only", async () => {
        const card = page.locator('[data-chart-card][data-key="curve"]');
        await page.waitForFunction(() =>
          document.querySelector('[data-chart-card][data-key="curve"]')?.hasAttribute("data-drawn")
        );
        const over = card.locator(".u-over");
        const box = (await over.boundingBox())!;
        const zoomed = page.waitForRequest((r) =>
          r.url().includes("get-history-downsampled-bulk?") &&
          new URL(r.url()).searchParams.has("start")
        );
        await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
        await page.mouse.up();
        const q = new URL((await zoomed).url()).searchParams;
        assert.equal(q.get("metric_key"), "curve");
        assert.ok(Number(q.get("start")) >= 8 && Number(q.get("end")) <= 22, String(q));
        await card.getByRole("button", { name: "Reset zoom" }).click();
        await card.getByRole("button", { name: "Reset zoom" }).waitFor({ state: "detached" });
        await page.waitForFunction(() =>
          document.querySelector('[data-chart-card][data-key="curve"] .cv-card__foot')
            ?.textContent?.startsWith("12 runs, 480 points")
        );
      });

      await t.step("chart view: hovering a line names its run and its value there", async () => {
        const card = page.locator('[data-chart-card][data-key="curve"]');
        const box = (await card.locator(".u-over").boundingBox())!;
        const readout = card.locator(".cv-card__readout");
        // Down the middle of the plot (step ~19.5) until the cursor is near enough to a line.
        let text = "";
        for (let k = 1; k < 60 && !text; k++) {
          await page.mouse.move(box.x + box.width / 2, box.y + (box.height * k) / 60);
          text = (await readout.textContent()) ?? "";
        }
        const m = /^run-(\d+): (.+)$/.exec(text);
        assert.ok(m, `readout "${text}"`);
        const i = Number(m[1]);
        const at = (step: number) => (i % 2 ? 2 : 1) + step / 40 + (i % 3) / 10;
        assert.ok(
          [19, 20].some((step) => Math.abs(at(step) - Number(m[2])) < 1e-3),
          `readout "${text}": not run-${i}'s value at step 19 or 20`,
        );
        await page.mouse.move(0, 0);
      });

      await t.step("chart view: a running run's new points appear without a reload", async () => {
        // run-247 is still RUNNING: the table's live refresh (5 s) brings its new latest step.
        await store.logBatch(ids.get("run-247")!, {
          metrics: Array.from({ length: 10 }, (_, i) => ({
            key: "curve",
            value: 3,
            timestamp: T0 + (40 + i) * 1000,
            step: 40 + i,
          })),
          params: [],
          tags: [],
        });
        await page.waitForFunction(
          () =>
            document.querySelector('[data-chart-card][data-key="curve"] .cv-card__foot')
              ?.textContent?.startsWith("12 runs, 490 points"),
          null,
          { timeout: 12_000 },
        );
        await page.setViewportSize({ width: 1280, height: 800 });
      });

      await t.step("new runs matching the filter bring a notice; Refresh shows them", async () => {
        // A fake clock (this is the session's last step), so the checks, 10 s apart, run without
        // waiting.
        const p = page;
        await p.clock.install();
        const filtered = `${url}?filter=${
          encodeURIComponent("params.opt = 'adam'")
        }&col=params.opt`;
        await p.goto(filtered);
        await p.locator("[data-island='RunsTable'][data-hydrated]").waitFor();
        const searches: string[] = [];
        p.on("request", (r) => {
          if (r.url().endsWith("/runs/search")) searches.push(r.postData() ?? "");
        });
        const notice = p.locator("[data-new-runs]");
        // The first check (after 8–12 s) finds nothing new and shows nothing.
        await p.clock.runFor(12_500);
        await p.waitForTimeout(300);
        assert.equal(await notice.count(), 0);
        // The check's search (the live rows' refresh, every 5 s, has no order).
        const probe = searches.map((b) => JSON.parse(b)).find((b) => b.order_by !== undefined);
        assert.deepEqual(probe, {
          experiment_ids: [expId],
          filter: "params.opt = 'adam'",
          order_by: ["attributes.start_time DESC"],
          run_view_type: "ACTIVE_ONLY",
          max_results: 10,
        });
        // Three new runs match the filter, one does not.
        for (const [i, opt] of ["adam", "adam", "sgd", "adam"].entries()) {
          const run = await store.createRun({
            experimentId: expId,
            runName: `fresh-${i}`,
            userId: "ana",
            startTime: Date.now() + i,
            tags: [],
          });
          await store.logBatch(run.info.run_id, {
            metrics: [],
            params: [{ key: "opt", value: opt }],
            tags: [],
          });
        }
        // The next check comes 15 s (± 20 %) later: nothing found makes checks rarer.
        await p.clock.runFor(18_500);
        await notice.waitFor();
        assert.equal(
          await p.getByRole("status").filter({ has: notice }).innerText(),
          "3 new runs since the table loaded\nRefresh",
        );
        assert.equal(
          await p.locator(".rt-table tbody td.cell-name a", { hasText: "fresh-" }).count(),
          0,
        );
        await shoot(p, "runs-table-new-runs", { fullPage: false });
        await p.getByRole("button", { name: "Refresh" }).click();
        await notice.waitFor({ state: "detached" });
        const names = await p.locator(".rt-table tbody td.cell-name a").allTextContents();
        assert.deepEqual(names.slice(0, 3), ["fresh-3", "fresh-1", "fresh-0"]);
        // The URL's state is kept; focus lands on the first run.
        const params = (u: string) => [...new URL(u).searchParams];
        assert.deepEqual(params(p.url()), params(filtered));
        assert.equal(await p.evaluate(() => document.activeElement?.textContent), "fresh-3");
        // Seen runs are not new again.
        await p.clock.runFor(12_500);
        await p.waitForTimeout(300);
        assert.equal(await notice.count(), 0);
        // Hidden, the page asks nothing however long it stays so; visible again, it checks soon.
        const setHidden = (hidden: boolean) =>
          p.evaluate((h) => {
            Object.defineProperty(document, "hidden", { value: h, configurable: true });
            document.dispatchEvent(new Event("visibilitychange"));
          }, hidden);
        const probes = () => searches.filter((b) => JSON.parse(b).order_by !== undefined).length;
        await setHidden(true);
        const before = probes();
        await p.clock.runFor(3 * 60_000);
        await p.waitForTimeout(300);
        assert.equal(probes(), before);
        await setHidden(false);
        await p.clock.runFor(2_500);
        await p.waitForTimeout(300);
        assert.equal(probes(), before + 1);
      });

      assert.deepEqual(problems, []);
      console.log(`screenshots: ${SHOTS_DIR}/runs-table*.png`);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});

Deno.test("formatRelative: just now, minutes, hours, days, then the date", () => {
  const now = Date.UTC(2026, 5, 1, 12);
  assert.equal(formatRelative(now - 20_000, now), "just now");
  assert.equal(formatRelative(now + 5_000, now), "just now");
  assert.equal(formatRelative(now - 3 * 60_000, now), "3 min ago");
  assert.equal(formatRelative(now - 59 * 60_000, now), "59 min ago");
  assert.equal(formatRelative(now - 5 * 3600_000, now), "5 h ago");
  assert.equal(formatRelative(now - 12 * 86400_000, now), "12 d ago");
  assert.match(formatRelative(now - 90 * 86400_000, now), /^2026-03-\d\d \d\d:\d\d$/);
  assert.equal(formatRelative(undefined, now), "—");
});

Deno.test("live runs helpers: which runs poll, the filter that fetches them, the merge", () => {
  const run = (id: string, status: TableRun["info"]["status"]) =>
    ({
      info: { run_id: id, status } as TableRun["info"],
      data: { metrics: [], params: [], tags: [] },
    }) as TableRun;
  const rows = [run("a1", "RUNNING"), run("b2", "FINISHED"), run("c3", "SCHEDULED")];
  assert.deepEqual(rows.filter(isLive).map((r) => r.info.run_id), ["a1", "c3"]);
  assert.equal(runIdsFilter(["a1", "c3"]), "attributes.run_id IN ('a1', 'c3')");
  const merged = mergeFresh(rows, [run("c3", "FAILED")]);
  assert.deepEqual(merged.map((r) => r.info.status), ["RUNNING", "FINISHED", "FAILED"]);
  assert.equal(merged[0], rows[0]);
});

Deno.test("column chooser helpers: keys merged once, searched by words, system tags opt-in", () => {
  const seen = { metrics: ["loss"], params: ["lr"], tags: ["team"] };
  const all = mergeKeys(seen, {
    metrics: ["acc", "loss"],
    params: ["lr", "only_old"],
    tags: ["mlflow.user", "team"],
  });
  assert.deepEqual(all, {
    metrics: ["acc", "loss"],
    params: ["lr", "only_old"],
    tags: ["mlflow.user", "team"],
  });
  assert.ok(isSystemTag("mlflow.user") && !isSystemTag("mlflowish"));
  assert.deepEqual(visibleKeys(all, "", false).tags, ["team"]);
  assert.deepEqual(visibleKeys(all, "", true).tags, ["mlflow.user", "team"]);
  // A shown system-tag column stays listed (so it can be hidden) while the search is empty.
  assert.deepEqual(visibleKeys(all, "", false, new Set(["tags.mlflow.user"])).tags, [
    "mlflow.user",
    "team",
  ]);
  const found = visibleKeys(all, "ONLY old", false);
  assert.deepEqual(found, { metrics: [], params: ["only_old"], tags: [] });
});

Deno.test("column widths: clamped, parsed defensively, arrow keys step by 16 px", () => {
  assert.equal(clampWidth(10), MIN_WIDTH);
  assert.equal(clampWidth(1e9), MAX_WIDTH);
  assert.equal(clampWidth(120.6), 121);
  assert.deepEqual(parseWidths('{"name":300,"metrics.acc":"x","user":1}'), {
    name: 300,
    user: MIN_WIDTH,
  });
  assert.deepEqual(parseWidths("not json"), {});
  assert.deepEqual(parseWidths("[1,2]"), {});
  assert.deepEqual(parseWidths(null), {});
  assert.equal(widthAfterKey(100, "ArrowRight", false), 116);
  assert.equal(widthAfterKey(100, "ArrowLeft", true), MIN_WIDTH);
  assert.equal(widthAfterKey(200, "ArrowLeft", true), 136);
  assert.equal(widthAfterKey(100, "Enter", false), null);
});

Deno.test("Dataset and Models cells read inputs, outputs and the log-model history tag", () => {
  const info = { run_id: "r1" } as Run["info"];
  const history = JSON.stringify([
    { run_id: "r1", artifact_path: "model" },
    { run_id: "r1", artifact_path: "clf", model_id: "m-1" },
    { nonsense: true },
  ]);
  const run = {
    info,
    data: {
      metrics: [],
      params: [],
      tags: [
        { key: "mlflow.log-model.history", value: history + " ".repeat(300) },
        { key: "mlflow.source.git.commit", value: "abc123" },
        { key: "mlflow.note.content", value: "x".repeat(1000) },
      ],
    },
    inputs: {
      dataset_inputs: [{
        tags: [{ key: "mlflow.data.context", value: "train" }],
        dataset: { name: "iris", digest: "a1b2c3d4e5f6", source_type: "local", source: "/d" },
      }],
      model_inputs: [],
    },
    outputs: { model_outputs: [{ model_id: "m-1", step: 0 }, { model_id: "m-2", step: 5 }] },
  } as Run;
  assert.deepEqual(datasetsOf(run), [{ name: "iris", digest: "a1b2c3d4e5f6", context: "train" }]);
  assert.equal(datasetLabel(datasetsOf(run)[0]), "iris (a1b2c3d4) train");
  assert.equal(datasetLabel({ name: "plain", digest: "" }), "plain");
  assert.deepEqual(modelsOf(run).map((m) => [m.label, m.href]), [
    ["model", "/runs/r1?artifact=model"],
    ["clf", "/logged-models/m-1"],
    ["m-2", "/logged-models/m-2"],
  ]);
  assert.deepEqual(modelsOf({ ...run, data: { ...run.data, tags: [] }, outputs: undefined! }), []);
  // The row keeps the short lists and short system tags; long ones (history, notes) are dropped.
  const slim = slimRun(run);
  assert.equal(slim.datasets?.length, 1);
  assert.equal(slim.models?.length, 3);
  assert.deepEqual(slim.data.tags.map((t) => t.key), ["mlflow.source.git.commit"]);
  assert.deepEqual(slimRun(slim), slim, "slimming twice keeps the lists");
});

Deno.test("new runs helpers: newest start, count, delays with back-off and jitter, text", () => {
  const at = (...starts: number[]) => starts.map((start_time) => ({ info: { start_time } }));
  assert.equal(newestStart(at(3, 9, 4)), 9);
  assert.equal(newestStart([]), -Infinity);
  assert.equal(countNewer(at(3, 9, 10, 11), 9), 2);
  // 10 s, ±20 %: the first check, and after one that found something.
  assert.equal(nextCheckDelay(10_000, 0, 0, 0), 8_000);
  assert.equal(nextCheckDelay(10_000, 0, 0, 0.5), 10_000);
  assert.equal(nextCheckDelay(10_000, 0, 0, 0.999), 11_996);
  // Quiet checks grow 1.5× up to a minute; failures double up to five minutes.
  assert.equal(nextCheckDelay(10_000, 1, 0, 0.5), 15_000);
  assert.equal(nextCheckDelay(10_000, 20, 0, 0.5), 60_000);
  assert.equal(nextCheckDelay(10_000, 0, 2, 0.5), 40_000);
  assert.equal(nextCheckDelay(10_000, 3, 30, 0.5), 300_000);
  assert.equal(newRunsText(1, false), "1 new run");
  assert.equal(newRunsText(3, false), "3 new runs");
  assert.equal(newRunsText(NEW_RUNS_PROBE, true), "10+ new runs");
  // Only the default order (newest first) lets the loaded rows tell what is new.
  assert.equal(isNewestFirst(""), true);
  assert.equal(isNewestFirst("attributes.start_time DESC"), true);
  assert.equal(isNewestFirst("attributes.start_time ASC"), false);
  assert.equal(isNewestFirst("metrics.`acc` DESC"), false);
});
