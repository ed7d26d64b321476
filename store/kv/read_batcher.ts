/**
 * Coalesces point reads issued together into as few `getMany` calls as fit.
 *
 * Over a remote KV each call is a network round trip, and a page that reads a handful of runs
 * and their experiments issues them all at once (`Promise.all`). Reads queued within a few
 * microtask turns of each other go out as one `getMany` of up to {@linkcode GET_MANY_KEYS} keys;
 * each caller's keys stay within one call, so each caller still reads one consistent snapshot.
 * A lone read waits only those microtask turns, never a timer.
 *
 * @module
 */
import { keyId } from "./mutations.ts";

/** Most keys one `getMany` may read (Deno KV's limit). */
export const GET_MANY_KEYS = 10;

/**
 * Microtask turns a first read waits for others to join it. Concurrent callers reach their first
 * read a few `await`s deep (validation wrappers, store methods), not all at the same depth.
 */
const GATHER_TURNS = 8;

interface Waiting {
  keys: Deno.KvKey[];
  resolve(entries: Deno.KvEntryMaybe<unknown>[]): void;
  reject(err: unknown): void;
}

/** Point reads of one KV handle, coalesced (see the module doc). */
export class ReadBatcher {
  #kv: Deno.Kv;
  #waiting: Waiting[] = [];

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /**
   * Reads `keys` (at most {@linkcode GET_MANY_KEYS}) as one snapshot, possibly in the same call
   * as other callers' keys; entries come back in the order of `keys`.
   */
  getMany<T extends readonly unknown[]>(
    keys: readonly Deno.KvKey[],
  ): Promise<{ [K in keyof T]: Deno.KvEntryMaybe<T[K]> }> {
    if (keys.length > GET_MANY_KEYS) {
      return Promise.reject(new RangeError(`At most ${GET_MANY_KEYS} keys per read`));
    }
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) this.#gather(GATHER_TURNS);
      this.#waiting.push({
        keys: [...keys],
        resolve: resolve as Waiting["resolve"],
        reject,
      });
    });
  }

  /**
   * Reads any number of keys, {@linkcode GET_MANY_KEYS} per `getMany` issued together: one
   * round trip for the lot, but a snapshot per ten keys, not one for all.
   */
  async getAll<T>(keys: readonly Deno.KvKey[]): Promise<Deno.KvEntryMaybe<T>[]> {
    const parts: Promise<Deno.KvEntryMaybe<T>[]>[] = [];
    for (let i = 0; i < keys.length; i += GET_MANY_KEYS) {
      parts.push(this.getMany(keys.slice(i, i + GET_MANY_KEYS)) as Promise<Deno.KvEntryMaybe<T>[]>);
    }
    return (await Promise.all(parts)).flat();
  }

  /** Reads one key, like `Deno.Kv.get`. */
  async get<T>(key: Deno.KvKey): Promise<Deno.KvEntryMaybe<T>> {
    const [e] = await this.getMany<[T]>([key]);
    return e;
  }

  #gather(turns: number): void {
    queueMicrotask(() => turns > 0 ? this.#gather(turns - 1) : this.#flush());
  }

  #flush(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    let group: Waiting[] = [];
    let ids = new Map<string, Deno.KvKey>();
    for (const w of waiting) {
      const fresh = w.keys.filter((k) => !ids.has(keyId(k)));
      if (ids.size + fresh.length > GET_MANY_KEYS) {
        this.#send(group, ids);
        group = [];
        ids = new Map();
      }
      group.push(w);
      for (const k of w.keys) ids.set(keyId(k), k);
    }
    if (group.length > 0) this.#send(group, ids);
  }

  #send(group: Waiting[], ids: Map<string, Deno.KvKey>): void {
    const keys = [...ids.values()];
    this.#kv.getMany(keys).then((entries) => {
      const byId = new Map(keys.map((k, i) => [keyId(k), entries[i]]));
      for (const w of group) w.resolve(w.keys.map((k) => byId.get(keyId(k))!));
    }, (err) => {
      if (group.length === 1) return group[0].reject(err);
      // One caller's key may be what KV refused (too large, say): each caller alone, so only
      // its own read fails.
      for (const w of group) this.#send([w], new Map(w.keys.map((k) => [keyId(k), k])));
    });
  }
}

const batchers = new WeakMap<Deno.Kv, ReadBatcher>();

/** The {@linkcode ReadBatcher} of `kv`, shared by every read path of the process. */
export function batchedReads(kv: Deno.Kv): ReadBatcher {
  let b = batchers.get(kv);
  if (!b) batchers.set(kv, b = new ReadBatcher(kv));
  return b;
}
