/**
 * The app's outermost middleware: gives each request its id (echoed as `X-Request-Id` on every
 * response, errors included), and once the response is ready counts it in the Prometheus series
 * and writes its request-log line, whether a handler answered, threw, or a middleware refused it.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../app_env.ts";
import { formatRequestLog, type LogFormat, type LogSink } from "./request_log.ts";
import { type ServerMetrics, UNMATCHED_ROUTE } from "./server_metrics.ts";

/** Longest client-sent `X-Request-Id` kept; a longer one is replaced by a generated id. */
export const MAX_REQUEST_ID_LENGTH = 128;

/** A client-sent `X-Request-Id` kept as is: 1–{@linkcode MAX_REQUEST_ID_LENGTH} safe characters. */
export const REQUEST_ID_PATTERN = new RegExp(`^[A-Za-z0-9._:-]{1,${MAX_REQUEST_ID_LENGTH}}$`);

/** The header carrying the request id both ways. */
export const REQUEST_ID_HEADER = "X-Request-Id";

/**
 * The id for a request: the client's `X-Request-Id` when it matches
 * {@linkcode REQUEST_ID_PATTERN}, otherwise a fresh UUID (the client's value is never echoed or
 * logged then).
 */
export function requestIdFor(header: string | undefined): string {
  return header !== undefined && REQUEST_ID_PATTERN.test(header) ? header : crypto.randomUUID();
}

/** The request log: its format and where lines go. */
export interface RequestLogOptions {
  format: LogFormat;
  sink: LogSink;
}

/** Options of {@linkcode observeRequests}; without either, requests only get their id. */
export interface ObserveOptions {
  metrics?: ServerMetrics;
  log?: RequestLogOptions;
}

/**
 * The route template that served (or would have served) the request: the last matched route
 * that is not a middleware pattern (`…*`; the UI's pages are `all()` routes, so the method cannot
 * tell them apart), so a 401 from the auth middleware still counts under the endpoint asked for.
 * `/ajax-api/` requests (`ajax`) are routed as `/api/` (routes/mod.ts) and get their own prefix
 * back here.
 */
export function routeTemplate(c: Context, ajax: boolean): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i];
    if (r.path.endsWith("*")) continue;
    return ajax && r.path.startsWith("/api/")
      ? `/ajax-api/${r.path.slice("/api/".length)}`
      : r.path;
  }
  return UNMATCHED_ROUTE;
}

/** Whether the request's URL path (not the routing path, see routes/mod.ts) is `/ajax-api/…`. */
function isAjax(url: string): boolean {
  return url.startsWith("/ajax-api/", url.indexOf("/", url.indexOf("://") + 3));
}

/**
 * The response's declared body size, when it has one. Only the header is read: touching
 * `res.body` would turn a string body into a stream, which Deno then sends chunked.
 */
function declaredBytes(res: Response): number | undefined {
  if (res.status === 204 || res.status === 304) return 0;
  const n = Number(res.headers.get("content-length") ?? NaN);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** See the module doc. */
export function observeRequests(opts: ObserveOptions): MiddlewareHandler<AppEnv> {
  const { metrics, log } = opts;
  return async (c, next) => {
    const start = performance.now();
    const requestId = requestIdFor(c.req.header(REQUEST_ID_HEADER));
    c.set("requestId", requestId);
    if (metrics) {
      c.set("metrics", metrics);
      metrics.inFlight.add(1);
    }
    try {
      await next();
    } finally {
      const durationMs = performance.now() - start;
      if (metrics) metrics.inFlight.add(-1);
      const res = c.res;
      try {
        res.headers.set(REQUEST_ID_HEADER, requestId);
      } catch {
        // Immutable headers (a Response.redirect or a fetched response): copy it once.
        c.res = new Response(res.body, res);
        c.res.headers.set(REQUEST_ID_HEADER, requestId);
      }
      if (metrics || log) {
        // decodeRequest may swap in a rebuilt request, but never changes its path's prefix.
        const route = routeTemplate(c, isAjax(c.req.url));
        metrics?.recordRequest(c.req.method, route, res.status, durationMs / 1000);
        log?.sink(formatRequestLog({
          time: new Date(Date.now() - durationMs),
          method: c.req.method,
          route,
          status: res.status,
          durationMs,
          bytes: declaredBytes(res),
          requestId,
          user: c.var.user?.username,
        }, log.format));
      }
    }
  };
}
