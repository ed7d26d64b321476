/**
 * The auth store's error messages, shared by both backends. The user and grant messages are
 * MLflow's basic-auth app's (mlflow-auth-traffic.md §4) without its SQL tails, which leaked the
 * password hash. No message ever carries a password, a token or a hash.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";

/** The two kinds of resource a grant can name. */
export type GrantKind = "experiment" | "registered_model";

/** `User with username=X not found` (404). */
export function userNotFound(username: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `User with username=${username} not found`);
}

/** `User (username=X) already exists.` (400). */
export function userExists(username: string): MlflowError {
  return new MlflowError("RESOURCE_ALREADY_EXISTS", `User (username=${username}) already exists.`);
}

/** A second grant for one (resource, user) pair (400). */
export function grantExists(kind: GrantKind, resource: string, username: string): MlflowError {
  return new MlflowError(
    "RESOURCE_ALREADY_EXISTS",
    kind === "experiment"
      ? `Experiment permission (experiment_id=${resource}, username=${username}) already exists.`
      : `Registered model permission (name=${resource}, username=${username}) already exists.`,
  );
}

/** No grant for this (resource, user) pair (404). */
export function grantNotFound(kind: GrantKind, resource: string, username: string): MlflowError {
  return new MlflowError(
    "RESOURCE_DOES_NOT_EXIST",
    kind === "experiment"
      ? `Experiment permission with experiment_id=${resource} and username=${username} not found`
      : `Registered model permission with name=${resource} and username=${username} not found`,
  );
}

/**
 * No such token for this user (404). The id is quoted only when it has a token id's shape, so a
 * secret pasted in by mistake is never echoed.
 */
export function tokenNotFound(tokenId: string): MlflowError {
  const shown = /^[A-Za-z0-9_-]{16}$/.test(tokenId) ? ` with id=${tokenId}` : "";
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `API token${shown} not found`);
}

/** Too many tokens for one user (400). */
export function tooManyTokens(max: number): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `A user may hold at most ${max} API tokens; revoke one first`,
  );
}
