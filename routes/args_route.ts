/**
 * The spec builder of the RPC-style endpoints whose arguments are one object: GET reads it from
 * the query string, every other method from a JSON body (DELETE included, as MLflow's clients
 * send it), and every reply lists the failures every API operation can meet. The registry and
 * the user, permission and token endpoints are written with it.
 *
 * @module
 */
import { createRoute, type z } from "@hono/zod-openapi";
import { bodyReplies, jsonBody, replies } from "./spec.ts";

/** The methods these endpoints use. */
export type ArgsMethod = "get" | "post" | "patch" | "delete";

/** One operation, as {@linkcode argsRoute} takes it. */
export interface ArgsRouteSpec<M extends ArgsMethod, A extends z.ZodObject, R extends z.ZodType> {
  operationId: string;
  method: M;
  /** Relative to where the sub-app is mounted (`/api/2.0/mlflow`). */
  path: string;
  /** The operation's tag in the document (its resource). */
  tag: string;
  summary: string;
  /** What it does, what MLflow's clients rely on, and who may call it with auth. */
  description: string;
  /** The arguments: the query string of a GET, the JSON body of any other method. */
  args: A;
  /** An example of the JSON body, for the document. */
  example?: z.input<A>;
  reply: R;
  replyDescription: string;
}

/** The route of `spec`: its arguments where its method carries them, its replies and errors. */
export function argsRoute<M extends ArgsMethod, A extends z.ZodObject, R extends z.ZodType>(
  spec: ArgsRouteSpec<M, A, R>,
) {
  const { method, args, reply, replyDescription } = spec;
  const request = method === "get" ? { query: args } : jsonBody(args, spec.example);
  const responses = method === "get"
    ? replies(reply, replyDescription)
    : bodyReplies(reply, replyDescription);
  return createRoute({
    operationId: spec.operationId,
    method,
    path: spec.path,
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.description,
    request: request as M extends "get" ? { query: A } : ReturnType<typeof jsonBody<A>>,
    responses: responses as M extends "get" ? ReturnType<typeof replies<R>>
      : ReturnType<typeof bodyReplies<R>>,
  });
}
