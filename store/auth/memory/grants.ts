/** The in-memory store's grant methods, one set per kind of resource. */
import type { GrantOps } from "../grant_methods.ts";
import { grantExists, type GrantKind, grantNotFound } from "../messages.ts";
import { compareUtf8 } from "../shared.ts";
import type { Grant, Permission } from "../types.ts";
import { validateGrantResource, validatePermission } from "../validation.ts";
import { grantKey, lift, mustUser, parseGrantKey, type State } from "./_state.ts";

/** Grants of one kind over one state. */
export function memoryGrants(s: State, kind: GrantKind): GrantOps {
  const check = (resource: string) =>
    validateGrantResource(kind === "experiment" ? "experiment_id" : "name", resource);

  const mustGrant = (resource: string, username: string) => {
    check(resource);
    const u = mustUser(s, username);
    const key = grantKey(kind, resource, u.id);
    const g = s.grants.get(key);
    if (!g) throw grantNotFound(kind, resource, username);
    return { u, key, g };
  };
  const drop = (key: string, seq: number) => {
    s.grants.delete(key);
    s.users.get(parseGrantKey(key)[2])?.grants.delete(seq);
  };
  const grantsOn = (resource: string) =>
    [...s.grants].filter(([key]) => {
      const [k, r] = parseGrantKey(key);
      return k === kind && r === resource;
    });

  return {
    create: lift((resource: string, username: string, permission: Permission) => {
      check(resource);
      const p = validatePermission(permission);
      const u = mustUser(s, username);
      const key = grantKey(kind, resource, u.id);
      if (s.grants.has(key)) throw grantExists(kind, resource, username);
      const seq = u.nextGrantSeq++;
      s.grants.set(key, { permission: p, seq });
      u.grants.set(seq, { kind, resource });
      return u.id;
    }),
    get: lift((resource: string, username: string) => {
      const { u, g } = mustGrant(resource, username);
      return { userId: u.id, permission: g.permission };
    }),
    find: lift((resource: string, userId: number) =>
      s.grants.get(grantKey(kind, resource, userId))?.permission ?? null
    ),
    update: lift((resource: string, username: string, permission: Permission) => {
      const p = validatePermission(permission);
      mustGrant(resource, username).g.permission = p;
    }),
    remove: lift((resource: string, username: string) => {
      const { key, g } = mustGrant(resource, username);
      drop(key, g.seq);
    }),
    list: lift((resource: string) => {
      check(resource);
      const out: Grant[] = [];
      for (const [key, g] of grantsOn(resource)) {
        const u = s.users.get(parseGrantKey(key)[2]);
        if (u) out.push({ username: u.username, user_id: u.id, permission: g.permission });
      }
      return out.sort((a, b) => compareUtf8(a.username, b.username));
    }),
    moveAll: lift((resource: string, to?: string) => {
      check(resource);
      if (to !== undefined) check(to);
      if (to === resource) return;
      // The renamed model gets exactly its old grants, not any left on the new name.
      if (to !== undefined) { for (const [key, g] of grantsOn(to)) drop(key, g.seq); }
      for (const [key, g] of grantsOn(resource)) {
        if (to === undefined) {
          drop(key, g.seq);
          continue;
        }
        const userId = parseGrantKey(key)[2];
        s.grants.delete(key);
        s.grants.set(grantKey(kind, to, userId), g);
        s.users.get(userId)?.grants.set(g.seq, { kind, resource: to });
      }
    }),
  };
}
