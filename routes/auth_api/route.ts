/**
 * The spec builder of the user, permission and token endpoints: `argsRoute` (GET arguments in
 * the query string, every other method's in a JSON body, as MLflow's admin client sends them)
 * under their one tag.
 *
 * @module
 */
import type { z } from "@hono/zod-openapi";
import { type ArgsMethod, argsRoute, type ArgsRouteSpec } from "../args_route.ts";

/** The tag of every operation here. */
export const AUTH_API_TAG = "Users and permissions";

/**
 * One operation, as {@linkcode authRoute} takes it. Its 200 reply is Flask `jsonify` bytes (keys
 * sorted, a trailing newline); its description says who may call it with auth.
 */
export type AuthRouteSpec<M extends ArgsMethod, A extends z.ZodObject, R extends z.ZodType> = Omit<
  ArgsRouteSpec<M, A, R>,
  "tag" | "example"
>;

/** One route under `/api/2.0/mlflow` (never `/ajax-api`: MLflow serves these only there). */
export function authRoute<M extends ArgsMethod, A extends z.ZodObject, R extends z.ZodType>(
  spec: AuthRouteSpec<M, A, R>,
) {
  return argsRoute({ ...spec, tag: AUTH_API_TAG });
}
