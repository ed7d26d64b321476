/**
 * MLflow's user endpoints (mlflow-auth-traffic.md §4), plus kvflow's `users/current` and
 * `users/list`. Who may call each is declared in routes/auth/route_permissions.ts (admin, or the
 * user themself); the handlers only read and write the AuthStore.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { invalidParam } from "../../store/errors.ts";
import type { UserWithPermissions } from "../../store/auth/types.ts";
import type { Handler } from "../app_env.ts";
import { jsonify } from "../jsonify.ts";
import { EmptySchema } from "../schemas/common.ts";
import { errorReplies, jsonBody } from "../spec.ts";
import { authStore, caller } from "./context.ts";
import { AUTH_API_TAG, authRoute } from "./route.ts";
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

/** `POST users/create {username, password}` → `{"user": …}`. */
export const createUser = authRoute({
  operationId: "createUser",
  method: "post",
  path: "/users/create",
  summary: "Create a user",
  description: "Creates a non-admin user with a password of at least 12 characters (JSON only). " +
    "Admins only.",
  args: CreateUserRequest,
  reply: UserResponse,
  replyDescription: "The new user, without grants",
});

/** `GET users/get?username=` → `{"user": …}` with grants. */
export const getUser = authRoute({
  operationId: "getUser",
  method: "get",
  path: "/users/get",
  summary: "Get a user",
  description:
    "The user with their experiment and registered-model grants. The user themself or an " +
    "admin.",
  args: UsernameQuery,
  reply: UserResponse,
  replyDescription: "The user",
});

/** `PATCH users/update-password {username, password}` → `{}`. */
export const updatePassword = authRoute({
  operationId: "updateUserPassword",
  method: "patch",
  path: "/users/update-password",
  summary: "Change a user's password",
  description:
    "Sets a user's password and ends their browser sessions. The user themself or an admin.",
  args: UpdatePasswordRequest,
  reply: EmptySchema,
  replyDescription: "Updated",
});

/** `PATCH users/update-admin {username, is_admin}` → `{}`. */
export const updateAdmin = authRoute({
  operationId: "updateUserAdmin",
  method: "patch",
  path: "/users/update-admin",
  summary: "Make a user an admin, or not",
  description: "Sets a user's admin flag; `is_admin` must be a JSON boolean. Admins only.",
  args: UpdateAdminRequest,
  reply: EmptySchema,
  replyDescription: "Updated",
});

/** `DELETE users/delete {username}` (or `?username=`) → `{}`. */
export const deleteUser = createRoute({
  operationId: "deleteUser",
  method: "delete",
  path: "/users/delete",
  tags: [AUTH_API_TAG],
  summary: "Delete a user",
  description: "Deletes a user with their grants, API tokens and sessions. The user name is " +
    "read from the JSON body, else from the query string (as MLflow 3.1.3 does). Admins only.",
  request: { query: DeleteUserQuery, ...jsonBody(DeleteUserRequest) },
  responses: {
    200: { content: { "application/json": { schema: EmptySchema } }, description: "Deleted" },
    ...errorReplies("capped"),
  } as const,
});

/** `GET users/current` → `{"user": …}`: the caller. */
export const currentUser = authRoute({
  operationId: "getCurrentUser",
  method: "get",
  path: "/users/current",
  summary: "Get the calling user",
  description: "kvflow extension: the authenticated caller, with their grants.",
  args: z.object({}),
  reply: UserResponse,
  replyDescription: "The authenticated user",
});

/** `GET users/list?max_results=&page_token=` → `{"users": […], "next_page_token"?}`. */
export const listUsers = authRoute({
  operationId: "listUsers",
  method: "get",
  path: "/users/list",
  summary: "List users",
  description: "kvflow extension: every user by user name, paged, without grants. Admins only.",
  args: ListUsersQuery,
  reply: ListUsersResponse,
  replyDescription: "A page of users",
});

/** Creates a non-admin user and answers it as `users/get` would. */
export const createUserHandler: Handler<typeof createUser> = async (c) => {
  const { username, password } = c.req.valid("json");
  const created = await authStore(c).createUser(username, password, false);
  // A new user holds no grants: the reply needs no second read.
  const user = { ...created, experiment_permissions: [], registered_model_permissions: [] };
  return jsonify(c, { user: userBody(user) }, 200);
};

/** Answers the user with their grants. */
export const getUserHandler: Handler<typeof getUser> = async (c) => {
  const user = await authStore(c).getUser(c.req.valid("query").username);
  return jsonify(c, { user: userBody(user) }, 200);
};

/** Sets the password; the store ends the user's sessions. */
export const updatePasswordHandler: Handler<typeof updatePassword> = async (c) => {
  const { username, password } = c.req.valid("json");
  await authStore(c).updatePassword(username, password);
  return jsonify(c, {}, 200);
};

/** Sets the admin flag. */
export const updateAdminHandler: Handler<typeof updateAdmin> = async (c) => {
  const { username, is_admin } = c.req.valid("json");
  await authStore(c).updateAdmin(username, is_admin);
  return jsonify(c, {}, 200);
};

const MISSING_USERNAME = "Missing value for required parameter 'username'. " +
  "See the API docs for more information about request parameters.";

/** Deletes the user named in the body, else in the query string. */
export const deleteUserHandler: Handler<typeof deleteUser> = async (c) => {
  // The body first; MLflow 3.1.3 falls back to the query string when there is none.
  const username = c.req.valid("json").username || c.req.valid("query").username;
  if (!username) throw invalidParam(MISSING_USERNAME);
  await authStore(c).deleteUser(username);
  return jsonify(c, {}, 200);
};

/** Answers the caller with their grants. */
export const currentUserHandler: Handler<typeof currentUser> = async (c) => {
  const user = await authStore(c).getUser(caller(c).username);
  return jsonify(c, { user: userBody(user) }, 200);
};

/** Answers one page of users, without grants. */
export const listUsersHandler: Handler<typeof listUsers> = async (c) => {
  const { max_results, page_token } = c.req.valid("query");
  const page = await authStore(c).listUsers({ maxResults: max_results, pageToken: page_token });
  const users = page.users.map(({ id, username, is_admin }) => ({ id, username, is_admin }));
  return jsonify(c, { users, next_page_token: page.nextPageToken }, 200);
};
