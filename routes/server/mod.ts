/**
 * The `/health` + `/version` sub-app, mounted at the root.
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const server = createRouter()
  .openapi(routes.health, handlers.health)
  .openapi(routes.version, handlers.version);
