/**
 * The model-version file sub-app, mounted at `/` (its spec carries the full path).
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const modelVersionArtifacts = createRouter().openapi(routes.download, handlers.download);
