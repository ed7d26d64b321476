/**
 * What the user, permission and token handlers read from the request context. These routes are
 * mounted only with auth, after the auth middleware, so both values are always set there.
 *
 * @module
 */
import type { Context } from "hono";
import type { AuthStore, User } from "../../store/auth/types.ts";
import type { AppEnv } from "../app_env.ts";

/** The auth store of the running app. */
export function authStore(c: Context<AppEnv>): AuthStore {
  return c.var.auth!.store;
}

/** The authenticated caller. */
export function caller(c: Context<AppEnv>): User {
  return c.var.user!;
}
