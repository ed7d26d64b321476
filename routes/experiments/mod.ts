/**
 * The experiments sub-app, mounted under `/api/2.0/mlflow`.
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const experiments = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.getByName, handlers.getByName)
  .openapi(routes.listKeys, handlers.listKeys)
  .openapi(routes.search, handlers.search)
  .openapi(routes.searchGet, handlers.searchGet)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.restore, handlers.restore)
  .openapi(routes.setTag, handlers.setTag)
  .openapi(routes.deleteTag, handlers.deleteTag);
