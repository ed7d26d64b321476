/**
 * The spec builder shared by the user, permission and token endpoints: GET reads its args from
 * the query string, every other method from a JSON body (DELETE included, as MLflow's admin
 * client sends it), and every reply lists the auth failures too.
 *
 * @module
 */
import { createRoute, type z } from "@hono/zod-openapi";
import { ErrorBodySchema } from "../schemas/common.ts";
import { jsonBody } from "../spec.ts";

type Method = "get" | "post" | "patch" | "delete";

const errorContent = { "application/json": { schema: ErrorBodySchema } } as const;

/** The replies: 200 with `schema` (Flask `jsonify` bytes: keys sorted, a trailing newline) or an error. */
function authReplies<T extends z.ZodType>(schema: T, description: string) {
  return {
    200: { content: { "application/json": { schema } }, description },
    400: { content: errorContent, description: "INVALID_PARAMETER_VALUE, RESOURCE_ALREADY_EXISTS" },
    401: { content: errorContent, description: "UNAUTHENTICATED: no or bad credentials" },
    403: { content: errorContent, description: "PERMISSION_DENIED" },
    404: { content: errorContent, description: "RESOURCE_DOES_NOT_EXIST" },
  } as const;
}

/** One route under `/api/2.0/mlflow` (never `/ajax-api`: MLflow serves these only there). */
export function authRoute<M extends Method, A extends z.ZodObject, R extends z.ZodType>(
  method: M,
  path: string,
  tag: string,
  summary: string,
  args: A,
  reply: R,
  description: string,
) {
  const request = method === "get" ? { query: args } : jsonBody(args);
  return createRoute({
    method,
    path,
    tags: [tag],
    summary,
    request: request as M extends "get" ? { query: A } : ReturnType<typeof jsonBody<A>>,
    responses: authReplies(reply, description),
  });
}
