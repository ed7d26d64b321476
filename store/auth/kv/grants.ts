/**
 * Experiment and registered-model grants in KV. A grant's primary key is (kind, resource, user
 * id), so a grant is unique per pair by construction; the per-user pointer at (user id, seq)
 * keeps MLflow's insertion order for `users/get`. Creating a grant checks the user record it bumps
 * `next_grant_seq` on, so a grant can never be added to a user being deleted.
 *
 * @module
 */
import { RETRY, withRetry } from "../../kv/retry.ts";
import type { GrantOps } from "../grant_methods.ts";
import { grantExists, type GrantKind, grantNotFound } from "../messages.ts";
import { compareUtf8 } from "../shared.ts";
import type { Grant, Permission } from "../types.ts";
import {
  MAX_GRANT_RESOURCE_LENGTH,
  validateGrantResource,
  validatePermission,
} from "../validation.ts";
import { type Ctx, getManyBatched, mustUser, type UserRec } from "./_ctx.ts";
import {
  grantByUserKey,
  grantKey,
  grantsByUserPrefix,
  grantsOfResourcePrefix,
  userKey,
} from "./keys.ts";

/** A stored grant. */
export interface GrantRec {
  permission: Permission;
  /** Position in the user's insertion-ordered grant list. */
  seq: number;
}

/** A user's pointer to one grant. */
export interface GrantPointer {
  kind: GrantKind;
  resource: string;
}

/**
 * Grants per commit when moving or dropping a model's grants: a move checks each grant and its
 * target, and remote KV allows 10 checks per commit.
 */
const GRANT_BATCH = 5;

const field = (kind: GrantKind) => kind === "experiment" ? "experiment_id" : "name";

/** A user's grants with their levels, in insertion order. */
export async function readUserGrants(
  ctx: Ctx,
  userId: number,
): Promise<(GrantPointer & { permission: Permission })[]> {
  const ptrs: GrantPointer[] = [];
  for await (const e of ctx.kv.list<GrantPointer>({ prefix: grantsByUserPrefix(userId) })) {
    ptrs.push(e.value);
  }
  const recs = await getManyBatched<GrantRec>(
    ctx.kv,
    ptrs.map((p) => grantKey(p.kind, p.resource, userId)),
  );
  return ptrs.flatMap((p, i) => {
    const r = recs[i].value;
    return r ? [{ ...p, permission: r.permission }] : [];
  });
}

/** Grants of one kind in KV. */
export function kvGrants(ctx: Ctx, kind: GrantKind): GrantOps {
  const { kv } = ctx;
  const check = (resource: string) => validateGrantResource(field(kind), resource);

  async function readGrant(resource: string, username: string) {
    check(resource);
    const u = await mustUser(ctx, username);
    const g = await kv.get<GrantRec>(grantKey(kind, resource, u.value.id));
    if (g.value === null) throw grantNotFound(kind, resource, username);
    return { u, g: g as Deno.KvEntry<GrantRec> };
  }

  async function moveAll(resource: string, to?: string): Promise<void> {
    check(resource);
    if (to !== undefined) check(to);
    if (to === resource) return;
    // The renamed model gets exactly its old grants: any left on the new name (grants may
    // name a model that does not exist yet) would otherwise apply to it.
    if (to !== undefined) await moveAll(to);
    for (;;) {
      const done = await withRetry("move permissions", async () => {
        const batch: Deno.KvEntry<GrantRec>[] = [];
        for await (
          const e of kv.list<GrantRec>(
            { prefix: grantsOfResourcePrefix(kind, resource) },
            { limit: GRANT_BATCH },
          )
        ) batch.push(e);
        if (batch.length === 0) return true;
        const userOf = (e: Deno.KvEntry<GrantRec>) => e.key[e.key.length - 1] as number;
        const targets = to === undefined
          ? []
          : await kv.getMany<GrantRec[]>(batch.map((e) => grantKey(kind, to, userOf(e))));
        const op = kv.atomic().check(...batch, ...targets);
        for (const [i, e] of batch.entries()) {
          const userId = userOf(e);
          op.delete(e.key);
          if (to === undefined) {
            op.delete(grantByUserKey(userId, e.value.seq));
            continue;
          }
          // One written since the sweep above loses to the moved grant, pointer and all.
          const stale = targets[i].value;
          if (stale && stale.seq !== e.value.seq) op.delete(grantByUserKey(userId, stale.seq));
          op.set(grantKey(kind, to, userId), e.value);
          op.set(grantByUserKey(userId, e.value.seq), { kind, resource: to } as GrantPointer);
        }
        return (await op.commit()).ok ? false : RETRY;
      });
      if (done) return;
    }
  }

  return {
    async create(resource, username, permission) {
      check(resource);
      const p = validatePermission(permission);
      return await withRetry("create a permission", async () => {
        const u = await mustUser(ctx, username);
        const id = u.value.id;
        const g = await kv.get<GrantRec>(grantKey(kind, resource, id));
        if (g.value !== null) throw grantExists(kind, resource, username);
        const seq = u.value.next_grant_seq;
        const res = await kv.atomic()
          .check(u, g)
          .set(userKey(id), { ...u.value, next_grant_seq: seq + 1 })
          .set(grantKey(kind, resource, id), { permission: p, seq } satisfies GrantRec)
          .set(grantByUserKey(id, seq), { kind, resource } satisfies GrantPointer)
          .commit();
        return res.ok ? id : RETRY;
      });
    },

    async get(resource, username) {
      const { u, g } = await readGrant(resource, username);
      return { userId: u.value.id, permission: g.value.permission };
    },

    async find(resource, userId) {
      if (typeof resource !== "string" || resource === "" || !Number.isSafeInteger(userId)) {
        return null;
      }
      if (resource.length > MAX_GRANT_RESOURCE_LENGTH) return null;
      return (await kv.get<GrantRec>(grantKey(kind, resource, userId))).value?.permission ?? null;
    },

    async update(resource, username, permission) {
      const p = validatePermission(permission);
      await withRetry("update a permission", async () => {
        const { u, g } = await readGrant(resource, username);
        const res = await kv.atomic()
          .check(g)
          .set(grantKey(kind, resource, u.value.id), { ...g.value, permission: p })
          .commit();
        return res.ok ? undefined : RETRY;
      });
    },

    async remove(resource, username) {
      await withRetry("delete a permission", async () => {
        const { u, g } = await readGrant(resource, username);
        const res = await kv.atomic()
          .check(g)
          .delete(grantKey(kind, resource, u.value.id))
          .delete(grantByUserKey(u.value.id, g.value.seq))
          .commit();
        return res.ok ? undefined : RETRY;
      });
    },

    async list(resource) {
      check(resource);
      const entries: { userId: number; permission: Permission }[] = [];
      for await (
        const e of kv.list<GrantRec>({ prefix: grantsOfResourcePrefix(kind, resource) })
      ) {
        entries.push({ userId: e.key[e.key.length - 1] as number, permission: e.value.permission });
      }
      const users = await getManyBatched<UserRec>(kv, entries.map((e) => userKey(e.userId)));
      const out: Grant[] = entries.flatMap((e, i) => {
        const u = users[i].value;
        return u ? [{ username: u.username, user_id: u.id, permission: e.permission }] : [];
      });
      return out.sort((a, b) => compareUtf8(a.username, b.username));
    },

    moveAll,
  };
}
