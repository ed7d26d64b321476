/**
 * The one page UI routes answer while the UI's files cannot be loaded (the island bundle is
 * missing and cannot be built: Deno Deploy without a build step, a read-only disk). Plain HTML
 * with no stylesheet or script, since those are what is missing; the API keeps working.
 *
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "../routes/app_env.ts";
import { type AssetLoader, UiUnavailableError } from "./assets.ts";
import { CONTENT_SECURITY_POLICY, type UiEnv } from "./render.tsx";

/** The page's HTML: what is wrong and the one command that fixes it. */
export const UI_UNAVAILABLE_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Web UI unavailable · kvflow</title></head>
<body><main>
<h1>The web UI is not available</h1>
<p>This server has no built UI bundle (<code>ui/static/dist/client.js</code>) and cannot build one
here. Run <code>deno task build</code> before starting the server; on Deno Deploy, set the
project's build command to <code>deno task build</code> and deploy again.</p>
<p>The tracking API (<code>/api/2.0/mlflow/…</code>) is not affected: MLflow clients keep
working.</p>
</main></body></html>
`;

/** The 503 reply (`no-store`: it must not outlive the fix in a cache). */
export function uiUnavailableResponse(c: Context): Response {
  return c.html(UI_UNAVAILABLE_HTML, 503, {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
  });
}

/**
 * Loads the asset table into `c.var.assets`; returns the 503 page instead when the UI's files
 * are unavailable (any other error propagates).
 */
export async function withAssetsOr503(
  c: Context<UiEnv> | Context<AppEnv>,
  assets: AssetLoader,
): Promise<Response | undefined> {
  try {
    (c as Context<UiEnv>).set("assets", await assets());
    return undefined;
  } catch (err) {
    if (!(err instanceof UiUnavailableError)) throw err;
    return uiUnavailableResponse(c);
  }
}

/**
 * A page the auth middleware answers with (the login form, the 403 page): rendered by `render`
 * once the assets are loaded, else the 503 page; HEAD gets the status and headers only.
 */
export function middlewarePage(
  assets: AssetLoader,
  render: (c: Context<UiEnv>) => Response,
): (c: Context<AppEnv>) => Promise<Response> {
  return async (c) => {
    const ui = c as unknown as Context<UiEnv>;
    const res = (await withAssetsOr503(ui, assets)) ?? render(ui);
    return c.req.method === "HEAD" ? new Response(null, res) : res;
  };
}
