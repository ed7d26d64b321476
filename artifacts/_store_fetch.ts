/**
 * The remote stores' default transport (S3 and Azure): `fetch`, except that a request with a
 * byte body (an uploaded part or block) goes through `node:http(s)`.
 *
 * Why: Deno's fetch copies a byte body into a fresh ArrayBuffer, which only V8's next collection
 * frees, and V8 lets ~64 MB of such external memory pile up before it collects. With 8 MiB parts
 * that garbage was most of the server's growth during a 2 GiB upload (peak RSS 210 MB; 400
 * sequential 5 MiB PUTs: fetch peaked at 127 MB RSS, node:http at 51 MB, which writes the caller's
 * bytes to the socket as they are).
 *
 * @module
 */

import { type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";

/** A `fetch` for the remote stores' clients; see the module doc. */
export function storeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const body = init?.body;
  if (!(body instanceof Uint8Array) || input instanceof Request) return fetch(input, init);
  return sendBytes(new URL(input), init?.method ?? "PUT", new Headers(init?.headers), body);
}

function sendBytes(
  url: URL,
  method: string,
  headers: Headers,
  body: Uint8Array,
): Promise<Response> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const outgoing: Record<string, string> = Object.fromEntries(headers);
  outgoing["content-length"] = String(body.byteLength);
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method, headers: outgoing },
      (res) => resolve(webResponse(res, method)),
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * A `node:http` response as a web `Response`: every header kept (repeated ones appended), and no
 * body for HEAD, 204 and 304 (the socket's data is drained instead).
 */
export function webResponse(res: IncomingMessage, method: string): Response {
  const received = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      received.append(name, v);
    }
  }
  const status = res.statusCode ?? 500;
  const empty = method === "HEAD" || status === 204 || status === 304;
  if (empty) res.resume();
  return new Response(empty ? null : Readable.toWeb(res) as ReadableStream<Uint8Array>, {
    status,
    headers: received,
  });
}
