/**
 * Server-level endpoints outside the MLflow API prefix.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";

const text = (description: string, example: string) => ({
  200: { content: { "text/plain": { schema: z.string().openapi({ example }) } }, description },
});

export const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["server"],
  summary: "Liveness probe; exempt from the Host check",
  responses: text("Always OK", "OK"),
});

export const version = createRoute({
  method: "get",
  path: "/version",
  tags: ["server"],
  summary: "The MLflow version this server emulates; 3.x clients enable features from ≥3.4",
  responses: text("A version string", "3.6.0"),
});
