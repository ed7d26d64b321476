/**
 * kvflow's API tokens (issue 11 §3): the caller creates, lists and revokes their own tokens. The
 * secret is in the create reply only; lists show the records. A token works as
 * `Authorization: Bearer <token>` (`MLFLOW_TRACKING_TOKEN`) and as a Basic password.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { ApiToken } from "../../store/auth/types.ts";
import type { Handler } from "../app_env.ts";
import { jsonify } from "../jsonify.ts";
import { EmptySchema } from "../schemas/common.ts";
import { authRoute } from "./route.ts";
import {
  CreateTokenRequest,
  CreateTokenResponse,
  ListTokensResponse,
  RevokeTokenRequest,
} from "./schemas.ts";
import { authStore, caller } from "./context.ts";

const T = "/users/tokens";

/** `POST users/tokens/create {name, expires_at?}` → `{token, api_token}`. */
export const create = authRoute({
  operationId: "createApiToken",
  method: "post",
  path: `${T}/create`,
  summary: "Create an API token",
  description: "kvflow extension: creates an API token for the caller, optionally expiring at " +
    "`expires_at` (epoch ms). The secret is in this reply only; the server keeps only its " +
    "SHA-256 digest. Send it as `Authorization: Bearer <token>` (`MLFLOW_TRACKING_TOKEN`) or " +
    "as the caller's Basic password.",
  args: CreateTokenRequest,
  reply: CreateTokenResponse,
  replyDescription: "The secret and the token's record",
});

/** `GET users/tokens/list` → `{"api_tokens": […]}`. */
export const list = authRoute({
  operationId: "listApiTokens",
  method: "get",
  path: `${T}/list`,
  summary: "List the caller's API tokens",
  description: "kvflow extension: the caller's API tokens, newest first, without their secrets.",
  args: z.object({}),
  reply: ListTokensResponse,
  replyDescription: "The tokens",
});

/** `DELETE users/tokens/revoke {id}` → `{}`. */
export const revoke = authRoute({
  operationId: "revokeApiToken",
  method: "delete",
  path: `${T}/revoke`,
  summary: "Revoke an API token",
  description:
    "kvflow extension: revokes one of the caller's API tokens; requests with it get 401 " +
    "from then on (within `--auth-cache-ttl` in other processes).",
  args: RevokeTokenRequest,
  reply: EmptySchema,
  replyDescription: "Revoked",
});

/** A token's record with only its public fields. */
function tokenBody(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    user_id: t.user_id,
    created_at: t.created_at,
    expires_at: t.expires_at,
    last_used_at: t.last_used_at,
  };
}

/** Creates a token for the caller; the reply is the only place the secret appears. */
export const createHandler: Handler<typeof create> = async (c) => {
  const { name, expires_at } = c.req.valid("json");
  const { token, record } = await authStore(c).createToken(caller(c).username, name, expires_at);
  return jsonify(c, { token, api_token: tokenBody(record) }, 200);
};

/** Lists the caller's tokens. */
export const listHandler: Handler<typeof list> = async (c) => {
  const tokens = await authStore(c).listTokens(caller(c).username);
  return jsonify(c, { api_tokens: tokens.map(tokenBody) }, 200);
};

/** Revokes one of the caller's tokens (404 for anyone else's). */
export const revokeHandler: Handler<typeof revoke> = async (c) => {
  await authStore(c).revokeToken(caller(c).username, c.req.valid("json").id);
  return jsonify(c, {}, 200);
};
