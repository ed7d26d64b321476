/**
 * The run-artifact sub-app, mounted at `/` (its specs carry full paths).
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const runArtifacts = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.upload, handlers.upload)
  .openapi(routes.download, handlers.download);
