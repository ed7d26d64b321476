/**
 * The permanent-delete sub-app (kvflow's gc endpoints), mounted under `/api/2.0/mlflow`.
 *
 * @module
 */
import { createRouter } from "../app_env.ts";
import * as handlers from "./handlers.ts";
import * as routes from "./routes.ts";

export const gcRoutes = createRouter()
  .openapi(routes.gc, handlers.gc)
  .openapi(routes.deleteRunPermanently, handlers.deleteRunPermanently)
  .openapi(routes.deleteExperimentPermanently, handlers.deleteExperimentPermanently);
