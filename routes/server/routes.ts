/**
 * Server-level endpoints outside the MLflow API prefix.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { authenticationErrors } from "../spec.ts";

const text = (description: string, example: string) =>
  ({
    200: { content: { "text/plain": { schema: z.string().openapi({ example }) } }, description },
  }) as const;

export const health = createRoute({
  operationId: "health",
  method: "get",
  path: "/health",
  tags: ["Server"],
  summary: "Liveness probe",
  description: "Answers `OK` whenever the process serves requests. Needs no credentials, even " +
    "with auth, and is exempt from the Host check, so load balancers and orchestrators can " +
    "probe it whatever Host header they send.",
  // Open to everyone: routes/auth/route_permissions.ts declares it public.
  security: [],
  responses: text("Always OK", "OK"),
});

export const version = createRoute({
  operationId: "version",
  method: "get",
  path: "/version",
  tags: ["Server"],
  summary: "The MLflow version this server emulates",
  description: "MLflow's 3.x client reads it to decide which server features to use; the " +
    "default, 3.6.0, is ≥3.4, so the client treats the server as a modern one. Exempt from the " +
    "Host check; with auth it needs credentials, as in MLflow.",
  responses: { ...text("A version string", "3.6.0"), ...authenticationErrors } as const,
});
