/** The in-memory store's user methods. */
import { decodePageToken, encodePageToken } from "../../page_token.ts";
import { userExists } from "../messages.ts";
import {
  dummyPasswordHash,
  hashPassword,
  isPasswordHash,
  verifyPasswordHash,
} from "../password.ts";
import { invalidParam } from "../../errors.ts";
import { compareUtf8 } from "../shared.ts";
import type { AuthStore, UserWithPermissions } from "../types.ts";
import {
  MAX_PASSWORD_LENGTH,
  validateIsAdmin,
  validateMaxResults,
  validatePassword,
  validateUsername,
} from "../validation.ts";
import {
  findUser,
  grantKey,
  lift,
  mustUser,
  publicUser,
  type State,
  type UserRec,
} from "./_state.ts";

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

/** The user methods over one state. */
export function memoryUsers(s: State): UserMethods {
  function insertUser(username: string, hash: string, isAdmin: boolean) {
    if (findUser(s, username)) throw userExists(username);
    const u: UserRec = {
      id: s.nextUserId++,
      username,
      is_admin: isAdmin,
      password_hash: hash,
      epoch: 0,
      grants: new Map(),
      nextGrantSeq: 1,
    };
    s.users.set(u.id, u);
    s.byName.set(username, u.id);
    return publicUser(u);
  }
  return {
    async createUser(username, password, isAdmin) {
      validateUsername(username);
      validatePassword(password);
      validateIsAdmin(isAdmin);
      if (findUser(s, username)) throw userExists(username);
      const hash = await hashPassword(password, s.iterations);
      return insertUser(username, hash, isAdmin);
    },
    createUserWithHash: lift((username: string, passwordHash: string, isAdmin: boolean) => {
      validateUsername(username);
      validateIsAdmin(isAdmin);
      if (!isPasswordHash(passwordHash)) throw invalidParam("Not a kvflow password hash");
      return insertUser(username, passwordHash, isAdmin);
    }),
    getPasswordHash: lift((username: string) => mustUser(s, username).password_hash),

    getUser: lift((username: string) => {
      const u = mustUser(s, username);
      const out: UserWithPermissions = {
        ...publicUser(u),
        experiment_permissions: [],
        registered_model_permissions: [],
      };
      for (const { kind, resource } of u.grants.values()) {
        const g = s.grants.get(grantKey(kind, resource, u.id));
        if (!g) continue;
        const common = { user_id: u.id, permission: g.permission };
        if (kind === "experiment") {
          out.experiment_permissions.push({ experiment_id: resource, ...common });
        } else {
          out.registered_model_permissions.push({ name: resource, ...common });
        }
      }
      return out;
    }),

    getUserById: lift((id: number) => {
      const u = s.users.get(id);
      return u ? publicUser(u) : null;
    }),

    credentialEpoch: lift((userId: number) => s.users.get(userId)?.epoch ?? null),

    listUsers: lift((o: { maxResults?: number; pageToken?: string } = {}) => {
      const max = validateMaxResults(o.maxResults);
      const after = decodePageToken(o.pageToken).cursor?.[0];
      const names = [...s.byName.keys()].sort(compareUtf8)
        .filter((n) => typeof after !== "string" || compareUtf8(n, after) > 0);
      const users = names.slice(0, max).map((n) => publicUser(findUser(s, n)!));
      return {
        users,
        ...(names.length > max && {
          nextPageToken: encodePageToken({ cursor: [users[users.length - 1].username] }),
        }),
      };
    }),

    async verifyPassword(username, password) {
      const u = typeof username === "string" ? findUser(s, username) : undefined;
      // Too long to be anyone's password: refused at once, the same for every name.
      if (typeof password !== "string" || password.length > MAX_PASSWORD_LENGTH) return null;
      if (!u) {
        await verifyPasswordHash(password, await (s.dummy ??= dummyPasswordHash(s.iterations)));
        return null;
      }
      const ok = await verifyPasswordHash(password, u.password_hash);
      // The user may have been deleted or re-created while we hashed.
      return ok && s.users.get(u.id) === u ? publicUser(u) : null;
    },

    async updatePassword(username, password) {
      mustUser(s, username);
      validatePassword(password);
      const hash = await hashPassword(password, s.iterations);
      const u = mustUser(s, username);
      u.password_hash = hash;
      u.epoch++;
    },

    updateAdmin: lift((username: string, isAdmin: boolean) => {
      validateIsAdmin(isAdmin);
      mustUser(s, username).is_admin = isAdmin;
    }),

    deleteUser: lift((username: string) => {
      const u = mustUser(s, username);
      s.users.delete(u.id);
      s.byName.delete(username);
      for (const { kind, resource } of u.grants.values()) {
        s.grants.delete(grantKey(kind, resource, u.id));
      }
      for (const [d, t] of s.tokens) if (t.user_id === u.id) s.tokens.delete(d);
      for (const [d, x] of s.sessions) if (x.user_id === u.id) s.sessions.delete(d);
    }),
  };
}
