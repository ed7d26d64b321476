import assert from "node:assert/strict";
import { MutationSet } from "./mutations.ts";
import { compareKeys, PENDING_VERSIONSTAMP, pendingReads, PlanConflict } from "./pending_reads.ts";

const PARTS: Deno.KvKeyPart[] = ["a", "b", "é", "\u{1F600}", "\uFFFD", "", -1, 0, 1.5, 2, 10];

function random(seed: number) {
  return () => (seed = (seed * 48271) % 2147483647) / 2147483647;
}

Deno.test("compareKeys() orders keys as KV lists them", async () => {
  const kv = await Deno.openKv(":memory:");
  const keys: Deno.KvKey[] = [];
  for (const a of PARTS) for (const b of PARTS) keys.push(["k", a, b]);
  keys.push(["k", "a"], ["k", 3]);
  const op = kv.atomic();
  for (const k of keys) op.set(k, 1);
  await op.commit();
  const listed: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix: ["k"] })) listed.push(e.key);
  assert.deepEqual([...keys].sort(compareKeys), listed);
  kv.close();
});

Deno.test("pendingReads() reads KV as it will be once the planned writes commit", async () => {
  const next = random(11);
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const key = (): Deno.KvKey => next() < 0.3 ? ["p", pick(PARTS)] : ["p", pick(PARTS), pick(PARTS)];
  for (let round = 0; round < 60; round++) {
    const base = await Deno.openKv(":memory:");
    const after = await Deno.openKv(":memory:");
    const stored = Array.from({ length: 30 }, key);
    for (const kv of [base, after]) {
      const op = kv.atomic();
      stored.forEach((k, i) => op.set(k, `s${i}`));
      op.set(["q", 1], "outside");
      await op.commit();
    }
    const pending = new MutationSet();
    for (let i = 0; i < 12; i++) {
      if (next() < 0.3) pending.delete(pick(stored));
      else pending.set(next() < 0.5 ? pick(stored) : key(), `w${i}`);
    }
    const op = after.atomic();
    for (const w of pending.list()) {
      w.value === undefined ? op.delete(w.key) : op.set(w.key, w.value);
    }
    await op.commit();
    const view = pendingReads(base, pending);
    const strip = (e: Deno.KvEntryMaybe<unknown>) => [e.key, e.value];
    for (let q = 0; q < 20; q++) {
      const bound = () => ["p", pick(PARTS), ...(next() < 0.5 ? [pick(PARTS)] : [])];
      const [lo, hi] = [bound(), bound()].sort(compareKeys);
      const prefix: Deno.KvKey = next() < 0.5 ? ["p"] : ["p", pick(PARTS)];
      const selector: Deno.KvListSelector = pick([
        { prefix },
        { prefix: ["p"], start: lo },
        { prefix: ["p"], end: hi },
        { start: lo, end: hi },
      ]);
      const options = {
        reverse: next() < 0.5,
        limit: next() < 0.5 ? 1 + Math.floor(next() * 5) : undefined,
      };
      const want = [];
      for await (const e of after.list(selector, options)) want.push(strip(e));
      const got = [];
      for await (const e of view.list(selector, options)) got.push(strip(e));
      assert.deepEqual(got, want, JSON.stringify({ selector, options }));
    }
    const probe = [pick(stored), key(), pick(pending.list()).key];
    for (const k of probe) assert.deepEqual(strip(await view.get(k)), strip(await after.get(k)));
    assert.deepEqual(
      (await view.getMany(probe)).map(strip),
      (await after.getMany(probe)).map(strip),
    );
    const planned = await view.get(pending.list()[0].key);
    assert.equal(planned.versionstamp, PENDING_VERSIONSTAMP);
    base.close();
    after.close();
  }
});

Deno.test("pendingReads() refuses a list it cannot merge exactly", async () => {
  const kv = await Deno.openKv(":memory:");
  const pending = new MutationSet();
  pending.set(["p", 1n], 1);
  pending.set(["r", 1], 1);
  const view = pendingReads(kv, pending);
  assert.throws(() => view.list({ prefix: ["p"] }), PlanConflict);
  assert.throws(() => view.list({ prefix: ["r"] }, { cursor: "x" }), PlanConflict);
  // Nothing planned in range: KV's own list, cursor and all.
  for await (const _ of view.list({ prefix: ["s"] })) assert.fail();
  kv.close();
});
