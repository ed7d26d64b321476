/**
 * Wire schemas of the user, permission and API-token endpoints (mlflow-auth-traffic.md §4 and
 * kvflow's extensions). Requests are lenient where MLflow is: `username` and `permission` are
 * plain strings so the store answers an empty or unknown value with MLflow's own message
 * (`Username cannot be empty.`, `Invalid permission 'WRITE'. …`) rather than zod's.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { PERMISSIONS } from "../../store/auth/types.ts";
import { Int64, MaxResults, RequiredId, RequiredString } from "../schemas/common.ts";

/** A permission name as the wire carries it; validated by the store with MLflow's message. */
const PermissionName = z.string().openapi({ enum: [...PERMISSIONS], example: "READ" });

/** A permission level as replies show it. */
const PermissionLevel = z.enum(PERMISSIONS as [string, ...string[]]);

/** A user without grants. */
export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  is_admin: z.boolean(),
}).openapi("User");

/** MLflow's `experiment_permission` object (`user_id` is the numeric user id). */
export const ExperimentPermissionSchema = z.object({
  experiment_id: z.string(),
  permission: PermissionLevel,
  user_id: z.number().int(),
}).openapi("ExperimentPermission");

/** MLflow's `registered_model_permission` object. */
export const RegisteredModelPermissionSchema = z.object({
  name: z.string(),
  permission: PermissionLevel,
  user_id: z.number().int(),
}).openapi("RegisteredModelPermission");

/** `{"user": …}` of `users/create`, `users/get` and `users/current`: the user with their grants. */
export const UserResponse = z.object({
  user: UserSchema.extend({
    experiment_permissions: z.array(ExperimentPermissionSchema),
    registered_model_permissions: z.array(RegisteredModelPermissionSchema),
  }),
}).openapi("UserReply");

/** `users/create`: JSON only. */
export const CreateUserRequest = z.object({
  username: z.string(),
  password: z.string(),
}).openapi("CreateUserRequest");

/** `users/get`. */
export const UsernameQuery = z.object({ username: RequiredString });

/** `users/update-password`. */
export const UpdatePasswordRequest = z.object({
  username: RequiredString,
  password: z.string(),
}).openapi("UpdatePasswordRequest");

/** `users/update-admin`: `is_admin` must be a JSON boolean (a string `"false"` is refused). */
export const UpdateAdminRequest = z.object({
  username: RequiredString,
  is_admin: z.boolean(),
}).openapi("UpdateAdminRequest");

/** `users/delete`: the name in the JSON body or, as MLflow 3.1.3 accepts, the query string. */
export const DeleteUserRequest = z.object({ username: z.string().optional() })
  .openapi("DeleteUserRequest");

/** `users/delete`'s query-string alternative. */
export const DeleteUserQuery = z.object({ username: z.string().optional() });

/** `users/list`. */
export const ListUsersQuery = z.object({
  max_results: MaxResults.openapi({ description: "1–1000, default 1000" }),
  page_token: z.string().optional(),
});

/** `users/list`'s reply: users by username. */
export const ListUsersResponse = z.object({
  users: z.array(UserSchema),
  next_page_token: z.string().optional(),
}).openapi("ListUsersReply");

/** `experiments/permissions/create` and `update`. */
export const ExperimentPermissionRequest = z.object({
  experiment_id: RequiredId,
  username: RequiredString,
  permission: PermissionName,
}).openapi("ExperimentPermissionRequest");

/** `experiments/permissions/get` (query) and `delete` (JSON body). */
export const ExperimentPermissionArgs = z.object({
  experiment_id: RequiredId,
  username: RequiredString,
});

/** `{"experiment_permission": …}`. */
export const ExperimentPermissionResponse = z.object({
  experiment_permission: ExperimentPermissionSchema,
}).openapi("ExperimentPermissionReply");

/** `registered-models/permissions/create` and `update`. */
export const RegisteredModelPermissionRequest = z.object({
  name: RequiredString,
  username: RequiredString,
  permission: PermissionName,
}).openapi("RegisteredModelPermissionRequest");

/** `registered-models/permissions/get` (query) and `delete` (JSON body). */
export const RegisteredModelPermissionArgs = z.object({
  name: RequiredString,
  username: RequiredString,
});

/** `{"registered_model_permission": …}`. */
export const RegisteredModelPermissionResponse = z.object({
  registered_model_permission: RegisteredModelPermissionSchema,
}).openapi("RegisteredModelPermissionReply");

/** `experiments/permissions/list`. */
export const ExperimentIdQuery = z.object({ experiment_id: RequiredId });

/** `registered-models/permissions/list`. */
export const ModelNameQuery = z.object({ name: RequiredString });

/** kvflow's grant listing: every grant on one resource, by username. */
export const GrantsResponse = z.object({
  permissions: z.array(z.object({
    permission: PermissionLevel,
    user_id: z.number().int(),
    username: z.string(),
  })),
}).openapi("GrantsReply");

/** An API token's public record (never the secret). */
export const ApiTokenSchema = z.object({
  created_at: z.number().int(),
  expires_at: z.number().int().optional(),
  id: z.string(),
  last_used_at: z.number().int().optional(),
  name: z.string(),
  user_id: z.number().int(),
}).openapi("ApiToken");

/** `users/tokens/create`. */
export const CreateTokenRequest = z.object({
  name: z.string(),
  expires_at: Int64.optional().openapi({
    type: "integer",
    description: "Epoch milliseconds, in the future; absent: the token never expires",
  }),
}).openapi("CreateTokenRequest");

/** The secret (shown only in this reply) and its record. */
export const CreateTokenResponse = z.object({
  api_token: ApiTokenSchema,
  token: z.string().openapi({ example: "kvf_…" }),
}).openapi("CreateTokenReply");

/** `users/tokens/list`: the caller's tokens, newest first. */
export const ListTokensResponse = z.object({ api_tokens: z.array(ApiTokenSchema) })
  .openapi("ListTokensReply");

/** `users/tokens/revoke`. */
export const RevokeTokenRequest = z.object({ id: RequiredString }).openapi("RevokeTokenRequest");
