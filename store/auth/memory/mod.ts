/**
 * The in-memory auth store: Maps, for tests and `--store memory`. It behaves as the KV backend
 * does (the conformance suite in tests/conformance/auth/ runs on both); being one process, it
 * needs no retries, only care that no `await` sits between a check and the write it guards.
 *
 * @module
 */
import { MlflowError } from "../../errors.ts";
import { decodePageToken, encodePageToken } from "../../page_token.ts";
import {
  grantExists,
  type GrantKind,
  grantNotFound,
  tokenNotFound,
  tooManyTokens,
  userExists,
  userNotFound,
} from "../messages.ts";
import { dummyPasswordHash, hashPassword, verifyPasswordHash } from "../password.ts";
import {
  digestSecret,
  looksLikeApiToken,
  looksLikeSessionId,
  newApiToken,
  newCsrfToken,
  newSessionId,
  newTokenId,
} from "../secrets.ts";
import {
  type ApiToken,
  type AuthStore,
  type AuthStoreOptions,
  DEFAULT_PBKDF2_ITERATIONS,
  type FailedLogins,
  type Grant,
  type Permission,
  type Session,
  TOKEN_LAST_USED_EVERY_MS,
  type User,
  type UserWithPermissions,
} from "../types.ts";
import {
  MAX_TOKENS_PER_USER,
  validateDuration,
  validateExpiry,
  validateGrantResource,
  validateMaxResults,
  validatePassword,
  validatePermission,
  validateTokenName,
  validateUsername,
} from "../validation.ts";
import { compareUtf8, failedLoginKey } from "../shared.ts";

interface UserRec extends User {
  password_hash: string;
  /** Bumped by a password change; a session made under an older epoch is dead. */
  epoch: number;
  /** Grants in insertion order: seq → (kind, resource). */
  grants: Map<number, { kind: GrantKind; resource: string }>;
  nextGrantSeq: number;
}

interface GrantRec {
  permission: Permission;
  seq: number;
}

interface SessionRec extends Omit<Session, "id"> {
  epoch: number;
}

const publicUser = (u: UserRec): User => ({ id: u.id, username: u.username, is_admin: u.is_admin });
const grantKey = (kind: GrantKind, resource: string, userId: number) =>
  JSON.stringify([kind, resource, userId]);

/**
 * Creates an empty in-memory auth store.
 * @example
 * ```ts
 * const auth = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
 * await auth.createUser("admin", "a long password", true);
 * ```
 */
export function createMemoryAuthStore(opts: AuthStoreOptions = {}): AuthStore {
  const iterations = opts.pbkdf2Iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  const now = opts.now ?? Date.now;
  const users = new Map<number, UserRec>();
  const byName = new Map<string, number>();
  let nextUserId = 1;
  const grants = new Map<string, GrantRec>();
  const tokens = new Map<string, ApiToken>();
  const sessions = new Map<string, SessionRec>();
  const failed = new Map<string, FailedLogins>();
  let dummy: Promise<string> | undefined;

  const findUser = (username: string): UserRec | undefined => {
    const id = byName.get(username);
    return id === undefined ? undefined : users.get(id);
  };
  const mustUser = (username: string): UserRec => {
    const u = findUser(validateUsername(username));
    if (!u) throw userNotFound(username);
    return u;
  };

  const createGrant = (kind: GrantKind, resource: string, username: string, p: Permission) => {
    validateGrantResource(kind === "experiment" ? "experiment_id" : "name", resource);
    const permission = validatePermission(p);
    const u = mustUser(username);
    const key = grantKey(kind, resource, u.id);
    if (grants.has(key)) throw grantExists(kind, resource, username);
    const seq = u.nextGrantSeq++;
    grants.set(key, { permission, seq });
    u.grants.set(seq, { kind, resource });
    return { user_id: u.id, permission };
  };
  const mustGrant = (kind: GrantKind, resource: string, username: string) => {
    validateGrantResource(kind === "experiment" ? "experiment_id" : "name", resource);
    const u = mustUser(username);
    const key = grantKey(kind, resource, u.id);
    const g = grants.get(key);
    if (!g) throw grantNotFound(kind, resource, username);
    return { u, key, g };
  };
  const dropGrant = (key: string, userId: number, seq: number) => {
    grants.delete(key);
    users.get(userId)?.grants.delete(seq);
  };
  const listGrants = (kind: GrantKind, resource: string): Grant[] => {
    validateGrantResource(kind === "experiment" ? "experiment_id" : "name", resource);
    const out: Grant[] = [];
    for (const [key, g] of grants) {
      const [k, r, userId] = JSON.parse(key) as [GrantKind, string, number];
      const u = k === kind && r === resource ? users.get(userId) : undefined;
      if (u) out.push({ username: u.username, user_id: u.id, permission: g.permission });
    }
    return out.sort((a, b) => compareUtf8(a.username, b.username));
  };
  const modelGrantsOf = (name: string) =>
    [...grants].filter(([key]) => {
      const [k, r] = JSON.parse(key) as [GrantKind, string];
      return k === "registered_model" && r === name;
    });

  const store: AuthStore = {
    async createUser(username, password, isAdmin) {
      validateUsername(username);
      validatePassword(password);
      if (typeof isAdmin !== "boolean") {
        throw new MlflowError("INVALID_PARAMETER_VALUE", "is_admin must be a boolean");
      }
      if (findUser(username)) throw userExists(username);
      const hash = await hashPassword(password, iterations);
      if (findUser(username)) throw userExists(username);
      const u: UserRec = {
        id: nextUserId++,
        username,
        is_admin: isAdmin,
        password_hash: hash,
        epoch: 0,
        grants: new Map(),
        nextGrantSeq: 1,
      };
      users.set(u.id, u);
      byName.set(username, u.id);
      return publicUser(u);
    },

    getUser(username) {
      try {
        const u = mustUser(username);
        const out: UserWithPermissions = {
          ...publicUser(u),
          experiment_permissions: [],
          registered_model_permissions: [],
        };
        for (const { kind, resource } of u.grants.values()) {
          const g = grants.get(grantKey(kind, resource, u.id));
          if (!g) continue;
          if (kind === "experiment") {
            out.experiment_permissions.push({
              experiment_id: resource,
              user_id: u.id,
              permission: g.permission,
            });
          } else {
            out.registered_model_permissions.push({
              name: resource,
              user_id: u.id,
              permission: g.permission,
            });
          }
        }
        return Promise.resolve(out);
      } catch (e) {
        return Promise.reject(e);
      }
    },

    getUserById(id) {
      const u = users.get(id);
      return Promise.resolve(u ? publicUser(u) : null);
    },

    credentialEpoch(userId) {
      return Promise.resolve(users.get(userId)?.epoch ?? null);
    },

    listUsers(o = {}) {
      try {
        const max = validateMaxResults(o.maxResults);
        const after = decodePageToken(o.pageToken).cursor?.[0];
        const names = [...byName.keys()].sort(compareUtf8)
          .filter((n) => typeof after !== "string" || compareUtf8(n, after) > 0);
        const page = names.slice(0, max).map((n) => publicUser(findUser(n)!));
        return Promise.resolve({
          users: page,
          ...(names.length > max && {
            nextPageToken: encodePageToken({ cursor: [page[page.length - 1].username] }),
          }),
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },

    async verifyPassword(username, password) {
      const u = typeof username === "string" ? findUser(username) : undefined;
      if (typeof password !== "string") return null;
      if (!u) {
        await verifyPasswordHash(password, await (dummy ??= dummyPasswordHash(iterations)));
        return null;
      }
      const ok = await verifyPasswordHash(password, u.password_hash);
      // The user may have been deleted or re-created while we hashed.
      return ok && users.get(u.id) === u ? publicUser(u) : null;
    },

    async updatePassword(username, password) {
      mustUser(username);
      validatePassword(password);
      const hash = await hashPassword(password, iterations);
      const u = mustUser(username);
      u.password_hash = hash;
      u.epoch++;
    },

    updateAdmin(username, isAdmin) {
      try {
        if (typeof isAdmin !== "boolean") {
          throw new MlflowError("INVALID_PARAMETER_VALUE", "is_admin must be a boolean");
        }
        mustUser(username).is_admin = isAdmin;
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },

    deleteUser(username) {
      try {
        const u = mustUser(username);
        users.delete(u.id);
        byName.delete(username);
        for (const { kind, resource } of u.grants.values()) {
          grants.delete(grantKey(kind, resource, u.id));
        }
        for (const [d, t] of tokens) if (t.user_id === u.id) tokens.delete(d);
        for (const [d, s] of sessions) if (s.user_id === u.id) sessions.delete(d);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },

    createExperimentPermission(experimentId, username, permission) {
      try {
        const g = createGrant("experiment", experimentId, username, permission);
        return Promise.resolve({ experiment_id: experimentId, ...g });
      } catch (e) {
        return Promise.reject(e);
      }
    },
    getExperimentPermission(experimentId, username) {
      try {
        const { u, g } = mustGrant("experiment", experimentId, username);
        return Promise.resolve({
          experiment_id: experimentId,
          user_id: u.id,
          permission: g.permission,
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },
    findExperimentPermission(experimentId, userId) {
      return Promise.resolve(
        grants.get(grantKey("experiment", experimentId, userId))?.permission ?? null,
      );
    },
    updateExperimentPermission(experimentId, username, permission) {
      try {
        const p = validatePermission(permission);
        mustGrant("experiment", experimentId, username).g.permission = p;
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    deleteExperimentPermission(experimentId, username) {
      try {
        const { u, key, g } = mustGrant("experiment", experimentId, username);
        dropGrant(key, u.id, g.seq);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    listExperimentGrants(experimentId) {
      try {
        return Promise.resolve(listGrants("experiment", experimentId));
      } catch (e) {
        return Promise.reject(e);
      }
    },

    createRegisteredModelPermission(name, username, permission) {
      try {
        const g = createGrant("registered_model", name, username, permission);
        return Promise.resolve({ name, ...g });
      } catch (e) {
        return Promise.reject(e);
      }
    },
    getRegisteredModelPermission(name, username) {
      try {
        const { u, g } = mustGrant("registered_model", name, username);
        return Promise.resolve({ name, user_id: u.id, permission: g.permission });
      } catch (e) {
        return Promise.reject(e);
      }
    },
    findRegisteredModelPermission(name, userId) {
      return Promise.resolve(
        grants.get(grantKey("registered_model", name, userId))?.permission ?? null,
      );
    },
    updateRegisteredModelPermission(name, username, permission) {
      try {
        const p = validatePermission(permission);
        mustGrant("registered_model", name, username).g.permission = p;
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    deleteRegisteredModelPermission(name, username) {
      try {
        const { u, key, g } = mustGrant("registered_model", name, username);
        dropGrant(key, u.id, g.seq);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    listRegisteredModelGrants(name) {
      try {
        return Promise.resolve(listGrants("registered_model", name));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    renameRegisteredModelGrants(oldName, newName) {
      try {
        validateGrantResource("name", oldName);
        validateGrantResource("name", newName);
        if (oldName === newName) return Promise.resolve();
        for (const [key, g] of modelGrantsOf(newName)) {
          dropGrant(key, (JSON.parse(key) as [GrantKind, string, number])[2], g.seq);
        }
        for (const [key, g] of modelGrantsOf(oldName)) {
          const userId = (JSON.parse(key) as [GrantKind, string, number])[2];
          grants.delete(key);
          grants.set(grantKey("registered_model", newName, userId), g);
          users.get(userId)?.grants.set(g.seq, { kind: "registered_model", resource: newName });
        }
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    deleteRegisteredModelGrants(name) {
      try {
        validateGrantResource("name", name);
        for (const [key, g] of modelGrantsOf(name)) {
          dropGrant(key, (JSON.parse(key) as [GrantKind, string, number])[2], g.seq);
        }
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },

    async createToken(username, name, expiresAt) {
      validateUsername(username);
      validateTokenName(name);
      const t = now();
      validateExpiry(expiresAt, t);
      const u = mustUser(username);
      const held = [...tokens.values()].filter((r) => r.user_id === u.id).length;
      if (held >= MAX_TOKENS_PER_USER) throw tooManyTokens(MAX_TOKENS_PER_USER);
      const token = newApiToken();
      const record: ApiToken = {
        id: newTokenId(),
        name,
        user_id: u.id,
        created_at: t,
        ...(expiresAt !== undefined && { expires_at: expiresAt }),
      };
      const digest = await digestSecret(token);
      if (users.get(u.id) !== u) throw userNotFound(username);
      tokens.set(digest, record);
      return { token, record: { ...record } };
    },
    listTokens(username) {
      try {
        const u = mustUser(username);
        const list = [...tokens.values()].filter((r) => r.user_id === u.id)
          .map((r) => ({ ...r }))
          .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
        return Promise.resolve(list);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    revokeToken(username, tokenId) {
      try {
        const u = mustUser(username);
        for (const [d, r] of tokens) {
          if (r.user_id === u.id && r.id === tokenId) {
            tokens.delete(d);
            return Promise.resolve();
          }
        }
        throw tokenNotFound(String(tokenId));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    async verifyToken(secret) {
      if (typeof secret !== "string" || !looksLikeApiToken(secret)) return null;
      const r = tokens.get(await digestSecret(secret));
      const t = now();
      if (!r || (r.expires_at !== undefined && r.expires_at <= t)) return null;
      const u = users.get(r.user_id);
      if (!u) return null;
      if (r.last_used_at === undefined || t - r.last_used_at >= TOKEN_LAST_USED_EVERY_MS) {
        r.last_used_at = t;
      }
      return publicUser(u);
    },

    async createSession(userId, ttlMs) {
      validateDuration("Session lifetime", ttlMs);
      const id = newSessionId();
      const digest = await digestSecret(id);
      const u = users.get(userId);
      if (!u) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `User with id=${userId} not found`);
      const t = now();
      const rec: SessionRec = {
        user_id: userId,
        csrf_token: newCsrfToken(),
        created_at: t,
        expires_at: t + ttlMs,
        epoch: u.epoch,
      };
      sessions.set(digest, rec);
      const { epoch: _, ...pub } = rec;
      return { id, ...pub };
    },
    async getSession(id) {
      if (typeof id !== "string" || !looksLikeSessionId(id)) return null;
      const digest = await digestSecret(id);
      const s = sessions.get(digest);
      if (!s) return null;
      const u = users.get(s.user_id);
      if (s.expires_at <= now() || !u || u.epoch !== s.epoch) {
        sessions.delete(digest);
        return null;
      }
      const { epoch: _, ...pub } = s;
      return { ...pub };
    },
    async deleteSession(id) {
      if (typeof id !== "string" || !looksLikeSessionId(id)) return;
      sessions.delete(await digestSecret(id));
    },

    async recordFailedLogin(key, windowMs) {
      validateDuration("Failed-login window", windowMs);
      const k = await failedLoginKey(key);
      const t = now();
      const cur = failed.get(k);
      const next = cur && cur.resets_at > t
        ? { count: cur.count + 1, resets_at: cur.resets_at }
        : { count: 1, resets_at: t + windowMs };
      failed.set(k, next);
      return { ...next };
    },
    async failedLogins(key) {
      const cur = failed.get(await failedLoginKey(key));
      return cur && cur.resets_at > now() ? { ...cur } : { count: 0, resets_at: 0 };
    },
    async clearFailedLogins(key) {
      failed.delete(await failedLoginKey(key));
    },
  };
  return store;
}
