/**
 * KV as a run write's plan must see it when earlier writes in its commit group are planned but
 * not yet committed (see `writeRun`): KV with those writes laid over it. A key they set reads as
 * its planned value, one they delete as absent, and a list merges them into KV's entries in key
 * order. What was planned has no versionstamp yet: such entries carry
 * {@linkcode PENDING_VERSIONSTAMP}, which `writeRun` refuses to see in a check. Reads it cannot
 * merge exactly (a `cursor`, key parts other than strings and ordinary numbers) stop the plan with
 * {@linkcode PlanConflict} instead, and the plan runs again first in the next group, against KV
 * that holds those writes.
 *
 * @module
 */
import { keyId, type MutationSet } from "./mutations.ts";

/** Thrown by a read of {@linkcode pendingReads} that cannot see the group's planned writes. */
export class PlanConflict extends Error {
  constructor() {
    super("read of a key written earlier in the same commit group");
  }
}

/** The versionstamp of an entry that is only planned: never a real one, so never checkable. */
export const PENDING_VERSIONSTAMP = "pending";

/**
 * A planned value as a read hands it out: a copy, as KV's own reads give, so that a plan which
 * edits what it read cannot change what an earlier plan of the group planned.
 */
function copy<T>(value: unknown): T {
  return (typeof value === "object" && value !== null ? structuredClone(value) : value) as T;
}

/** The reads a plan may make. */
export type KvReads = Pick<Deno.Kv, "get" | "getMany" | "list">;

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

/** Parts this module can order exactly as KV does: strings, and numbers other than NaN and -0. */
function orderable(key: Deno.KvKey): boolean {
  for (const p of key) {
    if (typeof p === "string") continue;
    if (typeof p === "number" && !Number.isNaN(p) && !Object.is(p, -0)) continue;
    return false;
  }
  return true;
}

/** Code point order, which is KV's (UTF-8 bytes) order; `<` on strings compares UTF-16 units. */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** KV's key order for {@linkcode orderable} keys: strings before numbers, then by value. */
export function compareKeys(a: Deno.KvKey, b: Deno.KvKey): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i], y = b[i];
    if (typeof x !== typeof y) return typeof x === "string" ? -1 : 1;
    const c = typeof x === "string"
      ? compareStrings(x, y as string)
      : (x as number) - (y as number);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function hasPrefix(key: Deno.KvKey, prefix: Deno.KvKey): boolean {
  if (key.length <= prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

/** Whether a list with `selector` returns `key` (both {@linkcode orderable}). */
function selects(selector: Deno.KvListSelector, key: Deno.KvKey): boolean {
  const s = selector as { prefix?: Deno.KvKey; start?: Deno.KvKey; end?: Deno.KvKey };
  if (s.prefix !== undefined && !hasPrefix(key, s.prefix)) return false;
  if (s.start !== undefined && compareKeys(key, s.start) < 0) return false;
  if (s.end !== undefined && compareKeys(key, s.end) >= 0) return false;
  return true;
}

/**
 * A view of `kv` for a plan planned after the writes in `pending`: only the reads plans make
 * (`get`, `getMany`, `list`), each seeing those writes.
 */
export function pendingReads(kv: Deno.Kv, pending: MutationSet): KvReads {
  const planned = <T>(key: Deno.KvKey): Deno.KvEntryMaybe<T> | undefined => {
    const w = pending.get(key);
    if (w === undefined) return undefined;
    return {
      key,
      value: copy<T>(w.value ?? null),
      versionstamp: PENDING_VERSIONSTAMP,
    } as Deno.KvEntryMaybe<T>;
  };
  return {
    async get<T>(key: Deno.KvKey, options?: { consistency?: Deno.KvConsistencyLevel }) {
      return planned<T>(key) ?? await kv.get<T>(key, options);
    },
    async getMany<T extends readonly unknown[]>(
      keys: readonly [...{ [K in keyof T]: Deno.KvKey }],
      options?: { consistency?: Deno.KvConsistencyLevel },
    ) {
      const mine = keys.map((k) => planned(k));
      const rest = keys.filter((_, i) => mine[i] === undefined);
      const read = rest.length === 0 ? [] : await kv.getMany<unknown[]>(rest, options);
      let j = 0;
      return mine.map((e) => e ?? read[j++]) as { [K in keyof T]: Deno.KvEntryMaybe<T[K]> };
    },
    list<T>(selector: Deno.KvListSelector, options: Deno.KvListOptions = {}) {
      const scope = keyId(selectorScope(selector)).slice(0, -1);
      const overlay: [string, Deno.KvKey, unknown][] = [];
      for (const [id, w] of pending.entries()) {
        if (!id.startsWith(scope)) continue;
        if (!orderable(w.key)) throw new PlanConflict();
        if (selects(selector, w.key)) overlay.push([id, w.key, w.value]);
      }
      if (overlay.length === 0) return kv.list<T>(selector, options);
      const bounds = selector as { prefix?: Deno.KvKey; start?: Deno.KvKey; end?: Deno.KvKey };
      if (
        options.cursor !== undefined ||
        [bounds.prefix, bounds.start, bounds.end].some((k) => k !== undefined && !orderable(k))
      ) {
        throw new PlanConflict();
      }
      return merged<T>(kv, selector, options, overlay) as unknown as Deno.KvListIterator<T>;
    },
  };
}

/** KV's entries of a list with the planned writes in `overlay` laid over them, in list order. */
async function* merged<T>(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  options: Deno.KvListOptions,
  overlay: [string, Deno.KvKey, unknown][],
): AsyncGenerator<Deno.KvEntry<T>> {
  // Each planned key hides at most one stored entry, so this many stored entries are enough.
  const limit = options.limit === undefined ? undefined : options.limit + overlay.length;
  const shadowed = new Set(overlay.map(([id]) => id));
  const out: Deno.KvEntry<T>[] = [];
  for await (const e of kv.list<T>(selector, { ...options, limit })) {
    if (!orderable(e.key)) throw new PlanConflict();
    if (!shadowed.has(keyId(e.key))) out.push(e);
  }
  for (const [, key, value] of overlay) {
    if (value !== undefined) {
      out.push({ key, value: copy<T>(value), versionstamp: PENDING_VERSIONSTAMP });
    }
  }
  const sign = options.reverse ? -1 : 1;
  out.sort((a, b) => sign * compareKeys(a.key, b.key));
  yield* options.limit === undefined ? out : out.slice(0, options.limit);
}
