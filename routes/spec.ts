/**
 * Small pieces shared by every `createRoute` spec, so each spec reads as method, path, request
 * schema and response schema.
 *
 * @module
 */
import type { z } from "@hono/zod-openapi";
import { BinarySchema } from "./schemas/artifacts.ts";
import { ErrorBodySchema } from "./schemas/common.ts";

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return {
    body: { content: { "application/json": { schema } }, required: true },
  } as const;
}

const errorContent = { "application/json": { schema: ErrorBodySchema } } as const;

/** A 200 JSON reply plus the error replies every MLflow endpoint can give. */
export function replies<T extends z.ZodType>(schema: T, description: string) {
  return {
    200: { content: { "application/json": { schema } }, description },
    400: { content: errorContent, description: "INVALID_PARAMETER_VALUE and other caller errors" },
    404: { content: errorContent, description: "RESOURCE_DOES_NOT_EXIST" },
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
    400: { content: errorContent, description: "INVALID_PARAMETER_VALUE (e.g. an unsafe path)" },
    404: { content: errorContent, description: "RESOURCE_DOES_NOT_EXIST (missing or a directory)" },
    416: { content: errorContent, description: "The Range cannot be satisfied" },
  } as const;
}

/**
 * {@linkcode replies} plus a 501 `NOT_IMPLEMENTED` for what this server's configuration cannot
 * do (e.g. multipart upload on a local destination, which makes the client fall back to a PUT).
 */
export function repliesOr501<T extends z.ZodType>(schema: T, description: string, why: string) {
  return {
    200: { content: { "application/json": { schema } }, description },
    400: { content: errorContent, description: "INVALID_PARAMETER_VALUE and other caller errors" },
    404: { content: errorContent, description: "RESOURCE_DOES_NOT_EXIST" },
    501: { content: errorContent, description: `NOT_IMPLEMENTED: ${why}` },
  } as const;
}
