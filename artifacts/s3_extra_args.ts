/**
 * `MLFLOW_S3_UPLOAD_EXTRA_ARGS`: the boto3 `ExtraArgs` MLflow passes to S3 uploads, as a JSON
 * object, turned into the S3 request headers they stand for.
 *
 * @module
 */

/** boto3 `ExtraArgs` keys with a plain string value, and the header each becomes. */
const STRING_ARGS: Record<string, string> = {
  ACL: "x-amz-acl",
  CacheControl: "cache-control",
  ContentDisposition: "content-disposition",
  ContentEncoding: "content-encoding",
  ContentLanguage: "content-language",
  ContentType: "content-type",
  ExpectedBucketOwner: "x-amz-expected-bucket-owner",
  Expires: "expires",
  GrantFullControl: "x-amz-grant-full-control",
  GrantRead: "x-amz-grant-read",
  GrantReadACP: "x-amz-grant-read-acp",
  GrantWriteACP: "x-amz-grant-write-acp",
  ObjectLockLegalHoldStatus: "x-amz-object-lock-legal-hold",
  ObjectLockMode: "x-amz-object-lock-mode",
  ObjectLockRetainUntilDate: "x-amz-object-lock-retain-until-date",
  RequestPayer: "x-amz-request-payer",
  ServerSideEncryption: "x-amz-server-side-encryption",
  SSEKMSEncryptionContext: "x-amz-server-side-encryption-context",
  SSEKMSKeyId: "x-amz-server-side-encryption-aws-kms-key-id",
  StorageClass: "x-amz-storage-class",
  Tagging: "x-amz-tagging",
  WebsiteRedirectLocation: "x-amz-website-redirect-location",
};

/**
 * Known boto3 keys this server refuses, with the reason: each needs the same header on every
 * later read and part upload (SSE-C) or a checksum computed over the body.
 */
const UNSUPPORTED_ARGS: Record<string, string> = {
  SSECustomerAlgorithm: "customer-provided encryption keys (SSE-C) are not supported",
  SSECustomerKey: "customer-provided encryption keys (SSE-C) are not supported",
  SSECustomerKeyMD5: "customer-provided encryption keys (SSE-C) are not supported",
  ChecksumAlgorithm: "upload checksums are not supported",
};

/**
 * Parses `MLFLOW_S3_UPLOAD_EXTRA_ARGS` (a JSON object of boto3 `ExtraArgs`, e.g.
 * `{"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "…", "ACL": "bucket-owner-full-control"}`)
 * into the headers sent on every object upload. Supported: the string-valued keys in the table
 * above, `BucketKeyEnabled` (boolean) and `Metadata` (an object of strings → `x-amz-meta-*`).
 *
 * @throws {Error} naming the offending key, for invalid JSON, an unknown or unsupported key, a
 * value of the wrong type, or a value holding a line break — meant to stop the server at
 * startup.
 *
 * @example
 * ```ts
 * parseS3UploadExtraArgs('{"ServerSideEncryption": "AES256"}');
 * // { "x-amz-server-side-encryption": "AES256" }
 * ```
 */
export function parseS3UploadExtraArgs(json: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw configError("is not valid JSON");
  }
  if (!isPlainObject(parsed)) throw configError("must be a JSON object");

  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (key in UNSUPPORTED_ARGS) throw configError(`key ${key}: ${UNSUPPORTED_ARGS[key]}`);
    if (key in STRING_ARGS) {
      headers[STRING_ARGS[key]] = headerValue(key, value);
    } else if (key === "BucketKeyEnabled") {
      if (typeof value !== "boolean") throw configError(`key ${key} must be true or false`);
      headers["x-amz-server-side-encryption-bucket-key-enabled"] = String(value);
    } else if (key === "Metadata") {
      if (!isPlainObject(value)) throw configError("key Metadata must be an object of strings");
      for (const [name, v] of Object.entries(value)) {
        if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
          throw configError(`Metadata name ${JSON.stringify(name)} is not a valid header name`);
        }
        headers[`x-amz-meta-${name.toLowerCase()}`] = headerValue(`Metadata.${name}`, v);
      }
    } else {
      throw configError(
        `unknown key ${JSON.stringify(key)} (supported: ${
          [...Object.keys(STRING_ARGS), "BucketKeyEnabled", "Metadata"].join(", ")
        })`,
      );
    }
  }
  return headers;
}

function headerValue(key: string, value: unknown): string {
  if (typeof value !== "string") throw configError(`key ${key} must be a string`);
  // A line break would split the HTTP header; other controls are refused by fetch anyway.
  if (/[\r\n\0]/.test(value)) throw configError(`key ${key} contains a line break`);
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function configError(detail: string): Error {
  return new Error(`MLFLOW_S3_UPLOAD_EXTRA_ARGS ${detail}`);
}
