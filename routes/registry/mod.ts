/**
 * The registry sub-app, mounted under `/api/2.0/mlflow`.
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const registryRoutes = createRouter()
  .openapi(routes.createRegisteredModel, handlers.createRegisteredModel)
  .openapi(routes.renameRegisteredModel, handlers.renameRegisteredModel)
  .openapi(routes.updateRegisteredModel, handlers.updateRegisteredModel)
  .openapi(routes.deleteRegisteredModel, handlers.deleteRegisteredModel)
  .openapi(routes.getRegisteredModel, handlers.getRegisteredModel)
  .openapi(routes.searchRegisteredModels, handlers.searchRegisteredModels)
  .openapi(routes.getLatestVersions, handlers.getLatestVersions)
  .openapi(routes.getLatestVersionsGet, handlers.getLatestVersionsGet)
  .openapi(routes.setRegisteredModelTag, handlers.setRegisteredModelTag)
  .openapi(routes.deleteRegisteredModelTag, handlers.deleteRegisteredModelTag)
  .openapi(routes.setAlias, handlers.setAlias)
  .openapi(routes.deleteAlias, handlers.deleteAlias)
  .openapi(routes.getAlias, handlers.getAlias)
  .openapi(routes.createModelVersion, handlers.createModelVersion)
  .openapi(routes.updateModelVersion, handlers.updateModelVersion)
  .openapi(routes.transitionStage, handlers.transitionStage)
  .openapi(routes.deleteModelVersion, handlers.deleteModelVersion)
  .openapi(routes.getModelVersion, handlers.getModelVersion)
  .openapi(routes.getDownloadUri, handlers.getDownloadUri)
  .openapi(routes.searchModelVersions, handlers.searchModelVersions)
  .openapi(routes.setModelVersionTag, handlers.setModelVersionTag)
  .openapi(routes.deleteModelVersionTag, handlers.deleteModelVersionTag);
