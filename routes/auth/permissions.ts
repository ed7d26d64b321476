/**
 * MLflow's permission semantics as pure functions (../shared/mlflow-rest.md §8,
 * ../shared/mlflow-auth-traffic.md §6): the four levels, what each allows, and how a caller's
 * effective level on one resource is resolved. No I/O: the auth middleware (later) looks up the
 * caller and the grant, then asks these functions.
 *
 * @example
 * ```ts
 * const level = resolvePermission({ isAdmin: false, grant: undefined, defaultPermission: "READ" });
 * allows(level, "update"); // false: READ only reads
 * ```
 *
 * @module
 */
import type { Permission } from "../../store/auth/types.ts";

export type { Permission } from "../../store/auth/types.ts";
export { isPermission } from "../../store/auth/types.ts";

/** What a request does to a resource it is checked against, as MLflow's `can_*` flags. */
export type Capability = "read" | "update" | "delete" | "manage";

/** The four capabilities, in MLflow's order. */
export const CAPABILITIES: readonly Capability[] = ["read", "update", "delete", "manage"];

/** One level's `can_*` flags, spelled as MLflow's `mlflow.server.auth.permissions.Permission`. */
export interface PermissionFlags {
  can_read: boolean;
  can_update: boolean;
  can_delete: boolean;
  can_manage: boolean;
}

/**
 * MLflow's table, verbatim: READ reads; EDIT reads and updates; MANAGE does everything;
 * NO_PERMISSIONS nothing. Frozen so no caller can widen a level at run time.
 */
export const PERMISSION_FLAGS: Readonly<Record<Permission, Readonly<PermissionFlags>>> = Object
  .freeze({
    READ: Object.freeze({
      can_read: true,
      can_update: false,
      can_delete: false,
      can_manage: false,
    }),
    EDIT: Object.freeze({ can_read: true, can_update: true, can_delete: false, can_manage: false }),
    MANAGE: Object.freeze({ can_read: true, can_update: true, can_delete: true, can_manage: true }),
    NO_PERMISSIONS: Object.freeze({
      can_read: false,
      can_update: false,
      can_delete: false,
      can_manage: false,
    }),
  });

/** MLflow's `can_read`. */
export function canRead(p: Permission): boolean {
  return PERMISSION_FLAGS[p].can_read;
}

/** MLflow's `can_update`. */
export function canUpdate(p: Permission): boolean {
  return PERMISSION_FLAGS[p].can_update;
}

/** MLflow's `can_delete`. */
export function canDelete(p: Permission): boolean {
  return PERMISSION_FLAGS[p].can_delete;
}

/** MLflow's `can_manage`. */
export function canManage(p: Permission): boolean {
  return PERMISSION_FLAGS[p].can_manage;
}

/** Whether a holder of `p` may do `capability`. */
export function allows(p: Permission, capability: Capability): boolean {
  const flags = PERMISSION_FLAGS[p];
  switch (capability) {
    case "read":
      return flags.can_read;
    case "update":
      return flags.can_update;
    case "delete":
      return flags.can_delete;
    case "manage":
      return flags.can_manage;
  }
}

/** Inputs of {@linkcode resolvePermission}. */
export interface ResolveInput {
  /** Admins bypass every check (MLflow: `is_admin` skips authorization). */
  isAdmin: boolean;
  /** The caller's explicit grant on the resource, if any. */
  grant?: Permission | null;
  /** The server's `--default-permission`, applied when there is no grant. */
  defaultPermission: Permission;
}

/**
 * The caller's effective level on one resource: MANAGE for an admin, else the explicit grant,
 * else the default. An explicit NO_PERMISSIONS wins over a more generous default, as in MLflow.
 */
export function resolvePermission({ isAdmin, grant, defaultPermission }: ResolveInput): Permission {
  if (isAdmin) return "MANAGE";
  return grant ?? defaultPermission;
}
