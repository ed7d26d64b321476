/**
 * Every key and value of a KV database, in key order, comparable with `deepStrictEqual` (a
 * `Deno.KvU64` becomes `"u64:<n>"`, as its value is not an own property). For tests that compare
 * whole stores: a migrated copy with one migrated otherwise.
 *
 * @module
 */
import { keyId } from "../../store/kv/mutations.ts";

/** One entry of {@linkcode dumpKv}. */
export interface DumpedEntry {
  key: string;
  value: unknown;
}

/** Every entry whose key does not start with one of `skip` (prefix names, e.g. `"meta"`). */
export async function dumpKv(kv: Deno.Kv, skip: readonly string[] = []): Promise<DumpedEntry[]> {
  const out: DumpedEntry[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    if (skip.includes(String(e.key[0]))) continue;
    const value = e.value instanceof Deno.KvU64 ? `u64:${e.value.value}` : e.value;
    out.push({ key: keyId(e.key), value });
  }
  return out;
}

/** A copy of `path` in a new temporary directory (a fixture is never opened in place). */
export async function copyToTemp(path: string | URL): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir();
  const copy = `${dir}/copy.kv`;
  await Deno.copyFile(path, copy);
  return { path: copy, dir };
}
