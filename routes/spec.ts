/**
 * Small pieces shared by every `createRoute` spec, so each spec reads as method, path, request
 * schema and response schema.
 *
 * @module
 */
import type { z } from "@hono/zod-openapi";
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
