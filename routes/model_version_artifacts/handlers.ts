/**
 * Model-version file downloads. The caller's `path` is validated before the store is asked
 * anything; the version's location is the one the registry resolved when the version was created
 * (`store/registry/source.ts`), mapped with `proxiedPath` and never opened as a URI.
 *
 * @module
 */
import { joinArtifactPath, normaliseArtifactPath } from "../../artifacts/path.ts";
import { proxiedPath } from "../../artifacts/uri.ts";
import { MlflowError } from "../../store/errors.ts";
import type { Handler } from "../app_env.ts";
import { previewOptions, sendArtifact } from "../artifact_io.ts";
import type * as routes from "./routes.ts";

export const download: Handler<typeof routes.download> = async (c) => {
  const { name, version, path, preview } = c.req.valid("query");
  const file = normaliseArtifactPath(path);
  const opts = previewOptions(preview, file);
  const uri = await c.var.store.getModelVersionDownloadUri(name, version);
  const root = proxiedPath(uri);
  if (root === null) {
    throw new MlflowError(
      "NOT_IMPLEMENTED",
      `The artifact location "${uri}" of model '${name}' version ${version} is not served by ` +
        "this server, which serves only proxied locations (mlflow-artifacts:/…)",
    );
  }
  return sendArtifact(c, c.var.artifacts, joinArtifactPath(root, file), opts);
};
