/**
 * A set of planned KV writes with last-write-wins per key. Planning a write as "the final value of
 * each key" (rather than a sequence of steps) makes applying it idempotent, which the multi-commit
 * path relies on when a batch is rolled forward more than once.
 *
 * @module
 */
import { keyBytes as stringKeyBytes } from "../limits.ts";

/** One planned write; `value === undefined` means delete. */
export interface Mutation {
  key: Deno.KvKey;
  value?: unknown;
}

/** Serialises a key to a string that distinguishes `1` from `"1"`. */
export function keyId(key: Deno.KvKey): string {
  // Called for every planned write, check and commit: skip the copy when no part is a bigint
  // (JSON.stringify would throw on one), which is every key but a few registry ones.
  for (let i = 0; i < key.length; i++) {
    if (typeof key[i] === "bigint") {
      return JSON.stringify(key.map((p) => typeof p === "bigint" ? `${p}n` : p));
    }
  }
  return JSON.stringify(key);
}

/** True when every UTF-16 unit fits one byte (V8 then stores the string one byte per char). */
function isOneByte(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * An upper-bound-ish estimate of a value's serialised size. Deno KV limits a value to 64 KiB and a
 * commit to 800 KiB; we keep well under both using this estimate rather than serialising twice.
 */
export function estimateSize(v: unknown): number {
  if (v === null || v === undefined) return 2;
  switch (typeof v) {
    case "string":
      return 6 + (isOneByte(v) ? v.length : v.length * 2);
    case "number":
      return 10;
    case "boolean":
      return 2;
    case "bigint":
      return 18;
  }
  if (ArrayBuffer.isView(v)) return v.byteLength + 24;
  if (Array.isArray(v)) {
    let s = 6;
    for (const x of v) s += estimateSize(x);
    return s;
  }
  let s = 6;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    s += k.length + 4 + estimateSize(x);
  }
  return s;
}

/** Ordered, deduplicated planned writes with running size totals. */
export class MutationSet {
  #byKey = new Map<string, Mutation>();

  /** Plans `key = value`, replacing any earlier plan for the key. */
  set(key: Deno.KvKey, value: unknown): void {
    this.#byKey.set(keyId(key), { key, value });
  }

  /** Plans the deletion of `key`, replacing any earlier plan for the key. */
  delete(key: Deno.KvKey): void {
    this.#byKey.set(keyId(key), { key });
  }

  /** The planned write for `key`, if any. */
  get(key: Deno.KvKey): Mutation | undefined {
    return this.#byKey.get(keyId(key));
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Identities of every key this set writes. */
  keyIds(): IterableIterator<string> {
    return this.#byKey.keys();
  }

  /** Each planned write with its key's identity (as {@linkcode keyId} gives it). */
  entries(): IterableIterator<[string, Mutation]> {
    return this.#byKey.entries();
  }

  /** Whether the set writes the key of this identity. */
  hasId(id: string): boolean {
    return this.#byKey.has(id);
  }

  /** Plans every write of `other` on top of this set's (later plans win, key by key). */
  merge(other: MutationSet): void {
    for (const [id, w] of other.#byKey) this.#byKey.set(id, w);
  }

  list(): Mutation[] {
    return [...this.#byKey.values()];
  }
}

/**
 * An upper bound on a key's encoded size. Deno KV also caps the total size of the keys one
 * commit touches (80 KiB), which long keys reach well before the mutation count or byte limits.
 */
export function keyBytes(key: Deno.KvKey): number {
  let n = 0;
  for (const part of key) {
    if (typeof part === "string") n += 2 + stringKeyBytes(part);
    else if (part instanceof Uint8Array) n += 2 + part.byteLength * 2;
    else n += 10;
  }
  return n;
}

/** Estimated bytes a mutation adds to a commit (key plus value). */
export function mutationSize(m: Mutation): number {
  return estimateSize(m.key) + (m.value === undefined ? 0 : estimateSize(m.value));
}

/** Adds the mutations to an atomic operation. */
export function applyMutations(op: Deno.AtomicOperation, mutations: Iterable<Mutation>): void {
  for (const m of mutations) {
    if (m.value === undefined) op.delete(m.key);
    else op.set(m.key, m.value);
  }
}
