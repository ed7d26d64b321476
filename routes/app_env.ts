/**
 * The Hono environment shared by every sub-app, and the router factory that gives each of them the
 * same validation hook.
 *
 * @module
 */
import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { TrackingStore } from "../store/types.ts";
import { defaultHook } from "./errors.ts";

/** What handlers find in `c.var`; set once per request by `createApp`. */
export interface AppEnv {
  Variables: {
    store: TrackingStore;
    /** The MLflow version `/version` reports. */
    version: string;
  };
}

/** A sub-app whose zod failures become MLflow's `INVALID_PARAMETER_VALUE` errors. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook });
}

/** A handler typed by its route spec: `c.req.valid()` and the reply are checked against it. */
export type Handler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
