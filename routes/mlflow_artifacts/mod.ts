/**
 * The artifact proxy sub-app, mounted under `/api/2.0/mlflow-artifacts`.
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const mlflowArtifacts = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.download, handlers.download)
  .openapi(routes.upload, handlers.upload)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.mpuCreate, handlers.mpuCreate)
  .openapi(routes.mpuComplete, handlers.mpuComplete)
  .openapi(routes.mpuAbort, handlers.mpuAbort);
