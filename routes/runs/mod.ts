/**
 * The runs sub-app, mounted under `/api/2.0/mlflow`.
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const runs = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.restore, handlers.restore)
  .openapi(routes.logMetric, handlers.logMetric)
  .openapi(routes.logParameter, handlers.logParameter)
  .openapi(routes.setTag, handlers.setTag)
  .openapi(routes.deleteTag, handlers.deleteTag)
  .openapi(routes.logBatch, handlers.logBatch)
  .openapi(routes.logModel, handlers.logModel)
  .openapi(routes.logInputs, handlers.logInputs)
  .openapi(routes.search, handlers.search)
  .openapi(routes.exportCsv, handlers.exportCsv);
