import assert from "node:assert/strict";
import { HistoryCache } from "./history_cache.ts";

const cols = (n: number, v = 0) => ({
  timestamps: new Float64Array(n).fill(v),
  steps: new Float64Array(n).fill(v),
  values: new Float64Array(n).fill(v),
});

Deno.test("HistoryCache: only under the versionstamp it was read with; bounded by points, least recently used out", () => {
  const c = new HistoryCache(10, 6);
  c.set("r1", "m", "v1", cols(4, 1));
  assert.deepEqual(c.get("r1", "m", "v1"), cols(4, 1));
  assert.equal(c.get("r1", "m", "v2"), undefined);
  assert.equal(c.get("r1", "other", "v1"), undefined);
  c.set("r2", "m", "v1", cols(4, 2));
  // r1 was used last, so r2 goes first when r3 overflows the 10 points.
  assert.ok(c.get("r1", "m", "v1"));
  c.set("r3", "m", "v1", cols(4, 3));
  assert.equal(c.get("r2", "m", "v1"), undefined);
  assert.deepEqual(c.get("r1", "m", "v1"), cols(4, 1));
  assert.deepEqual(c.get("r3", "m", "v1"), cols(4, 3));
  // Longer than one entry may be: not kept, and the older entry for that metric is gone.
  c.set("r1", "m", "v2", cols(7, 9));
  assert.equal(c.get("r1", "m", "v1"), undefined);
  assert.equal(c.get("r1", "m", "v2"), undefined);
  // A newer read replaces the entry and its points count once.
  c.set("r3", "m", "v2", cols(6, 4));
  c.set("r4", "m", "v1", cols(4, 5));
  assert.deepEqual(c.get("r3", "m", "v2"), cols(6, 4));
  assert.deepEqual(c.get("r4", "m", "v1"), cols(4, 5));
});
