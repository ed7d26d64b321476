/**
 * Artifact proxy handlers. Every path goes through `normaliseArtifactPath` before the repository
 * sees it; `{artifact_path}` is taken raw from the URL (see `routes/raw_path.ts`). Bodies are
 * streamed both ways.
 *
 * @module
 */
import type { Context } from "hono";
import { artifactBaseName, normaliseArtifactPath } from "../../artifacts/path.ts";
import type { AppEnv, Handler } from "../app_env.ts";
import { previewOptions, sendArtifact, sortByPath, uploadBody } from "../artifact_io.ts";
import { rawPathParam } from "../raw_path.ts";
import { json } from "../respond.ts";
import type * as routes from "./routes.ts";

const pathOf = (c: Context<AppEnv>) => normaliseArtifactPath(rawPathParam(c));

export const list: Handler<typeof routes.list> = async (c) => {
  const dir = normaliseArtifactPath(c.req.valid("query").path ?? "");
  const entries = await c.var.artifacts.list(dir);
  const files = sortByPath(entries.map((f) => ({ ...f, path: artifactBaseName(f.path) })));
  return json(c, { files }, 200);
};

export const download: Handler<typeof routes.download> = (c) => {
  const path = pathOf(c);
  return sendArtifact(c, c.var.artifacts, path, previewOptions(c.req.valid("query").preview, path));
};

export const upload: Handler<typeof routes.upload> = async (c) => {
  const path = pathOf(c);
  const { body, contentLength } = uploadBody(c);
  await c.var.artifacts.put(path, body, { contentLength });
  return json(c, {}, 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  await c.var.artifacts.delete(pathOf(c));
  return json(c, {}, 200);
};

export const mpuCreate: Handler<typeof routes.mpuCreate> = async (c) => {
  const path = pathOf(c);
  const upload = await c.var.artifacts.createMultipartUpload(path, c.req.valid("json").num_parts);
  return json(c, upload, 200);
};

export const mpuComplete: Handler<typeof routes.mpuComplete> = async (c) => {
  const path = pathOf(c);
  const { upload_id, parts } = c.req.valid("json");
  await c.var.artifacts.completeMultipartUpload(
    path,
    upload_id,
    parts.map(({ part_number, etag }) => ({ part_number, etag })),
  );
  return json(c, {}, 200);
};

export const mpuAbort: Handler<typeof routes.mpuAbort> = async (c) => {
  const path = pathOf(c);
  await c.var.artifacts.abortMultipartUpload(path, c.req.valid("json").upload_id);
  return json(c, {}, 200);
};
