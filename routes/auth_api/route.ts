/**
 * The spec builder shared by the user, permission and token endpoints: GET reads its args from
 * the query string, every other method from a JSON body (DELETE included, as MLflow's admin
 * client sends it), and every reply lists the failures every API operation can meet.
 *
 * @module
 */
import { createRoute, type z } from "@hono/zod-openapi";
import { bodyReplies, jsonBody, replies } from "../spec.ts";

type Method = "get" | "post" | "patch" | "delete";

/** The tag of every operation here. */
export const AUTH_API_TAG = "Users and permissions";

/** One operation, as {@linkcode authRoute} takes it. */
export interface AuthRouteSpec<M extends Method, A extends z.ZodObject, R extends z.ZodType> {
  operationId: string;
  method: M;
  /** Relative to `/api/2.0/mlflow`. */
  path: string;
  summary: string;
  /** What it does, and who may call it with auth. */
  description: string;
  /** The arguments: the query string of a GET, the JSON body of any other method. */
  args: A;
  /** The 200 reply: Flask `jsonify` bytes (keys sorted, a trailing newline). */
  reply: R;
  replyDescription: string;
}

/** One route under `/api/2.0/mlflow` (never `/ajax-api`: MLflow serves these only there). */
export function authRoute<M extends Method, A extends z.ZodObject, R extends z.ZodType>(
  spec: AuthRouteSpec<M, A, R>,
) {
  const { method, args, reply, replyDescription } = spec;
  const request = method === "get" ? { query: args } : jsonBody(args);
  const responses = method === "get"
    ? replies(reply, replyDescription)
    : bodyReplies(reply, replyDescription);
  return createRoute({
    operationId: spec.operationId,
    method,
    path: spec.path,
    tags: [AUTH_API_TAG],
    summary: spec.summary,
    description: spec.description,
    request: request as M extends "get" ? { query: A } : ReturnType<typeof jsonBody<A>>,
    responses: responses as M extends "get" ? ReturnType<typeof replies<R>>
      : ReturnType<typeof bodyReplies<R>>,
  });
}
