/**
 * MLflow's `experiments/permissions/*` endpoints (mlflow-auth-traffic.md §4) and kvflow's
 * `…/list`. The caller needs MANAGE on the experiment (declared in route_permissions.ts). As in
 * MLflow, a grant may name an experiment that does not exist: existence is never checked.
 *
 * @module
 */
import { validatePermission } from "../../store/auth/validation.ts";
import type { Handler } from "../app_env.ts";
import { jsonify } from "../jsonify.ts";
import { EmptySchema } from "../schemas/common.ts";
import { authRoute } from "./route.ts";
import {
  ExperimentIdQuery,
  ExperimentPermissionArgs,
  ExperimentPermissionRequest,
  ExperimentPermissionResponse,
  GrantsResponse,
} from "./schemas.ts";
import { authStore } from "./context.ts";
import { grantsBody, permissionBody } from "./grants.ts";

const P = "/experiments/permissions";

/** `POST experiments/permissions/create` → the new grant. */
export const create = authRoute({
  operationId: "createExperimentPermission",
  method: "post",
  path: `${P}/create`,
  summary: "Grant a permission on an experiment",
  description:
    "Gives a user READ, EDIT, MANAGE or NO_PERMISSIONS on an experiment (its runs, logged " +
    "models and artifacts follow it). Needs MANAGE on the experiment, or admin. As in MLflow, " +
    "the experiment's existence is not checked.",
  args: ExperimentPermissionRequest,
  reply: ExperimentPermissionResponse,
  replyDescription: "The grant",
});

/** `GET experiments/permissions/get` → the grant. */
export const get = authRoute({
  operationId: "getExperimentPermission",
  method: "get",
  path: `${P}/get`,
  summary: "Get a user's permission on an experiment",
  description:
    "A user's grant on an experiment; none is 404. Needs MANAGE on the experiment, or admin.",
  args: ExperimentPermissionArgs,
  reply: ExperimentPermissionResponse,
  replyDescription: "The grant",
});

/** `PATCH experiments/permissions/update` → `{}`. */
export const update = authRoute({
  operationId: "updateExperimentPermission",
  method: "patch",
  path: `${P}/update`,
  summary: "Change a user's permission on an experiment",
  description: "Changes a user's grant on an experiment. Needs MANAGE on the experiment, or admin.",
  args: ExperimentPermissionRequest,
  reply: EmptySchema,
  replyDescription: "Updated",
});

/** `DELETE experiments/permissions/delete` → `{}`. */
export const remove = authRoute({
  operationId: "deleteExperimentPermission",
  method: "delete",
  path: `${P}/delete`,
  summary: "Revoke a user's permission on an experiment",
  description: "Deletes a user's grant on an experiment; `--default-permission` applies to them " +
    "afterwards. Needs MANAGE on the experiment, or admin.",
  args: ExperimentPermissionArgs,
  reply: EmptySchema,
  replyDescription: "Deleted",
});

/** `GET experiments/permissions/list` → `{"permissions": […]}`. */
export const list = authRoute({
  operationId: "listExperimentPermissions",
  method: "get",
  path: `${P}/list`,
  summary: "List the permissions on an experiment",
  description:
    "kvflow extension: every grant on an experiment, by user name. Needs MANAGE on the " +
    "experiment, or admin.",
  args: ExperimentIdQuery,
  reply: GrantsResponse,
  replyDescription: "The grants",
});

/** Creates the grant (the permission is checked first, as MLflow does). */
export const createHandler: Handler<typeof create> = async (c) => {
  const { experiment_id, username, permission } = c.req.valid("json");
  const grant = await authStore(c).createExperimentPermission(
    experiment_id,
    username,
    validatePermission(permission),
  );
  return jsonify(c, {
    experiment_permission: {
      experiment_id: grant.experiment_id,
      ...permissionBody(grant),
    },
  }, 200);
};

/** Answers the grant, or 404. */
export const getHandler: Handler<typeof get> = async (c) => {
  const { experiment_id, username } = c.req.valid("query");
  const grant = await authStore(c).getExperimentPermission(experiment_id, username);
  return jsonify(c, {
    experiment_permission: {
      experiment_id: grant.experiment_id,
      ...permissionBody(grant),
    },
  }, 200);
};

/** Changes the grant's level, or 404. */
export const updateHandler: Handler<typeof update> = async (c) => {
  const { experiment_id, username, permission } = c.req.valid("json");
  await authStore(c).updateExperimentPermission(
    experiment_id,
    username,
    validatePermission(permission),
  );
  return jsonify(c, {}, 200);
};

/** Deletes the grant, or 404. */
export const removeHandler: Handler<typeof remove> = async (c) => {
  const { experiment_id, username } = c.req.valid("json");
  await authStore(c).deleteExperimentPermission(experiment_id, username);
  return jsonify(c, {}, 200);
};

/** Lists every grant on the experiment, by username. */
export const listHandler: Handler<typeof list> = async (c) => {
  const grants = await authStore(c).listExperimentGrants(c.req.valid("query").experiment_id);
  return jsonify(c, grantsBody(grants), 200);
};
