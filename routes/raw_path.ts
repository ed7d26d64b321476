/**
 * The `{artifact_path}` part of a request exactly as it came off the wire.
 *
 * Hono decodes a path before routing (`decodeURI`) and again for `c.req.param()`
 * (`decodeURIComponent`), and stops at `#`. Validating that twice-decoded value would let the
 * validator's own decode-until-stable start from the wrong place and let a raw `#…` tail vanish. So
 * artifact handlers take the undecoded tail of the received URL instead and hand it to
 * `artifacts/path.ts`, which decodes until stable and rejects what it must. (Deno's server keeps the
 * request target verbatim: `..`, `\`, `//` and `#` all reach the request's URL.)
 *
 * @module
 */
import type { Context } from "hono";
import type { AppEnv } from "./app_env.ts";

/**
 * The raw tail after the route's static prefix, read from `c.var.requestUrl` (the URL as
 * received: `decodeRequest` may have swapped in a rebuilt, URL-normalised request). The prefix is counted in `/`-separated segments
 * from the matched route (`/api/2.0/mlflow-artifacts/artifacts/:artifact_path{.+}` → 4); the
 * `/ajax-api` mirror has the same count, and `decodeURI` never turns `%2F` into `/`, so the raw
 * path has the same prefix segments as the routed one.
 *
 * @example
 * ```ts
 * // GET /ajax-api/2.0/mlflow-artifacts/artifacts/1/%252e%252e%252fx?y
 * rawPathParam(c); // "1/%252e%252e%252fx"
 * ```
 */
export function rawPathParam(c: Context<AppEnv>): string {
  const url = c.var.requestUrl;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  const query = url.indexOf("?", start);
  const path = url.slice(start, query === -1 ? undefined : query);
  const prefix = c.req.routePath.split("/").findIndex((seg) => seg.startsWith(":"));
  return path.split("/").slice(prefix).join("/");
}
