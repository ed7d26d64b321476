/**
 * A `Deno.Kv` that counts its read round trips (each `get`, `getMany` and list batch) and
 * commits, for tests that hold read paths to a number of round trips without a KV Connect server.
 *
 * @module
 */

/** Counters of a {@linkcode countingKv}; reset them between measured calls. */
export interface KvCounts {
  reads: number;
  commits: number;
  /** One line per read, for assertion messages. */
  log: string[];
}

/** Wraps `kv` so every read round trip and commit made through it is counted in `counts`. */
export function countingKv(kv: Deno.Kv, counts: KvCounts): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "get" || prop === "getMany") {
        return (key: unknown, opts?: unknown) => {
          counts.reads++;
          counts.log.push(`${String(prop)} ${JSON.stringify(key)}`);
          // deno-lint-ignore no-explicit-any
          return (target as any)[prop](key, opts);
        };
      }
      if (prop === "list") {
        return (selector: Deno.KvListSelector, opts?: Deno.KvListOptions) => {
          const it = target.list(selector, opts);
          const batch = opts?.batchSize ?? opts?.limit ?? 500;
          let seen = 0;
          counts.reads++;
          counts.log.push(`list ${JSON.stringify(selector)}`);
          const wrapped = {
            cursor: "",
            async next() {
              const r = await it.next();
              if (!r.done && ++seen % batch === 0) counts.reads++;
              wrapped.cursor = it.cursor;
              return r;
            },
            [Symbol.asyncIterator]() {
              return wrapped;
            },
          };
          return wrapped;
        };
      }
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => {
            counts.commits++;
            return commit();
          };
          return op;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** Fresh counters. */
export function newCounts(): KvCounts {
  return { reads: 0, commits: 0, log: [] };
}
