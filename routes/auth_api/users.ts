/**
 * MLflow's user endpoints (mlflow-auth-traffic.md §4), plus kvflow's `users/current` and
 * `users/list`. Who may call each is declared in routes/auth/route_permissions.ts (admin, or the
 * user themself); the handlers only read and write the AuthStore.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { invalidParam } from "../../store/errors.ts";
import type { User, UserWithPermissions } from "../../store/auth/types.ts";
import type { AppEnv, Handler } from "../app_env.ts";
import { jsonify } from "../jsonify.ts";
import { EmptySchema, ErrorBodySchema } from "../schemas/common.ts";
import { jsonBody } from "../spec.ts";
import type { Context } from "hono";
import { authRoute } from "./route.ts";
import {
  CreateUserRequest,
  DeleteUserQuery,
  DeleteUserRequest,
  ListUsersQuery,
  ListUsersResponse,
  UpdateAdminRequest,
  UpdatePasswordRequest,
  UsernameQuery,
  UserResponse,
} from "./schemas.ts";

const TAG = "users";

/** The auth store; the routes are mounted only when auth is on, so it is always set. */
export function authStore(c: Context<AppEnv>) {
  return c.var.auth!.store;
}

/** The caller, set by the auth middleware before any of these handlers runs. */
export function caller(c: Context<AppEnv>): User {
  return c.var.user!;
}

/** A user as the wire shows it: exactly MLflow's fields, whatever else a store record holds. */
export function userBody(u: UserWithPermissions) {
  return {
    id: u.id,
    username: u.username,
    is_admin: u.is_admin,
    experiment_permissions: u.experiment_permissions.map((p) => ({
      experiment_id: p.experiment_id,
      permission: p.permission,
      user_id: p.user_id,
    })),
    registered_model_permissions: u.registered_model_permissions.map((p) => ({
      name: p.name,
      permission: p.permission,
      user_id: p.user_id,
    })),
  };
}

export const createUser = authRoute(
  "post",
  "/users/create",
  TAG,
  "Create a user (admins; JSON only; passwords of at least 12 characters)",
  CreateUserRequest,
  UserResponse,
  "The new user, without grants",
);

export const getUser = authRoute(
  "get",
  "/users/get",
  TAG,
  "Get a user with their grants (the user themself or an admin)",
  UsernameQuery,
  UserResponse,
  "The user",
);

export const updatePassword = authRoute(
  "patch",
  "/users/update-password",
  TAG,
  "Set a user's password (the user themself or an admin); their sessions end",
  UpdatePasswordRequest,
  EmptySchema,
  "Updated",
);

export const updateAdmin = authRoute(
  "patch",
  "/users/update-admin",
  TAG,
  "Make a user an admin or not (admins); is_admin must be a JSON boolean",
  UpdateAdminRequest,
  EmptySchema,
  "Updated",
);

const errorContent = { "application/json": { schema: ErrorBodySchema } } as const;

export const deleteUser = createRoute({
  method: "delete",
  path: "/users/delete",
  tags: [TAG],
  summary: "Delete a user with their grants, API tokens and sessions (admins); " +
    "the name in the JSON body or the query string",
  request: { query: DeleteUserQuery, ...jsonBody(DeleteUserRequest) },
  responses: {
    200: { content: { "application/json": { schema: EmptySchema } }, description: "Deleted" },
    400: { content: errorContent, description: "INVALID_PARAMETER_VALUE" },
    401: { content: errorContent, description: "UNAUTHENTICATED: no or bad credentials" },
    403: { content: errorContent, description: "PERMISSION_DENIED" },
    404: { content: errorContent, description: "RESOURCE_DOES_NOT_EXIST" },
  },
});

export const currentUser = authRoute(
  "get",
  "/users/current",
  TAG,
  "kvflow: the caller, with their grants",
  z.object({}),
  UserResponse,
  "The authenticated user",
);

export const listUsers = authRoute(
  "get",
  "/users/list",
  TAG,
  "kvflow: every user by username, paged (admins)",
  ListUsersQuery,
  ListUsersResponse,
  "A page of users",
);

export const createUserHandler: Handler<typeof createUser> = async (c) => {
  const { username, password } = c.req.valid("json");
  const store = authStore(c);
  const created = await store.createUser(username, password, false);
  return jsonify(c, { user: userBody(await store.getUser(created.username)) }, 200);
};

export const getUserHandler: Handler<typeof getUser> = async (c) => {
  const user = await authStore(c).getUser(c.req.valid("query").username);
  return jsonify(c, { user: userBody(user) }, 200);
};

export const updatePasswordHandler: Handler<typeof updatePassword> = async (c) => {
  const { username, password } = c.req.valid("json");
  await authStore(c).updatePassword(username, password);
  return jsonify(c, {}, 200);
};

export const updateAdminHandler: Handler<typeof updateAdmin> = async (c) => {
  const { username, is_admin } = c.req.valid("json");
  await authStore(c).updateAdmin(username, is_admin);
  return jsonify(c, {}, 200);
};

const MISSING_USERNAME = "Missing value for required parameter 'username'. " +
  "See the API docs for more information about request parameters.";

export const deleteUserHandler: Handler<typeof deleteUser> = async (c) => {
  // The body first; MLflow 3.1.3 falls back to the query string when there is none.
  const username = c.req.valid("json").username || c.req.valid("query").username;
  if (!username) throw invalidParam(MISSING_USERNAME);
  await authStore(c).deleteUser(username);
  return jsonify(c, {}, 200);
};

export const currentUserHandler: Handler<typeof currentUser> = async (c) => {
  const user = await authStore(c).getUser(caller(c).username);
  return jsonify(c, { user: userBody(user) }, 200);
};

export const listUsersHandler: Handler<typeof listUsers> = async (c) => {
  const { max_results, page_token } = c.req.valid("query");
  const page = await authStore(c).listUsers({ maxResults: max_results, pageToken: page_token });
  const users = page.users.map(({ id, username, is_admin }) => ({ id, username, is_admin }));
  return jsonify(c, { users, next_page_token: page.nextPageToken }, 200);
};
