/**
 * Google Cloud Storage as an artifact store, through its S3-interoperable XML API: a
 * `gs://bucket/path` destination is the S3 repository pointed at `storage.googleapis.com` and
 * signed with a GCS HMAC key (SigV4, region `auto`). That keeps one wire layer, with its
 * streaming, retries, multipart and error mapping, for both stores.
 *
 * What differs from MLflow's own GCS repository: credentials are an HMAC key (created for a
 * service account under Cloud Storage → Settings → Interoperability, or with
 * `gcloud storage hmac create SERVICE_ACCOUNT_EMAIL`), not a service-account JSON key
 * (`GOOGLE_APPLICATION_CREDENTIALS`), which would need Google's OAuth flow and SDK.
 *
 * @module
 */

import { createS3ArtifactRepository, type S3ArtifactRepositoryOptions } from "./s3.ts";
import type { ArtifactRepository } from "./types.ts";

/** GCS's XML API endpoint. */
export const GCS_ENDPOINT = "https://storage.googleapis.com";

/** Options for {@linkcode createGcsArtifactRepository}; unset fields fall back to `env`. */
export interface GcsArtifactRepositoryOptions
  extends Omit<S3ArtifactRepositoryOptions, "region" | "pathStyle" | "extraUploadHeaders"> {
  bucket: string;
}

/**
 * The S3 options that reach GCS: endpoint `MLFLOW_GCS_ENDPOINT_URL` (tests) or
 * {@linkcode GCS_ENDPOINT}; credentials `GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID` and
 * `GOOGLE_CLOUD_STORAGE_HMAC_SECRET`, else `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`;
 * path-style URLs (a dotted bucket name breaks the wildcard certificate of
 * `bucket.storage.googleapis.com`); no `MLFLOW_S3_UPLOAD_EXTRA_ARGS` (its `x-amz-*` headers are
 * S3's).
 *
 * @throws {Error} when no HMAC key is configured; the message says how to make one.
 */
export function gcsS3Options(opts: GcsArtifactRepositoryOptions): S3ArtifactRepositoryOptions {
  const env = (name: string) => opts.env ? opts.env[name] : Deno.env.get(name);
  return {
    ...opts,
    endpoint: opts.endpoint ?? (env("MLFLOW_GCS_ENDPOINT_URL") || GCS_ENDPOINT),
    region: "auto",
    pathStyle: true,
    extraUploadHeaders: {},
    credentials: opts.credentials ?? hmacKeyFromEnv(env),
  };
}

/**
 * An artifact repository on `gs://bucket/prefix`: see the module doc.
 *
 * @example
 * ```ts
 * const repo = createGcsArtifactRepository({ bucket: "ml-artifacts", prefix: "mlflow" });
 * ```
 */
export function createGcsArtifactRepository(
  opts: GcsArtifactRepositoryOptions,
): ArtifactRepository {
  return createS3ArtifactRepository(gcsS3Options(opts));
}

function hmacKeyFromEnv(env: (name: string) => string | undefined) {
  const id = env("GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID");
  const secret = env("GOOGLE_CLOUD_STORAGE_HMAC_SECRET");
  if (id && secret) return { accessKeyId: id, secretAccessKey: secret };
  const awsId = env("AWS_ACCESS_KEY_ID");
  const awsSecret = env("AWS_SECRET_ACCESS_KEY");
  if (awsId && awsSecret) return { accessKeyId: awsId, secretAccessKey: awsSecret };
  throw new Error(
    "gs:// artifact storage needs a GCS HMAC key: set GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID and " +
      "GOOGLE_CLOUD_STORAGE_HMAC_SECRET (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); create " +
      "one with `gcloud storage hmac create SERVICE_ACCOUNT_EMAIL` " +
      "(service-account JSON keys, GOOGLE_APPLICATION_CREDENTIALS, are not read)",
  );
}
