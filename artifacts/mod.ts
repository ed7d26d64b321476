/**
 * Artifact storage: picks a backend from the `--artifacts-destination` URI (design convention
 * 15) and re-exports the contract and helpers.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { createAzureArtifactRepository } from "./azure.ts";
import { createGcsArtifactRepository } from "./gcs.ts";
import { createLocalArtifactRepository } from "./local.ts";
import { createS3ArtifactRepository } from "./s3.ts";
import type { ArtifactRepository } from "./types.ts";

export type * from "./types.ts";
export { createLocalArtifactRepository, type LocalArtifactRepositoryOptions } from "./local.ts";
export {
  createS3ArtifactRepository,
  type S3ArtifactRepositoryOptions,
  type S3Credentials,
} from "./s3.ts";
export { parseS3UploadExtraArgs } from "./s3_extra_args.ts";
export { createGcsArtifactRepository, type GcsArtifactRepositoryOptions } from "./gcs.ts";
export { type AzureArtifactRepositoryOptions, createAzureArtifactRepository } from "./azure.ts";
export { artifactBaseName, joinArtifactPath, normaliseArtifactPath } from "./path.ts";
export { proxiedPath } from "./uri.ts";

/** MLflow's default `--artifacts-destination`, used for an empty destination. */
const DEFAULT_LOCAL_ROOT = "./mlartifacts";

/**
 * Opens the artifact repository named by `destination`:
 * - `""` → local `./mlartifacts` (MLflow's default)
 * - a plain path (`./mlartifacts`, `/srv/artifacts`) or `file:///srv/artifacts` → local disk
 * - `s3://bucket[/prefix]` → S3; endpoint, region, credentials and upload headers come from
 *   `env` (`MLFLOW_S3_ENDPOINT_URL`, `AWS_DEFAULT_REGION`/`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
 *   `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `MLFLOW_S3_UPLOAD_EXTRA_ARGS`)
 * - `wasbs://container@account.blob.core.windows.net[/prefix]` (`wasb://` over http) → Azure Blob
 *   Storage; credentials from `AZURE_STORAGE_CONNECTION_STRING`, `AZURE_STORAGE_ACCESS_KEY` or
 *   `AZURE_STORAGE_SAS_TOKEN`, in that order (see azure.ts)
 * - `gs://bucket[/prefix]` → Google Cloud Storage through its S3-interoperable API, with an HMAC
 *   key (`GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID`/`_SECRET`, else the AWS variables; see gcs.ts)
 *
 * Nothing touches the disk or the network here; a bad configuration shows on first use only if
 * it cannot be seen in the URI and env.
 *
 * @throws {Error} for any other scheme (`mlflow-artifacts:`, `http:`, `sftp:`, …), a `file:` URL
 * with a remote host, an S3, Azure or GCS URI with a query or fragment, missing credentials or an
 * invalid `MLFLOW_S3_UPLOAD_EXTRA_ARGS` — the server should refuse to start.
 *
 * @example
 * ```ts
 * const repo = openArtifactRepository("s3://my-bucket/mlflow", Deno.env.toObject());
 * ```
 */
export function openArtifactRepository(
  destination: string,
  env?: Record<string, string | undefined>,
): ArtifactRepository {
  if (destination === "") return createLocalArtifactRepository({ rootDir: DEFAULT_LOCAL_ROOT });
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(destination)?.[1]?.toLowerCase();
  // A one-letter "scheme" is a Windows drive (`C:\artifacts`): a path.
  if (scheme === undefined || scheme.length === 1) {
    return createLocalArtifactRepository({ rootDir: destination });
  }
  if (scheme === "file") {
    return createLocalArtifactRepository({ rootDir: localPathOf(destination) });
  }
  if (scheme === "s3") {
    const { bucket, prefix } = parseBucketUri(destination, "s3");
    return createS3ArtifactRepository({ bucket, prefix, env: env ?? Deno.env.toObject() });
  }
  if (scheme === "wasbs" || scheme === "wasb") {
    return createAzureArtifactRepository({ uri: destination, env: env ?? Deno.env.toObject() });
  }
  if (scheme === "gs") {
    const { bucket, prefix } = parseBucketUri(destination, "gs");
    return createGcsArtifactRepository({ bucket, prefix, env: env ?? Deno.env.toObject() });
  }
  throw new Error(
    `Unsupported artifact destination scheme "${scheme}:" ` +
      "(use a directory path, a file:// URL, s3://bucket/prefix, " +
      "wasbs://container@account.blob.core.windows.net/prefix or gs://bucket/prefix)",
  );
}

/**
 * Whether `destination` names local disk (what {@linkcode openArtifactRepository} opens as a
 * directory): `""`, a path, a Windows drive path or a `file:` URL. Deno Deploy has no writable
 * disk, so `main.ts` refuses these there.
 *
 * @example
 * ```ts
 * isLocalArtifactDestination("./mlartifacts"); // true
 * isLocalArtifactDestination("s3://bucket/mlflow"); // false
 * ```
 */
export function isLocalArtifactDestination(destination: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(destination)?.[1]?.toLowerCase();
  return scheme === undefined || scheme.length === 1 || scheme === "file";
}

function localPathOf(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch {
    throw new Error(`Invalid file: artifact destination ${JSON.stringify(uri.slice(0, 100))}`);
  }
}

/** `s3://bucket/prefix` or `gs://bucket/prefix` (the scheme already known to be `scheme`). */
function parseBucketUri(uri: string, scheme: "s3" | "gs"): { bucket: string; prefix: string } {
  const m = /^[a-z0-9]+:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(uri);
  if (!m) {
    throw new Error(
      `Invalid ${scheme === "s3" ? "S3" : "GCS"} artifact destination ` +
        `${JSON.stringify(uri.slice(0, 100))} ` +
        `(expected ${scheme}://bucket/prefix, without a query or fragment)`,
    );
  }
  return { bucket: m[1], prefix: m[2] ?? "" };
}
