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
 * - Every body is read under its endpoint's byte cap ({@linkcode BODY_LIMITS}, 413 beyond) and
 *   read timeouts (408), and JSON text is checked for depth and value count
 *   (`json_guard.ts`, 400) before it is parsed, so no request builds a large object tree.
 * - Raw-body endpoints (`upload-artifact`, see {@linkcode RAW_BODY_LIMITS}) keep their bytes,
 *   whatever the content type: the body is only checked against its cap.
 * - In every case the legacy `run_uuid` fills an absent or empty `run_id` in the query string, and
 *   in a JSON body.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { invalidParam, type MlflowError } from "../store/errors.ts";
import { errorResponse } from "./errors.ts";
import { type JsonScan, MAX_JSON_DEPTH, MAX_JSON_VALUES, scanJson } from "./json_guard.ts";
import { readBytes, type ReadTimeouts, type TimedOut } from "./body_reader.ts";

/**
 * The cap on a JSON request body when {@linkcode BODY_LIMITS} names no other. Most MLflow calls
 * carry a few KB; the largest field most endpoints take is a run tag value (≤8000 characters,
 * ~96 KB once the Python client escapes it as `\uXXXX` pairs).
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Larger caps, by route path suffix (the matched route's pattern, so a path parameter cannot
 * pose as another endpoint), for the endpoints whose fields need them (mlflow-rest.md §3). Every
 * body is still held to {@linkcode MAX_JSON_DEPTH} and {@linkcode MAX_JSON_VALUES}, which bound
 * the object tree whatever its byte size.
 */
export const BODY_LIMITS: Record<string, number> = {
  // The largest legal batch: 100 tags (8000 code points) + 100 params (6000) + 800 metrics, keys
  // of 250. As ASCII that is ~1.5 MB; the Python client sends non-ASCII as `\uXXXX` escapes, 12
  // bytes for a character outside the BMP, which makes ~19.9 MB.
  "/runs/log-batch": 20 * 1024 * 1024,
  // A dataset's profile (≤16 MiB of JSON text, its quotes escaped) and schema (≤1 MiB).
  "/runs/log-inputs": 32 * 1024 * 1024,
  // Lists of run tags (≤8000 chars each), as with log-batch.
  "/runs/create": 8 * 1024 * 1024,
  // The model's MLmodel dict; a signature of a wide table is large.
  "/runs/log-model": 8 * 1024 * 1024,
  // Logged-model params (≤6000 chars) and tags, ≤100 of each per call from the client.
  "/logged-models": 8 * 1024 * 1024,
  "/logged-models/:model_id/params": 8 * 1024 * 1024,
  "/logged-models/:model_id/tags": 8 * 1024 * 1024,
  // Registry tag values are ≤100,000 chars (≤1.2 MB escaped); create takes a list of them.
  "/registered-models/create": 8 * 1024 * 1024,
  "/registered-models/set-tag": 2 * 1024 * 1024,
  "/model-versions/create": 8 * 1024 * 1024,
  "/model-versions/set-tag": 2 * 1024 * 1024,
  // Up to 10,000 parts, each with an ETag and possibly a presigned URL.
  "/mpu/complete/:artifact_path{.+}": 8 * 1024 * 1024,
};

/**
 * Endpoints (by route path suffix) whose body is raw bytes of any content type, not JSON args,
 * with their size caps. Such a body is read here under its cap (413 beyond) and handed on as is.
 * `upload-artifact` is the web UI's upload; MLflow caps it at 10 MB.
 */
export const RAW_BODY_LIMITS: Record<string, number> = {
  "/upload-artifact": 10 * 1024 * 1024,
};

/**
 * How long a request body may go without a byte before the request is answered 408 and closed,
 * unless `createApp` is given another (`--body-idle-timeout`). A client at 1 byte per 5 s held a
 * connection for as long as it liked (issue 10 #7).
 */
export const DEFAULT_BODY_IDLE_TIMEOUT_MS = 60_000;

/**
 * How long a whole JSON (or `upload-artifact`) body may take to arrive, unless `createApp` is
 * given another (`--body-timeout`). The idle timeout alone does not stop a body trickling one byte
 * every few seconds; these bodies are capped at tens of MB, which any working link sends well
 * within this. Artifact PUTs (any size) have only the idle timeout.
 */
export const DEFAULT_BODY_TIMEOUT_MS = 300_000;

/** Options of {@linkcode decodeRequest}. */
export interface DecodeOptions {
  /** See {@linkcode DEFAULT_BODY_IDLE_TIMEOUT_MS}. */
  bodyIdleTimeoutMs?: number;
  /** See {@linkcode DEFAULT_BODY_TIMEOUT_MS}. */
  bodyTimeoutMs?: number;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Args = Record<string, Json>;

/** `runId` → `run_id`; most keys have no capital and come back as they are, unscanned twice. */
function camelToSnake(k: string): string {
  for (let i = 0; i < k.length; i++) {
    const ch = k.charCodeAt(i);
    if (ch >= 0x41 && ch <= 0x5a) return k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
  }
  return k;
}

/** A fresh empty container of `value`'s kind, or `value` itself when it is a scalar. */
function shell(value: Json): Json {
  if (Array.isArray(value)) return new Array(value.length);
  return typeof value === "object" && value !== null ? {} : value;
}

/**
 * Renames camelCase keys at every depth; a snake_case key already present wins. Iterative, with
 * explicit stacks of containers still to copy (source and copy side by side): recursion
 * overflowed on ~2,900 nested arrays (issue 10 #4).
 */
function snakeKeys(root: Json): Json {
  const top = shell(root);
  if (top === root) return root;
  const from: Json[] = [root];
  const to: Json[] = [top];
  while (from.length > 0) {
    const src = from.pop()!;
    const dst = to.pop()!;
    if (Array.isArray(src)) {
      const out = dst as Json[];
      for (let i = 0; i < src.length; i++) {
        const value = src[i];
        const child = shell(value);
        out[i] = child;
        if (child !== value) {
          from.push(value);
          to.push(child);
        }
      }
      continue;
    }
    const obj = src as Record<string, Json>;
    const out = dst as Record<string, Json>;
    for (const k of Object.keys(obj)) {
      // JSON.parse makes `__proto__` an own key; copying it by assignment would set the args'
      // prototype and hand the validators inherited fields. No MLflow field has that name.
      if (k === "__proto__") continue;
      const snake = camelToSnake(k);
      if (snake !== k && snake in obj) continue;
      const value = obj[k];
      const child = shell(value);
      out[snake] = child;
      if (child !== value) {
        from.push(value);
        to.push(child);
      }
    }
  }
  return top;
}

/** Why a body was refused before parsing: its nesting or its number of values. */
function scanError(scan: Exclude<JsonScan, "ok">): MlflowError {
  return invalidParam(
    scan === "depth"
      ? `Request body JSON is nested deeper than the limit of ${MAX_JSON_DEPTH} levels`
      : `Request body JSON has more values than the limit of ${MAX_JSON_VALUES}`,
  );
}

/**
 * MLflow's lenient body parse: bad JSON is `{}`, a JSON string is parsed again. Each text is
 * scanned before it is parsed, so an over-deep or over-large one never becomes an object tree.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` past {@linkcode MAX_JSON_DEPTH} or
 *   {@linkcode MAX_JSON_VALUES}.
 */
function parseArgs(text: string): Args {
  let value: unknown;
  for (let pass = 0; pass < 2; pass++) {
    const scan = scanJson(text);
    if (scan !== "ok") throw scanError(scan);
    try {
      value = JSON.parse(text);
    } catch {
      return {};
    }
    if (typeof value !== "string") break;
    text = value;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return snakeKeys(value as Json) as Args;
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
 * 408 for a body that stopped arriving or took too long. Sent before the body ends, so the
 * server closes the connection after it.
 */
function bodyTimedOut(c: Context, why: TimedOut, timeouts: ReadTimeouts): Response {
  const message = why.timedOut === "idle"
    ? bodyIdleMessage(timeouts.idleMs)
    : `Request body timed out: not received in full within ${timeouts.totalMs / 1000} seconds`;
  return errorResponse(c, 408, "BAD_REQUEST", message);
}

/** The message of {@linkcode bodyTimedOut}, shared with the artifact upload routes. */
export function bodyIdleMessage(idleMs: number): string {
  return `Request body timed out: no data received for ${idleMs / 1000} seconds`;
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
async function decodeRaw(
  c: Context,
  limit: number,
  timeouts: ReadTimeouts,
): Promise<Response | void> {
  const bytes = await readBytes(c.req.raw, limit, timeouts);
  if (bytes === null) return tooLarge(c, limit);
  if ("timedOut" in bytes) return bodyTimedOut(c, bytes, timeouts);
  decodeQuery(c, bytes);
}

async function decodeBody(
  c: Context,
  limit: number,
  timeouts: ReadTimeouts,
): Promise<Response | void> {
  const method = c.req.method;
  if ((method === "POST" || method === "PUT") && !isJsonContentType(c.req.header("content-type"))) {
    const message = c.req.header("content-type") === undefined
      ? "Bad Request. Content-Type header is missing."
      : "Bad Request. Content-Type must be one of ['application/json'].";
    return errorResponse(c, 400, "INVALID_PARAMETER_VALUE", message);
  }
  const bytes = await readBytes(c.req.raw, limit, timeouts);
  if (bytes === null) return tooLarge(c, limit);
  if ("timedOut" in bytes) return bodyTimedOut(c, bytes, timeouts);
  const args = parseArgs(utf8.decode(bytes));
  if ((args.run_id === undefined || args.run_id === "") && typeof args.run_uuid === "string") {
    args.run_id = args.run_uuid;
  }
  // The body is consumed: the validators read the decoded args from Hono's body cache, under a
  // JSON content type. PATCH/DELETE may have sent none: those get a body-less copy of the request
  // that says JSON. (Building that copy for every POST cost more than parsing its body.)
  if (!isJsonContentType(c.req.header("content-type"))) {
    const headers = new Headers(c.req.raw.headers);
    headers.set("content-type", "application/json");
    headers.delete("content-length");
    c.req.raw = new Request(c.req.url, { method, headers });
  }
  c.req.bodyCache.json = Promise.resolve(args);
  // Hono's `json()` reads the body cache as text, and a cached JSON value becomes text by being
  // stringified, to be parsed again (~1 ms for a 1000-metric log-batch): readers get the cached
  // args themselves (as the auth middleware last set them).
  const req = c.req;
  req.json = (() => req.bodyCache.json!) as typeof req.json;
}

const utf8 = new TextDecoder();

/** The limit in `table` whose key ends the matched route's pattern. */
function limitFor(table: Record<string, number>, pattern: string): number | undefined {
  const suffix = Object.keys(table).find((s) => pattern.endsWith(s));
  return suffix === undefined ? undefined : table[suffix];
}

/** Route pattern → its raw-body cap (or none) and JSON body cap: patterns are few and fixed. */
const limitsByPattern = new Map<string, { raw?: number; json: number }>();

function limitsOf(pattern: string): { raw?: number; json: number } {
  let limits = limitsByPattern.get(pattern);
  if (limits === undefined) {
    limits = {
      raw: limitFor(RAW_BODY_LIMITS, pattern),
      json: limitFor(BODY_LIMITS, pattern) ?? MAX_BODY_BYTES,
    };
    limitsByPattern.set(pattern, limits);
  }
  return limits;
}

/**
 * The decoding middleware. It acts only when an endpoint matched (unknown paths and wrong methods
 * fall through to 404 / 405 before any body rule is applied).
 */
export function decodeRequest(opts: DecodeOptions = {}): MiddlewareHandler {
  const timeouts: ReadTimeouts = {
    idleMs: opts.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS,
    totalMs: opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
  };
  return async (c, next) => {
    const route = matchedRoutes(c).find((r) => r.method !== "ALL");
    if (route === undefined) return await next();
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      decodeQuery(c);
    } else {
      const limits = limitsOf(route.path);
      const early = limits.raw !== undefined
        ? await decodeRaw(c, limits.raw, timeouts)
        : await decodeBody(c, limits.json, timeouts);
      if (early) return early;
    }
    await next();
  };
}
