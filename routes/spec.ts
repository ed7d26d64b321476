/**
 * Small pieces shared by every `createRoute` spec, so each spec reads as method, path, request
 * schema and response schema, and every operation lists the same failures in the same words.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { BinarySchema } from "./schemas/artifacts.ts";
import { ErrorBodySchema } from "./schemas/common.ts";

/** A required JSON request body, with an optional example of it for the document. */
export function jsonBody<T extends z.ZodType>(schema: T, example?: z.input<T>) {
  const media = example === undefined ? { schema } : { schema, example };
  return {
    body: { content: { "application/json": media }, required: true },
  } as const;
}

/**
 * `query` with an example on some of its fields (each becomes its query parameter's example).
 * Only documentation: every field keeps its schema, so validation and types are unchanged.
 */
export function queryExamples<T extends z.ZodObject>(
  query: T,
  examples: { [K in keyof T["shape"]]?: unknown },
): T {
  const shape = query.shape as Record<string, z.ZodType>;
  const withExamples = Object.fromEntries(
    Object.entries(examples).map(([k, example]) => [k, shape[k].openapi({ example })]),
  );
  return query.extend(withExamples) as unknown as T;
}

const errorContent = { "application/json": { schema: ErrorBodySchema } } as const;

/** A refusal answered as plain text by a middleware, as MLflow's own middleware does. */
const PlainTextRefusal = z.string();

/** An error that is `{error_code, message}`, or plain text when a middleware refuses. */
const errorOrText = {
  "application/json": { schema: ErrorBodySchema },
  "text/plain": { schema: PlainTextRefusal },
} as const;

/**
 * Every error reply an operation can give, worded once. Each is `{error_code, message}`; the 403s
 * and 503s of the request gates (Host allowlist, cross-origin writes, `--artifacts-only`,
 * `--no-serve-artifacts`) are plain text, as MLflow's are.
 *
 * Error statuses are written as string keys on purpose: Hono types a route's replies from its
 * numeric status keys, and handlers never return an error (they throw an `MlflowError`, which
 * `onError` answers). Typed, eight error replies per route made the registry's chained app type
 * too complex for the compiler (TS2590). The document is the same either way.
 */
const ERRORS = {
  "400": {
    content: errorContent,
    description: "INVALID_PARAMETER_VALUE (and RESOURCE_ALREADY_EXISTS, INVALID_STATE): the " +
      "request is wrong; sending it again unchanged fails again",
  },
  "401": {
    content: errorContent,
    headers: {
      "WWW-Authenticate": {
        description: 'Always `Basic realm="kvflow"`',
        schema: { type: "string" },
      },
    },
    description: "UNAUTHENTICATED: the server runs with auth and the request has no valid " +
      "credentials (HTTP Basic, or a Bearer API token)",
  },
  "403": {
    content: errorOrText,
    description: "PERMISSION_DENIED: with auth, the caller lacks the permission this operation " +
      "needs on the resource (or is a cookie session's write without its CSRF token). As plain " +
      "text: a `Host` header not in `--allowed-hosts`, or a cross-origin write",
  },
  "404": { content: errorContent, description: "RESOURCE_DOES_NOT_EXIST" },
  "408": {
    content: errorContent,
    description: "BAD_REQUEST: the request body stalled (`--body-idle-timeout`) or took too long " +
      "(`--body-timeout`); the connection is closed",
  },
  "413": {
    content: errorContent,
    description: "INVALID_PARAMETER_VALUE: the request body is over this operation's byte cap " +
      "(see the README's Limits); the connection is closed",
  },
  "429": {
    content: errorContent,
    headers: {
      "Retry-After": {
        description: "Seconds until the failed-login window ends",
        schema: { type: "integer" },
      },
    },
    description: "REQUEST_LIMIT_EXCEEDED: with auth, too many failed logins for this user name " +
      "or client address; MLflow's client retries it with backoff",
  },
  "503": {
    content: errorOrText,
    description: "TEMPORARILY_UNAVAILABLE: the database stayed busy or the artifact store " +
      "cannot be reached; retry later. As plain text: this route is turned off " +
      "(`--artifacts-only`, or `--no-serve-artifacts`)",
  },
} as const;

/**
 * The name each shared error reply has under `components.responses`: the document builder puts
 * one copy there and has operations point at it (routes/openapi_document.ts).
 */
export const SHARED_ERROR_NAMES: Readonly<Record<keyof typeof ERRORS, string>> = {
  400: "InvalidParameter",
  401: "Unauthenticated",
  403: "PermissionDenied",
  404: "NotFound",
  408: "RequestTimeout",
  413: "BodyTooLarge",
  429: "TooManyFailedLogins",
  503: "Unavailable",
};

/** The shared error replies, by status (see {@linkcode SHARED_ERROR_NAMES}). */
export const SHARED_ERRORS: Readonly<Record<keyof typeof ERRORS, { description: string }>> = ERRORS;

/** The failures every operation of the API can meet, whatever its input. */
const apiErrors = {
  "400": ERRORS["400"],
  "401": ERRORS["401"],
  "403": ERRORS["403"],
  "404": ERRORS["404"],
  "429": ERRORS["429"],
  "503": ERRORS["503"],
} as const;

/** Plus those of a request body read under a byte cap and timeouts (JSON bodies, `upload-artifact`). */
const cappedBodyErrors = { ...apiErrors, "408": ERRORS["408"], "413": ERRORS["413"] } as const;

/** Plus those of a body streamed without a size cap (the proxy's artifact PUT). */
const streamedBodyErrors = { ...apiErrors, "408": ERRORS["408"] } as const;

/**
 * How an operation's request body is read, which decides whether it can answer 408 and 413:
 * `"none"` (a GET, or a call without a body), `"capped"` (every JSON body, and `upload-artifact`,
 * read under a byte cap and the body timeouts), `"streamed"` (the artifact proxy's PUT, streamed
 * without a size cap, under the idle timeout).
 */
export type BodyKind = "none" | "capped" | "streamed";

/** The error replies of an operation whose body is read as `body` says. */
export function errorReplies<B extends BodyKind = "none">(
  body?: B,
): B extends "capped" ? typeof cappedBodyErrors
  : B extends "streamed" ? typeof streamedBodyErrors
  : typeof apiErrors;
export function errorReplies(body: BodyKind = "none") {
  return body === "capped"
    ? cappedBodyErrors
    : body === "streamed"
    ? streamedBodyErrors
    : apiErrors;
}

/** The failures of an authenticated operation that takes no input (`/version`). */
export const authenticationErrors = { "401": ERRORS["401"], "429": ERRORS["429"] } as const;

/** A 200 JSON reply plus the error replies of an operation with no request body. */
export function replies<T extends z.ZodType>(schema: T, description: string) {
  return {
    200: { content: { "application/json": { schema } }, description },
    ...apiErrors,
  } as const;
}

/** A 200 JSON reply plus the error replies of an operation with a JSON body (408, 413 too). */
export function bodyReplies<T extends z.ZodType>(schema: T, description: string) {
  return {
    200: { content: { "application/json": { schema } }, description },
    ...cappedBodyErrors,
  } as const;
}

/** The replies of a file download: the bytes, a range of them, or an error. */
export function downloadReplies() {
  const bytes = { "application/octet-stream": { schema: BinarySchema } } as const;
  return {
    200: {
      content: bytes,
      description: "The file as an attachment, with a Content-Type guessed from its name",
    },
    206: { content: bytes, description: "The requested byte range, with Content-Range" },
    ...apiErrors,
    "400": { content: errorContent, description: "INVALID_PARAMETER_VALUE (e.g. an unsafe path)" },
    "404": {
      content: errorContent,
      description: "RESOURCE_DOES_NOT_EXIST (missing or a directory)",
    },
    "416": { content: errorContent, description: "The Range cannot be satisfied" },
  } as const;
}

/**
 * A 501 `NOT_IMPLEMENTED` for what this server's configuration cannot do (e.g. multipart upload
 * on a local destination, which makes the client fall back to a PUT), to spread after the replies.
 */
export function notImplemented(why: string) {
  return { "501": { content: errorContent, description: `NOT_IMPLEMENTED: ${why}` } } as const;
}
