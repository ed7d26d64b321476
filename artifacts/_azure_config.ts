/**
 * Turns `createAzureArtifactRepository` options (a `wasbs://` URI, and the environment for the
 * credentials) into a checked configuration. Every problem is a plain `Error`: the server must not
 * start. No message echoes a key, a SAS token or a connection string.
 *
 * @module
 */

import type { AzureClientConfig, AzureCredential } from "./_azure_client.ts";
import { AZURE_CREDENTIAL_VARIABLES } from "./_azure_errors.ts";
import { storeFetch } from "./_store_fetch.ts";
import { normaliseArtifactPath } from "./path.ts";

/** Options for `createAzureArtifactRepository`. */
export interface AzureArtifactRepositoryOptions {
  /**
   * `wasbs://<container>@<account>.blob.core.windows.net/<path>` (https) or `wasb://…` (http), as
   * MLflow accepts. Other Azure clouds' suffixes (`blob.core.chinacloudapi.cn`, …) work too.
   */
  uri: string;
  /** Where credentials come from; default `Deno.env.toObject()`. */
  env?: Record<string, string | undefined>;
  /** Retries of a request failing with 5xx, 429 or a network error; default 3. */
  retries?: number;
  /** Block size of uploads in bytes, from 1 MiB to 100 MiB; default 8 MiB. */
  blockSize?: number;
  /** Lifetime of the SAS in multipart part URLs, in seconds; default 3600. */
  sasExpiresSeconds?: number;
  /** Blobs per List Blobs page (`maxresults`), 1 to 5000; default 5000. */
  listPageSize?: number;
  /**
   * The fetch to send requests with (tests record, fail or redirect requests through it); default
   * `storeFetch` (./_store_fetch.ts), which sends byte bodies without an extra copy.
   */
  fetch?: typeof fetch;
}

/** The checked configuration. */
export interface AzureConfig {
  client: AzureClientConfig;
  /** The blob-name prefix without slashes at its ends; `""` for the container root. */
  prefix: string;
  blockSize: number;
  sasExpiresSeconds: number;
  listPageSize: number;
}

const MIB = 1024 * 1024;
const URI_FORM = "wasbs://<container>@<account>.blob.core.windows.net/<path>";

/**
 * Resolves options against env. Credentials in MLflow's order: `AZURE_STORAGE_CONNECTION_STRING`
 * (`AccountName`, `AccountKey`, `BlobEndpoint`, `DefaultEndpointsProtocol`, `EndpointSuffix`,
 * `SharedAccessSignature`), then `AZURE_STORAGE_ACCESS_KEY` for the URI's account, then
 * `AZURE_STORAGE_SAS_TOKEN`. The endpoint is the connection string's, else
 * `https://<account>.blob.<suffix>` from the URI (`http` for `wasb://`).
 *
 * @throws {Error} for a malformed URI, a missing or malformed credential, or a bad tuning option.
 */
export function resolveAzureConfig(opts: AzureArtifactRepositoryOptions): AzureConfig {
  const uri = parseWasbUri(opts.uri);
  const env = opts.env ?? Deno.env.toObject();
  const { endpoint, credential } = resolveCredential(uri, env);
  return {
    client: {
      endpoint,
      container: uri.container,
      credential,
      retries: checkInteger("retries", opts.retries ?? 3, 0, 10),
      fetch: opts.fetch ?? storeFetch,
    },
    prefix: uri.prefix,
    blockSize: checkInteger("block size", opts.blockSize ?? 8 * MIB, MIB, 100 * MIB),
    sasExpiresSeconds: checkInteger("SAS lifetime", opts.sasExpiresSeconds ?? 3600, 60, 7 * 86400),
    listPageSize: checkInteger("list page size", opts.listPageSize ?? 5000, 1, 5000),
  };
}

/** The parts of a `wasbs://` URI. */
export interface WasbUri {
  /** `https:` for `wasbs://`, `http:` for `wasb://`. */
  protocol: "https:" | "http:";
  container: string;
  account: string;
  /** What follows `<account>.blob.`, e.g. `core.windows.net`. */
  suffix: string;
  prefix: string;
}

/**
 * Parses `wasbs://<container>@<account>.blob.<suffix>/<path>` by hand (a `URL` would take the
 * container for a user name and resolve `..` in the path before the validator could see it).
 *
 * @throws {Error} for another scheme, a query, fragment or port, an invalid container or account
 * name, or a path the artifact path validator refuses.
 */
export function parseWasbUri(raw: string): WasbUri {
  const m = /^(wasbs?):\/\/([^@/?#]*)@([^/?#]*)(\/[^?#]*)?$/i.exec(raw);
  if (!m) {
    throw new Error(
      `Invalid Azure artifact destination: expected ${URI_FORM} (wasb:// for http), ` +
        "without a query or fragment",
    );
  }
  const [, scheme, container, host, path] = m;
  const hostMatch = /^([^.]+)\.blob\.((?:[a-z0-9-]+\.)+[a-z0-9-]+)$/i.exec(host);
  if (!hostMatch) {
    throw new Error(
      `Invalid Azure artifact destination: the host must be <account>.blob.<suffix> as in ${URI_FORM}`,
    );
  }
  const [, account, suffix] = hostMatch;
  // Azure's rules: https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(container)) {
    throw new Error(
      "Invalid Azure container name in the artifact destination: 3 to 63 lowercase letters, " +
        "digits and single hyphens, starting and ending with a letter or digit",
    );
  }
  if (!/^[a-z0-9]{3,24}$/.test(account)) {
    throw new Error(
      "Invalid Azure storage account name in the artifact destination: 3 to 24 lowercase " +
        "letters and digits",
    );
  }
  return {
    protocol: scheme.toLowerCase() === "wasbs" ? "https:" : "http:",
    container,
    account,
    suffix: suffix.toLowerCase(),
    prefix: normalisePrefix(path ?? ""),
  };
}

/** Where requests go and how they are authorised, from the first credential source set. */
function resolveCredential(
  uri: WasbUri,
  env: Record<string, string | undefined>,
): { endpoint: URL; credential: AzureCredential } {
  const defaultEndpoint = (account: string, protocol: string, suffix: string) =>
    parseEndpoint(`${protocol}//${account}.blob.${suffix}`, "the artifact destination");
  const connectionString = env.AZURE_STORAGE_CONNECTION_STRING;
  if (connectionString) return fromConnectionString(connectionString, uri, defaultEndpoint);
  const accessKey = env.AZURE_STORAGE_ACCESS_KEY;
  if (accessKey) {
    return {
      endpoint: defaultEndpoint(uri.account, uri.protocol, uri.suffix),
      credential: {
        kind: "sharedKey",
        account: uri.account,
        key: decodeKey(accessKey, "AZURE_STORAGE_ACCESS_KEY"),
      },
    };
  }
  const sasToken = env.AZURE_STORAGE_SAS_TOKEN;
  if (sasToken) {
    return {
      endpoint: defaultEndpoint(uri.account, uri.protocol, uri.suffix),
      credential: { kind: "sas", token: checkSasToken(sasToken, "AZURE_STORAGE_SAS_TOKEN") },
    };
  }
  throw new Error(
    `Azure Blob artifact storage needs credentials: set ${AZURE_CREDENTIAL_VARIABLES} ` +
      "(Microsoft Entra ID / managed identities are not supported)",
  );
}

/**
 * Reads an Azure Storage connection string (`Key=Value;…`). `BlobEndpoint` (emulators such as
 * Azurite, `http://127.0.0.1:10000/devstoreaccount1`, or private endpoints) wins over
 * `DefaultEndpointsProtocol` + `AccountName` + `EndpointSuffix`; an account key wins over a SAS.
 */
function fromConnectionString(
  raw: string,
  uri: WasbUri,
  defaultEndpoint: (account: string, protocol: string, suffix: string) => URL,
): { endpoint: URL; credential: AzureCredential } {
  const VAR = "AZURE_STORAGE_CONNECTION_STRING";
  const fields = new Map<string, string>();
  for (const part of raw.split(";")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    // Never quote the part: it may be (half of) the key.
    if (eq <= 0) throw new Error(`${VAR} is malformed: expected Key=Value pairs separated by ';'`);
    // Values keep their '=' (base64 padding, SAS query strings).
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (fields.has("usedevelopmentstorage")) {
    throw new Error(
      `${VAR}: UseDevelopmentStorage is not supported; give AccountName, AccountKey and ` +
        "BlobEndpoint instead",
    );
  }
  const account = fields.get("accountname") ?? "";
  const key = fields.get("accountkey");
  const sas = fields.get("sharedaccesssignature");
  const blobEndpoint = fields.get("blobendpoint");
  let endpoint: URL;
  if (blobEndpoint) {
    endpoint = parseEndpoint(blobEndpoint, `${VAR}'s BlobEndpoint`);
  } else {
    if (!account) throw new Error(`${VAR} needs AccountName or BlobEndpoint`);
    const protocol = (fields.get("defaultendpointsprotocol") ?? "https").toLowerCase();
    if (protocol !== "https" && protocol !== "http") {
      throw new Error(`${VAR}'s DefaultEndpointsProtocol must be https or http`);
    }
    endpoint = defaultEndpoint(account, `${protocol}:`, fields.get("endpointsuffix") ?? uri.suffix);
  }
  if (key) {
    if (!account) throw new Error(`${VAR} has an AccountKey but no AccountName`);
    return { endpoint, credential: { kind: "sharedKey", account, key: decodeKey(key, VAR) } };
  }
  if (sas) return { endpoint, credential: { kind: "sas", token: checkSasToken(sas, VAR) } };
  throw new Error(`${VAR} needs AccountKey or SharedAccessSignature`);
}

/** An account key is base64 (64 bytes on Azure); anything else cannot sign. */
function decodeKey(key: string, source: string): Uint8Array<ArrayBuffer> {
  const trimmed = key.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new Error(`${source}: the account key is not base64`);
  }
  return Uint8Array.from(atob(trimmed), (c) => c.charCodeAt(0));
}

/** A SAS token as query parameters: `sv=…&sig=…`, with or without a leading `?`. */
function checkSasToken(token: string, source: string): string {
  const query = token.trim().replace(/^\?/, "");
  const params = new URLSearchParams(query);
  if (!params.get("sig") || !params.get("sv") || /[#\s]/.test(query)) {
    throw new Error(`${source}: the SAS token must be a query string with sv= and sig=`);
  }
  return query;
}

function parseEndpoint(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`Azure Blob endpoint from ${what} is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`Azure Blob endpoint from ${what} must be an http:// or https:// URL`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(
      `Azure Blob endpoint from ${what} must not carry credentials, a query or a fragment`,
    );
  }
  return url;
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`Azure ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Drops slashes at both ends, then refuses anything the path validator would. */
function normalisePrefix(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  let normalised: string | null = null;
  try {
    normalised = normaliseArtifactPath(trimmed);
  } catch {
    // reported below
  }
  if (normalised !== trimmed) {
    throw new Error("Invalid path in the Azure artifact destination");
  }
  return trimmed;
}
