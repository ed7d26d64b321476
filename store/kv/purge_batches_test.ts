import assert from "node:assert/strict";
import { KeyDeleter } from "./purge_batches.ts";
import { keyBytes } from "./mutations.ts";

Deno.test("KeyDeleter commits within the mutation and key-byte limits, pairs together", async () => {
  using kv = await Deno.openKv(":memory:");
  const long = "x".repeat(300);
  for (let i = 0; i < 40; i++) {
    await kv.set(["a", i], 1);
    await kv.set(["b", i, long], 1);
  }
  const limits = { checks: 10, mutations: 7, bytes: 600_000, keyBytes: 1_500 };
  const commits: number[] = [];
  const del = new KeyDeleter(kv, limits, (n) => void commits.push(n));
  for await (const e of kv.list<number>({ prefix: ["a"] })) {
    await del.add(e.key, ["b", e.key[1] as number, long]);
  }
  await del.flush();
  assert.deepEqual(await Array.fromAsync(kv.list({ prefix: [] })), []);
  assert.equal(commits.reduce((a, b) => a + b, 0), 80);
  const pairBytes = keyBytes(["a", 0]) + keyBytes(["b", 0, long]);
  for (const n of commits) {
    assert.ok(n <= limits.mutations && n % 2 === 0, `commit of ${n}`);
    assert.ok((n / 2) * pairBytes <= limits.keyBytes);
  }
});

Deno.test("KeyDeleter.addPrefix() deletes only what `only` accepts", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let i = 0; i < 10; i++) await kv.set(["p", i], i);
  const del = new KeyDeleter(kv, { checks: 10, mutations: 3, bytes: 1e6, keyBytes: 1e6 }, () => {});
  await del.addPrefix(["p"], (k) => (k[1] as number) % 2 === 0);
  await del.flush();
  const left = (await Array.fromAsync(kv.list<number>({ prefix: ["p"] }))).map((e) => e.value);
  assert.deepEqual(left, [1, 3, 5, 7, 9]);
});
