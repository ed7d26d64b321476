/**
 * The Azure Blob wire layer for `azure.ts`: URLs, Shared Key signing or a SAS token on every
 * request, bounded retries, and service SAS URLs for the client's multipart parts.
 *
 * @module
 */

import { azureUnavailable } from "./_azure_errors.ts";
import {
  AZURE_API_VERSION,
  importAccountKey,
  serviceSas,
  sharedKeyAuthorization,
  sharedKeyStringToSign,
} from "./_azure_auth.ts";
import type { ReplayableBody } from "./_s3_client.ts";
import { backoff } from "./_remote.ts";

/** How requests are authorised. */
export type AzureCredential =
  /** An account key: every request is signed (Shared Key), and part URLs get a service SAS. */
  | { kind: "sharedKey"; account: string; key: Uint8Array<ArrayBuffer> }
  /** A SAS token (query string without `?`) appended to every request; nothing is signed. */
  | { kind: "sas"; token: string };

/** Everything the wire layer needs; `_azure_config.ts` fills in the defaults. */
export interface AzureClientConfig {
  /** `https://<account>.blob.core.windows.net`, or a path-style emulator URL (its path kept). */
  endpoint: URL;
  container: string;
  credential: AzureCredential;
  retries: number;
  fetch: typeof fetch;
}

/** Authorised requests against one container. */
export interface AzureClient {
  /** The URL of a blob (each name segment encoded) with an optional query. */
  blobUrl(name: string, query?: Record<string, string>): URL;
  /** The URL of the container itself with a query (List Blobs, Create Container). */
  containerUrl(query: Record<string, string>): URL;
  /** Authorises and sends, retrying 5xx, 429 and network failures up to `retries` times. */
  send(
    method: string,
    url: URL,
    headers?: Record<string, string>,
    body?: ReplayableBody,
  ): Promise<Response>;
  /**
   * A query string (without `?`) holding a service SAS for one blob, valid for `expiresSeconds`;
   * null when the credential is a SAS token (no account key to sign one with).
   */
  blobSas(name: string, permissions: string, expiresSeconds: number): Promise<string | null>;
}

/** Builds the wire client; the account key is imported into WebCrypto once. */
export function createAzureClient(config: AzureClientConfig): AzureClient {
  const { endpoint, container, credential } = config;
  const root = endpoint.pathname.replace(/\/+$/, "");
  const base = `${endpoint.origin}${root}/${encodeSegment(container)}`;
  const key = credential.kind === "sharedKey" ? importAccountKey(credential.key) : null;
  // A SAS is refused over a protocol it does not name: https only, unless the endpoint is http.
  const sasProtocol = endpoint.protocol === "https:" ? "https" : "https,http";

  function withQuery(url: URL, query: Record<string, string> | undefined): URL {
    // Built by hand: URLSearchParams writes spaces as `+`, which the signature would have to
    // read back the same way.
    const pairs = Object.entries(query ?? {}).map(([k, v]) =>
      `${encodeSegment(k)}=${encodeSegment(v)}`
    );
    if (credential.kind === "sas") pairs.push(credential.token);
    if (pairs.length) url.search = pairs.join("&");
    return url;
  }

  async function authorise(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: ReplayableBody | undefined,
  ): Promise<Record<string, string>> {
    const all: Record<string, string> = {
      ...headers,
      "x-ms-date": new Date().toUTCString(),
      "x-ms-version": AZURE_API_VERSION,
    };
    if (body !== undefined) all["content-length"] = String(byteLength(body));
    if (credential.kind === "sharedKey") {
      const stringToSign = sharedKeyStringToSign(method, url, all, credential.account);
      all.authorization = await sharedKeyAuthorization(
        await key!,
        credential.account,
        stringToSign,
      );
    }
    // The length is signed but left to the transport to send (fetch refuses to be told).
    delete all["content-length"];
    return all;
  }

  async function send(
    method: string,
    url: URL,
    headers: Record<string, string> = {},
    body?: ReplayableBody,
  ): Promise<Response> {
    for (let attempt = 0;; attempt++) {
      const last = attempt >= config.retries;
      // Signed again on every attempt: x-ms-date must be within 15 minutes of the service's clock.
      const signed = await authorise(method, url, headers, body);
      let res: Response;
      try {
        res = await config.fetch(url, { method, headers: signed, body });
      } catch (err) {
        if (last) throw azureUnavailable("could not be reached", err);
        await backoff(attempt);
        continue;
      }
      if (last || (res.status < 500 && res.status !== 429) || res.status === 507) return res;
      await res.body?.cancel();
      await backoff(attempt);
    }
  }

  async function blobSas(
    name: string,
    permissions: string,
    expiresSeconds: number,
  ): Promise<string | null> {
    if (credential.kind !== "sharedKey") return null;
    return await serviceSas(await key!, {
      account: credential.account,
      container,
      blob: name,
      permissions,
      expiry: new Date(Date.now() + expiresSeconds * 1000),
      protocol: sasProtocol,
    });
  }

  return {
    blobUrl: (name, query) => withQuery(new URL(`${base}/${encodeBlobName(name)}`), query),
    containerUrl: (query) => withQuery(new URL(base), query),
    send,
    blobSas,
  };
}

/** Each name segment encoded on its own (RFC 3986 unreserved kept); `/` kept. */
function encodeBlobName(name: string): string {
  return name.split("/").map(encodeSegment).join("/");
}

function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function byteLength(body: ReplayableBody): number {
  return typeof body === "string" ? new TextEncoder().encode(body).byteLength : body.byteLength;
}
