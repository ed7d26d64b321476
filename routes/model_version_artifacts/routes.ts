/**
 * `GET /model-versions/get-artifact` (mlflow-rest.md §1.1): a file of a registered model version,
 * as MLflow's web UI fetches one. Mounted at `/`, so the path is absolute; `routes/mod.ts` also
 * routes its `/ajax-api/2.0/mlflow/` twin here.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import { ModelVersionFileQuery } from "../schemas/registry.ts";
import { downloadReplies, notImplemented } from "../spec.ts";

export const download = createRoute({
  operationId: "getModelVersionArtifact",
  method: "get",
  path: "/model-versions/get-artifact",
  tags: ["Model registry"],
  summary: "Download a file of a model version",
  description: "The file at `path` under the version's artifact location (what " +
    "`model-versions/get-download-uri` returns), as an attachment, with the path rules and " +
    "headers of `/get-artifact`; MLflow's UI reads a version's `MLmodel` this way. Only proxied " +
    "locations (`mlflow-artifacts:/…`) are served (any other is 501). A prompt version has no " +
    "files: 404, as for a missing file. Also served at `/ajax-api/2.0/mlflow/model-versions/" +
    "get-artifact`.",
  request: { query: ModelVersionFileQuery },
  responses: {
    ...downloadReplies(),
    ...notImplemented("the version's artifact location is not a proxied one"),
  } as const,
});
