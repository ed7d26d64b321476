/**
 * {@linkcode mapLimit} and {@linkcode mapLimitStream}: order kept, calls in flight bounded, and
 * a rejection surfacing where its result would have been, with nothing left unhandled.
 */
import assert from "node:assert/strict";
import { mapLimit, mapLimitStream } from "./map_limit.ts";

/** `fn` for the pool: resolves `item` after `delay(item)` ms, tracking calls in flight. */
function tracked(delay: (i: number) => number) {
  const seen = { now: 0, most: 0, started: [] as number[] };
  const fn = async (i: number) => {
    seen.started.push(i);
    seen.most = Math.max(seen.most, ++seen.now);
    await new Promise((r) => setTimeout(r, delay(i)));
    seen.now--;
    if (i < 0) throw new Error(`bad ${i}`);
    return i * 10;
  };
  return { seen, fn };
}

Deno.test("mapLimit keeps the input order with at most `limit` calls in flight", async () => {
  const { seen, fn } = tracked((i) => (7 - i) % 4);
  assert.deepEqual(await mapLimit([0, 1, 2, 3, 4, 5, 6], 3, fn), [0, 10, 20, 30, 40, 50, 60]);
  assert.equal(seen.most, 3);
});

Deno.test("mapLimitStream yields in input order while later calls run, `limit` at a time", async () => {
  const { seen, fn } = tracked((i) => (i % 3) * 3);
  const out: number[] = [];
  for await (const r of mapLimitStream([...Array(12).keys()], 4, fn)) out.push(r);
  assert.deepEqual(out, [...Array(12).keys()].map((i) => i * 10));
  assert.equal(seen.most, 4);
  const empty = [];
  for await (const r of mapLimitStream([], 4, fn)) empty.push(r);
  assert.deepEqual(empty, []);
});

Deno.test("mapLimitStream throws a rejection in its place, leaves none unhandled, and stops when stopped", async () => {
  // Item -1 fails; -2, still in flight when it does, fails later unobserved (an unhandled
  // rejection would fail this test).
  const failing = tracked((i) => (i === -2 ? 20 : 1));
  const out: number[] = [];
  await assert.rejects(async () => {
    for await (const r of mapLimitStream([1, -1, -2, 3], 3, failing.fn)) out.push(r);
  }, /bad -1/);
  assert.deepEqual(out, [10]);
  await new Promise((r) => setTimeout(r, 40));

  const stopped = tracked(() => 1);
  for await (const r of mapLimitStream([1, 2, 3, 4, 5, 6], 2, stopped.fn)) if (r === 10) break;
  await new Promise((r) => setTimeout(r, 10));
  // 1 and 2 started at once; 3 when 1 was taken; nothing after the loop stopped.
  assert.deepEqual(stopped.seen.started, [1, 2, 3]);
});
