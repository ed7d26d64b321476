/**
 * The `ui` section of `deno task bench` (`--only ui`): the web UI in real Chromium
 * (playwright-core, {@linkcode launchBrowser}) against a real kvflow server subprocess.
 *
 * Data: a KV file of its own in a temp dir (the server passed in by `main.ts` is not used, so the
 * figures do not depend on what earlier sections wrote). A seeding server fills it over HTTP:
 * one experiment of 100k runs (10k with `--quick`), each `runs/create` (run name, start time) +
 * one `runs/log-batch` of 3 params, 3 metrics and 2 tags, from 8 concurrent clients; and a second
 * experiment with one run holding the 1,000,000-point `loss` metric of the `charts` section
 * (./charts.ts, 1000 log-batches of 1000 points); and a third experiment for the chart view:
 * 100 finished runs × 5 metrics × 1,000 steps (a log-batch of 1,000 points per run and metric,
 * 8 clients; the same size with `--quick`, as the target is defined for it). The seeding server
 * is then stopped and a fresh one started on the same file, so the first page load meets a cold
 * server as a user would after a restart. The island bundle is built (if stale) before that, as
 * `deno task bundle` would in a deployment, so no load waits for `deno bundle`.
 *
 * Every page load gets a fresh browser context (empty cache, new connection). Times are read in
 * the page, relative to its navigation start (`performance.timeOrigin`):
 *
 * - Experiment page `/experiments/<id>`: first contentful paint from the Paint Timing API
 *   (`first-contentful-paint`, target ≤ 1 s), and the moment the `RunsTable` island gets
 *   `data-hydrated` (a MutationObserver installed before any page script records it). The page
 *   must show 100 run rows and raise no page error, else the bench fails. The HTML size is the
 *   navigation entry's decoded body size (the transfer size beside it in the note).
 * - Run page `/runs/<id>` of the 1M-point run: the time until MetricChart's plot element gets
 *   `data-drawn` (set in uPlot's `draw` hook, after the points are painted on the canvas), with
 *   `loss` selected, as it is by default. Checked after each load: the counts line says
 *   1,000,000 points, ≤ 2002 were drawn, and the canvas holds pixels of the series colour.
 * - Chart view `/experiments/<id>?view=charts` of the 100-run experiment: the time until the
 *   last of its 5 metric cards (`[data-chart-card]`) gets `data-drawn` (set in uPlot's `draw`
 *   hook), target ≤ 1 s, and the requests the page made until then (the document plus every
 *   Resource Timing entry started before that moment: styles, scripts, API calls), target ≤ 10.
 *   Checked after each load: 5 cards drawn, each with points, and each card's data read once:
 *   inside the page (ui/page_replies.ts) or by one bulk history request.
 * - Island bundle: the `.js` the experiment page loaded, as Chromium received it from the server
 *   (Resource Timing `encodedBodySize`, with `Content-Encoding: gzip` checked on the response;
 *   `decodedBodySize` is the raw size). Target ≤ 100 KB (KB = 1024 bytes, as `deno task bundle`).
 *
 * Each page figure is the median of `loads` loads after the first; the first load after the
 * server start (cold) is reported in the note. Bounds: seeding stops at `seedSeconds` (the label
 * then says how many runs there are), and seeding that hangs past that (or a metric load past
 * 120 s) makes the section's target rows MISSED; each load waits at most `loadTimeoutMs` for every
 * step, and a timeout ends that figure's loads and reports it as MISSED. The browser, both
 * servers and the temp dir are removed in `finally`.
 *
 * @module
 */
/// <reference lib="dom" />
/// <reference types="../../ui/dom_lib_compat.d.ts" />
import { type Browser, errors, type Page } from "playwright-core";
import { type RunningServer, startServer } from "../server_helpers.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { ensureBundle } from "../../ui/bundle.ts";
import { BenchError, createExperiment, drive, median, post, type Result } from "./common.ts";
import { logMillionPointMetric, POINTS as METRIC_POINTS } from "./charts.ts";

/** Sizes and time budgets of the ui section. */
export interface UiSizes {
  /** Runs in the experiment whose page is loaded; the 1 s FCP target is defined for 100k. */
  runs: number;
  /** Hard cap on seeding the runs; a cut is reported in the label and note. */
  seedSeconds: number;
  /** Timed page loads per figure, after the cold first one. */
  loads: number;
  /** Upper bound on each step of one page load (navigation, hydration, drawing). */
  loadTimeoutMs: number;
}

export const FULL_UI: UiSizes = {
  runs: 100_000,
  seedSeconds: 240,
  loads: 5,
  loadTimeoutMs: 30_000,
};

export const QUICK_UI: UiSizes = {
  runs: 10_000,
  seedSeconds: 60,
  loads: 5,
  loadTimeoutMs: 15_000,
};

const SEED_CLIENTS = 8;
/** Rows the experiment page renders on the server (ui/handlers.tsx, EXPERIMENT_RUNS_LIMIT). */
const PAGE_ROWS = 100;
/** MetricChart asks for 1000 buckets: at most min + max per bucket, plus the two ends. */
const MAX_DRAWN = 2 * 1000 + 2;
/** MetricChart's first series colour (#2563eb). */
const SERIES_RGB = [0x25, 0x63, 0xeb] as const;
const T0 = 1_700_000_000_000;
const KB = 1024;
/** How long seeding may overrun its budget (the requests in flight) before it counts as hung. */
const HANG_SECONDS = 60;
/** Bound on logging the 1M-point metric (~3 s at the charts section's rate). */
const METRIC_SECONDS = 120;

// ---------------------------------------------------------------------------------------------
// Seeding

function runBodies(
  experimentId: string,
  i: number,
): { create: string; batch: (id: string) => string } {
  const startTime = T0 + i * 1000;
  return {
    create: JSON.stringify({
      experiment_id: experimentId,
      start_time: startTime,
      run_name: `run-${i}`,
      user_id: "bench",
    }),
    batch: (id) =>
      JSON.stringify({
        run_id: id,
        params: [
          { key: "lr", value: String([0.1, 0.01, 0.001][i % 3]) },
          { key: "batch_size", value: String(16 << (i % 4)) },
          { key: "seed", value: String(i) },
        ],
        metrics: [
          { key: "loss", value: 1 / (1 + (i % 997)), timestamp: startTime, step: 0 },
          { key: "accuracy", value: (i % 1000) / 1000, timestamp: startTime, step: 0 },
          { key: "epoch", value: i % 10, timestamp: startTime, step: 0 },
        ],
        tags: [
          { key: "team", value: ["vision", "nlp", "speech"][i % 3] },
          { key: "mlflow.source.name", value: "train.py" },
        ],
      }),
  };
}

/** Seeds up to `total` runs into `experimentId`; a heartbeat every 30 s shows the rate. */
async function seedRuns(
  server: RunningServer,
  experimentId: string,
  total: number,
  maxSeconds: number,
): Promise<{ done: number; seconds: number }> {
  let created = 0;
  const started = performance.now();
  const heartbeat = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    console.log(`  … ${created.toLocaleString("en-US")} runs in ${s.toFixed(0)} s`);
  }, 30_000);
  try {
    return await drive(SEED_CLIENTS, total, maxSeconds, async (i) => {
      const bodies = runBodies(experimentId, i);
      const reply = await post(server, "runs/create", bodies.create);
      await post(server, "runs/log-batch", bodies.batch(JSON.parse(reply).run.info.run_id));
      created++;
    });
  } finally {
    clearInterval(heartbeat);
  }
}

/** The chart view's experiment: runs, metrics per run and steps per metric. */
const CHART_RUNS = 100;
const CHART_METRICS = ["loss", "val_loss", "accuracy", "learning_rate", "grad_norm"] as const;
const CHART_STEPS = 1000;

/** Step `step` of metric `key` in chart run `i`: smooth curves, some noise, a spike per run. */
function chartValue(key: (typeof CHART_METRICS)[number], i: number, step: number): number {
  const decay = Math.exp(-step / (150 + 5 * i));
  const noise = Math.sin(step * 12.9898 + i * 78.233) * 0.01;
  switch (key) {
    case "loss":
      return 2 * decay + 0.05 + noise;
    case "val_loss":
      return 2.2 * decay + 0.08 + 2 * noise;
    case "accuracy":
      return 0.5 + 0.45 * (1 - decay) + noise;
    case "learning_rate":
      return 0.001 * (1 + (i % 3)) * Math.cos((Math.PI / 2) * step / CHART_STEPS);
    case "grad_norm":
      return step === (i * 37) % CHART_STEPS ? 50 : 1 + decay + noise;
  }
}

/**
 * Seeds the chart view's experiment: {@linkcode CHART_RUNS} runs, each one `runs/create` (name,
 * start time), one `log-parameter` (`optimizer`, to group by), one log-batch of
 * {@linkcode CHART_STEPS} points per metric and a `runs/update` to FINISHED, from
 * {@linkcode SEED_CLIENTS} clients. Returns the experiment and the seconds seeding took.
 */
async function seedChartExperiment(
  server: RunningServer,
): Promise<{ experiment: string; seconds: number }> {
  const experiment = await createExperiment(server);
  const { done, seconds } = await drive(SEED_CLIENTS, CHART_RUNS, METRIC_SECONDS, async (i) => {
    const startTime = T0 + i * 60_000;
    const reply = await post(
      server,
      "runs/create",
      JSON.stringify({ experiment_id: experiment, start_time: startTime, run_name: `sweep-${i}` }),
    );
    const run_id = JSON.parse(reply).run.info.run_id;
    // A log-batch holds at most 1000 items: the param to group by is logged on its own.
    const optimizer = ["sgd", "adam", "adamw", "lion"][i % 4];
    await post(
      server,
      "runs/log-parameter",
      JSON.stringify({ run_id, key: "optimizer", value: optimizer }),
    );
    for (const key of CHART_METRICS) {
      const metrics = Array.from({ length: CHART_STEPS }, (_, step) => ({
        key,
        value: chartValue(key, i, step),
        timestamp: startTime + step * 100,
        step,
      }));
      await post(server, "runs/log-batch", JSON.stringify({ run_id, metrics }));
    }
    // A finished sweep, as one is usually looked at (running runs make the page poll for news).
    await post(
      server,
      "runs/update",
      JSON.stringify({ run_id, status: "FINISHED", end_time: startTime + CHART_STEPS * 100 }),
    );
  });
  if (done < CHART_RUNS) {
    throw new Hung(`seeding the chart view's ${CHART_RUNS} runs did not finish (${done} done)`);
  }
  return { experiment, seconds };
}

/** Seeding that did not finish: the section's target rows are then MISSED. */
class Hung extends Error {}

/**
 * Awaits `work`, or throws {@linkcode Hung} after `seconds`. Requests still in flight then fail
 * when the server is stopped; their rejection is caught here.
 */
async function within<T>(seconds: number, what: string, work: Promise<T>): Promise<T> {
  work.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Hung(`${what} did not finish within ${seconds} s`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The section's target rows, all MISSED, when there was nothing to measure. */
function missed(why: string): Result[] {
  return [
    { label: "experiment page: first contentful paint", unit: "ms", target: 1000 },
    { label: "run page: 1M-point metric drawn", unit: "ms", target: 1000 },
    { label: "chart view, 100 runs × 5 metrics: all charts drawn", unit: "ms", target: 1000 },
    { label: "chart view, 100 runs × 5 metrics: requests", unit: "requests", target: 10 },
    { label: "island bundle, gzipped", unit: "KB", target: 100 },
  ].map((r) => ({ bench: "ui", goal: "max", value: NaN, note: why, ...r }));
}

// ---------------------------------------------------------------------------------------------
// Page loads

/** Installed before any page script: records when islands hydrate and when the chart draws. */
function recordMarks() {
  const marks: Record<string, number | string> = {};
  (globalThis as unknown as { __benchMarks: typeof marks }).__benchMarks = marks;
  new MutationObserver((records) => {
    const now = performance.now();
    for (const r of records) {
      const el = r.target as HTMLElement;
      if (r.attributeName === "data-hydrated" && el.hasAttribute("data-hydrated")) {
        marks[`hydrated:${el.dataset.island}`] ??= now;
      }
      // A chart-view card: when each one (by metric key) first drew some points.
      const drewPoints = Number(el.dataset.drawn) > 0;
      if (r.attributeName === "data-drawn" && drewPoints && el.hasAttribute("data-chart-card")) {
        marks[`card:${el.dataset.key}`] ??= now;
      }
      if (r.attributeName === "data-drawn" && el.dataset.drawn && marks.drawn === undefined) {
        marks.drawn = now;
        marks.drawnPoints = el.dataset.drawn;
      }
    }
  }).observe(document, {
    subtree: true,
    attributes: true,
    attributeFilter: ["data-hydrated", "data-drawn"],
  });
  // Replies the page carries (ui/page_replies.ts): how many, and when the last was parsed.
  marks.replies = 0;
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n instanceof HTMLScriptElement && n.dataset.reply !== undefined) {
          (marks.replies as number)++;
          marks.repliesIn = performance.now();
        }
      }
    }
  }).observe(document, { subtree: true, childList: true });
}

/** A load that hit its timeout: which step, for the MISSED note. */
class LoadTimeout extends Error {}

/**
 * Opens `url` in a fresh context, runs `measure` on the page, and closes the context. Page errors
 * and console errors fail the bench (the figure would be of a broken page); any Playwright
 * timeout becomes a {@linkcode LoadTimeout} naming the step.
 */
async function load<T>(
  browser: Browser,
  url: string,
  timeoutMs: number,
  measure: (page: Page, step: (name: string) => void) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  let current = "navigation";
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()} (${m.location().url})`);
    });
    await page.addInitScript(recordMarks);
    const result = await measure(page, (name) => current = name);
    if (problems.length) throw new BenchError(`ui: ${url}: ${problems.join("; ")}`);
    return result;
  } catch (err) {
    if (err instanceof errors.TimeoutError) {
      throw new LoadTimeout(`${current} did not finish within ${timeoutMs / 1000} s`);
    }
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
}

interface ExperimentLoad {
  fcp: number;
  hydrated: number;
  htmlDecoded: number;
  htmlEncoded: number;
  htmlEncoding: string;
  scripts: { name: string; encoded: number; decoded: number; encoding: string }[];
}

async function loadExperimentPage(
  browser: Browser,
  url: string,
  timeoutMs: number,
): Promise<ExperimentLoad> {
  return await load(browser, url, timeoutMs, async (page, step) => {
    const encodings = new Map<string, string>();
    page.on("response", (r) => {
      if (/\.js(\?|$)/.test(r.url())) encodings.set(r.url(), r.headers()["content-encoding"] ?? "");
    });
    const response = await page.goto(url, { waitUntil: "load" });
    const htmlEncoding = response?.headers()["content-encoding"] ?? "";
    step("RunsTable hydration");
    await page.locator("[data-island='RunsTable'][data-hydrated]").waitFor();
    step("first-contentful-paint entry");
    const fcpHandle = await page.waitForFunction(() =>
      performance.getEntriesByName("first-contentful-paint")[0]?.startTime
    );
    const fcp = Number(await fcpHandle.jsonValue());
    const rows = await page.locator("[data-island='RunsTable'] tbody tr[data-run-id]").count();
    if (rows !== PAGE_ROWS) {
      throw new BenchError(`ui: the experiment page shows ${rows} runs, expected ${PAGE_ROWS}`);
    }
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const scripts = (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
        .filter((e) => /\.js(\?|$)/.test(e.name))
        .map((e) => ({ name: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize }));
      const marks = (globalThis as unknown as { __benchMarks: Record<string, number> })
        .__benchMarks;
      return {
        hydrated: marks["hydrated:RunsTable"],
        htmlDecoded: nav.decodedBodySize,
        htmlEncoded: nav.encodedBodySize,
        scripts,
      };
    });
    return {
      fcp,
      htmlEncoding,
      ...timing,
      scripts: timing.scripts.map((s) => ({ ...s, encoding: encodings.get(s.name) ?? "" })),
    };
  });
}

interface ChartLoad {
  drawn: number;
  points: number;
  /** The get-history-downsampled request: start and duration, from Resource Timing. */
  request?: { start: number; ms: number };
}

async function loadRunPage(browser: Browser, url: string, timeoutMs: number): Promise<ChartLoad> {
  return await load(browser, url, timeoutMs, async (page, step) => {
    await page.goto(url, { waitUntil: "commit" });
    step("MetricChart drawing");
    await page.locator(".metric-chart__plot[data-drawn]").waitFor({ state: "attached" });
    const out = await page.evaluate(([r, g, b]) => {
      const marks = (globalThis as unknown as { __benchMarks: Record<string, number | string> })
        .__benchMarks;
      const canvas = document.querySelector<HTMLCanvasElement>(".metric-chart__plot canvas");
      let painted = 0;
      let series = 0;
      if (canvas && canvas.width > 0 && canvas.height > 0) {
        const px = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < px.length; i += 4) {
          if (px[i + 3] === 0) continue;
          painted++;
          const near = Math.abs(px[i] - r) < 40 && Math.abs(px[i + 1] - g) < 40 &&
            Math.abs(px[i + 2] - b) < 40;
          if (near && px[i + 3] > 128) series++;
        }
      }
      const req = (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
        .find((e) => e.name.includes("get-history-downsampled"));
      return {
        drawn: Number(marks.drawn),
        points: Number(marks.drawnPoints),
        painted,
        series,
        counts: document.querySelector(".metric-chart__counts")?.textContent ?? "",
        request: req && { start: req.startTime, ms: req.responseEnd - req.startTime },
      };
    }, SERIES_RGB);
    const total = METRIC_POINTS.toLocaleString("en-US");
    if (!out.counts.includes(`loss: ${total} points`)) {
      throw new BenchError(`ui: the chart does not show ${total} points of loss: "${out.counts}"`);
    }
    if (!(out.points > 0 && out.points <= MAX_DRAWN)) {
      throw new BenchError(`ui: the chart drew ${out.points} points, expected 1–${MAX_DRAWN}`);
    }
    if (out.series < 50) {
      throw new BenchError(
        `ui: the chart canvas has ${out.series} pixels of the series colour ` +
          `(${out.painted} painted): the line was not drawn`,
      );
    }
    return { drawn: out.drawn, points: out.points, request: out.request };
  });
}

interface ChartViewLoad {
  /** Navigation start → the last card's first `data-drawn`. */
  drawn: number;
  /** The document plus the resources started before `drawn`. */
  requests: number;
  /** Of those, calls to the API, and the bulk history reads among them. */
  api: number;
  bulk: number;
  /** Cards whose first read came inside the page, and when the last of those was parsed. */
  replies: number;
  repliesIn: number;
  /** Points drawn per card (`data-drawn`: the length of its x data). */
  points: number[];
  /** The bulk requests (if any): when the first started, the median duration, when the last ended. */
  bulkStart: number;
  bulkMs: number;
  bulkEnd: number;
}

async function loadChartView(
  browser: Browser,
  url: string,
  timeoutMs: number,
): Promise<ChartViewLoad> {
  return await load(browser, url, timeoutMs, async (page, step) => {
    await page.goto(url, { waitUntil: "commit" });
    step(`all ${CHART_METRICS.length} chart cards drawing`);
    await page.waitForFunction(
      (n) => document.querySelectorAll("[data-chart-card][data-drawn]").length >= n,
      CHART_METRICS.length,
    );
    const out = await page.evaluate(() => {
      const marks = (globalThis as unknown as { __benchMarks: Record<string, number | string> })
        .__benchMarks;
      const cards = [...document.querySelectorAll<HTMLElement>("[data-chart-card]")];
      const times = cards.map((c) => Number(marks[`card:${c.dataset.key}`]));
      const drawn = Math.max(...times);
      const started = (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
        .filter((e) => e.startTime <= drawn);
      const api = started.filter((e) => /\/(ajax-)?api\//.test(e.name));
      const bulk = api.filter((e) => e.name.includes("get-history-downsampled-bulk"));
      const took = bulk.map((e) => e.responseEnd - e.startTime).sort((a, b) => a - b);
      return {
        drawn,
        bulkStart: Math.min(...bulk.map((e) => e.startTime)),
        bulkMs: took[Math.floor(took.length / 2)],
        bulkEnd: Math.max(...bulk.map((e) => e.responseEnd)),
        keys: cards.map((c) => c.dataset.key ?? ""),
        points: cards.map((c) => Number(c.dataset.drawn)),
        requests: 1 + started.length,
        api: api.length,
        bulk: bulk.length,
        replies: Number(marks.replies),
        repliesIn: Number(marks.repliesIn),
      };
    });
    const keys = [...out.keys].sort().join(", ");
    if (keys !== [...CHART_METRICS].sort().join(", ")) {
      throw new BenchError(`ui: the chart view shows cards ${keys}`);
    }
    if (!out.points.every((n) => n > 0) || !Number.isFinite(out.drawn)) {
      throw new BenchError(`ui: a chart card drew no points (${out.points.join(", ")})`);
    }
    if (out.bulk + out.replies !== CHART_METRICS.length) {
      throw new BenchError(
        `ui: the chart view made ${out.bulk} bulk history requests and its page carried ` +
          `${out.replies} replies, expected one of either per card`,
      );
    }
    const { keys: _, ...figures } = out;
    return figures;
  });
}

/** Where the chart view's data came from and when, as medians over `loads`. */
function chartDataNote(loads: ChartViewLoad[]): string {
  const parts: string[] = [];
  const replies = loads[0].replies;
  if (replies > 0) {
    parts.push(
      `${replies} cards' data inside the page, the last parsed at ` +
        `${ms(median(loads.map((l) => l.repliesIn)))}`,
    );
  }
  const bulk = loads[0].bulk;
  if (bulk > 0) {
    parts.push(
      `get-history-downsampled-bulk ×${bulk}: first started at ` +
        `${ms(median(loads.map((l) => l.bulkStart)))}, each took ` +
        `${ms(median(loads.map((l) => l.bulkMs)))}, last ended at ` +
        `${ms(median(loads.map((l) => l.bulkEnd)))}`,
    );
  }
  return `${parts.join("; ")} (medians)`;
}

/**
 * The cold load, then up to `loads` timed ones; stops at the first timeout. Returns what was
 * measured and the timeout's message, if any.
 */
async function sample<T>(
  loads: number,
  once: () => Promise<T>,
): Promise<{ cold?: T; warm: T[]; timeout?: string }> {
  const warm: T[] = [];
  let cold: T | undefined;
  try {
    cold = await once();
    for (let i = 0; i < loads; i++) warm.push(await once());
  } catch (err) {
    if (!(err instanceof LoadTimeout)) throw err;
    return { cold, warm, timeout: `load ${warm.length + (cold ? 2 : 1)}: ${err.message}` };
  }
  return { cold, warm };
}

const ms = (x: number) => `${x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString("en-US")} ms`;
const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;
/** `100k`, `1M` for round thousands and millions, else the number with separators. */
const count = (n: number) =>
  n >= 1e6 && n % 1e6 === 0
    ? `${n / 1e6}M`
    : n >= 1000 && n % 1000 === 0
    ? `${n / 1000}k`
    : n.toLocaleString("en-US");

/**
 * A row from sampled loads: the median of the timed loads, or NaN (MISSED) when a load timed
 * out, with the loads before it in the note.
 */
function timedRow(
  row: Omit<Result, "value" | "note">,
  s: { cold?: number; warm: number[]; timeout?: string },
  extra: string,
): Result {
  const cold = s.cold === undefined ? "" : `cold first load ${ms(s.cold)}; `;
  if (s.timeout) {
    return {
      ...row,
      value: NaN,
      note: `${s.timeout}; ${cold}` +
        (s.warm.length ? `median of the ${s.warm.length} before: ${ms(median(s.warm))}; ` : "") +
        extra,
    };
  }
  return {
    ...row,
    value: median(s.warm),
    note: `${cold}loads ${s.warm.map((x) => Math.round(x)).join(", ")} ms; ${extra}`,
  };
}

// ---------------------------------------------------------------------------------------------

/** The `ui` bench: seed, restart the server, then load both pages in Chromium (module doc). */
export async function benchUi(
  _server: RunningServer,
  sizes: { ui: UiSizes },
): Promise<Result[]> {
  const s = sizes.ui;
  const dir = await Deno.makeTempDir({ prefix: "kvflow-bench-ui-" });
  const kvPath = `${dir}/mlruns.kv`;
  const servers: RunningServer[] = [];
  let browser: Browser | undefined;
  try {
    // --- Seeding, on a server of its own.
    const seeder = await startServer({ kvPath });
    servers.push(seeder);
    const experiment = await createExperiment(seeder);
    console.log(
      `ui: seeding ${count(s.runs)} runs over HTTP (runs/create + log-batch, ` +
        `${SEED_CLIENTS} clients)…`,
    );
    const seeded = await within(
      s.seedSeconds + HANG_SECONDS,
      "seeding the runs",
      seedRuns(seeder, experiment, s.runs, s.seedSeconds),
    );
    const seedNote = `seeded over HTTP: runs/create + log-batch(3 params, 3 metrics, 2 tags), ` +
      `${SEED_CLIENTS} clients, ${seeded.done.toLocaleString("en-US")} runs in ` +
      `${seeded.seconds.toFixed(0)} s (${Math.round(seeded.done / seeded.seconds)} runs/s)` +
      (seeded.done < s.runs ? `, cut from ${count(s.runs)} by the ${s.seedSeconds} s budget` : "");
    console.log(`ui: ${seedNote}`);
    console.log(`ui: logging a ${count(METRIC_POINTS)}-point metric (1000 log-batches)…`);
    const chart = await within(
      METRIC_SECONDS,
      `logging the ${count(METRIC_POINTS)}-point metric`,
      logMillionPointMetric(seeder),
    );
    const loadRate = Math.round(METRIC_POINTS / chart.loadSeconds).toLocaleString("en-US");
    const chartSize = `${CHART_RUNS} runs × ${CHART_METRICS.length} metrics × ` +
      `${CHART_STEPS.toLocaleString("en-US")} steps`;
    console.log(`ui: seeding the chart view's experiment (${chartSize})…`);
    const sweep = await within(
      METRIC_SECONDS + HANG_SECONDS,
      "seeding the chart view's experiment",
      seedChartExperiment(seeder),
    );
    await seeder.stop();

    // --- A fresh server on the seeded file; the bundle built beforehand, as a deployment has it.
    await ensureBundle();
    const server = await startServer({ kvPath });
    servers.push(server);
    browser = await launchBrowser();
    const results: Result[] = [];
    const runsLabel = count(seeded.done);

    console.log(`ui: loading the experiment page (${runsLabel} runs), 1 + ${s.loads} times…`);
    const expUrl = `${server.url}/experiments/${experiment}`;
    const exp = await sample(s.loads, () => loadExperimentPage(browser!, expUrl, s.loadTimeoutMs));
    const loadsLabel = `median of ${s.loads} fresh-context loads`;
    results.push(timedRow(
      {
        bench: "ui",
        label: `experiment page, ${runsLabel} runs: first contentful paint (${loadsLabel})`,
        unit: "ms",
        goal: "max",
        target: 1000,
      },
      { cold: exp.cold?.fcp, warm: exp.warm.map((l) => l.fcp), timeout: exp.timeout },
      `Paint Timing first-contentful-paint; ${PAGE_ROWS} rows checked; ${seedNote}`,
    ));
    results.push(timedRow(
      {
        bench: "ui",
        label: `experiment page, ${runsLabel} runs: RunsTable hydrated (${loadsLabel})`,
        unit: "ms",
        goal: "max",
      },
      { cold: exp.cold?.hydrated, warm: exp.warm.map((l) => l.hydrated), timeout: exp.timeout },
      "navigation start → data-hydrated on the island",
    ));
    const first = exp.cold;
    if (first) {
      results.push({
        bench: "ui",
        label: `experiment page, ${runsLabel} runs: HTML size`,
        value: first.htmlDecoded / KB,
        unit: "KB",
        goal: "max",
        note: `${kb(first.htmlEncoded)} body transferred, ` +
          `Content-Encoding: ${first.htmlEncoding || "none"} ` +
          "(navigation entry decoded/encoded body size)",
      });
    }

    console.log(`ui: loading the run page with the ${count(METRIC_POINTS)}-point metric…`);
    const runUrl = `${server.url}/runs/${chart.run}`;
    const drawn = await sample(s.loads, () => loadRunPage(browser!, runUrl, s.loadTimeoutMs));
    const all = [drawn.cold, ...drawn.warm].filter((l): l is ChartLoad => l !== undefined);
    const reqs = drawn.warm.flatMap((l) => l.request ? [l.request] : []);
    results.push(timedRow(
      {
        bench: "ui",
        label: `run page: ${count(METRIC_POINTS)}-point metric drawn (${loadsLabel})`,
        unit: "ms",
        goal: "max",
        target: 1000,
      },
      { cold: drawn.cold?.drawn, warm: drawn.warm.map((l) => l.drawn), timeout: drawn.timeout },
      `navigation start → data-drawn (uPlot draw hook), canvas checked` +
        (all.length ? `; ${all[0].points} points drawn` : "") +
        (reqs.length
          ? `; get-history-downsampled median start ${ms(median(reqs.map((r) => r.start)))}, ` +
            `took ${ms(median(reqs.map((r) => r.ms)))}`
          : "") +
        `; metric logged at ${loadRate} metrics/s`,
    ));

    console.log(`ui: loading the chart view (${chartSize}), 1 + ${s.loads} times…`);
    const viewUrl = `${server.url}/experiments/${sweep.experiment}?view=charts`;
    const view = await sample(s.loads, () => loadChartView(browser!, viewUrl, s.loadTimeoutMs));
    const views = [view.cold, ...view.warm].filter((l): l is ChartViewLoad => l !== undefined);
    const seededNote = `seeded over HTTP in ${sweep.seconds.toFixed(1)} s ` +
      `(runs/create + ${CHART_METRICS.length} log-batches of ${CHART_STEPS} per run)`;
    results.push(timedRow(
      {
        bench: "ui",
        label: `chart view, ${chartSize}: all ${CHART_METRICS.length} charts drawn (${loadsLabel})`,
        unit: "ms",
        goal: "max",
        target: 1000,
      },
      { cold: view.cold?.drawn, warm: view.warm.map((l) => l.drawn), timeout: view.timeout },
      `navigation start → the last card's data-drawn (uPlot draw hook)` +
        (view.warm.length ? `; ${chartDataNote(view.warm)}` : "") +
        (views.length ? `; points drawn per card ${views[0].points.join(", ")}` : "") +
        `; ${seededNote}`,
    ));
    results.push({
      bench: "ui",
      label: `chart view, ${chartSize}: requests until drawn (most of any load)`,
      value: views.length ? Math.max(...views.map((l) => l.requests)) : NaN,
      unit: "requests",
      goal: "max",
      target: 10,
      note: views.length
        ? `the document + resources started before the last card drew; of them API calls ` +
          `${Math.max(...views.map((l) => l.api))}, get-history-downsampled-bulk ` +
          `${views[0].bulk}; cards whose data came inside the page ${views[0].replies}`
        : view.timeout ?? "no chart-view load finished",
    });

    // --- The island bundle, as the browser received it on the first experiment-page load.
    const scripts = first?.scripts ?? [];
    if (first && scripts.length === 0) {
      throw new BenchError("ui: the experiment page loaded no script");
    }
    const notGzip = scripts.filter((x) => x.encoding !== "gzip");
    if (notGzip.length) {
      throw new BenchError(
        `ui: ${notGzip.map((x) => `${x.name} (${x.encoding || "identity"})`).join(", ")} ` +
          "not served gzipped",
      );
    }
    const encoded = scripts.reduce((a, x) => a + x.encoded, 0);
    const decoded = scripts.reduce((a, x) => a + x.decoded, 0);
    results.push({
      bench: "ui",
      label: "island bundle, gzipped",
      value: first ? encoded / KB : NaN,
      unit: "KB",
      goal: "max",
      target: 100,
      note: first
        ? `${kb(decoded)} raw; ${scripts.length} script(s) as Chromium received them from the ` +
          "server (Content-Encoding: gzip; Resource Timing encoded/decoded body size)"
        : "no experiment page load finished",
    });
    return results;
  } catch (err) {
    if (err instanceof Hung) {
      console.log(`ui: ${err.message}`);
      return missed(err.message);
    }
    if (err instanceof BenchError) {
      for (const server of servers) console.error(`server output:\n${server.output()}`);
    }
    throw err;
  } finally {
    await browser?.close().catch(() => {});
    for (const server of servers) await server.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
