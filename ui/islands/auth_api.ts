/**
 * Typed helpers for the auth endpoints the "Access" panel, the users page and the API tokens
 * page call: MLflow's permission and user endpoints (../shared/mlflow-auth-traffic.md §4) and
 * kvflow's token and listing extensions. All go through {@linkcode apiCall} (so writes carry the
 * session's CSRF token) at {@linkcode REST_BASE}, where MLflow serves them.
 *
 * @example
 * ```ts
 * await grantPermission({ kind: "experiment", resource: "3" }, "carol", "READ");
 * const { permissions } = await listPermissions({ kind: "experiment", resource: "3" });
 * ```
 *
 * @module
 */
import type { ApiToken, Grant, Permission, User } from "../../store/auth/types.ts";
import { apiCall, REST_BASE } from "./api.ts";

/** What a grant is on: an experiment by id or a registered model by name. */
export interface GrantTarget {
  kind: "experiment" | "registered_model";
  /** The experiment id, or the registered model's name. */
  resource: string;
}

/** The endpoint folder and the id field of a target, as MLflow names them. */
function where(t: GrantTarget): { path: string; id: Record<string, string> } {
  return t.kind === "experiment"
    ? { path: "/experiments/permissions", id: { experiment_id: t.resource } }
    : { path: "/registered-models/permissions", id: { name: t.resource } };
}

/** `GET …/permissions/list`: every grant on the target (MANAGE on it needed). */
export function listPermissions(t: GrantTarget): Promise<{ permissions?: Grant[] }> {
  const { path, id } = where(t);
  return apiCall(`${path}/list`, { base: REST_BASE, query: id });
}

/** `POST …/permissions/create`. */
export function grantPermission(
  t: GrantTarget,
  username: string,
  permission: Permission,
): Promise<unknown> {
  const { path, id } = where(t);
  return apiCall(`${path}/create`, { base: REST_BASE, body: { ...id, username, permission } });
}

/** `PATCH …/permissions/update`. */
export function updatePermission(
  t: GrantTarget,
  username: string,
  permission: Permission,
): Promise<unknown> {
  const { path, id } = where(t);
  return apiCall(`${path}/update`, {
    base: REST_BASE,
    method: "PATCH",
    body: { ...id, username, permission },
  });
}

/** `DELETE …/permissions/delete` (JSON body, as MLflow's client sends it). */
export function revokePermission(t: GrantTarget, username: string): Promise<unknown> {
  const { path, id } = where(t);
  return apiCall(`${path}/delete`, {
    base: REST_BASE,
    method: "DELETE",
    body: { ...id, username },
  });
}

/** `GET users/list` (admins). */
export function listUsers(
  pageToken?: string,
): Promise<{ users?: User[]; next_page_token?: string }> {
  return apiCall("/users/list", { base: REST_BASE, query: { page_token: pageToken } });
}

/** `POST users/create` (admins). */
export function createUser(username: string, password: string): Promise<{ user: User }> {
  return apiCall("/users/create", { base: REST_BASE, body: { username, password } });
}

/** `PATCH users/update-password`. */
export function updatePassword(username: string, password: string): Promise<unknown> {
  return apiCall("/users/update-password", {
    base: REST_BASE,
    method: "PATCH",
    body: { username, password },
  });
}

/** `PATCH users/update-admin` (admins). */
export function updateAdmin(username: string, isAdmin: boolean): Promise<unknown> {
  return apiCall("/users/update-admin", {
    base: REST_BASE,
    method: "PATCH",
    body: { username, is_admin: isAdmin },
  });
}

/** `DELETE users/delete` (admins). */
export function deleteUser(username: string): Promise<unknown> {
  return apiCall("/users/delete", { base: REST_BASE, method: "DELETE", body: { username } });
}

/** `GET users/tokens/list`: the caller's tokens, newest first. */
export function listTokens(): Promise<{ api_tokens?: ApiToken[] }> {
  return apiCall("/users/tokens/list", { base: REST_BASE });
}

/** `POST users/tokens/create`: the secret comes back once, here. */
export function createToken(
  name: string,
  expiresAt?: number,
): Promise<{ token: string; api_token: ApiToken }> {
  return apiCall("/users/tokens/create", {
    base: REST_BASE,
    body: { name, expires_at: expiresAt },
  });
}

/** `DELETE users/tokens/revoke`: one of the caller's tokens. */
export function revokeToken(id: string): Promise<unknown> {
  return apiCall("/users/tokens/revoke", { base: REST_BASE, method: "DELETE", body: { id } });
}
