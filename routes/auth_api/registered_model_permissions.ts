/**
 * MLflow's `registered-models/permissions/*` endpoints (mlflow-auth-traffic.md §4) and kvflow's
 * `…/list`. The caller needs MANAGE on the registered model (declared in route_permissions.ts).
 * As in MLflow, a grant may name a model that does not exist: existence is never checked.
 *
 * @module
 */
import { validatePermission } from "../../store/auth/validation.ts";
import type { Handler } from "../app_env.ts";
import { jsonify } from "../jsonify.ts";
import { EmptySchema } from "../schemas/common.ts";
import { authRoute } from "./route.ts";
import {
  GrantsResponse,
  ModelNameQuery,
  RegisteredModelPermissionArgs,
  RegisteredModelPermissionRequest,
  RegisteredModelPermissionResponse,
} from "./schemas.ts";
import { authStore } from "./context.ts";
import { grantsBody, permissionBody } from "./grants.ts";

const P = "/registered-models/permissions";

/** `POST registered-models/permissions/create` → the new grant. */
export const create = authRoute({
  operationId: "createRegisteredModelPermission",
  method: "post",
  path: `${P}/create`,
  summary: "Grant a permission on a registered model",
  description:
    "Gives a user READ, EDIT, MANAGE or NO_PERMISSIONS on a registered model (its versions " +
    "follow it). Needs MANAGE on the model, or admin. As in MLflow, the model's existence is " +
    "not checked.",
  args: RegisteredModelPermissionRequest,
  reply: RegisteredModelPermissionResponse,
  replyDescription: "The grant",
});

/** `GET registered-models/permissions/get` → the grant. */
export const get = authRoute({
  operationId: "getRegisteredModelPermission",
  method: "get",
  path: `${P}/get`,
  summary: "Get a user's permission on a registered model",
  description:
    "A user's grant on a registered model; none is 404. Needs MANAGE on the model, or admin.",
  args: RegisteredModelPermissionArgs,
  reply: RegisteredModelPermissionResponse,
  replyDescription: "The grant",
});

/** `PATCH registered-models/permissions/update` → `{}`. */
export const update = authRoute({
  operationId: "updateRegisteredModelPermission",
  method: "patch",
  path: `${P}/update`,
  summary: "Change a user's permission on a registered model",
  description: "Changes a user's grant on a registered model. Needs MANAGE on the model, or admin.",
  args: RegisteredModelPermissionRequest,
  reply: EmptySchema,
  replyDescription: "Updated",
});

/** `DELETE registered-models/permissions/delete` → `{}`. */
export const remove = authRoute({
  operationId: "deleteRegisteredModelPermission",
  method: "delete",
  path: `${P}/delete`,
  summary: "Revoke a user's permission on a registered model",
  description:
    "Deletes a user's grant on a registered model; `--default-permission` applies to them " +
    "afterwards. Needs MANAGE on the model, or admin.",
  args: RegisteredModelPermissionArgs,
  reply: EmptySchema,
  replyDescription: "Deleted",
});

/** `GET registered-models/permissions/list` → `{"permissions": […]}`. */
export const list = authRoute({
  operationId: "listRegisteredModelPermissions",
  method: "get",
  path: `${P}/list`,
  summary: "List the permissions on a registered model",
  description:
    "kvflow extension: every grant on a registered model, by user name. Needs MANAGE on the " +
    "model, or admin.",
  args: ModelNameQuery,
  reply: GrantsResponse,
  replyDescription: "The grants",
});

/** Creates the grant (the permission is checked first, as MLflow does). */
export const createHandler: Handler<typeof create> = async (c) => {
  const { name, username, permission } = c.req.valid("json");
  const grant = await authStore(c).createRegisteredModelPermission(
    name,
    username,
    validatePermission(permission),
  );
  return jsonify(c, {
    registered_model_permission: {
      name: grant.name,
      ...permissionBody(grant),
    },
  }, 200);
};

/** Answers the grant, or 404. */
export const getHandler: Handler<typeof get> = async (c) => {
  const { name, username } = c.req.valid("query");
  const grant = await authStore(c).getRegisteredModelPermission(name, username);
  return jsonify(c, {
    registered_model_permission: {
      name: grant.name,
      ...permissionBody(grant),
    },
  }, 200);
};

/** Changes the grant's level, or 404. */
export const updateHandler: Handler<typeof update> = async (c) => {
  const { name, username, permission } = c.req.valid("json");
  await authStore(c).updateRegisteredModelPermission(
    name,
    username,
    validatePermission(permission),
  );
  return jsonify(c, {}, 200);
};

/** Deletes the grant, or 404. */
export const removeHandler: Handler<typeof remove> = async (c) => {
  const { name, username } = c.req.valid("json");
  await authStore(c).deleteRegisteredModelPermission(name, username);
  return jsonify(c, {}, 200);
};

/** Lists every grant on the registered model, by username. */
export const listHandler: Handler<typeof list> = async (c) => {
  const grants = await authStore(c).listRegisteredModelGrants(c.req.valid("query").name);
  return jsonify(c, grantsBody(grants), 200);
};
