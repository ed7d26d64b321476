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
  csvCell,
  parseRunsState,
  runsStateQuery,
  type TableRun,
  toCsv,
  treeRows,
} from "../ui/islands/runs_table/state.ts";
import { formatRelative } from "../ui/shared/format.ts";
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
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell("+1"), "'+1");
  assert.equal(csvCell("@SUM(A1)"), "'@SUM(A1)");
  assert.equal(csvCell("-0.5"), "-0.5");
  assert.equal(csvCell("-cmd|x"), "'-cmd|x");
  assert.equal(csvCell("a,b"), `"a,b"`);
  assert.equal(csvCell("line\nbreak"), `"line\nbreak"`);
  assert.equal(toCsv([["a", "b"], ["1", "2"]]), "a,b\r\n1,2\r\n");
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
    assert.match(page, /<th scope="col" class="rt-extra rt-extra--metrics" aria-sort="ascending">/);
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
        await page.locator(".rt-columns > summary").click();
        await page.getByRole("checkbox", { name: "acc", exact: true }).check();
        await page.locator(".rt-columns > summary").click();
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

      await t.step("Download CSV holds the loaded rows, escaped", async () => {
        await page.goto(`${url}?col=params.opt&col=tags.team`);
        await hydrated();
        await page.getByRole("button", { name: "Load more" }).click();
        await waitForCount(200);
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.getByRole("button", { name: "Download CSV" }).click(),
        ]);
        const path = await download.path();
        const csv = await Deno.readTextFile(path);
        const lines = csv.trimEnd().split("\r\n");
        assert.equal(lines.length, 201);
        assert.match(lines[0], /^run_id,name,created,.*,params\.opt,tags\.team$/);
        const xss = `"${XSS_NAME.replaceAll('"', '""')}"`;
        assert.ok(lines[1].includes(`${ids.get(XSS_NAME)},${xss},`), lines[1]);
        assert.ok(lines.some((l) => l.startsWith(`${ids.get("run-249")},run-249,`)));
      });

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
        const summary = page.locator(".rt-columns > summary");
        await summary.focus();
        await page.keyboard.press("Enter");
        await page.getByRole("checkbox", { name: "loss", exact: true }).focus();
        await page.keyboard.press("Escape");
        assert.equal(await page.locator(".rt-columns").getAttribute("open"), null);
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
        // One bulk request per card, each naming its runs (≤ 100) and its metric.
        assert.equal(bulk.length, 4, bulk.join("\n"));
        for (const u of bulk) {
          const q = new URL(u).searchParams;
          assert.ok(q.getAll("run_ids").length <= 100);
          assert.ok(keys.includes(q.get("metric_key")!));
        }
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
        const inTable = await swatch(`tr[data-run-id="${id}"] .cmp-swatch`);
        const inCharts = await swatch(`.cv-runs li[data-run-id="${id}"] .cmp-swatch`);
        assert.deepEqual(inCharts, inTable);
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
        await page.setViewportSize({ width: 1280, height: 800 });
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
