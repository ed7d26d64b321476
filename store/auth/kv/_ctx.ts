/**
 * What the KV auth modules share: the handle, the clock, the hashing cost, the user record and
 * how to read it by name.
 *
 * @module
 */
import { withRetry } from "../../kv/retry.ts";
import { userNotFound } from "../messages.ts";
import type { User } from "../types.ts";
import { validateUsername } from "../validation.ts";
import { userByNameKey, userKey } from "./keys.ts";

/** The KV handle and options every auth module works with. */
export interface Ctx {
  kv: Deno.Kv;
  now: () => number;
  iterations: number;
  /** A hash that logins for unknown users are checked against (made on first need). */
  dummy?: Promise<string>;
}

/** A user as stored: the public fields plus secrets and counters. */
export interface UserRec extends User {
  password_hash: string;
  /** Bumped by a password change; a session made under an older epoch is dead. */
  epoch: number;
  /** The next grant's position in `users/get`'s insertion-ordered lists. */
  next_grant_seq: number;
}

/** The public view of a stored user. */
export const publicUser = (u: UserRec): User => ({
  id: u.id,
  username: u.username,
  is_admin: u.is_admin,
});

/**
 * Reads a user by name: the name index, then the record. A record renamed or deleted between
 * the two reads reads as absent; writers check the returned entry's versionstamp anyway.
 */
export async function readUserByName(
  kv: Deno.Kv,
  username: string,
): Promise<Deno.KvEntry<UserRec> | null> {
  const idx = await kv.get<number>(userByNameKey(username));
  if (idx.value === null) return null;
  const u = await kv.get<UserRec>(userKey(idx.value));
  return u.value !== null && u.value.username === username ? u as Deno.KvEntry<UserRec> : null;
}

/** The user with this (validated) name; `User with username=X not found` otherwise. */
export async function mustUser(ctx: Ctx, username: string): Promise<Deno.KvEntry<UserRec>> {
  const u = await readUserByName(ctx.kv, validateUsername(username));
  if (!u) throw userNotFound(username);
  return u;
}

/** `kv.getMany` over any number of keys (KV takes at most 10 per call), in order. */
export async function getManyBatched<T>(
  kv: Deno.Kv,
  keys: Deno.KvKey[],
): Promise<Deno.KvEntryMaybe<T>[]> {
  const out: Deno.KvEntryMaybe<T>[] = [];
  for (let i = 0; i < keys.length; i += 10) {
    out.push(...await kv.getMany<T[]>(keys.slice(i, i + 10)));
  }
  return out;
}

/** Mutations per commit when deleting many keys; far below KV's 1000-mutation limit. */
export const DELETE_BATCH = 200;

/**
 * Deletes keys in commits of {@linkcode DELETE_BATCH}, retrying a locked database (no checks:
 * deleting twice is harmless).
 */
export async function deleteKeys(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    await withRetry("delete keys", async () => {
      const op = kv.atomic();
      for (const k of keys.slice(i, i + DELETE_BATCH)) op.delete(k);
      await op.commit();
    });
  }
}
