/**
 * Closing the connection after a reply sent while the request body may still be arriving: 408
 * (the body stalled or trickled) and 413 (the body is over its cap and was not read).
 *
 * Measured on Deno 2.9.6: after such a reply `Deno.serve` keeps the connection open until the
 * client has sent the whole declared body, `Connection: close` notwithstanding, so a client
 * trickling one byte every few seconds held its socket for as long as it liked. JavaScript has no
 * handle on the connection; the one thing that makes the server drop it is a response body that
 * fails. So the reply is sent chunked, its JSON in one chunk, and the stream then errors: the
 * client gets the status, headers and the whole JSON body, then the connection closes without the
 * final chunk (a strict client reports an incomplete body; the 408/413 status is what it acts on).
 *
 * @module
 */

import { readBytes, type ReadTimeouts } from "./body_reader.ts";

/** The error that ends a closing reply's body; `main.ts`'s `onError` does not log it. */
export class CloseConnection extends Error {
  constructor() {
    super("connection closed after a reply to an unfinished request body");
    this.name = "CloseConnection";
  }
}

/** Replies after which the request body may be unread. */
const CLOSING_STATUSES: ReadonlySet<number> = new Set([408, 413]);

/**
 * The largest unread body (by its declared `Content-Length`) that is read and discarded so that
 * an early error (401, 403, 404, 405, a refused artifact path) goes out as an ordinary, complete
 * reply. A closing reply ends without its final chunk, which Python's `requests` raises as
 * `ChunkedEncodingError` instead of showing MLflow's message; a larger or unsized body is not
 * worth reading just to avoid that.
 */
export const DRAIN_MAX_BYTES = 1024 * 1024;

/**
 * Reads and discards an unread body of at most {@linkcode DRAIN_MAX_BYTES} declared bytes under the
 * request-body timeouts. True when the whole body was read.
 */
async function drain(req: Request, timeouts: ReadTimeouts): Promise<boolean> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (!(declared <= DRAIN_MAX_BYTES)) return false;
  const read = await readBytes(req, DRAIN_MAX_BYTES, timeouts);
  return read instanceof Uint8Array;
}

/**
 * The reply as is, or, for a 408 or 413, or any error answered before the request body was read
 * (403 for a bad Host, 404, 405) whose body cannot be drained (over {@linkcode DRAIN_MAX_BYTES},
 * unsized, or too slow for `timeouts`), the same reply whose body ends by failing, so that the server
 * closes the connection (see the module doc). An unread body is cancelled first: the connection
 * closes only once no read of it is pending. Used only where the app meets the real server
 * (`main.ts`): in-process callers get the plain reply.
 */
export async function closeIfBodyUnread(
  req: Request,
  res: Response,
  timeouts: ReadTimeouts,
): Promise<Response> {
  const unread = req.body !== null && !req.bodyUsed;
  const closing = CLOSING_STATUSES.has(res.status);
  if (!closing && !(res.status >= 400 && unread)) return res;
  if (!closing && await drain(req, timeouts)) return res;
  if (req.body !== null && !req.bodyUsed) await req.body.cancel().catch(() => {});
  const bytes = new Uint8Array(await res.arrayBuffer());
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  headers.set("connection", "close");
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new CloseConnection());
      sent = true;
      controller.enqueue(bytes);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}
