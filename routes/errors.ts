/**
 * The one place errors become HTTP: MLflow's code → status table, the `{error_code, message}` body,
 * `onError`, the zod `defaultHook`, and the 404 / 405 fallbacks.
 *
 * @module
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "@hono/zod-openapi";
import { MlflowError } from "../store/errors.ts";
import { logError } from "./log.ts";
import { utf8Length } from "./respond.ts";

/**
 * MLflow's `ERROR_CODE_TO_HTTP_STATUS`, with one deliberate change: `INVALID_STATE` is 400, not
 * 500. The store raises it only for a caller's mistake (renaming a deleted experiment), and a 5xx
 * would make the Python client retry for minutes (mlflow-rest.md §1.4, §11).
 */
const STATUS_BY_CODE: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  UNAUTHENTICATED: 401,
  CUSTOMER_UNAUTHORIZED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_CONFLICT: 409,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  // kvflow's own: a full disk. 507 rather than 503 because MLflow's client retries 503 for
  // minutes, and a full disk does not clear by itself.
  INSUFFICIENT_STORAGE: 507,
  INTERNAL_ERROR: 500,
  DATA_LOSS: 500,
};

/** The HTTP status for an MLflow error code; unknown codes are 500, as in MLflow. */
export function statusForCode(code: string): ContentfulStatusCode {
  return (STATUS_BY_CODE[code] ?? 500) as ContentfulStatusCode;
}

/** MLflow's error body; a 5xx adds the request id, so a user can quote it in a report. */
export interface ErrorBody {
  error_code: string;
  message: string;
  request_id?: string;
}

/**
 * Renders `{error_code, message}` with an explicit status (transport-level errors). A 5xx (but
 * 501, see {@linkcode namesRequestId}) also names the request id (routes/monitoring/middleware.ts), in the message and as `request_id`: the
 * server's log has the details under that id.
 */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
): Response {
  const id: string | undefined = c.get("requestId");
  const body: ErrorBody = !namesRequestId(status) || id === undefined
    ? { error_code: code, message }
    : { error_code: code, message: `${message} (request id ${id})`, request_id: id };
  const text = JSON.stringify(body);
  // The declared length is what the request log reports as the reply's size.
  return c.body(text, status, {
    "Content-Type": "application/json",
    "Content-Length": String(utf8Length(text)),
  });
}

/**
 * Whether an error body with this status names the request id: a 5xx, the server's failure, which
 * the log explains under that id. Not 501: a feature kvflow lacks, which clients probe for and
 * fall back from (multipart uploads), not something to report.
 */
export function namesRequestId(status: number): boolean {
  return status >= 500 && status !== 501;
}

/** Where an error happened, for its log line: method, path and request id. */
function where(c: Context): string[] {
  const id: string | undefined = c.get("requestId");
  return [c.req.method, c.req.path, ...(id === undefined ? [] : [`(request id ${id})`])];
}

/**
 * Deno KV's refusals of a key, value or transaction that is too large (the messages as Deno 2.9
 * words them). Input checks keep every client string under these limits; one that still gets
 * through is the caller's oversized input, so it is a 400, not a 500.
 */
const KV_SIZE_ERROR =
  /^(Key too large for (read|write)|Value too large|Total mutation size too large|Total key size too large|Too many (mutations|checks|ranges)|enqueue payload too large)\b/;

/**
 * The same refusals from a remote KV (KV Connect, Deno Deploy): denokv's error names, at the end of
 * the client's `KV Connect failed … (status=400 …): <name>` message. denokv allows 10 checks per
 * commit where a file allows 100, so `TooManyChecks` is the one a store bug would meet first.
 */
const REMOTE_KV_SIZE_ERROR =
  /\): (TooManyChecks|TooManyMutations|TooManyReadRanges|AtomicWriteTooLarge|ReadRangeTooLarge)\b/;

/** What a client is told when a KV size limit is hit: no internals, only what to change. */
export const KV_SIZE_MESSAGE = "A value in the request is too large for the server's database " +
  "(keys must stay under 2 KiB and values under 64 KiB, in UTF-8 bytes). Shorten it, or split " +
  "the request into smaller ones.";

/** What a client is told when the disk is full. */
export const STORAGE_FULL_MESSAGE = "The server is out of storage space, so the request could " +
  "not be completed. Retry once space has been freed.";

// SQLite's SQLITE_FULL as Deno KV words it, and the OS's ENOSPC / EDQUOT in their usual wordings.
const STORAGE_FULL =
  /database or disk is full|no space left on device|disk quota exceeded|\bENOSPC\b|\bEDQUOT\b|os error 28\b/i;

/** A property of a caught value, or undefined when reading it throws. */
function prop(value: unknown, key: string): unknown {
  try {
    return typeof value === "object" && value !== null
      ? (value as Record<string, unknown>)[key]
      : undefined;
  } catch {
    return undefined;
  }
}

/** `err` and its causes (a few levels), for classifying wrapped errors. */
function* chain(err: unknown): Generator<unknown> {
  let cur = err;
  for (let i = 0; i < 4 && cur !== undefined && cur !== null; i++) {
    yield cur;
    cur = prop(cur, "cause");
  }
}

const messageOf = (e: unknown) => {
  const m = prop(e, "message");
  return typeof m === "string" ? m : "";
};

/** Whether `err` (or a cause) says the disk or database is full. */
export function isStorageFull(err: unknown): boolean {
  for (const e of chain(err)) {
    const code = prop(e, "code");
    if (code === "ENOSPC" || code === "EDQUOT" || STORAGE_FULL.test(messageOf(e))) return true;
  }
  return false;
}

/** Whether `err` (or a cause) is Deno KV refusing an oversized key, value or transaction. */
export function isKvSizeError(err: unknown): boolean {
  for (const e of chain(err)) {
    const m = messageOf(e);
    if (KV_SIZE_ERROR.test(m) || REMOTE_KV_SIZE_ERROR.test(m)) return true;
  }
  return false;
}

/**
 * Whether an `MlflowError` is the server's problem rather than the caller's, so the operator must
 * see it: a 5xx (S3 or KV unreachable, contention that did not clear; not 501, a feature kvflow
 * lacks), or any error carrying a `cause` (artifacts/ attaches the underlying failure, e.g. S3
 * refusing the server's own credentials, which the client sees only as a 403).
 */
function isServerSideFailure(err: MlflowError, status: number): boolean {
  return (status >= 500 && status !== 501) || prop(err, "cause") !== undefined;
}

/** The answer to `err`; may throw only if rendering itself fails (see {@linkcode onError}). */
function answer(err: unknown, c: Context): Response {
  if (err instanceof MlflowError) {
    const status = statusForCode(err.code);
    if (isServerSideFailure(err, status)) {
      logError([err.code, String(status), "on", ...where(c)], err);
    }
    return errorResponse(c, status, err.code, err.message);
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = err.status === 404 ? "ENDPOINT_NOT_FOUND" : "BAD_REQUEST";
    return errorResponse(c, err.status as ContentfulStatusCode, code, err.message || "Bad request");
  }
  if (isStorageFull(err)) {
    logError(["Storage full on", ...where(c)], err);
    return errorResponse(c, 507, "INSUFFICIENT_STORAGE", STORAGE_FULL_MESSAGE);
  }
  if (isKvSizeError(err)) {
    // Logged: every such input should have been refused by a check before reaching the database.
    logError(["Oversized input reached the database on", ...where(c)], err);
    return errorResponse(c, 400, "INVALID_PARAMETER_VALUE", KV_SIZE_MESSAGE);
  }
  logError(["Unhandled error on", ...where(c)], err);
  return errorResponse(c, 500, "INTERNAL_ERROR", "Internal server error");
}

/**
 * `onError`: MlflowError → its code's status (logged once, with its cause chain, when it is a
 * server-side failure: a 5xx or an error with a `cause`); Hono's own HTTPExceptions (e.g. 415 from a media-type
 * gate) keep their 4xx status; a full disk is 507 `INSUFFICIENT_STORAGE`; a KV size refusal is
 * 400; anything else is a bug, logged in full and answered with a generic 500 so no internals
 * reach the caller. It never throws: whatever goes wrong while answering, a JSON 500 still goes out.
 */
export const onError: ErrorHandler = (err, c) => {
  try {
    return answer(err, c);
  } catch {
    return new Response(
      JSON.stringify({ error_code: "INTERNAL_ERROR", message: "Internal server error" }),
      { status: 500, headers: { "content-type": "application/json" } },
    );
  }
};

const SEE_DOCS = " See the API docs for more information about request parameters.";

/** Python's name for a JSON value's type, as MLflow's messages print it. */
function pythonType(value: unknown): string {
  if (value === null) return "NoneType";
  if (Array.isArray(value)) return "list";
  switch (typeof value) {
    case "string":
      return "str";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "object":
      return "dict";
    default:
      return typeof value;
  }
}

/** The value as MLflow would print it, capped so a huge payload is never echoed back. */
function show(value: unknown): string {
  const text = typeof value === "string"
    ? value
    : typeof value === "boolean"
    ? (value ? "True" : "False")
    : JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** `metrics[0].value` for the issue path `["metrics", 0, "value"]`. */
function paramName(path: readonly PropertyKey[]): string {
  return path.map((p, i) =>
    typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`
  )
    .join("");
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const p of path) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/**
 * Turns the first zod issue into MLflow's wording: a missing or empty value is "Missing value for
 * required parameter"; anything else is "Invalid value … Hint: Value was of type …". Refinements
 * that flag their message with `params: { verbatim: true }` (e.g. `model_json`) keep it.
 */
export function describeIssue(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  const name = paramName(issue.path);
  if (issue.code === "custom" && issue.params?.verbatim) return issue.message;
  const value = valueAt(input, issue.path);
  if (value === undefined || value === null || value === "") {
    return `Missing value for required parameter '${name}'.${SEE_DOCS}`;
  }
  return `Invalid value ${show(value)} for parameter '${name}' supplied. ` +
    `Hint: Value was of type '${pythonType(value)}'.${SEE_DOCS}`;
}

/**
 * The zod-openapi `defaultHook`: a failed validation becomes 400 `INVALID_PARAMETER_VALUE`
 * through `onError`, so there is a single renderer.
 */
export function defaultHook(
  result: { success: true } | { success: false; error: z.ZodError; data?: unknown },
): void {
  if (!result.success) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", describeIssue(result.error, result.data));
  }
}

/** Hono route paths (`/a/:id`, `/a/:p{.+}`, `/a/*`) as regular expressions. */
function routeRegExp(path: string): RegExp {
  const src = path.split("/").map((seg) => {
    if (seg === "*") return ".*";
    const m = /^:[^{]+(?:\{(.+)\})?$/.exec(seg);
    if (m) return m[1] ?? "[^/]+";
    return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("/");
  return new RegExp(`^${src}/?$`);
}

/**
 * `notFound`: a path that some route serves with another method is 405 with `Allow`; anything else
 * is 404. Both use `ENDPOINT_NOT_FOUND`, the code clients already branch on when probing for
 * endpoints a server lacks (e.g. v3 → v2 trace fallback).
 */
export function notFound(routes: () => { method: string; path: string }[]): NotFoundHandler {
  return (c) => {
    const allowed = new Set<string>();
    for (const r of routes()) {
      if (r.method !== "ALL" && routeRegExp(r.path).test(c.req.path)) allowed.add(r.method);
    }
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(", ");
      c.header("Allow", allow);
      return errorResponse(
        c,
        405,
        "ENDPOINT_NOT_FOUND",
        `Method ${c.req.method} is not allowed for ${c.req.path}; allowed: ${allow}`,
      );
    }
    return errorResponse(
      c,
      404,
      "ENDPOINT_NOT_FOUND",
      `No endpoint for ${c.req.method} ${c.req.path}`,
    );
  };
}
