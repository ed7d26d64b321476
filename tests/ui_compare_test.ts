/**
 * The Compare runs page (`/compare?runs=a,b,c`): server rendering (params / metrics / tags side
 * by side, differing rows marked, min/max, escaping of user text, unknown / malformed / too many
 * ids, the empty state), the pure helpers (parsing, diffing, axes, ticks, colours, the limiter),
 * and — in real Chromium — its islands with 3 and 300 runs: overlaid charts, parallel
 * coordinates and scatter draw, "Show only differences" filters, script payloads stay text.
 *
 * Screenshots land in `$TMPDIR/kvflow-ui-screenshots/compare-*.png` (the folder of the other UI
 * tests).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { TrackingStore } from "../store/types.ts";
import {
  axisTicks,
  bucketsFor,
  buildAxis,
  canLog,
  formatTick,
  legendEnds,
  logTicks,
  nearestLine,
  niceTicks,
  position,
  rampColor,
  singleValue,
} from "../ui/islands/compare/scale.ts";
import {
  colorSlot,
  COMPARE_MAX_RUNS,
  compareRows,
  createLimiter,
  extremes,
  lineDash,
  numericParam,
  parseRunIds,
  SERIES_COLORS,
} from "../ui/shared/compare.ts";
import { formatNumber } from "../ui/shared/format.ts";
import { launchBrowser } from "./helpers/browser.ts";
import { inkedPixels, islandProps, openPage, shoot, SHOTS_DIR } from "./helpers/ui.ts";

const XSS = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`;
const T0 = Date.UTC(2026, 0, 1);
const STEPS = 20;

interface Seeded {
  store: TrackingStore;
  expId: string;
  otherExpId: string;
  /** Run ids in creation order: `run-000…`, then the script-payload run. */
  ids: string[];
  xssId: string;
  otherId: string;
}

/**
 * An experiment with `n` runs `run-000…`: params `lr` (differs), `opt` (adam / sgd), `seed`
 * (the same everywhere); a `loss` and `acc` history of {@linkcode STEPS} + 1 steps; tag `team`.
 * Then a run whose name, a param value and a tag value are script payloads, and one run in a
 * second experiment.
 */
async function seed(n: number): Promise<Seeded> {
  const store = createMemoryStore();
  const expId = await store.createExperiment({ name: "compare-exp" });
  const otherExpId = await store.createExperiment({ name: "other-exp" });
  const ids: string[] = [];
  const create = async (exp: string, name: string, i: number) => {
    const run = await store.createRun({
      experimentId: exp,
      runName: name,
      startTime: T0 + i * 1000,
      tags: [{ key: "mlflow.user", value: "ana" }],
    });
    const id = run.info.run_id;
    const metrics = [];
    for (let s = 0; s <= STEPS; s++) {
      const ts = T0 + i * 1000 + s * 500;
      metrics.push({ key: "loss", value: (1 + (i % 7)) / (1 + s), timestamp: ts, step: s });
      metrics.push({
        key: "acc",
        value: (s / STEPS) * (0.5 + (i % 5) / 10),
        timestamp: ts,
        step: s,
      });
    }
    await store.logBatch(id, {
      metrics,
      params: [
        { key: "lr", value: String((i % 10 + 1) / 1000) },
        { key: "opt", value: i % 2 ? "adam" : "sgd" },
        { key: "seed", value: "42" },
      ],
      tags: [{ key: "team", value: i % 3 ? "vision" : "nlp" }],
    });
    await store.updateRun(id, { status: "FINISHED", endTime: T0 + i * 1000 + 90_000 });
    return id;
  };
  for (let i = 0; i < n; i++) ids.push(await create(expId, `run-${String(i).padStart(3, "0")}`, i));
  const xssId = await create(expId, XSS, n);
  await store.logBatch(xssId, {
    params: [{ key: "note", value: XSS }],
    tags: [{ key: "owner", value: XSS }],
  });
  ids.push(xssId);
  const otherId = await create(otherExpId, "elsewhere", n + 1);
  return { store, expId, otherExpId, ids, xssId, otherId };
}

async function get(store: TrackingStore, path: string, status = 200) {
  const res = await createApp({ store }).request(path);
  const text = await res.text();
  assert.equal(res.status, status, text.slice(0, 500));
  return { res, text };
}

/** The `<tr>` of key `key` in the table with id `table`. */
function row(page: string, table: string, key: string): string {
  const start = page.indexOf(`id="${table}"`);
  assert.ok(start >= 0, `no table ${table}`);
  const body = page.slice(start, page.indexOf("</table>", start));
  const rows = body.split("<tr").filter((r) => r.includes(`</span>${key}<`));
  assert.equal(rows.length, 1, `row ${key} in ${table}`);
  return rows[0];
}

function assertNoRawPayload(page: string) {
  assert.equal(page.includes(XSS), false, "raw payload");
  assert.equal(/<img\b/i.test(page), false, "an <img> element was injected");
  assert.equal(/<script>alert/i.test(page), false);
  assert.equal((page.match(/<script\b/gi) ?? []).length, 1, "only the island script");
}

// ---------- helpers ----------

Deno.test("compare helpers: runs parameter, diff rows, extremes, numbers, limiter", async () => {
  assert.deepEqual(parseRunIds(["a1,b2", " a1 ,<x>,,c3"], 2), {
    ids: ["a1", "b2"],
    malformed: ["<x>"],
    dropped: 1,
  });
  assert.deepEqual(parseRunIds([]), { ids: [], malformed: [], dropped: 0 });
  assert.equal(parseRunIds(["x".repeat(500)]).malformed[0].length, 48);
  assert.equal(COMPARE_MAX_RUNS, 500);

  const rows = compareRows([
    [{ key: "lr", value: "0.1" }, { key: "seed", value: "1" }],
    [{ key: "seed", value: "1" }, { key: "lr", value: "0.2" }, { key: "extra", value: "x" }],
  ]);
  assert.deepEqual(rows, [
    { key: "extra", values: [undefined, "x"], differs: true },
    { key: "lr", values: ["0.1", "0.2"], differs: true },
    { key: "seed", values: ["1", "1"], differs: false },
  ]);
  assert.equal(compareRows([[{ key: "a", value: 1 }]])[0].differs, false);
  assert.equal(
    compareRows([[{ key: "a", value: NaN }], [{ key: "a", value: NaN }]])[0].differs,
    false,
  );

  const ex = extremes([3, undefined, 1, 3, NaN]);
  assert.deepEqual([...ex.min], [2]);
  assert.deepEqual([...ex.max], [0, 3]);
  assert.equal(extremes([2, 2]).min.size, 0);

  assert.equal(formatNumber(0.123456789), "0.123457");
  assert.equal(formatNumber(12), "12");
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(-Infinity), "-Infinity");
  assert.equal(numericParam(" 1e-3 "), 0.001);
  assert.equal(numericParam("-.5"), -0.5);
  for (const s of ["", "adam", "0x10", "Infinity", "NaN", "1,5", null]) {
    assert.equal(numericParam(s), null, String(s));
  }

  const limit = createLimiter(3);
  let active = 0;
  let peak = 0;
  const out = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    limit(async () => {
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, 1));
      active--;
      if (i === 5) throw new Error("boom");
      return i;
    }).catch((e) => (e as Error).message)));
  assert.equal(peak, 3);
  assert.equal(out[5], "boom");
  assert.equal(out[19], 19);
});

Deno.test("compare scales: axes, positions, ticks, colours, buckets, hit testing", () => {
  assert.deepEqual(buildAxis(["0.1", "0.3", null]), { kind: "num", min: 0.1, max: 0.3 });
  assert.deepEqual(buildAxis([2, null, -1]), { kind: "num", min: -1, max: 2 });
  assert.deepEqual(buildAxis(["sgd", "adam", "sgd", null]), {
    kind: "cat",
    categories: ["adam", "sgd"],
  });
  assert.deepEqual(buildAxis(["10", "9", "x"]), { kind: "cat", categories: ["9", "10", "x"] });
  const num = buildAxis(["0", "10"]);
  assert.equal(position(num, "5"), 0.5);
  assert.equal(position(num, 10), 1);
  assert.equal(position(num, null), null);
  assert.equal(position(num, "abc"), null);
  assert.equal(position(buildAxis([3, 3]), 3), 0.5);
  const cat = buildAxis(["a", "b", "c"]);
  assert.equal(position(cat, "a"), 0);
  assert.equal(position(cat, "c"), 1);
  assert.equal(position(cat, "zz"), null);
  assert.equal(position(buildAxis(["only"]), "only"), 0.5);

  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.001, 0.01, 4), [0.005, 0.01]);
  assert.deepEqual(niceTicks(0.001, 0.01, 9), [
    0.001,
    0.002,
    0.003,
    0.004,
    0.005,
    0.006,
    0.007,
    0.008,
    0.009,
    0.01,
  ]);
  assert.deepEqual(niceTicks(5, 5), [5]);
  // Log axes: positive ranges only; powers of ten as ticks; ends always labelled.
  assert.equal(canLog({ kind: "num", min: 1e-4, max: 0.1 }), true);
  assert.equal(canLog({ kind: "num", min: 0, max: 0.1 }), false);
  assert.equal(canLog({ kind: "num", min: 0.1, max: 0.1 }), false);
  assert.equal(canLog({ kind: "cat", categories: ["a", "b"] }), false);
  assert.equal(position({ kind: "num", min: 1e-4, max: 1e-2, log: true }, 1e-3), 0.5);
  assert.equal(position({ kind: "num", min: 1e-4, max: 1e-2, log: true }, "0.01"), 1);
  assert.equal(position({ kind: "num", min: 1e-4, max: 1e-2, log: true }, -1), null);
  assert.deepEqual(logTicks(1e-5, 1, 4), [1e-5, 1e-3, 0.1]);
  // Under three decades: 2× and 5× too; too narrow for those: linear ticks.
  assert.deepEqual(logTicks(2, 50, 4), [2, 5, 10, 20, 50]);
  assert.deepEqual(logTicks(0.001, 0.01), [0.001, 0.002, 0.005, 0.01]);
  assert.deepEqual(logTicks(1.1, 1.5), niceTicks(1.1, 1.5));
  assert.deepEqual(axisTicks({ kind: "num", min: 1e-4, max: 0.1, log: true }).map((t) => t[1]), [
    "1e-4",
    "0.001",
    "0.01",
    "0.1",
  ]);
  const lin = axisTicks({ kind: "num", min: 0.13, max: 0.87 });
  assert.deepEqual(lin.map((t) => t[1]), ["0.13", "0.2", "0.4", "0.6", "0.8", "0.87"]);
  assert.deepEqual([lin[0][0], lin.at(-1)![0]], [0, 1]);
  // A round tick too close to an end gives way to the end's label.
  assert.deepEqual(axisTicks({ kind: "num", min: 1.9, max: 10 }).map((t) => t[1]), [
    "1.9",
    "4",
    "6",
    "8",
    "10",
  ]);
  assert.deepEqual(axisTicks({ kind: "num", min: 3, max: 3 }), [[0.5, "3"]]);
  const cats = axisTicks({
    kind: "cat",
    categories: Array.from({ length: 30 }, (_, i) => `c${i}`),
  });
  assert.ok(cats.length <= 12, String(cats.length));
  assert.deepEqual([cats[0], cats.at(-1)], [[0, "c0"], [1, "c29"]]);
  assert.deepEqual(niceTicks(-3, 17, 4), [0, 5, 10, 15]);
  for (const t of niceTicks(0.1, 0.7, 6)) assert.ok(t >= 0.1 && t <= 0.7, String(t));
  assert.equal(formatTick(0.30000000000000004), "0.3");
  assert.equal(formatTick(12000), "12,000");
  assert.equal(formatTick(1.5e-5), "1.5e-5");

  assert.equal(rampColor(0), "rgb(58 91 217)");
  assert.equal(rampColor(1), "rgb(239 138 42)");
  assert.equal(rampColor(-4), rampColor(0));
  assert.equal(rampColor(NaN), rampColor(0));
  assert.match(rampColor(0.5), /^rgb\(\d+ \d+ \d+\)$/);

  assert.equal(bucketsFor(1), 1000);
  assert.equal(bucketsFor(50), 200);
  assert.equal(bucketsFor(500), 100);

  const lines: [number, number][][][] = [
    [[[0, 0], [100, 0]]],
    [[[0, 50], [100, 50]]],
    [[[40, 20]]],
    [],
  ];
  assert.equal(nearestLine(lines, [50, 3], 6), 0);
  assert.equal(nearestLine(lines, [50, 48], 6), 1);
  assert.equal(nearestLine(lines, [42, 22], 6), 2);
  assert.equal(nearestLine(lines, [50, 30], 6), -1);
});

Deno.test("legendEnds() shows no ramp when every run has the same value", () => {
  assert.deepEqual(legendEnds(buildAxis([0.1, 0.5])), ["0.1", "0.5"]);
  assert.equal(legendEnds(buildAxis([0.1765])), null);
  assert.equal(legendEnds(buildAxis([0.1765, 0.1765, null])), null);
  assert.equal(singleValue(buildAxis([0.1765])), "0.1765");
  assert.deepEqual(legendEnds(buildAxis(["adam", "sgd"])), ["adam", "sgd"]);
  assert.equal(legendEnds(buildAxis(["adam"])), null);
  assert.equal(singleValue(buildAxis(["adam"])), "adam");
});

Deno.test("colorSlot() gives 20 runs 20 colours, each distinct in light and dark", async () => {
  assert.equal(SERIES_COLORS, 20);
  const slots = Array.from({ length: 20 }, (_, i) => colorSlot(i));
  assert.equal(new Set(slots).size, 20, "runs 0–19 must not share a colour");
  assert.equal(colorSlot(20), colorSlot(0));
  // Past 20, a dashed (then dotted) line: the 50 runs a chart overlays all look different.
  const looks = Array.from({ length: 50 }, (_, i) => `${colorSlot(i)}|${lineDash(i).join(",")}`);
  assert.equal(new Set(looks).size, 50);
  assert.deepEqual(lineDash(0), []);
  assert.ok(lineDash(20).length > 0);
  const css = await Deno.readTextFile(new URL("../ui/static/styles.css", import.meta.url));
  const dark = css.indexOf("@media (prefers-color-scheme: dark)");
  for (const [scheme, block] of [["light", css.slice(0, dark)], ["dark", css.slice(dark)]]) {
    const colours = new Map<number, string>();
    for (const m of block.matchAll(/--series-(\d+): (#[0-9a-f]{6});/g)) {
      if (!colours.has(Number(m[1]))) colours.set(Number(m[1]), m[2]);
    }
    for (let i = 0; i < SERIES_COLORS; i++) assert.ok(colours.has(i), `${scheme} --series-${i}`);
    assert.equal(new Set(colours.values()).size, SERIES_COLORS, `${scheme} colours repeat`);
  }
  for (let i = 0; i < SERIES_COLORS; i++) {
    assert.match(css, new RegExp(`\\.cmp-c${i} \\{\\s*background: var\\(--series-${i}\\);`));
  }
});

// ---------- server rendering ----------

Deno.test("GET /compare renders runs side by side with differences marked", async (t) => {
  const f = await seed(3);
  const [a, b, c] = f.ids;

  await t.step("tables, links, marks, islands, CSP", async () => {
    const { res, text } = await get(f.store, `/compare?runs=${a},${b},${c}`);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.match(text, /<title>Compare 3 runs · kvflow<\/title>/);
    assert.match(text, new RegExp(`<a href="/experiments/${f.expId}">compare-exp</a>`));
    for (const [id, name] of [[a, "run-000"], [b, "run-001"], [c, "run-002"]]) {
      assert.match(text, new RegExp(`<a href="/runs/${id}">${name}</a>`));
    }
    const lr = row(text, "cmp-params", "lr");
    assert.match(lr, /class="cmp-diff"/);
    assert.match(lr, />≠</);
    assert.match(lr, /, values differ</);
    assert.match(lr, />0\.001<.*>0\.002<.*>0\.003</);
    const seedRow = row(text, "cmp-params", "seed");
    assert.match(seedRow, /class="cmp-same"/);
    assert.doesNotMatch(seedRow, /≠/);
    // Latest values; min and max marked.
    const loss = row(text, "cmp-metrics", "loss");
    assert.match(loss, /cmp-diff/);
    assert.match(loss, /cmp-is-min[^>]*>0\.047619<span class="cmp-ext cmp-ext--min">min</);
    assert.match(loss, /cmp-is-max[^>]*>0\.142857<span class="cmp-ext cmp-ext--max">max</);
    // User tags only, in a collapsed section.
    assert.match(text, /<details class="cmp-tags">/);
    assert.match(row(text, "cmp-tags", "team"), /cmp-diff/);
    assert.doesNotMatch(text, /mlflow\.user/);
    assert.match(text, /<input type="checkbox" id="cmp-only-diff">/);
    const charts = islandProps(text, "CompareCharts");
    assert.deepEqual(charts.metricKeys, ["acc", "loss"]);
    assert.equal((charts.runs as unknown[]).length, 3);
    const views = islandProps(text, "CompareViews");
    // Only params that differ are offered as axes; all metrics are.
    assert.deepEqual((views.params as { key: string }[]).map((p) => p.key), ["lr", "opt"]);
    assert.deepEqual((views.metrics as { key: string }[]).map((m) => m.key), ["acc", "loss"]);
    // Strict CSP: no inline style attributes, no inline scripts.
    assert.doesNotMatch(text, /\sstyle="/);
    assert.equal((text.match(/<script\b/g) ?? []).length, 1);
    assert.match(text, /<script type="module" src="\/static\/client\.[0-9a-f]+\.js"><\/script>/);
  });

  await t.step("runs from two experiments link both", async () => {
    const { text } = await get(f.store, `/compare?runs=${a}&runs=${f.otherId}`);
    assert.match(text, /From experiments/);
    assert.match(text, new RegExp(`href="/experiments/${f.otherExpId}">other-exp<`));
    assert.match(text, /<th scope="row">Experiment<\/th>/);
  });

  await t.step("script payloads in a run name, a param and a tag stay text", async () => {
    const { text } = await get(f.store, `/compare?runs=${a},${f.xssId}`);
    assertNoRawPayload(text);
    assert.match(
      text,
      /&lt;script>alert\(1\)&lt;\/script>&quot;>&lt;img src=x onerror=alert\(1\)>/,
    );
    assert.match(row(text, "cmp-params", "note"), /&lt;script>alert/);
    assert.match(row(text, "cmp-tags", "owner"), /&lt;script>alert/);
    const views = islandProps(text, "CompareViews");
    assert.equal((views.runs as { name: string }[])[1].name, XSS);
  });

  await t.step("unknown and malformed ids are listed as not found and skipped", async () => {
    const q = encodeURIComponent(`${a},nope0123,<script>alert(1)</script>,,${a}, ${b} ,%zz`);
    const { text } = await get(f.store, `/compare?runs=${q}`);
    assertNoRawPayload(text);
    assert.match(text, /Not found \(3, skipped\)/);
    assert.match(text, /<span class="mono">nope0123<\/span>/);
    assert.match(text, /<span class="mono">&lt;script>alert\(1\)&lt;\/script><\/span>/);
    assert.equal((islandProps(text, "CompareViews").runs as unknown[]).length, 2);
    // Bad percent-encoding, an empty value, a missing parameter: never a 500.
    for (
      const path of ["/compare?runs=%E0%A4%A", "/compare?runs=", "/compare", "/compare?runs=,,,"]
    ) {
      const { text } = await get(f.store, path);
      assert.match(text, /No runs to compare/, path);
    }
  });

  await t.step("zero valid runs: a friendly empty state with a way back", async () => {
    const { text } = await get(f.store, "/compare?runs=aaaa,bbbb");
    assert.match(text, /<h2>No runs to compare<\/h2>/);
    assert.match(text, /<a class="button" href="\/">Back to experiments<\/a>/);
    assert.match(text, /Not found \(2, skipped\)/);
    assert.doesNotMatch(text, /data-island/);
    const head = await createApp({ store: f.store }).request("/compare?runs=x", { method: "HEAD" });
    assert.equal(head.status, 200);
    const post = await createApp({ store: f.store }).request("/compare", { method: "POST" });
    assert.equal(post.status, 405);
  });
});

Deno.test("GET /compare caps a comparison at 500 runs", async () => {
  const f = await seed(510);
  const fake = Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(31, "0")}`);
  const { text } = await get(f.store, `/compare?runs=${[...f.ids, ...fake].join(",")}`);
  assert.match(text, /<title>Compare 500 runs · kvflow<\/title>/);
  assert.match(text, /at most 500 runs: the first 500\s+are shown, 51 more were left out/);
  assert.equal((islandProps(text, "CompareViews").runs as unknown[]).length, 500);
  const charts = islandProps(text, "CompareCharts");
  assert.equal((charts.runs as unknown[]).length, 50);
  assert.equal(charts.totalRuns, 500);
});

// ---------- Chromium ----------

/** Rows of table `#id` that are displayed. */
function visibleRows(page: Page, id: string): Promise<number> {
  return page.evaluate(
    (sel) =>
      [...document.querySelectorAll(`${sel} tbody tr`)].filter((r) => r.getClientRects().length)
        .length,
    `#${id}`,
  );
}

Deno.test({
  name: "compare page in Chromium: charts, parallel coordinates, scatter, toggle, XSS, 300 runs",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const f = await seed(300);
    const app = createApp({ store: f.store });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      const { page, problems } = await openPage(browser, {
        context: { viewport: { width: 1280, height: 900 } },
        timeoutMs: 15_000,
      });
      const ready = async () => {
        for (const name of ["CompareCharts", "CompareViews"]) {
          await page.locator(`[data-island='${name}'][data-hydrated]`).waitFor();
        }
        await page.locator(".cmp-chart canvas").first().waitFor();
        await page.waitForFunction(() =>
          [...document.querySelectorAll(".cmp-chart")].every((c) =>
            c.querySelector(".u-over") && c.querySelector("[aria-busy='false']")
          )
        );
      };
      const three = `${base}/compare?runs=${f.ids[0]},${f.ids[1]},${f.xssId}`;

      await t.step("3 runs: every view draws; script payloads stay text", async () => {
        await page.goto(three);
        await ready();
        assert.ok((await inkedPixels(page, ".cmp-chart canvas")) > 100, "chart is blank");
        assert.ok((await inkedPixels(page, ".cmp-parcoords canvas")) > 100, "parcoords blank");
        assert.ok((await inkedPixels(page, ".cmp-scatter canvas")) > 100, "scatter is blank");
        // One series per run in the legend, named by the runs (payload as text).
        const legend = await page.locator(".cmp-chart .u-legend .u-label").allTextContents();
        assert.deepEqual(legend.slice(1), ["run-000", "run-001", XSS]);
        assert.equal(await page.getByRole("link", { name: XSS, exact: true }).count(), 3);
        assert.equal(await page.locator("img[src='x']").count(), 0);
        assert.equal(await page.locator("main script").count(), 0);
        // A second metric, log scale and the time axes redraw without errors.
        await page.getByRole("checkbox", { name: "acc" }).first().check();
        await page.getByRole("checkbox", { name: "Log scale" }).check();
        await page.getByRole("combobox", { name: "X axis" }).selectOption("relative");
        await page.getByRole("combobox", { name: "X axis" }).selectOption("wall");
        await page.waitForFunction(() =>
          document.querySelectorAll(".cmp-chart .u-over").length === 2
        );
        await ready();
        await page.getByRole("combobox", { name: "X axis" }).selectOption("step");
        await page.getByRole("checkbox", { name: "Log scale" }).uncheck();
        await ready();
      });

      await t.step("Show only differences hides the rows that are the same", async () => {
        const before = await visibleRows(page, "cmp-params");
        assert.equal(before, 4); // lr, note, opt, seed
        await page.getByLabel("Show only differences").check();
        assert.equal(await visibleRows(page, "cmp-params"), 3);
        assert.equal(await page.locator("#cmp-params tr.cmp-same").isVisible(), false);
        await page.getByLabel("Show only differences").uncheck();
        assert.equal(await visibleRows(page, "cmp-params"), 4);
      });

      await t.step("hovering and focusing a run names it", async () => {
        const canvas = page.locator(".cmp-parcoords canvas");
        await canvas.scrollIntoViewIfNeeded();
        const box = (await canvas.boundingBox())!;
        const tip = page.locator(".cmp-parcoords .cmp-tip");
        // Walk down the first axis until the pointer is on a line.
        for (let y = 40; y < box.height && !(await tip.isVisible()); y += 3) {
          await page.mouse.move(box.x + 64, box.y + y);
        }
        assert.ok(await tip.isVisible(), "no tooltip on hover");
        assert.match(await tip.innerText(), /run-00[01]|<script>/);
        await page.mouse.move(0, 0);
        await canvas.focus();
        await page.keyboard.press("End");
        const status = page.locator(".cmp-parcoords .cmp-status a");
        assert.equal(await status.innerText(), XSS);
        await page.keyboard.press("Home");
        assert.equal(await status.innerText(), "run-000");
        assert.equal(await tip.isVisible(), true);
        for (const colorScheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme });
          await page.waitForTimeout(150);
          await page.locator("#cmp-parcoords").screenshot({
            path: `${SHOTS_DIR}/compare-hover-${colorScheme}.png`,
          });
        }
        await page.emulateMedia({ colorScheme: "light" });
        await page.locator(".cmp-scatter canvas").focus();
        await page.keyboard.press("ArrowRight");
        assert.match(await page.locator(".cmp-scatter .cmp-status").innerText(), /run-00/);
        await page.keyboard.press("Escape");
        await page.locator("h1").click();
        await shoot(page, "compare-3runs", { settleMs: 150 });
      });

      await t.step("768 px wide: tables scroll inside their frame, not the page", async () => {
        await page.setViewportSize({ width: 768, height: 1000 });
        await page.goto(three);
        await ready();
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        );
        assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
        await shoot(page, "compare-768", { settleMs: 150 });
        await page.setViewportSize({ width: 1280, height: 900 });
      });

      await t.step("300 runs: loads, charts the first 50, draws every run", async () => {
        const t0 = performance.now();
        await page.goto(`${base}/compare?runs=${f.ids.slice(0, 300).join(",")}`);
        await ready();
        const ms = performance.now() - t0;
        assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms`);
        assert.match(await page.locator(".cmp-cap").innerText(), /first 50 of the 300 runs/);
        assert.equal(await page.locator(".cmp-chart .u-legend .u-series").count(), 51);
        const marker = (n: number) =>
          page.locator(".cmp-chart").first().locator(".u-legend .u-series").nth(n)
            .locator(".u-marker").evaluate((el) => getComputedStyle(el).borderTopStyle);
        assert.deepEqual([await marker(1), await marker(21)], ["solid", "dashed"]);
        assert.ok((await inkedPixels(page, ".cmp-chart canvas")) > 100, "chart is blank");
        assert.ok((await inkedPixels(page, ".cmp-parcoords canvas")) > 1000, "parcoords blank");
        assert.ok((await inkedPixels(page, ".cmp-scatter canvas")) > 100, "scatter is blank");
        await page.locator(".cmp-parcoords canvas").focus();
        await page.keyboard.press("End");
        assert.equal(await page.locator(".cmp-parcoords .cmp-status a").innerText(), "run-299");
        await page.locator("h1").click();
        // A positive axis (lr) offers a log scale; the axes' ends are labelled (unit-tested).
        const pixels = () =>
          page.locator(".cmp-parcoords canvas").evaluate((c) =>
            (c as HTMLCanvasElement).toDataURL()
          );
        const linear = await pixels();
        await page.getByRole("checkbox", { name: "Log axis for lr" }).check();
        await page.waitForFunction(
          (before) =>
            document.querySelector<HTMLCanvasElement>(".cmp-parcoords canvas")!.toDataURL() !==
              before,
          linear,
        );
        for (const colorScheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme });
          await page.waitForTimeout(150);
          await page.locator("#cmp-parcoords").screenshot({
            path: `${SHOTS_DIR}/compare-parcoords-log-${colorScheme}.png`,
          });
        }
        await page.emulateMedia({ colorScheme: "light" });
        await page.getByRole("checkbox", { name: "Log axis for lr" }).uncheck();
        // 20 run colours and the legend's scroll shadow, up close.
        for (const colorScheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme });
          await page.waitForTimeout(150);
          await page.locator(".cmp-chart").first().screenshot({
            path: `${SHOTS_DIR}/compare-legend-${colorScheme}.png`,
          });
        }
        await page.emulateMedia({ colorScheme: "light" });
        await shoot(page, "compare-300runs", { settleMs: 150 });
      });

      await t.step("one run: the colour legend shows its value, not a ramp", async () => {
        await page.goto(`${base}/compare?runs=${f.ids[0]}`);
        await page.locator("[data-island='CompareViews'][data-hydrated]").waitFor();
        const legend = page.locator(".cmp-ramp-legend");
        assert.match(await legend.innerText(), /^all runs:\s+0\.04762$/);
        assert.equal(await page.locator(".cmp-ramp").count(), 0);
        // The Axes box shows how many choices it holds and shadows the edge it scrolls past.
        assert.match(await page.locator(".chart-keys legend").first().innerText(), /\d+ of \d+/);
        const bg = await page.locator(".chart-keys").first().evaluate((el) =>
          getComputedStyle(el).backgroundAttachment
        );
        assert.match(bg, /local/);
        await page.locator("#cmp-parcoords").screenshot({ path: `${SHOTS_DIR}/compare-1run.png` });
      });

      await t.step("the empty state", async () => {
        await page.goto(`${base}/compare?runs=nope`);
        await page.getByRole("heading", { name: "No runs to compare" }).waitFor();
        await shoot(page, "compare-empty", { fullPage: false, settleMs: 150 });
      });

      assert.deepEqual(problems, []);
      console.log(`screenshots: ${SHOTS_DIR}/compare-*.png`);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
