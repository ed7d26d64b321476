/**
 * The metrics sub-app, mounted under `/api/2.0/mlflow`.
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const metrics = createRouter()
  .openapi(routes.getHistory, handlers.getHistory)
  .openapi(routes.getHistoryBulkInterval, handlers.getHistoryBulkInterval)
  .openapi(routes.getHistoryBulk, handlers.getHistoryBulk)
  .openapi(routes.getHistoryDownsampled, handlers.getHistoryDownsampled)
  .openapi(routes.getHistoryDownsampledBulk, handlers.getHistoryDownsampledBulk);
