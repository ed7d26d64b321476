/**
 * The one decision the auth middleware (later) makes per request, as a pure function: given a
 * route's declaration, who is calling and the grant found for the resource, allow, ask for
 * credentials (401) or refuse (403). Looking up the caller, the resource's experiment and the
 * grant is I/O and stays in the middleware.
 *
 * @module
 */
import { allows, type Permission, resolvePermission } from "./permissions.ts";
import type { RoutePermission } from "./route_permissions.ts";

/** An authenticated caller. Absent (`null`) means no or bad credentials. */
export interface Caller {
  username: string;
  isAdmin: boolean;
}

/** Inputs of {@linkcode decide}. */
export interface DecideInput {
  permission: RoutePermission;
  caller: Caller | null;
  /** The caller's explicit grant on the resource the request names, if any. */
  grant?: Permission | null;
  defaultPermission: Permission;
  /** For `user` routes: the username the request is about. */
  targetUsername?: string;
}

/** `allow`, or 401 (`unauthenticated`), or 403 (`forbidden`). */
export type Decision = "allow" | "unauthenticated" | "forbidden";

/**
 * Decides one request. A search's `allow` still means its results are filtered by the caller's
 * readable set; a `create`'s means the creator is granted MANAGE afterwards.
 */
export function decide(
  { permission, caller, grant, defaultPermission, targetUsername }: DecideInput,
): Decision {
  if (permission.action === "none") return "allow";
  if (caller === null) return "unauthenticated";
  if (caller.isAdmin) return "allow";
  switch (permission.action) {
    case "authenticated":
    case "create":
      return "allow";
    case "admin":
      return "forbidden";
  }
  if (permission.resource === "user") {
    return targetUsername !== undefined && targetUsername === caller.username
      ? "allow"
      : "forbidden";
  }
  const level = resolvePermission({ isAdmin: false, grant, defaultPermission });
  return allows(level, permission.action) ? "allow" : "forbidden";
}
