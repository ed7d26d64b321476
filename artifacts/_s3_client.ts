/**
 * The S3 wire layer for `s3.ts`: URLs, SigV4 signing (aws4fetch), bounded retries, XML, and the
 * mapping of S3 failures to `MlflowError`s that name no bucket, endpoint or credential.
 *
 * @module
 */

import { AwsClient, AwsV4Signer } from "aws4fetch";
import { XMLParser } from "fast-xml-parser";
import { MlflowError } from "../store/errors.ts";
import { STORAGE_FULL_MESSAGE } from "./_fs_errors.ts";
import { backoff, withCause } from "./_remote.ts";

/** Credentials for SigV4 signing. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Everything the wire layer needs; `s3.ts` fills in the defaults. */
export interface S3ClientConfig {
  bucket: string;
  endpoint: URL;
  pathStyle: boolean;
  region: string;
  credentials: S3Credentials;
  retries: number;
  fetch: typeof fetch;
}

/** A request body that can be sent again on retry (streams are never passed here). */
export type ReplayableBody = Uint8Array<ArrayBuffer> | string;

/** Signed requests against one bucket. */
export interface S3Client {
  /** The URL of an object key (each segment encoded) with an optional query. */
  objectUrl(key: string, query?: Record<string, string>): URL;
  /** The URL of the bucket itself, for ListObjectsV2 and DeleteObjects. */
  bucketUrl(query: Record<string, string>): URL;
  /** Signs and sends, retrying 5xx, 429 and network failures up to `retries` times. */
  send(
    method: string,
    url: URL,
    headers?: Record<string, string>,
    body?: ReplayableBody,
  ): Promise<Response>;
  /** A presigned URL (signature in the query) valid for `expiresSeconds`. */
  presign(method: string, url: URL, expiresSeconds: number): Promise<string>;
}

/** Builds the wire client; signing keys are cached by aws4fetch per day and region. */
export function createS3Client(config: S3ClientConfig): S3Client {
  // aws4fetch's own retry loop is off: it resends the same init, and its default of 10 retries
  // once hung a test for 34 s. `send` retries instead, a bounded number of times.
  const aws = new AwsClient({
    accessKeyId: config.credentials.accessKeyId,
    secretAccessKey: config.credentials.secretAccessKey,
    sessionToken: config.credentials.sessionToken,
    service: "s3",
    region: config.region,
    retries: 0,
  });
  const signing = {
    accessKeyId: config.credentials.accessKeyId,
    secretAccessKey: config.credentials.secretAccessKey,
    sessionToken: config.credentials.sessionToken,
    service: "s3",
    region: config.region,
    cache: aws.cache,
  };
  const { endpoint, bucket } = config;
  const basePath = endpoint.pathname.replace(/\/+$/, "");
  const origin = config.pathStyle
    ? `${endpoint.protocol}//${endpoint.host}${basePath}/${encodeSegment(bucket)}`
    : `${endpoint.protocol}//${bucket}.${endpoint.host}${basePath}`;

  function withQuery(url: URL, query: Record<string, string> | undefined): URL {
    // Built by hand: URLSearchParams writes spaces as `+`, which S3 and the signer could read
    // differently.
    const pairs = Object.entries(query ?? {}).map(([k, v]) =>
      v === "" ? encodeSegment(k) : `${encodeSegment(k)}=${encodeSegment(v)}`
    );
    if (pairs.length) url.search = pairs.join("&");
    return url;
  }

  async function send(
    method: string,
    url: URL,
    headers: Record<string, string> = {},
    body?: ReplayableBody,
  ): Promise<Response> {
    for (let attempt = 0;; attempt++) {
      const last = attempt >= config.retries;
      // Signed with AwsV4Signer and sent with a plain init: aws4fetch's `sign` wraps the body in
      // a Request, one more copy of every part that only the garbage collector frees.
      const signed = await new AwsV4Signer({
        ...signing,
        url: url.toString(),
        method,
        headers,
      }).sign();
      let res: Response;
      try {
        res = await config.fetch(signed.url, { method, headers: signed.headers, body });
      } catch (err) {
        if (last) throw unavailable("could not be reached", err);
        await backoff(attempt);
        continue;
      }
      // 507 (a full store, e.g. MinIO's XMinioStorageFull) does not clear by retrying.
      if (last || (res.status < 500 && res.status !== 429) || res.status === 507) return res;
      await res.body?.cancel();
      await backoff(attempt);
    }
  }

  async function presign(method: string, url: URL, expiresSeconds: number): Promise<string> {
    const target = new URL(url);
    target.searchParams.set("X-Amz-Expires", String(expiresSeconds));
    const signed = await aws.sign(target.toString(), { method, aws: { signQuery: true } });
    return signed.url;
  }

  return {
    objectUrl: (key, query) => withQuery(new URL(`${origin}/${encodeKey(key)}`), query),
    // Path style: `/bucket` without a trailing slash, the canonical form the AWS SDKs sign (and
    // the only one s3rver accepts). Virtual-host style: the bucket is the host, the path `/`.
    bucketUrl: (query) => withQuery(new URL(config.pathStyle ? origin : `${origin}/`), query),
    send,
    presign,
  };
}

/** Each key segment encoded on its own (RFC 3986, as SigV4 canonicalises it); `/` kept. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeSegment).join("/");
}

function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const parser = new XMLParser({
  ignoreAttributes: true,
  // Keys like "007" or "1e3" must stay strings, and keys may start or end with spaces.
  parseTagValue: false,
  trimValues: false,
});

/** An XML element as fast-xml-parser returns it (string leaves, object branches). */
export type XmlNode = { [name: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

/** Parses an S3 XML response body. */
export function parseXml(text: string): XmlNode {
  const doc: unknown = parser.parse(text);
  return typeof doc === "object" && doc !== null ? doc as XmlNode : {};
}

/** A repeated element as an array (the parser returns one occurrence as a bare value). */
export function xmlList(node: XmlValue | undefined): XmlValue[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

/** A child element (or elements), or undefined when absent or `node` is not an element. */
export function xmlChild(node: XmlValue | undefined, name: string): XmlValue | undefined {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
  return node[name];
}

/** A child element's text, or `""` when absent. */
export function xmlText(node: XmlValue | undefined, name: string): string {
  const child = xmlChild(node, name);
  return typeof child === "string" ? child : "";
}

/** Escapes text for an XML element body. */
export function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** S3's error `Code`, when the body is an S3 error document. */
export function errorCodeOf(text: string): string {
  try {
    return xmlText(xmlChild(parseXml(text), "Error"), "Code");
  } catch {
    return "";
  }
}

/**
 * Turns a failed S3 response into an `MlflowError`. Only S3's error code and the caller's own
 * artifact path appear in the message: never the bucket, endpoint, key prefix or credentials.
 * A full store (507, MinIO's `XMinioStorageFull`) is `INSUFFICIENT_STORAGE`, as a full local disk.
 */
export async function s3Failure(res: Response, action: string, path: string): Promise<MlflowError> {
  const code = errorCodeOf(await res.text().catch(() => "")) || `HTTP ${res.status}`;
  const what = `${action} ${JSON.stringify(path)}`;
  switch (code) {
    case "NoSuchKey":
      return new MlflowError("RESOURCE_DOES_NOT_EXIST", `Artifact not found: ${what}`);
    case "NoSuchUpload":
      return new MlflowError("RESOURCE_DOES_NOT_EXIST", `No such multipart upload: ${what}`);
    case "InvalidRange":
      return new MlflowError("INVALID_PARAMETER_VALUE", `Byte range is not satisfiable: ${what}`);
    case "KeyTooLongError":
      // s3.ts checks key lengths up front; a store with a shorter limit still gets a 400.
      return new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Invalid path: too long for the artifact store (${code}): ${what}`,
      );
    case "EntityTooLarge":
      return new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `The artifact is larger than the artifact store accepts (${code}): ${what}`,
      );
    case "InvalidPart":
    case "InvalidPartOrder":
    case "EntityTooSmall":
    case "InvalidArgument":
      return new MlflowError("INVALID_PARAMETER_VALUE", `Artifact store refused ${what} (${code})`);
    case "AccessDenied":
    case "SignatureDoesNotMatch":
    case "InvalidAccessKeyId":
    case "ExpiredToken":
    case "InvalidToken":
      // The server's own credentials are wrong or lack rights: a configuration problem. Not a
      // 5xx, which MLflow's client retries for minutes; a 403 fails at once with this message.
      return withCause(
        new MlflowError(
          "PERMISSION_DENIED",
          `Artifact store denied ${what} (${code}); check the server's credentials for it ` +
            "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; GOOGLE_CLOUD_STORAGE_HMAC_KEY_ID and " +
            "GOOGLE_CLOUD_STORAGE_HMAC_SECRET for gs://) and what they may do",
        ),
        `S3 answered ${res.status} ${code}`,
      );
    case "XMinioStorageFull":
      return storageFull(res);
    case "NoSuchBucket":
      return withCause(
        new MlflowError("INTERNAL_ERROR", `Artifact store bucket does not exist (${what})`),
        `S3 answered ${res.status} ${code}`,
      );
  }
  if (res.status === 507) return storageFull(res);
  if (res.status >= 500 || res.status === 429) {
    return withCause(
      new MlflowError("TEMPORARILY_UNAVAILABLE", `Artifact store unavailable: ${what} (${code})`),
      `S3 answered ${res.status} ${code}`,
    );
  }
  return withCause(
    new MlflowError("INTERNAL_ERROR", `Artifact store failed: ${what} (${code})`),
    `S3 answered ${res.status} ${code}`,
  );
}

function storageFull(res: Response): MlflowError {
  return withCause(
    new MlflowError("INSUFFICIENT_STORAGE", STORAGE_FULL_MESSAGE),
    `S3 answered ${res.status}`,
  );
}

/** A network-level failure; the cause (which names the endpoint) is kept for server logs only. */
function unavailable(detail: string, cause: unknown): MlflowError {
  return withCause(new MlflowError("TEMPORARILY_UNAVAILABLE", `Artifact store ${detail}`), cause);
}
