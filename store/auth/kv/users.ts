/**
 * Users in KV: creation with a unique name and an atomically allocated id, password checks,
 * password and admin updates, and deletion with everything the user held.
 *
 * @module
 */
import { RETRY, withRetry } from "../../kv/retry.ts";
import { decodePageToken, encodePageToken } from "../../page_token.ts";
import { invalidParam } from "../../errors.ts";
import { userExists } from "../messages.ts";
import {
  dummyPasswordHash,
  hashPassword,
  isPasswordHash,
  verifyPasswordHash,
} from "../password.ts";
import type { AuthStore, User, UserWithPermissions } from "../types.ts";
import {
  MAX_PASSWORD_LENGTH,
  MAX_USERNAME_LENGTH,
  validateIsAdmin,
  validateMaxResults,
  validatePassword,
  validateUsername,
} from "../validation.ts";
import {
  type Ctx,
  deleteKeys,
  getManyBatched,
  mustUser,
  publicUser,
  readUserByName,
  type UserRec,
} from "./_ctx.ts";
import { type GrantPointer, readUserGrants } from "./grants.ts";
import {
  grantKey,
  grantsByUserPrefix,
  sessionKey,
  sessionsByUserPrefix,
  tokenKey,
  tokensByUserPrefix,
  userByNameKey,
  userKey,
  usersByNamePrefix,
  userSeqKey,
} from "./keys.ts";

type UserMethods = Pick<
  AuthStore,
  | "createUser"
  | "createUserWithHash"
  | "getPasswordHash"
  | "getUser"
  | "getUserById"
  | "credentialEpoch"
  | "listUsers"
  | "verifyPassword"
  | "updatePassword"
  | "updateAdmin"
  | "deleteUser"
>;

/** The user methods of the KV auth store. */
export function kvUsers(ctx: Ctx): UserMethods {
  const { kv } = ctx;
  async function insertUser(username: string, password_hash: string, isAdmin: boolean) {
    return await withRetry("create a user", async () => {
      const [seq, name] = await kv.getMany<[number, number]>([
        userSeqKey(),
        userByNameKey(username),
      ]);
      if (name.value !== null) throw userExists(username);
      const id = (seq.value ?? 0) + 1;
      const rec: UserRec = {
        id,
        username,
        is_admin: isAdmin,
        password_hash,
        epoch: 0,
        next_grant_seq: 1,
      };
      const res = await kv.atomic()
        .check(seq, name)
        .set(userSeqKey(), id)
        .set(userKey(id), rec)
        .set(userByNameKey(username), id)
        .commit();
      return res.ok ? publicUser(rec) : RETRY;
    });
  }

  return {
    async createUser(username, password, isAdmin) {
      validateUsername(username);
      validatePassword(password);
      validateIsAdmin(isAdmin);
      if (await readUserByName(kv, username)) throw userExists(username);
      return await insertUser(username, await hashPassword(password, ctx.iterations), isAdmin);
    },

    async createUserWithHash(username, passwordHash, isAdmin) {
      validateUsername(username);
      validateIsAdmin(isAdmin);
      if (!isPasswordHash(passwordHash)) throw invalidParam("Not a kvflow password hash");
      return await insertUser(username, passwordHash, isAdmin);
    },

    async getPasswordHash(username) {
      return (await mustUser(ctx, username)).value.password_hash;
    },

    async getUser(username) {
      const u = await mustUser(ctx, username);
      const grants = await readUserGrants(ctx, u.value.id);
      const out: UserWithPermissions = {
        ...publicUser(u.value),
        experiment_permissions: [],
        registered_model_permissions: [],
      };
      for (const g of grants) {
        if (g.kind === "experiment") {
          out.experiment_permissions.push({
            experiment_id: g.resource,
            user_id: u.value.id,
            permission: g.permission,
          });
        } else {
          out.registered_model_permissions.push({
            name: g.resource,
            user_id: u.value.id,
            permission: g.permission,
          });
        }
      }
      return out;
    },

    async getUserById(id) {
      if (!Number.isSafeInteger(id)) return null;
      const u = await kv.get<UserRec>(userKey(id));
      return u.value ? publicUser(u.value) : null;
    },

    async credentialEpoch(userId) {
      if (!Number.isSafeInteger(userId)) return null;
      return (await kv.get<UserRec>(userKey(userId))).value?.epoch ?? null;
    },

    async listUsers(opts = {}) {
      const max = validateMaxResults(opts.maxResults);
      const after = decodePageToken(opts.pageToken).cursor?.[0];
      const selector: Deno.KvListSelector = typeof after === "string"
        ? { prefix: usersByNamePrefix(), start: [...usersByNamePrefix(), after, 0] }
        : { prefix: usersByNamePrefix() };
      const ids: number[] = [];
      for await (const e of kv.list<number>(selector, { limit: max + 1 })) ids.push(e.value);
      const recs = await getManyBatched<UserRec>(kv, ids.slice(0, max).map(userKey));
      const users: User[] = recs.flatMap((r) => r.value ? [publicUser(r.value)] : []);
      return {
        users,
        ...(ids.length > max && users.length > 0 && {
          nextPageToken: encodePageToken({ cursor: [users[users.length - 1].username] }),
        }),
      };
    },

    async verifyPassword(username, password) {
      // Too long to be anyone's password: refused at once, the same for every name.
      if (typeof password !== "string" || password.length > MAX_PASSWORD_LENGTH) return null;
      const u =
        typeof username === "string" && username !== "" && username.length <= MAX_USERNAME_LENGTH
          ? await readUserByName(kv, username)
          : null;
      if (!u) {
        await verifyPasswordHash(password, await (ctx.dummy ??= dummyPasswordHash(ctx.iterations)));
        return null;
      }
      return await verifyPasswordHash(password, u.value.password_hash) ? publicUser(u.value) : null;
    },

    async updatePassword(username, password) {
      await mustUser(ctx, username);
      validatePassword(password);
      const password_hash = await hashPassword(password, ctx.iterations);
      await withRetry("update a password", async () => {
        const u = await mustUser(ctx, username);
        const next: UserRec = { ...u.value, password_hash, epoch: u.value.epoch + 1 };
        const res = await kv.atomic().check(u).set(userKey(u.value.id), next).commit();
        return res.ok ? undefined : RETRY;
      });
    },

    async updateAdmin(username, isAdmin) {
      validateIsAdmin(isAdmin);
      await withRetry("update a user", async () => {
        const u = await mustUser(ctx, username);
        const next: UserRec = { ...u.value, is_admin: isAdmin };
        const res = await kv.atomic().check(u).set(userKey(u.value.id), next).commit();
        return res.ok ? undefined : RETRY;
      });
    },

    async deleteUser(username) {
      const id = await withRetry("delete a user", async () => {
        const u = await mustUser(ctx, username);
        const name = await kv.get<number>(userByNameKey(username));
        const res = await kv.atomic()
          .check(u, name)
          .delete(userKey(u.value.id))
          .delete(userByNameKey(username))
          .commit();
        return res.ok ? u.value.id : RETRY;
      });
      // The user is gone, so whatever follows is dead already (ids are never reused and every
      // lookup goes through the user record); this only frees the space, a page at a time.
      await dropUserData(ctx, id);
    },
  };
}

/** Deletes a deleted user's grants, tokens and sessions (primaries and pointers), in pages. */
async function dropUserData(ctx: Ctx, userId: number): Promise<void> {
  const { kv } = ctx;
  for (;;) {
    const keys: Deno.KvKey[] = [];
    for await (
      const e of kv.list<GrantPointer>(
        { prefix: grantsByUserPrefix(userId) },
        { limit: 100 },
      )
    ) {
      keys.push(e.key, grantKey(e.value.kind, e.value.resource, userId));
    }
    for await (const e of kv.list<string>({ prefix: tokensByUserPrefix(userId) }, { limit: 100 })) {
      keys.push(e.key, tokenKey(e.value));
    }
    for await (const e of kv.list({ prefix: sessionsByUserPrefix(userId) }, { limit: 100 })) {
      keys.push(e.key, sessionKey(e.key[e.key.length - 1] as string));
    }
    if (keys.length === 0) return;
    await deleteKeys(kv, keys);
  }
}
