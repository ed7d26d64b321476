/**
 * Page rendering: a page component → a complete HTML document `Response` with the UI's security
 * headers. The document links the stylesheet and favicon by content hash, and adds the island
 * script only when the page rendered an `<Island>` (read-only pages ship no JavaScript at all).
 *
 * @module
 */
import type { Context } from "hono";
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import type { AppEnv } from "../routes/app_env.ts";
import { type AssetTable, CLIENT_JS } from "./assets.ts";
import { IslandsUsed } from "./island.tsx";

/** The UI's Hono environment: the app's, plus the loaded static files. */
export interface UiEnv {
  Variables: AppEnv["Variables"] & { assets: AssetTable };
}

/**
 * The Content-Security-Policy of every page: scripts, styles, images and API calls from this
 * origin only; no inline script or style, no plugins, no `<base>` tricks, no framing by others.
 * Island props travel in `data-props`, never in inline scripts. Loosen it here, in one place, if
 * a page ever needs more (and say why).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join("; ");

/** Options of {@linkcode renderPage}. */
export interface PageOptions {
  /** The page's own title; the document title is `<title> · kvflow`. */
  title: string;
  /** HTTP status; default 200. */
  status?: number;
}

/**
 * Renders `page` (a component tree, usually `<Layout>…</Layout>`) into a full document and
 * replies with it: `text/html`, the {@linkcode CONTENT_SECURITY_POLICY}, `no-cache` (pages show
 * live data), and `Referrer-Policy: same-origin`.
 *
 * @example
 * ```tsx
 * export const experimentPage: Handler<UiEnv> = async (c) => {
 *   const experiment = await c.var.store.getExperiment(c.req.param("experimentId"));
 *   return renderPage(c, <ExperimentPage experiment={experiment} />, { title: experiment.name });
 * };
 * ```
 */
export function renderPage(c: Context<UiEnv>, page: VNode, opts: PageOptions): Response {
  const assets = c.var.assets;
  const islands = new Set<string>();
  const body = render(<IslandsUsed.Provider value={islands}>{page}</IslandsUsed.Provider>);
  const head = render(
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <title>{`${opts.title} · kvflow`}</title>
      <link rel="icon" type="image/svg+xml" href={assets.url("favicon.svg")} />
      <link rel="stylesheet" href={assets.url("styles.css")} />
      {islands.size > 0 && <script type="module" src={assets.url(CLIENT_JS)} />}
    </head>,
  );
  const html = `<!DOCTYPE html><html lang="en">${head}<body>${body}</body></html>`;
  return c.html(html, (opts.status ?? 200) as 200, {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",
    "Referrer-Policy": "same-origin",
  });
}
