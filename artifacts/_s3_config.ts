/**
 * Turns `createS3ArtifactRepository` options (and the environment, for what they leave out)
 * into a checked configuration. Every problem is a plain `Error`: the server must not start.
 *
 * @module
 */

import type { S3ClientConfig, S3Credentials } from "./_s3_client.ts";
import { storeFetch } from "./_store_fetch.ts";
import { normaliseArtifactPath } from "./path.ts";
import { parseS3UploadExtraArgs } from "./s3_extra_args.ts";

/** Options for `createS3ArtifactRepository`; unset fields fall back to `env`. */
export interface S3ArtifactRepositoryOptions {
  bucket: string;
  /** Key prefix under which artifacts live (`""` = the bucket root); slashes at its ends are dropped. */
  prefix?: string;
  /** A custom endpoint (MinIO, s3rver, …). Default: `MLFLOW_S3_ENDPOINT_URL`, else AWS. */
  endpoint?: string;
  /** Default: `AWS_DEFAULT_REGION`, `AWS_REGION`, else `us-east-1`. */
  region?: string;
  /** Default: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`. */
  credentials?: S3Credentials;
  /** Path-style URLs; default: virtual-host style on AWS, path style on a custom endpoint. */
  pathStyle?: boolean;
  /** Headers added to uploads. Default: parsed from `MLFLOW_S3_UPLOAD_EXTRA_ARGS`. */
  extraUploadHeaders?: Record<string, string>;
  /** Multipart part size in bytes, at least 5 MiB; default 8 MiB. */
  partSize?: number;
  /** Retries of a request failing with 5xx, 429 or a network error; default 3. */
  retries?: number;
  /** Lifetime of presigned part URLs, in seconds; default 3600. */
  presignExpiresSeconds?: number;
  /** The fetch to send requests with (tests count or fail requests through it); default
   * `storeFetch` (./_store_fetch.ts). */
  fetch?: typeof fetch;
  /** Where defaults are read from; default `Deno.env`. */
  env?: Record<string, string | undefined>;
}

/** The checked configuration. */
export interface S3Config {
  client: S3ClientConfig;
  /** The key prefix without slashes at its ends; `""` for the bucket root. */
  prefix: string;
  partSize: number;
  uploadHeaders: Record<string, string>;
  presignExpiresSeconds: number;
}

const MIB = 1024 * 1024;
/** S3's minimum for every part but the last. */
const MIN_PART_SIZE = 5 * MIB;

/**
 * Resolves options against env: region from `AWS_DEFAULT_REGION`/`AWS_REGION` (else
 * `us-east-1`), endpoint from `MLFLOW_S3_ENDPOINT_URL` (else AWS), credentials from
 * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, upload headers from
 * `MLFLOW_S3_UPLOAD_EXTRA_ARGS`. Path-style URLs by default on custom endpoints, virtual-host
 * style on AWS.
 *
 * @throws {Error} for missing credentials, an invalid endpoint, bucket, prefix, part size or
 * `MLFLOW_S3_UPLOAD_EXTRA_ARGS`.
 */
export function resolveS3Config(opts: S3ArtifactRepositoryOptions): S3Config {
  const env = (name: string) => opts.env ? opts.env[name] : Deno.env.get(name);
  const region = opts.region || env("AWS_DEFAULT_REGION") || env("AWS_REGION") || "us-east-1";
  const endpoint = parseEndpoint(
    opts.endpoint ?? (env("MLFLOW_S3_ENDPOINT_URL") || `https://s3.${region}.amazonaws.com`),
  );
  const bucket = checkBucket(opts.bucket);
  const extraArgs = env("MLFLOW_S3_UPLOAD_EXTRA_ARGS");
  const partSize = opts.partSize ?? 8 * MIB;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw new Error(`S3 part size must be an integer of at least ${MIN_PART_SIZE} bytes`);
  }
  const isAws = /(^|\.)amazonaws\.com(\.cn)?$/.test(endpoint.hostname);
  return {
    client: {
      bucket,
      endpoint,
      // Dotted bucket names break the TLS wildcard certificate of virtual-host URLs.
      pathStyle: opts.pathStyle ?? (!isAws || bucket.includes(".")),
      region,
      credentials: opts.credentials ?? credentialsFromEnv(env),
      retries: opts.retries ?? 3,
      fetch: opts.fetch ?? storeFetch,
    },
    prefix: normalisePrefix(opts.prefix ?? ""),
    partSize,
    uploadHeaders: opts.extraUploadHeaders ?? (extraArgs ? parseS3UploadExtraArgs(extraArgs) : {}),
    presignExpiresSeconds: opts.presignExpiresSeconds ?? 3600,
  };
}

function credentialsFromEnv(env: (name: string) => string | undefined): S3Credentials {
  const accessKeyId = env("AWS_ACCESS_KEY_ID");
  const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      "S3 artifact storage needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
        "(instance profiles and ~/.aws files are not read)",
    );
  }
  const sessionToken = env("AWS_SESSION_TOKEN") || undefined;
  return { accessKeyId, secretAccessKey, sessionToken };
}

function parseEndpoint(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("S3 endpoint is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("S3 endpoint must be an http:// or https:// URL");
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error("S3 endpoint must not carry credentials, a query or a fragment");
  }
  return url;
}

function checkBucket(bucket: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/.test(bucket)) {
    throw new Error(`Invalid S3 bucket name ${JSON.stringify(bucket.slice(0, 100))}`);
  }
  return bucket;
}

/** Drops slashes at both ends, then refuses anything the path validator would. */
function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  try {
    const normalised = normaliseArtifactPath(trimmed);
    if (normalised !== trimmed) throw new Error("changed by normalisation");
    return normalised;
  } catch {
    throw new Error(`Invalid S3 key prefix ${JSON.stringify(prefix.slice(0, 100))}`);
  }
}
