/**
 * How grants look on the wire, shared by the experiment and registered-model permission
 * endpoints: only MLflow's fields, whatever else a store record holds.
 *
 * @module
 */
import type { Grant, Permission } from "../../store/auth/types.ts";

/** The fields both kinds of grant object share. */
export function permissionBody(g: { permission: Permission; user_id: number }) {
  return { permission: g.permission, user_id: g.user_id };
}

/** kvflow's `…/permissions/list` reply. */
export function grantsBody(grants: Grant[]) {
  return {
    permissions: grants.map((g) => ({
      permission: g.permission,
      user_id: g.user_id,
      username: g.username,
    })),
  };
}
