/**
 * MLflow's user and permission endpoints and kvflow's token, current-user and grant-list
 * extensions, mounted under `/api/2.0/mlflow` by `createApp` only when auth is on. Who may call
 * each is declared in routes/auth/route_permissions.ts; the auth middleware enforces it.
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { getPath } from "hono/utils/url";
import type { AppEnv } from "../app_env.ts";
import { createRouter } from "../app_env.ts";
import { errorResponse } from "../errors.ts";
import * as experimentPermissions from "./experiment_permissions.ts";
import * as modelPermissions from "./registered_model_permissions.ts";
import * as tokens from "./tokens.ts";
import * as users from "./users.ts";

/**
 * The sub-app, relative to `/api/2.0/mlflow`. Registered one call at a time: a single chain of
 * twenty `.openapi()` calls builds a schema type too large for the compiler.
 */
export const authApiRoutes: OpenAPIHono<AppEnv> = createRouter();
authApiRoutes.openapi(users.createUser, users.createUserHandler);
authApiRoutes.openapi(users.getUser, users.getUserHandler);
authApiRoutes.openapi(users.updatePassword, users.updatePasswordHandler);
authApiRoutes.openapi(users.updateAdmin, users.updateAdminHandler);
authApiRoutes.openapi(users.deleteUser, users.deleteUserHandler);
authApiRoutes.openapi(users.currentUser, users.currentUserHandler);
authApiRoutes.openapi(users.listUsers, users.listUsersHandler);
authApiRoutes.openapi(tokens.create, tokens.createHandler);
authApiRoutes.openapi(tokens.list, tokens.listHandler);
authApiRoutes.openapi(tokens.revoke, tokens.revokeHandler);
authApiRoutes.openapi(experimentPermissions.create, experimentPermissions.createHandler);
authApiRoutes.openapi(experimentPermissions.get, experimentPermissions.getHandler);
authApiRoutes.openapi(experimentPermissions.update, experimentPermissions.updateHandler);
authApiRoutes.openapi(experimentPermissions.remove, experimentPermissions.removeHandler);
authApiRoutes.openapi(experimentPermissions.list, experimentPermissions.listHandler);
authApiRoutes.openapi(modelPermissions.create, modelPermissions.createHandler);
authApiRoutes.openapi(modelPermissions.get, modelPermissions.getHandler);
authApiRoutes.openapi(modelPermissions.update, modelPermissions.updateHandler);
authApiRoutes.openapi(modelPermissions.remove, modelPermissions.removeHandler);
authApiRoutes.openapi(modelPermissions.list, modelPermissions.listHandler);

/** The path patterns (under `/api/2.0/mlflow`) these routes live in. */
export const AUTH_API_PATTERNS: readonly string[] = [
  "/users/*",
  "/experiments/permissions/*",
  "/registered-models/permissions/*",
];

/**
 * 404 for the `/ajax-api/…` twins of these routes. MLflow serves them only under `/api/…`
 * (auth traffic §4), while routing maps every `/ajax-api/…` onto `/api/…` (routes/mod.ts); this
 * reads the raw path, so mounted on {@linkcode AUTH_API_PATTERNS} it turns exactly the twins away.
 * Mounted after authentication, so an anonymous caller still gets 401 as everywhere.
 */
export const apiPrefixOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const raw = getPath(c.req.raw);
  if (!raw.startsWith("/ajax-api/")) return await next();
  return errorResponse(c, 404, "ENDPOINT_NOT_FOUND", `No endpoint for ${c.req.method} ${raw}`);
};
