import assert from "node:assert/strict";
import { countingKv, newCounts } from "../../tests/helpers/counting_kv.ts";
import { GET_MANY_KEYS, ReadBatcher } from "./read_batcher.ts";

Deno.test("ReadBatcher: concurrent reads share getMany calls, each caller's keys in one call", async () => {
  const raw = await Deno.openKv(":memory:");
  try {
    for (let i = 0; i < 30; i++) await raw.set(["k", i], i);
    const counts = newCounts();
    const b = new ReadBatcher(countingKv(raw, counts));
    // Three callers of 3 keys (one shared) and one a few awaits later: one call of 8 keys.
    const later = async () => {
      await Promise.resolve();
      await Promise.resolve();
      return await b.getMany([["k", 20]]);
    };
    const got = await Promise.all([
      b.getMany([["k", 0], ["k", 1], ["k", 2]]),
      b.getMany([["k", 2], ["k", 3], ["k", 4]]),
      b.getMany([["k", 5], ["k", 6], ["k", 99]]),
      later(),
    ]);
    assert.deepEqual(got.map((es) => es.map((e) => e.value)), [
      [0, 1, 2],
      [2, 3, 4],
      [5, 6, null],
      [20],
    ]);
    assert.equal(counts.reads, 1, counts.log.join("\n"));
    // More keys than one call holds: split between callers, never within one.
    counts.reads = 0;
    counts.log = [];
    const many = await Promise.all(
      Array.from({ length: 4 }, (_, i) => b.getMany([0, 1, 2, 3].map((j) => ["k", i * 4 + j]))),
    );
    assert.deepEqual(many.flat().map((e) => e.value), Array.from({ length: 16 }, (_, i) => i));
    assert.equal(counts.reads, 2, counts.log.join("\n"));
    for (const line of counts.log) assert.ok(JSON.parse(line.slice(8)).length <= GET_MANY_KEYS);
    await assert.rejects(b.getMany(Array.from({ length: 11 }, (_, i) => ["k", i])), RangeError);
  } finally {
    raw.close();
  }
});

Deno.test("ReadBatcher: a failed call fails every caller in it", async () => {
  const raw = await Deno.openKv(":memory:");
  const b = new ReadBatcher(raw);
  raw.close();
  const calls = [b.get(["a"]), b.get(["b"])];
  for (const c of calls) await assert.rejects(c);
});

Deno.test("ReadBatcher: a key KV refuses fails only the read that asked for it", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(["a"], 1);
  const b = new ReadBatcher(kv);
  const [ok, bad] = await Promise.allSettled([b.get(["a"]), b.get(["x".repeat(3000)])]);
  assert.equal(ok.status === "fulfilled" && ok.value.value, 1);
  assert.equal(bad.status, "rejected");
});
