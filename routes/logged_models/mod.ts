/**
 * The logged models sub-app, mounted under `/api/2.0/mlflow`: the `logged-models` endpoints and
 * `runs/outputs`. `logged-models/search` is registered before the `{model_id}` routes.
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const loggedModelRoutes = createRouter()
  .openapi(routes.search, handlers.search)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.finalize, handlers.finalize)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.setTags, handlers.setTags)
  .openapi(routes.deleteTag, handlers.deleteTag)
  .openapi(routes.logParams, handlers.logParams)
  .openapi(routes.listArtifacts, handlers.listArtifacts)
  .openapi(routes.logOutputs, handlers.logOutputs);
