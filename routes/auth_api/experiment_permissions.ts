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

const TAG = "permissions";
const P = "/experiments/permissions";

/** `POST experiments/permissions/create` → the new grant. */
export const create = authRoute(
  "post",
  `${P}/create`,
  TAG,
  "Grant a user a permission on an experiment (MANAGE on it, or admin)",
  ExperimentPermissionRequest,
  ExperimentPermissionResponse,
  "The grant",
);

/** `GET experiments/permissions/get` → the grant. */
export const get = authRoute(
  "get",
  `${P}/get`,
  TAG,
  "A user's grant on an experiment",
  ExperimentPermissionArgs,
  ExperimentPermissionResponse,
  "The grant",
);

/** `PATCH experiments/permissions/update` → `{}`. */
export const update = authRoute(
  "patch",
  `${P}/update`,
  TAG,
  "Change a user's grant on an experiment",
  ExperimentPermissionRequest,
  EmptySchema,
  "Updated",
);

/** `DELETE experiments/permissions/delete` → `{}`. */
export const remove = authRoute(
  "delete",
  `${P}/delete`,
  TAG,
  "Revoke a user's grant on an experiment",
  ExperimentPermissionArgs,
  EmptySchema,
  "Deleted",
);

/** `GET experiments/permissions/list` → `{"permissions": […]}`. */
export const list = authRoute(
  "get",
  `${P}/list`,
  TAG,
  "kvflow: every grant on an experiment, by username",
  ExperimentIdQuery,
  GrantsResponse,
  "The grants",
);

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
