/**
 * Input rules of the auth store, shared by both backends so their messages agree. Where MLflow's
 * basic-auth app has a message (mlflow-auth-traffic.md §4), it is used verbatim.
 *
 * @module
 */
import { invalidParam } from "../errors.ts";
import { isPermission, MIN_PASSWORD_LENGTH, type Permission, PERMISSIONS } from "./types.ts";

/** Longest username, in characters (MLflow's column is 255 wide); keeps KV keys well under 2 KiB. */
export const MAX_USERNAME_LENGTH = 255;

/** Longest password, in characters: PBKDF2 handles any length, this only bounds request work. */
export const MAX_PASSWORD_LENGTH = 4096;

/** Longest experiment id or registered-model name a grant may name (MLflow's name column is 256). */
export const MAX_GRANT_RESOURCE_LENGTH = 256;

/** Longest API-token label, in characters. */
export const MAX_TOKEN_NAME_LENGTH = 100;

/** Most API tokens one user may hold at a time. */
export const MAX_TOKENS_PER_USER = 100;

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a username: non-empty (MLflow's `Username cannot be empty.`), at most
 * {@linkcode MAX_USERNAME_LENGTH} characters, no control characters and no `:` (HTTP Basic splits
 * user and password at the first colon, so such a name could never log in).
 */
export function validateUsername(username: unknown): string {
  if (typeof username !== "string" || username === "") {
    throw invalidParam("Username cannot be empty.");
  }
  if (username.length > MAX_USERNAME_LENGTH) {
    throw invalidParam(`Username must be at most ${MAX_USERNAME_LENGTH} characters`);
  }
  if (CONTROL.test(username) || username.includes(":")) {
    throw invalidParam("Username must not contain ':' or control characters");
  }
  return username;
}

/**
 * Checks a new password: MLflow 3's `len < 12` rule and its message, plus an upper bound. The
 * message never quotes the password.
 */
export function validatePassword(password: unknown): string {
  if (typeof password !== "string" || password.length < MIN_PASSWORD_LENGTH) {
    throw invalidParam(
      `Password must be a string longer than ${MIN_PASSWORD_LENGTH} characters.`,
    );
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw invalidParam(`Password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  return password;
}

/** Checks an admin flag: a boolean, never a string such as `"false"` (MLflow answers 400 too). */
export function validateIsAdmin(isAdmin: unknown): boolean {
  if (typeof isAdmin !== "boolean") throw invalidParam("is_admin must be a boolean");
  return isAdmin;
}

/** Checks a permission name with MLflow's exact message. */
export function validatePermission(permission: unknown): Permission {
  if (isPermission(permission)) return permission;
  const valid = PERMISSIONS.map((p) => `'${p}'`).join(", ");
  throw invalidParam(`Invalid permission '${permission}'. Valid permissions are: (${valid})`);
}

/** Checks an experiment id or model name used as a grant's resource (`what` names it). */
export function validateGrantResource(what: "experiment_id" | "name", value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw invalidParam(`Missing value for required parameter '${what}'`);
  }
  if (value.length > MAX_GRANT_RESOURCE_LENGTH) {
    throw invalidParam(`'${what}' must be at most ${MAX_GRANT_RESOURCE_LENGTH} characters`);
  }
  return value;
}

/** Checks an API token's label: 1–{@linkcode MAX_TOKEN_NAME_LENGTH} characters, no control characters. */
export function validateTokenName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw invalidParam("Token name cannot be empty");
  }
  if (name.length > MAX_TOKEN_NAME_LENGTH || CONTROL.test(name)) {
    throw invalidParam(
      `Token name must be at most ${MAX_TOKEN_NAME_LENGTH} characters, without control characters`,
    );
  }
  return name;
}

/** Checks a token expiry: an epoch-ms integer in the future (`now` is the store's clock). */
export function validateExpiry(expiresAt: unknown, now: number): number | undefined {
  if (expiresAt === undefined) return undefined;
  if (typeof expiresAt !== "number" || !Number.isSafeInteger(expiresAt) || expiresAt <= now) {
    throw invalidParam("Token expiry must be a time in the future (epoch milliseconds)");
  }
  return expiresAt;
}

/** Checks a `maxResults` for `listUsers`: 1–1000, default 1000. */
export function validateMaxResults(maxResults: unknown): number {
  if (maxResults === undefined) return 1000;
  if (
    typeof maxResults !== "number" || !Number.isSafeInteger(maxResults) || maxResults < 1 ||
    maxResults > 1000
  ) {
    throw invalidParam("max_results must be an integer between 1 and 1000");
  }
  return maxResults;
}

/** Checks a duration (a session lifetime, a failed-login window): a positive integer of ms. */
export function validateDuration(what: string, ms: unknown): number {
  if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms <= 0) {
    throw invalidParam(`${what} must be a positive number of milliseconds`);
  }
  return ms;
}
