/**
 * KV as a run write's plan must see it when earlier writes in its commit group are planned but
 * not yet committed (see `writeRun`). Reads go to KV; a read of a key (or a range holding a key)
 * that an earlier plan of the group writes would see a stale value, so it stops the plan with
 * {@linkcode PlanConflict} instead, and the plan runs again first in the next group, against
 * state that includes those writes. Plans of a single write never conflict.
 *
 * @module
 */
import { keyId, type MutationSet } from "./mutations.ts";

/** Thrown by a read of {@linkcode pendingReads} that overlaps the group's planned writes. */
export class PlanConflict extends Error {
  constructor() {
    super("read of a key written earlier in the same commit group");
  }
}

/** The leading key parts every key of a list selector shares. */
function selectorScope(selector: Deno.KvListSelector): Deno.KvKey {
  if ("prefix" in selector) return selector.prefix;
  const { start, end } = selector as { start: Deno.KvKey; end: Deno.KvKey };
  const scope: Deno.KvKeyPart[] = [];
  for (let i = 0; i < start.length && i < end.length; i++) {
    // Byte keys compare by identity here, which only ever shortens the scope (stricter).
    if (start[i] !== end[i]) break;
    scope.push(start[i]);
  }
  return scope;
}

/** The reads a plan may make. */
export type KvReads = Pick<Deno.Kv, "get" | "getMany" | "list">;

/**
 * A view of `kv` for a plan planned after the writes in `pending`: only the reads plans make
 * (`get`, `getMany`, `list`), each refused with {@linkcode PlanConflict} when it overlaps them.
 */
export function pendingReads(kv: Deno.Kv, pending: MutationSet): KvReads {
  const touches = (key: Deno.KvKey) => pending.hasId(keyId(key));
  return {
    get<T>(key: Deno.KvKey, options?: { consistency?: Deno.KvConsistencyLevel }) {
      if (touches(key)) throw new PlanConflict();
      return kv.get<T>(key, options);
    },
    getMany<T extends readonly unknown[]>(
      keys: readonly [...{ [K in keyof T]: Deno.KvKey }],
      options?: { consistency?: Deno.KvConsistencyLevel },
    ) {
      if (keys.some(touches)) throw new PlanConflict();
      return kv.getMany<T>(keys, options);
    },
    list<T>(selector: Deno.KvListSelector, options?: Deno.KvListOptions) {
      const scope = keyId(selectorScope(selector)).slice(0, -1);
      for (const id of pending.keyIds()) if (id.startsWith(scope)) throw new PlanConflict();
      return kv.list<T>(selector, options);
    },
  };
}
