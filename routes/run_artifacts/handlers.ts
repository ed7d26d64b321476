/**
 * Run-addressed artifact handlers. A run's `artifact_uri` is mapped with `proxiedPath` and never
 * opened as a URI: a root this proxy does not serve is 501. The caller's `path` is validated
 * before the store or the repository is asked anything, and the joined path is validated again.
 *
 * @module
 */
import { joinArtifactPath, normaliseArtifactPath } from "../../artifacts/path.ts";
import { proxiedPath } from "../../artifacts/uri.ts";
import { MlflowError } from "../../store/errors.ts";
import type { TrackingStore } from "../../store/types.ts";
import type { Handler } from "../app_env.ts";
import { baseName, previewOptions, sendArtifact, sortByPath, uploadBody } from "../artifact_io.ts";
import { json } from "../respond.ts";
import type * as routes from "./routes.ts";

/** The run's artifact URI and the repository path it maps to. */
async function runRoot(store: TrackingStore, runId: string) {
  const uri = (await store.getRun(runId)).info.artifact_uri;
  const root = proxiedPath(uri);
  if (root === null) {
    throw new MlflowError(
      "NOT_IMPLEMENTED",
      `The artifact root "${uri}" of run "${runId}" is not served by this server, which serves ` +
        `only proxied roots (mlflow-artifacts:/…)`,
    );
  }
  return { uri, root };
}

export const list: Handler<typeof routes.list> = async (c) => {
  const { run_id, path } = c.req.valid("query");
  const dir = normaliseArtifactPath(path ?? "");
  const { uri, root } = await runRoot(c.var.store, run_id);
  const entries = await c.var.artifacts.list(joinArtifactPath(root, dir));
  const files = sortByPath(entries.map((f) => {
    const name = baseName(f.path);
    return { ...f, path: dir === "" ? name : `${dir}/${name}` };
  }));
  return json(c, { root_uri: uri, files }, 200);
};

export const upload: Handler<typeof routes.upload> = async (c) => {
  const { run_id, path } = c.req.valid("query");
  const file = normaliseArtifactPath(path);
  const { root } = await runRoot(c.var.store, run_id);
  // decodeRequest has already checked the body against its 10 MB cap (RAW_BODY_LIMITS).
  const { body, contentLength } = uploadBody(c);
  await c.var.artifacts.put(joinArtifactPath(root, file), body, { contentLength });
  return json(c, {}, 200);
};

export const download: Handler<typeof routes.download> = async (c) => {
  const { run_id, path, preview } = c.req.valid("query");
  const file = normaliseArtifactPath(path);
  const opts = previewOptions(preview, file);
  const { root } = await runRoot(c.var.store, run_id);
  return sendArtifact(c, c.var.artifacts, joinArtifactPath(root, file), opts);
};
