/**
 * Request decoding, done once for every MLflow endpoint (mlflow-rest.md §1.2). The middleware
 * turns whatever a client sent into the canonical shape Hono's validators read, so each route is
 * only a `createRoute` with zod schemas (which do the per-field coercions):
 *
 * - GET: the query string (zod coerces the strings). MLflow also reads a JSON body from a GET
 *   without a query string, but Deno's server drops GET bodies (`Request.body` is null), so here
 *   such a GET simply has no args (tests/api/http_test.ts pins this).
 * - Everything else: a JSON body. POST and PUT must say `Content-Type: application/json`.
 *   Unparsable JSON is `{}`; a JSON string holding JSON is decoded twice; camelCase keys become
 *   snake_case. The result is handed to the `json` validator through Hono's body cache.
 * - Raw-body endpoints (`upload-artifact`, see {@linkcode RAW_BODY_LIMITS}) keep their bytes,
 *   whatever the content type: the body is only checked against its cap.
 * - In every case the legacy `run_uuid` fills an absent or empty `run_id` in the query string, and
 *   in a JSON body.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { errorResponse } from "./errors.ts";

/** Default cap on a request body. Large enough for a dataset `profile` (≤16 MiB of text). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Tighter caps by path suffix. A full log-batch (1000 metrics, 100 params of 6000 chars, 100
 * tags of 8000 chars) is ~1.5 MB of ASCII; 8 MiB leaves room for escaped Unicode.
 */
export const BODY_LIMITS: Record<string, number> = {
  "/runs/log-batch": 8 * 1024 * 1024,
};

/**
 * Endpoints (by path suffix) whose body is raw bytes of any content type, not JSON args, with
 * their size caps. Such a body is read here under its cap (413 beyond) and handed on as is.
 * `upload-artifact` is the web UI's upload; MLflow caps it at 10 MB.
 */
export const RAW_BODY_LIMITS: Record<string, number> = {
  "/upload-artifact": 10 * 1024 * 1024,
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Args = Record<string, Json>;

const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

/** Renames camelCase keys at every depth; a snake_case key already present wins. */
function snakeKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) {
    const snake = camelToSnake(k);
    if (snake === k || !(snake in value)) out[snake] = snakeKeys(v);
  }
  return out;
}

/** MLflow's lenient body parse: bad JSON is `{}`, a JSON string is parsed again. */
function parseArgs(text: string): Args {
  let value: unknown;
  try {
    value = JSON.parse(text);
    if (typeof value === "string") value = JSON.parse(value);
  } catch {
    value = {};
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return snakeKeys(value as Json) as Args;
}

/** Reads the body, or returns `null` once it exceeds `limit` bytes (checked while reading). */
async function readBytes(
  req: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return null;
  if (req.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.byteLength;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

async function readText(req: Request, limit: number): Promise<string | null> {
  const bytes = await readBytes(req, limit);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

function isJsonContentType(header: string | undefined): boolean {
  return header?.split(";")[0].trim().toLowerCase() === "application/json";
}

function tooLarge(c: Context, limit: number): Response {
  return errorResponse(
    c,
    413,
    "INVALID_PARAMETER_VALUE",
    `Request body is larger than the limit of ${limit} bytes`,
  );
}

/**
 * Query args are read by the validators from the URL; only apply the `run_uuid` alias. A raw-body
 * endpoint passes its checked bytes, which the rebuilt request carries on (a GET has none).
 */
function decodeQuery(c: Context, body?: Uint8Array<ArrayBuffer>): void {
  const url = new URL(c.req.url);
  const runUuid = url.searchParams.get("run_uuid");
  const alias = runUuid && !url.searchParams.get("run_id");
  if (!alias && body === undefined) return;
  if (alias) url.searchParams.set("run_id", runUuid);
  const { method, headers } = c.req.raw;
  c.req.raw = new Request(url, { method, headers, body });
}

/** A raw-body endpoint: the bytes under their cap, the query decoded. */
async function decodeRaw(c: Context, limit: number): Promise<Response | void> {
  const bytes = await readBytes(c.req.raw, limit);
  if (bytes === null) return tooLarge(c, limit);
  decodeQuery(c, bytes);
}

async function decodeBody(c: Context, limit: number): Promise<Response | void> {
  const method = c.req.method;
  if ((method === "POST" || method === "PUT") && !isJsonContentType(c.req.header("content-type"))) {
    const message = c.req.header("content-type") === undefined
      ? "Bad Request. Content-Type header is missing."
      : "Bad Request. Content-Type must be one of ['application/json'].";
    return errorResponse(c, 400, "INVALID_PARAMETER_VALUE", message);
  }
  const text = await readText(c.req.raw, limit);
  if (text === null) return tooLarge(c, limit);
  const args = parseArgs(text);
  if ((args.run_id === undefined || args.run_id === "") && typeof args.run_uuid === "string") {
    args.run_id = args.run_uuid;
  }
  // The body is consumed: hand the validators a body-less request with a canonical JSON content
  // type (PATCH/DELETE may have none) and the decoded args in Hono's body cache.
  const headers = new Headers(c.req.raw.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  c.req.raw = new Request(c.req.url, { method, headers });
  c.req.bodyCache.json = Promise.resolve(args);
}

/**
 * The decoding middleware. It acts only when an endpoint matched (unknown paths and wrong methods
 * fall through to 404 / 405 before any body rule is applied).
 */
export function decodeRequest(): MiddlewareHandler {
  return async (c, next) => {
    if (!matchedRoutes(c).some((r) => r.method !== "ALL")) return await next();
    const suffix = Object.keys(BODY_LIMITS).find((s) => c.req.path.endsWith(s));
    const limit = suffix ? BODY_LIMITS[suffix] : MAX_BODY_BYTES;
    const raw = Object.keys(RAW_BODY_LIMITS).find((s) => c.req.path.endsWith(s));
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      decodeQuery(c);
    } else {
      const early = raw ? await decodeRaw(c, RAW_BODY_LIMITS[raw]) : await decodeBody(c, limit);
      if (early) return early;
    }
    await next();
  };
}
