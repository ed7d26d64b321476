import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runMetricKey } from "./keys.ts";
import { createKvStore } from "./mod.ts";
import {
  COMPACT_AT,
  compareSortKeys,
  FOLD_BELOW_POINTS,
  type MetricHead,
  planMetricAppend,
  type Point,
  readHistoryPoints,
  sortKeyOf,
} from "./metric_history.ts";
import { applyMutations, MutationSet } from "./mutations.ts";

/** A tiny deterministic PRNG so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

async function append(kv: Deno.Kv, points: Point[]) {
  const head = (await kv.get<MetricHead>(runMetricKey("r", "m"))).value;
  const m = new MutationSet();
  await planMetricAppend(kv, m, "r", "m", head, points);
  const op = kv.atomic();
  applyMutations(op, m.list());
  strictEqual((await op.commit()).ok, true);
}

/** What the history must be: every distinct (timestamp, step, value), sorted. */
function expected(all: Point[]): Point[] {
  const seen = new Map<string, Point>();
  for (const p of all) seen.set(JSON.stringify(sortKeyOf(p)), p);
  return [...seen.values()].sort((a, b) => compareSortKeys(sortKeyOf(a), sortKeyOf(b)));
}

const strip = (ps: Point[]) =>
  ps.map((p) => [p.timestamp, p.step, Number.isNaN(p.value) ? "NaN" : p.value]);

Deno.test("planMetricAppend() keeps history exact under random appends, duplicates and out-of-order points", async () => {
  for (const seed of [1, 2, 3]) {
    using kv = await Deno.openKv(":memory:");
    const rand = rng(seed);
    const all: Point[] = [];
    let t = 1000;
    for (let round = 0; round < 120; round++) {
      const n = rand() < 0.6 ? 1 : Math.floor(rand() * 700) + 1;
      const batch: Point[] = [];
      for (let i = 0; i < n; i++) {
        const r = rand();
        let p: Point;
        if (r < 0.05 && all.length > 0) p = { ...all[Math.floor(rand() * all.length)] }; // duplicate
        else if (r < 0.12) p = { timestamp: Math.floor(rand() * t), step: 0, value: rand() }; // out of order
        else {p = {
            timestamp: t++,
            step: Math.floor(rand() * 3),
            value: rand() < 0.02 ? NaN : rand(),
          };}
        batch.push(p);
      }
      all.push(...batch);
      await append(kv, batch);
    }
    const want = expected(all);
    deepStrictEqual(strip(await readHistoryPoints(kv, "r", "m", null, Infinity)), strip(want));
    // Paging by cursor returns each point exactly once.
    const paged: Point[] = [];
    let after = null;
    for (;;) {
      const page = await readHistoryPoints(kv, "r", "m", after, 997);
      const take = page.slice(0, 997);
      paged.push(...take);
      if (page.length <= 997) break;
      after = sortKeyOf(take[take.length - 1]);
    }
    deepStrictEqual(strip(paged), strip(want));
  }
});

Deno.test("planMetricAppend() writes one small key for a single in-order point", async () => {
  using kv = await Deno.openKv(":memory:");
  await append(kv, [{ timestamp: 1, step: 0, value: 1 }]);
  const m = new MutationSet();
  const head = (await kv.get<MetricHead>(runMetricKey("r", "m"))).value;
  await planMetricAppend(kv, m, "r", "m", head, [{ timestamp: 2, step: 1, value: 2 }]);
  strictEqual(m.size, 2); // the loose point and the head
  strictEqual(head?.loose, 1);
});

Deno.test("planMetricAppend() packs loose points once COMPACT_AT is reached", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let i = 0; i < COMPACT_AT; i++) await append(kv, [{ timestamp: i, step: i, value: i }]);
  const head = (await kv.get<MetricHead>(runMetricKey("r", "m"))).value!;
  strictEqual(head.loose, 0);
  deepStrictEqual(head.max, [COMPACT_AT - 1, COMPACT_AT - 1, COMPACT_AT - 1, 0]);
  let loose = 0;
  for await (const _ of kv.list({ prefix: ["metric_points"] })) loose++;
  strictEqual(loose, 0);
});

Deno.test("planMetricAppend() keeps the latest by (step, timestamp, value) with NaN as 0", async () => {
  using kv = await Deno.openKv(":memory:");
  await append(kv, [
    { timestamp: 5, step: 2, value: 0.5 },
    { timestamp: 9, step: 1, value: 9 },
    { timestamp: 5, step: 2, value: NaN },
  ]);
  const head = (await kv.get<MetricHead>(runMetricKey("r", "m"))).value!;
  deepStrictEqual([head.latest.timestamp, head.latest.step, head.latest.value], [5, 2, 0.5]);
});

const at = (step: number): Point => ({ timestamp: 1000 + step, step, value: step / 10 });
const steps = (from: number, n: number) => Array.from({ length: n }, (_, i) => at(from + i));

Deno.test("regression: log-metric below the first packed chunk is accepted (issue 10 #1)", async () => {
  using kv = await Deno.openKv(":memory:");
  await append(kv, steps(100, 150));
  await append(kv, steps(250, 150));
  await append(kv, [at(5)]);
  // And a batch wholly below the chunk, then one spanning below, inside and above it.
  await append(kv, [at(3), at(1), at(2)]);
  await append(kv, [at(0), at(4), at(200), at(399), at(400)]);
  const want = expected([...steps(0, 6), ...steps(100, 301)]);
  deepStrictEqual(strip(await readHistoryPoints(kv, "r", "m", null, Infinity)), strip(want));
  const head = (await kv.get<MetricHead>(runMetricKey("r", "m"))).value!;
  deepStrictEqual(head.latest, at(400));
});

Deno.test("regression: a chunk of points with short model/dataset extras stays under KV's 64 KiB value limit", async () => {
  using kv = await Deno.openKv(":memory:");
  // One-letter extras cost ~50 bytes a point in V8's serialisation, mostly field names.
  const x = { model_id: "m", dataset_name: "d", dataset_digest: "g" };
  const points = steps(0, 1000).map((p) => ({ ...p, x: { ...x } }));
  for (let i = 0; i < points.length; i += 250) await append(kv, points.slice(i, i + 250));
  await append(kv, [{ ...at(-1), x: { ...x } }]);
  deepStrictEqual(
    (await readHistoryPoints(kv, "r", "m", null, Infinity)).map((p) => [p.step, p.x]),
    [at(-1), ...points].map((p) => [p.step, x]),
  );
});

Deno.test("regression: two KV handles on one file log below and above packed chunks at once (issue 10 #1)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-history-" });
  const kvA = await Deno.openKv(`${dir}/mlruns.kv`);
  const kvB = await Deno.openKv(`${dir}/mlruns.kv`);
  try {
    const a = await createKvStore(kvA);
    const b = await createKvStore(kvB);
    const runId = (await a.createRun({ startTime: 1 })).info.run_id;
    const metric = (p: Point) => ({ key: "m", ...p });
    // Two processes, as with two servers behind one load balancer: A logs batches in order
    // while B logs single points, most of them below what A has packed already.
    await a.logBatch(runId, { metrics: steps(100, 150).map(metric) });
    await Promise.all([
      (async () => {
        for (let from = 250; from < 650; from += 100) {
          await a.logBatch(runId, { metrics: steps(from, 100).map(metric) });
        }
      })(),
      (async () => {
        for (let step = 99; step >= 0; step -= 3) {
          await b.logBatch(runId, { metrics: [metric(at(step))] });
        }
      })(),
    ]);
    const want = [...steps(0, 100).filter((p) => (99 - p.step) % 3 === 0), ...steps(100, 550)];
    for (const store of [a, b]) {
      const got = (await store.getMetricHistory(runId, "m")).items;
      deepStrictEqual(got.map((m) => m.step), want.map((p) => p.step));
      deepStrictEqual((await store.getRun(runId)).data.metrics, [metric(at(649))]);
    }
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** A KV handle that counts reads, to check what the fast path costs. */
function countingReads(kv: Deno.Kv): { kv: Deno.Kv; reads: () => number } {
  let n = 0;
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop === "get" || prop === "getMany" || prop === "list") {
        return (...args: unknown[]) => {
          n++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { kv: proxy, reads: () => n };
}

Deno.test("planMetricAppend() reads nothing for in-order appends above the loose points", async () => {
  using raw = await Deno.openKv(":memory:");
  await append(raw, steps(0, 150)); // packed
  await append(raw, [at(150), at(151)]); // loose
  const { kv, reads } = countingReads(raw);
  for (const p of [at(152), at(160), at(161)]) await append(kv, [p]);
  await append(kv, steps(170, 5));
  strictEqual(reads(), 4); // only append()'s own head reads
});

Deno.test("regression: a repeated point keeps the extras of its first copy, loose or packed", async () => {
  using kv = await Deno.openKv(":memory:");
  const x = (model_id: string) => ({ model_id });
  // Loose: the repeat arrives below the newest loose point, then at it.
  await append(kv, [{ ...at(1), x: x("first") }, at(2)]);
  await append(kv, [at(3)]);
  await append(kv, [{ ...at(1), x: x("second") }]);
  await append(kv, [{ ...at(3), x: x("second") }]);
  // In one batch.
  await append(kv, [{ ...at(4), x: x("first") }, { ...at(4), x: x("second") }]);
  // Packed: into chunks by compaction, then repeated below the chunk max.
  await append(kv, steps(5, 120));
  await append(kv, [{ ...at(2), x: x("second") }, { ...at(50), x: x("second") }]);
  const got = await readHistoryPoints(kv, "r", "m", null, Infinity);
  deepStrictEqual(got.length, 124);
  deepStrictEqual(got.slice(0, 4).map((p) => [p.step, p.x?.model_id]), [
    [1, "first"],
    [2, undefined],
    [3, undefined],
    [4, "first"],
  ]);
  strictEqual(got[49].x, undefined);
});

Deno.test("planMetricAppend() looks up the largest loose point once for a head stored without it", async () => {
  using raw = await Deno.openKv(":memory:");
  await append(raw, [{ ...at(1), x: { model_id: "first" } }, at(2)]);
  // A head as stored before it tracked its largest loose point.
  const { top: _, ...old } = (await raw.get<MetricHead>(runMetricKey("r", "m"))).value!;
  await raw.set(runMetricKey("r", "m"), old);
  const { kv, reads } = countingReads(raw);
  await append(kv, [{ ...at(1), x: { model_id: "second" } }]);
  strictEqual(reads(), 3); // the head, the largest loose point, the repeat's loose key
  await append(kv, [at(3)]);
  await append(kv, [at(4)]);
  strictEqual(reads(), 5); // then only the heads again
  const got = await readHistoryPoints(raw, "r", "m", null, Infinity);
  deepStrictEqual(got.map((p) => [p.step, p.x?.model_id]), [
    [1, "first"],
    [2, undefined],
    [3, undefined],
    [4, undefined],
  ]);
});

Deno.test("planMetricAppend() folds the last chunk only while it is under FOLD_BELOW_POINTS, and skips reading it once full", async () => {
  using kv = await Deno.openKv(":memory:");
  let reads = 0;
  const counted = new Proxy(kv, {
    get(target, prop) {
      if (prop === "get" || prop === "getMany" || prop === "list") reads++;
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const appendCounted = async (points: Point[]) => {
    const head = (await kv.get<MetricHead>(runMetricKey("r", "m"))).value;
    const m = new MutationSet();
    reads = 0;
    await planMetricAppend(counted, m, "r", "m", head, points);
    const op = kv.atomic();
    applyMutations(op, m.list());
    strictEqual((await op.commit()).ok, true);
    return reads;
  };
  const run = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ timestamp: from + i, step: from + i, value: from + i }));
  for (let b = 0; b < 10; b++) await appendCounted(run(b * 100, 100));
  const sizes: number[] = [];
  for await (const e of kv.list<{ ts: Float64Array }>({ prefix: ["metric_chunks"] })) {
    sizes.push(e.value.ts.length);
  }
  deepStrictEqual(sizes, [FOLD_BELOW_POINTS, FOLD_BELOW_POINTS]);
  // The last chunk is full enough not to fold: the next append reads nothing.
  strictEqual(await appendCounted(run(1000, 1000)), 0);
  deepStrictEqual(
    strip(await readHistoryPoints(kv, "r", "m", null, Infinity)),
    strip(run(0, 2000)),
  );
});

Deno.test("planMetricAppend() folds the last chunk its previous append wrote without reading it back, only from that append's head", async () => {
  using kv = await Deno.openKv(":memory:");
  let reads = 0;
  const counted = new Proxy(kv, {
    get(target, prop) {
      if (prop === "get" || prop === "getMany" || prop === "list") reads++;
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const points = (from: number) =>
    Array.from({ length: 100 }, (_, i) => ({ timestamp: from + i, step: from + i, value: i }));
  /** Plans and commits an append from `head`; returns the reads and the head it planned. */
  const appendFrom = async (head: MetricHead | null, pts: Point[]) => {
    const m = new MutationSet();
    reads = 0;
    await planMetricAppend(counted, m, "r", "m", head, pts);
    const op = kv.atomic();
    applyMutations(op, m.list());
    strictEqual((await op.commit()).ok, true);
    return { reads, head: m.get(runMetricKey("r", "m"))!.value as MetricHead };
  };
  let { head } = await appendFrom(null, points(0));
  // The head this process planned, as the run cache hands it back: nothing read.
  ({ head, reads } = await appendFrom(head, points(100)));
  strictEqual(reads, 0);
  // A head read from KV (another process may have written since): the chunk is read.
  const stored = (await kv.get<MetricHead>(runMetricKey("r", "m"))).value;
  ({ reads } = await appendFrom(stored, points(200)));
  strictEqual(reads, 1);
  const all = [...points(0), ...points(100), ...points(200)];
  deepStrictEqual(strip(await readHistoryPoints(kv, "r", "m", null, Infinity)), strip(all));
  const sizes: number[] = [];
  for await (const e of kv.list<{ ts: Float64Array }>({ prefix: ["metric_chunks"] })) {
    sizes.push(e.value.ts.length);
  }
  deepStrictEqual(sizes, [300]);
});
