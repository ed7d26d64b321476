/**
 * Helpers shared by the UI tests (`tests/ui_*.ts`), kept in one place so every page is checked
 * the same way: one screenshots folder to look in, one reading of island props, and one rule for
 * what counts as a browser-side problem.
 *
 * @example
 * ```ts
 * const { page, problems } = await openPage(browser, { context: { viewport }, timeoutMs: 10_000 });
 * await page.goto(url);
 * assert.ok((await inkedPixels(page, ".metric-chart canvas")) > 100, "canvas is blank");
 * await shoot(page, "run");
 * assert.deepEqual(problems, []);
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Browser, BrowserContextOptions, ConsoleMessage, Page } from "playwright-core";
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import { createApp } from "../../routes/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import type { TrackingStore } from "../../store/types.ts";

/**
 * Where every UI test writes its screenshots, so a reviewer finds all pages in one folder; under
 * `$TMPDIR` because they are review aids, not artifacts to keep.
 */
export const SHOTS_DIR = `${Deno.env.get("TMPDIR") ?? "/tmp"}/kvflow-ui-screenshots`;

/** An app over a fresh memory store, with local artifacts under a temp dir of its own. */
export interface ArtifactApp {
  app: ReturnType<typeof createApp>;
  store: TrackingStore;
  /** The artifact root; the test removes it when done. */
  rootDir: string;
}

/**
 * A fresh {@linkcode ArtifactApp}: pages that show files (runs, logged models) need an artifact
 * repository behind the app, and each test its own root to write fixtures into.
 */
export async function appWithArtifacts(prefix: string): Promise<ArtifactApp> {
  const rootDir = await Deno.makeTempDir({ prefix });
  const store = createMemoryStore();
  return {
    app: createApp({ store, artifacts: createLocalArtifactRepository({ rootDir }) }),
    store,
    rootDir,
  };
}

/**
 * The body of a page response, after asserting its `status` (default 200; the failure shows the
 * body's start) and that it is HTML.
 */
export async function pageHtml(res: Response | Promise<Response>, status = 200): Promise<string> {
  const r = await res;
  const text = await r.text();
  assert.equal(r.status, status, text.slice(0, 500));
  assert.match(r.headers.get("content-type") ?? "", /^text\/html/);
  return text;
}

/**
 * The decoded `data-props` JSON of the first island named `name` in server HTML: the props are
 * what the island hydrates from, so tests check them without a browser. Fails the test when the
 * island is missing, rather than returning something a later assertion would misreport.
 */
export function islandProps(page: string, name: string): Record<string, unknown> {
  const m = new RegExp(`data-island="${name}" data-props="([^"]*)"`).exec(page);
  assert.ok(m, `no ${name} island`);
  const json = m[1].replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
  return JSON.parse(json);
}

/** Options of {@linkcode watchPage}. */
export interface WatchPageOptions {
  /**
   * Console errors a step provokes on purpose (see {@linkcode isApi400}); read at the time of
   * each message, so a step can switch it on and off around the action it expects to fail.
   */
  allow?: (message: ConsoleMessage) => boolean;
}

/**
 * Starts recording what a user would see go wrong on `page` — console errors, uncaught page
 * errors and dialogs — into the returned array, which a test asserts empty at its end. Dialogs
 * are dismissed as well as recorded, since an open one would block the page and hide the cause.
 */
export function watchPage(page: Page, opts: WatchPageOptions = {}): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (!opts.allow?.(m)) problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  return problems;
}

/** Options of {@linkcode openPage}. */
export interface OpenPageOptions extends WatchPageOptions {
  /** Options of the page's own browser context (viewport, downloads…). */
  context?: BrowserContextOptions;
  /**
   * Playwright's default timeout for the page's actions and waits, in milliseconds: each test
   * picks its own, short enough that a hung step fails fast, long enough for its heaviest page.
   */
  timeoutMs: number;
}

/**
 * A fresh page in its own context of `browser`, watched by {@linkcode watchPage} from the start
 * so no early error slips by, with {@linkcode SHOTS_DIR} created so the test's {@linkcode shoot}
 * calls can write there. Closing `browser` closes the page too.
 */
export async function openPage(
  browser: Browser,
  opts: OpenPageOptions,
): Promise<{ page: Page; problems: string[] }> {
  await Deno.mkdir(SHOTS_DIR, { recursive: true });
  const context = await browser.newContext(opts.context);
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeoutMs);
  return { page, problems: watchPage(page, { allow: opts.allow }) };
}

/**
 * Whether `message` is the browser's "Failed to load resource … status of 400" line for an
 * `/ajax-api/` call: Chromium logs it for every rejected request, even one the island handles by
 * showing the API's message, so steps that send a bad request on purpose allow it.
 */
export function isApi400(message: ConsoleMessage): boolean {
  return message.text().includes("status of 400") && message.location().url.includes("/ajax-api/");
}

/**
 * Whether `message` is Chromium reporting what it refused a sandboxed HTML artifact (a blocked
 * script, an image its CSP forbids): logged from the framed file (`preview=html`), not from
 * kvflow's page, and the refusals are what the sandbox is for.
 */
export function isSandboxedFrameRefusal(message: ConsoleMessage): boolean {
  return message.location().url.includes("preview=html") &&
    /Blocked script execution|Content Security Policy/.test(message.text());
}

/**
 * How many sampled pixels of the first canvas under `selector` are painted (alpha > 0): a chart
 * that hydrates but draws nothing still has its DOM, so only the pixels tell it is blank.
 * Sampling every 7th pixel keeps the read cheap on large canvases.
 */
export async function inkedPixels(page: Page, selector: string): Promise<number> {
  return await page.evaluate((sel) => {
    const c = document.querySelector<HTMLCanvasElement>(sel);
    if (!c || !c.width || !c.height) return 0;
    const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4 * 7) if (data[i + 3] > 0) n++;
    return n;
  }, selector);
}

/** Options of {@linkcode shoot}. */
export interface ShootOptions {
  /** Capture the whole scrollable page, not just the viewport (default `true`). */
  fullPage?: boolean;
  /**
   * Milliseconds to wait after switching the colour scheme before capturing (default 0):
   * canvases repaint their colours asynchronously, so pages with charts need a moment.
   */
  settleMs?: number;
}

/**
 * Screenshots `page` as `${SHOTS_DIR}/${name}-light.png` and `-dark.png`, since both themes
 * need a look; leaves the page in the light scheme so later steps see the default.
 */
export async function shoot(page: Page, name: string, opts: ShootOptions = {}): Promise<void> {
  const { fullPage = true, settleMs = 0 } = opts;
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    if (settleMs > 0) await page.waitForTimeout(settleMs);
    await page.screenshot({ path: `${SHOTS_DIR}/${name}-${colorScheme}.png`, fullPage });
  }
  await page.emulateMedia({ colorScheme: "light" });
}
