/**
 * Handlers of `/health` and `/version`.
 *
 * @module
 */
import type { Handler } from "../app_env.ts";
import type * as routes from "./routes.ts";

export const health: Handler<typeof routes.health> = (c) => c.text("OK", 200);

export const version: Handler<typeof routes.version> = (c) => c.text(c.var.version, 200);
