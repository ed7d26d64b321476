/**
 * Late points (issue 12 §3): bytes a history writes for points that arrive at or below its
 * chunks, in several arrival orders, against the points' own size (each one's entry alone in KV).
 * Bytes are counted from the planned mutations: each set's key and V8-serialised value (what KV
 * stores), each delete's key.
 */
import { ok } from "node:assert/strict";
import { serialize } from "node:v8";
import { runMetricKey } from "./keys.ts";
import { type MetricHead, planMetricAppend, type Point } from "./metric_history.ts";
import { applyMutations, MutationSet } from "./mutations.ts";

/** A run id as long as the store's. */
const RUN = "0123456789abcdef0123456789abcdef";

/** Bytes of a key in KV's tuple encoding (a type byte, the part, a terminator). */
function keyBytes(key: Deno.KvKey): number {
  let n = 0;
  for (const part of key) {
    n += typeof part === "string" ? 2 + new TextEncoder().encode(part).length : 9;
  }
  return n;
}

/** Bytes one commit writes: each set's key and serialised value, each delete's key. */
function commitBytes(m: MutationSet): number {
  let n = 0;
  for (const { key, value } of m.list()) {
    n += keyBytes(key) + (value === undefined ? 0 : serialize(value).length);
  }
  return n;
}

/** Appends points to metric `key` in one commit; returns the bytes it wrote. */
async function append(kv: Deno.Kv, key: string, points: Point[]): Promise<number> {
  const head = (await kv.get<MetricHead>(runMetricKey(RUN, key))).value;
  const m = new MutationSet();
  await planMetricAppend(kv, m, RUN, key, head, points);
  const op = kv.atomic();
  applyMutations(op, m.list());
  ok((await op.commit()).ok);
  return commitBytes(m);
}

/** A tiny deterministic PRNG so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const point = (step: number, value = step): Point => ({
  timestamp: 1_700_000_000_000 + step,
  step,
  value,
});

/** Most bytes a commit may write besides its points: the metric head and a chunk's count. */
const PER_COMMIT_BYTES = 400;

/**
 * Logs `points` (already in arrival order) `batch` per commit to each of `keys` in turn, after a
 * packed history of 2,000 even steps per key, 500 per commit; returns the bytes written.
 */
async function lateBytes(points: Point[], batch: number, keys: string[]) {
  using kv = await Deno.openKv(":memory:");
  for (const key of keys) {
    for (let s = 0; s < 4000; s += 1000) {
      await append(kv, key, Array.from({ length: 500 }, (_, i) => point(s + 2 * i)));
    }
  }
  let bytes = 0, commits = 0;
  for (let i = 0; i < points.length; i += batch) {
    for (const key of keys) {
      bytes += await append(kv, key, points.slice(i, i + batch));
      commits++;
    }
  }
  return { bytes, commits };
}

/** A point's own size: its entry alone in KV (key and value), as a late point is first written. */
const OWN_BYTES = keyBytes(["metric_late", RUN, "m", 1_700_000_000_001, 1, 1, 0]) +
  serialize(0).length;

Deno.test("regression: late points write their own entry and at most ~2x their size again, in any arrival order (issue 12 §3)", async () => {
  const odd = Array.from({ length: 1000 }, (_, i) => point(1 + 2 * i));
  const rand = rng(7);
  const orders: Record<string, Point[]> = {
    ascending: odd,
    descending: [...odd].reverse(),
    random: [...odd].sort(() => rand() - 0.5),
    // The same steps again with other values, then once more: every step re-logged twice.
    relogged: [...odd.slice(0, 300), ...odd.slice(0, 300).map((p) => point(p.step, -p.step))],
  };
  const figures: string[] = [];
  for (const [order, points] of Object.entries(orders)) {
    for (const [batch, keys] of [[1, ["m"]], [50, ["m"]], [1, ["m", "n"]]] as const) {
      const { bytes, commits } = await lateBytes(points, batch, [...keys]);
      const own = points.length * keys.length * OWN_BYTES;
      const ratio = (bytes - commits * PER_COMMIT_BYTES) / own;
      figures.push(
        `${order}, ${batch} per commit, ${keys.length} key(s): ${bytes} B (x${
          ratio.toFixed(2)
        } own)`,
      );
      ok(bytes <= 3 * own + commits * PER_COMMIT_BYTES, figures.join("\n"));
    }
  }
  console.log(figures.join("\n"));
});
