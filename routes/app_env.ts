/**
 * The Hono environment shared by every sub-app, and the router factory that gives each of them the
 * same validation hook.
 *
 * @module
 */
import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { ArtifactRepository } from "../artifacts/types.ts";
import type { TrackingStore } from "../store/types.ts";
import type { User } from "../store/auth/types.ts";
import type { Access } from "./auth/access.ts";
import type { AuthOptions } from "./auth/middleware.ts";
import { defaultHook } from "./errors.ts";
import type { ServerMetrics } from "./monitoring/server_metrics.ts";

/** What handlers find in `c.var`; set once per request by `createApp`. */
export interface AppEnv {
  Variables: {
    store: TrackingStore;
    /**
     * Where proxied artifacts live. Set whenever artifacts are served; the artifact routes are
     * answered with 503 by `artifactModes` before a handler could see it unset.
     */
    artifacts: ArtifactRepository;
    /**
     * The request URL exactly as received. `decodeRequest` swaps in a rebuilt `Request`, and the
     * URL parser then resolves `..` and `\`: artifact paths are read from this one instead.
     */
    requestUrl: string;
    /** The MLflow version `/version` reports. */
    version: string;
    /** How long an upload body may go without a byte before the request fails with 408. */
    bodyIdleTimeoutMs: number;
    /** The authenticated caller; set only when the app runs with auth (`AppDeps.auth`). */
    user?: User;
    /** How the caller proved who they are; set with `user`. */
    authVia?: "password" | "token" | "session";
    /**
     * The browser session's CSRF token; set with `user` when `authVia` is `"session"`, for pages
     * to hand to their scripts and forms (ui/render.tsx).
     */
    csrfToken?: string;
    /** The auth options (users, grants, default permission); set only when auth is on. */
    auth?: AuthOptions;
    /**
     * What the caller may read, loaded once per request on first call (routes/auth/access.ts):
     * searches and UI pages filter with it. Without auth it is everything.
     */
    access: () => Promise<Access>;
    /** This request's id (`X-Request-Id`), set first thing by routes/monitoring/middleware.ts. */
    requestId?: string;
    /** The Prometheus series, set only with `--expose-prometheus` (artifact bytes count here). */
    metrics?: ServerMetrics;
  };
}

/** A sub-app whose zod failures become MLflow's `INVALID_PARAMETER_VALUE` errors. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook });
}

/** A handler typed by its route spec: `c.req.valid()` and the reply are checked against it. */
export type Handler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
