/**
 * Page rendering: a page component → a complete HTML document `Response` with the UI's security
 * headers. The document links the stylesheet and favicon by content hash, and adds the island
 * script only when the page rendered an `<Island>` (read-only pages ship no JavaScript at all) or
 * asks for it (`script`).
 *
 * @module
 */
import type { Context } from "hono";
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import type { AppEnv } from "../routes/app_env.ts";
import { type AssetTable, CLIENT_JS } from "./assets.ts";
import { IslandsUsed } from "./island.tsx";
import { type Viewer, ViewerContext } from "./components/UserMenu.tsx";
import { type PageReplies, type PageReply, startPageReplies } from "./page_replies.ts";

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
  // Frames only from this origin: the run page shows HTML artifacts in an `<iframe sandbox>`
  // whose document (`/get-artifact?preview=html`) carries its own sandboxing CSP.
  "frame-src 'self'",
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
  /**
   * Load the island script even though the page has no island: the login page, so an MLflow
   * link's fragment (`/#/experiments/1/runs/…`, which the form would lose) is mapped to its page
   * before the user logs in, and the form then returns there.
   */
  script?: boolean;
  /**
   * Same-origin API GETs the page's islands will make at once (the chart view's bulk requests):
   * `<link rel="preload" as="fetch">`, so they start before the script has loaded.
   */
  preload?: string[];
  /**
   * API GETs the page's islands make as soon as they hydrate, answered inside the page: the
   * document is then streamed, its shell first and each reply after it as it is ready (see
   * page_replies.ts).
   */
  replies?: PageReply[];
  /**
   * Static assets (plain names from ui/assets.ts) the page loads besides the island script:
   * `.css` as stylesheets, `.js` as deferred classic scripts, in this order (the API reference
   * page's Swagger UI, then the file that starts it).
   */
  assets?: string[];
}

/**
 * Who is looking, for the page header: the authenticated caller when the app runs with auth
 * (with the browser session's CSRF token when they came with the session cookie), else none.
 */
export function viewerOf(c: Context<UiEnv>): Viewer | undefined {
  const user = c.var.user;
  if (c.var.auth === undefined || user === undefined) return undefined;
  const viewer: Viewer = { username: user.username, isAdmin: user.is_admin };
  if (c.var.csrfToken !== undefined) viewer.csrfToken = c.var.csrfToken;
  return viewer;
}

/**
 * Renders `page` (a component tree, usually `<Layout>…</Layout>`) into a full document and
 * replies with it: `text/html`, the {@linkcode CONTENT_SECURITY_POLICY}, `no-cache` (pages show
 * live data), and `Referrer-Policy: same-origin`. With a {@linkcode viewerOf} the header shows
 * them, the document carries the session's CSRF token in `<meta name="csrf-token">` (where
 * ui/islands/api.ts reads it for writes), and the reply is `private` (it is that user's view;
 * a shared cache must not keep it).
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
  const viewer = viewerOf(c);
  const islands = new Set<string>();
  // Started before the page renders, so the reads overlap it.
  const replies = opts.replies?.length ? startPageReplies(opts.replies) : undefined;
  let body: string;
  try {
    body = render(
      <ViewerContext.Provider value={viewer}>
        <IslandsUsed.Provider value={islands}>{page}</IslandsUsed.Provider>
      </ViewerContext.Provider>,
    );
  } catch (err) {
    replies?.cancel();
    throw err;
  }
  const script = islands.size > 0 || opts.script === true;
  const head = render(
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      {viewer?.csrfToken !== undefined && <meta name="csrf-token" content={viewer.csrfToken} />}
      <title>{`${opts.title} · kvflow`}</title>
      <link rel="icon" type="image/svg+xml" href={assets.url("favicon.svg")} />
      <link rel="stylesheet" href={assets.url("styles.css")} />
      {opts.assets?.filter((name) => name.endsWith(".css")).map((name) => (
        <link rel="stylesheet" href={assets.url(name)} />
      ))}
      {opts.assets?.filter((name) => name.endsWith(".js")).map((name) => (
        <script defer src={assets.url(name)} />
      ))}
      {opts.preload?.map((href) => (
        <link rel="preload" as="fetch" href={href} crossorigin="anonymous" />
      ))}
      {script && <script type="module" src={assets.url(CLIENT_JS)} />}
    </head>,
  );
  // A module script runs once the whole document is in, replies included.
  const shell = `<!DOCTYPE html><html lang="en">${head}<body>${body}`;
  const headers = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": viewer ? "private, no-cache" : "no-cache",
    "Referrer-Policy": "same-origin",
  };
  const status = (opts.status ?? 200) as 200;
  if (replies === undefined) return c.html(`${shell}</body></html>`, status, headers);
  return c.body(streamedDocument(shell, replies), status, {
    ...headers,
    "Content-Type": "text/html; charset=UTF-8",
  });
}

/** `shell`, then each of `replies` as it comes, then the document's end. */
function streamedDocument(shell: string, replies: PageReplies): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(shell));
        return;
      }
      const next = await replies.next();
      controller.enqueue(encoder.encode(next ?? "</body></html>"));
      if (next === null) controller.close();
    },
    cancel() {
      replies.cancel();
    },
  });
}
