/**
 * The in-memory auth store's state and the helpers its parts share. Being one process, the
 * store needs no retries, only care that no `await` sits between a check and the write it guards.
 *
 * @module
 */
import type { GrantKind } from "../messages.ts";
import { userNotFound } from "../messages.ts";
import type { ApiToken, FailedLogins, Permission, Session, User } from "../types.ts";
import { validateUsername } from "../validation.ts";

/** A stored user: the public fields, the password hash and counters. */
export interface UserRec extends User {
  password_hash: string;
  /** Bumped by a password change; a session made under an older epoch is dead. */
  epoch: number;
  /** Grants in insertion order: seq → (kind, resource). */
  grants: Map<number, { kind: GrantKind; resource: string }>;
  nextGrantSeq: number;
}

/** A stored grant. */
export interface GrantRec {
  permission: Permission;
  seq: number;
}

/** A stored session: the public fields plus the user's epoch at creation. */
export interface SessionRec extends Omit<Session, "id"> {
  epoch: number;
}

/** Everything the in-memory store holds. */
export interface State {
  now: () => number;
  iterations: number;
  users: Map<number, UserRec>;
  byName: Map<string, number>;
  nextUserId: number;
  /** Keyed by {@linkcode grantKey}. */
  grants: Map<string, GrantRec>;
  /** Keyed by the secret's digest. */
  tokens: Map<string, ApiToken>;
  /** Keyed by the session id's digest. */
  sessions: Map<string, SessionRec>;
  failed: Map<string, FailedLogins>;
  dummy?: Promise<string>;
}

/** Above this many entries, a write to the sessions or failed-login map first drops the expired. */
export const SWEEP_ABOVE = 10_000;

/** The Map key of one grant. */
export const grantKey = (kind: GrantKind, resource: string, userId: number): string =>
  JSON.stringify([kind, resource, userId]);

/** The parts of a {@linkcode grantKey}. */
export const parseGrantKey = (key: string) => JSON.parse(key) as [GrantKind, string, number];

/** The public view of a stored user. */
export const publicUser = (u: UserRec): User => ({
  id: u.id,
  username: u.username,
  is_admin: u.is_admin,
});

/** The user with this name, if any. */
export function findUser(s: State, username: string): UserRec | undefined {
  const id = s.byName.get(username);
  return id === undefined ? undefined : s.users.get(id);
}

/** The user with this (validated) name; `User with username=X not found` otherwise. */
export function mustUser(s: State, username: string): UserRec {
  const u = findUser(s, validateUsername(username));
  if (!u) throw userNotFound(username);
  return u;
}

/** Runs a synchronous body as a method: what it throws becomes a rejected promise. */
export function lift<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => Promise<R> {
  return (...args) => {
    try {
      return Promise.resolve(f(...args));
    } catch (e) {
      return Promise.reject(e);
    }
  };
}
