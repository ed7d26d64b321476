import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { countingKv, newCounts } from "../../tests/helpers/counting_kv.ts";
import {
  pendingBatchCountKey,
  runHeadKey,
  runParamKey,
  runParamsPrefix,
  stagingsPrefix,
} from "./keys.ts";
import type { Mutation } from "./mutations.ts";
import type { RunHead } from "./records.ts";
import {
  flipBatch,
  rollForward,
  rollForwardAll,
  rollForwardUncounted,
  stageAndFlip,
  stageBatch,
  sweepAbandonedStagings,
} from "./staged_batch.ts";

const bigMutations = (n: number): Mutation[] =>
  Array.from(
    { length: n },
    (_, i) => ({ key: runParamKey("r", `k${i}`), value: "x".repeat(5000) }),
  );

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("stageAndFlip() makes nothing visible until roll-forward, which applies everything once", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(runHeadKey("r"), { seq: 0 });
  const head = await kv.get<RunHead>(runHeadKey("r"));
  strictEqual(await stageAndFlip(kv, "r", head, [], bigMutations(1500)), true);
  // The process "dies" here: the batch is committed (pending) but not applied.
  strictEqual((await kv.get<RunHead>(runHeadKey("r"))).value?.pending !== undefined, true);
  strictEqual(await count(kv, runParamsPrefix("r")), 0);
  // Two rollers racing (two readers of the run after the crash) apply it exactly once.
  await Promise.all([rollForward(kv, "r"), rollForward(kv, "r")]);
  strictEqual(await count(kv, runParamsPrefix("r")), 1500);
  strictEqual((await kv.get<RunHead>(runHeadKey("r"))).value?.pending, undefined);
  strictEqual(await count(kv, ["staged_batches"]), 0);
  strictEqual(await count(kv, stagingsPrefix()), 0);
});

Deno.test("stageAndFlip() fails on a stale head and leaves no staged keys behind", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(runHeadKey("r"), { seq: 0 });
  const stale = await kv.get<RunHead>(runHeadKey("r"));
  await kv.set(runHeadKey("r"), { seq: 1 });
  strictEqual(await stageAndFlip(kv, "r", stale, [], bigMutations(1500)), false);
  strictEqual(await count(kv, runParamsPrefix("r")), 0);
  strictEqual(await count(kv, ["staged_batches"]), 0);
  deepStrictEqual((await kv.get<RunHead>(runHeadKey("r"))).value, { seq: 1 });
});

Deno.test("sweepAbandonedStagings() removes stagings whose batch never became pending", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(runHeadKey("r"), { seq: 0 });
  await kv.set(["stagings", "b1"], { runId: "r", createdAt: 0 });
  await kv.set(["staged_batches", "r", "b1", 0], bigMutations(2));
  strictEqual(await sweepAbandonedStagings(kv, 10 * 3600_000), 1);
  strictEqual(await count(kv, ["staged_batches"]), 0);
  strictEqual(await count(kv, stagingsPrefix()), 0);
});

const LATER = Date.now() + 10 * 3600_000;

Deno.test("regression: a writer whose staging was swept as abandoned fails its flip instead of committing an empty batch", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(runHeadKey("r"), { seq: 0 });
  const head = await kv.get<RunHead>(runHeadKey("r"));
  // A writer slower than the abandonment age: a sweeper takes its staging between its staging
  // and its flip. Before, the flip still succeeded and acknowledged a batch with no writes.
  const batch = await stageBatch(kv, "r", bigMutations(1500));
  strictEqual(await sweepAbandonedStagings(kv, LATER), 1);
  strictEqual(await flipBatch(kv, batch, head, []), false);
  deepStrictEqual((await kv.get<RunHead>(runHeadKey("r"))).value, { seq: 0 });
  strictEqual(await count(kv, ["staged_batches"]), 0);
  strictEqual(await count(kv, stagingsPrefix()), 0);
  // Staged again, the same batch commits whole.
  strictEqual(await stageAndFlip(kv, "r", head, [], bigMutations(1500)), true);
  await rollForward(kv, "r");
  strictEqual(await count(kv, runParamsPrefix("r")), 1500);
});

Deno.test("sweepAbandonedStagings() leaves a flipped (pending) batch to roll-forward", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(runHeadKey("r"), { seq: 0 });
  const head = await kv.get<RunHead>(runHeadKey("r"));
  strictEqual(await stageAndFlip(kv, "r", head, [], bigMutations(1500)), true);
  strictEqual(await sweepAbandonedStagings(kv, LATER), 0);
  await rollForward(kv, "r");
  strictEqual(await count(kv, runParamsPrefix("r")), 1500);
  strictEqual(await count(kv, stagingsPrefix()), 0);
});

Deno.test("sweepAbandonedStagings() from several handles at once removes every abandoned staging", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-sweep-" });
  try {
    const handles = await Promise.all([1, 2, 3].map(() => Deno.openKv(`${dir}/db.kv`)));
    try {
      for (const id of ["r1", "r2", "r3"]) {
        await handles[0].set(runHeadKey(id), { seq: 0 });
        await stageBatch(handles[0], id, bigMutations(600));
      }
      const swept = await Promise.all(handles.map((kv) => sweepAbandonedStagings(kv, LATER)));
      ok(swept.reduce((a, b) => a + b, 0) >= 3, `swept ${swept}`);
      strictEqual(await count(handles[1], ["staged_batches"]), 0);
      strictEqual(await count(handles[2], stagingsPrefix()), 0);
    } finally {
      for (const kv of handles) kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sweepAbandonedStagings() finishes a staging a dead sweeper had marked", async () => {
  using kv = await Deno.openKv(":memory:");
  // Marked abandoned, then the sweeper died before deleting: young or not, it is finished.
  await kv.set(["stagings", "b1"], { runId: "r", createdAt: Date.now(), abandoned: true });
  await kv.set(["staged_batches", "r", "b1", 0], bigMutations(2));
  strictEqual(await sweepAbandonedStagings(kv), 1);
  strictEqual(await count(kv, ["staged_batches"]), 0);
  strictEqual(await count(kv, stagingsPrefix()), 0);
});

Deno.test("a staging swept while its writer is still staging takes no more packs", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(runHeadKey("r"), { seq: 0 });
  // The sweeper runs just before the writer's 4th commit (its 3rd pack commit), as if the writer
  // had stalled for longer than the abandonment age mid-way.
  const atomic = kv.atomic.bind(kv);
  let commits = 0, sweeping = false;
  kv.atomic = () => {
    const op = atomic();
    const commit = op.commit.bind(op);
    op.commit = async () => {
      if (!sweeping && ++commits === 4) {
        sweeping = true;
        strictEqual(await sweepAbandonedStagings(kv, LATER), 1);
        sweeping = false;
      }
      return await commit();
    };
    return op;
  };
  await stageBatch(kv, "r", bigMutations(1500));
  ok(commits >= 4, `the sweep never ran (${commits} commits)`);
  // The writer now dies without flipping: nothing of its batch may be left behind.
  strictEqual(await count(kv, ["staged_batches"]), 0);
  strictEqual(await count(kv, stagingsPrefix()), 0);
});

Deno.test("rollForwardAll() reads only the pending-batch count when no batch is pending, and finds one that is", async () => {
  const raw = await Deno.openKv(":memory:");
  try {
    const counts = newCounts();
    const kv = countingKv(raw, counts);
    await raw.set(runHeadKey("r"), { seq: 0 });
    await rollForwardAll(kv);
    deepStrictEqual(counts.log, [`getMany [${JSON.stringify(pendingBatchCountKey())}]`]);
    // A writer dies after its flip: the count tells readers to look.
    const head = await raw.get<RunHead>(runHeadKey("r"));
    strictEqual(await stageAndFlip(raw, "r", head, [], bigMutations(1500)), true);
    await rollForwardAll(kv);
    strictEqual(await count(raw, runParamsPrefix("r")), 1500);
    strictEqual((await raw.get<Deno.KvU64>(pendingBatchCountKey())).value?.value, 0n);
    counts.log = [];
    await rollForwardAll(kv);
    strictEqual(counts.log.length, 1);
  } finally {
    raw.close();
  }
});

Deno.test("a batch flipped before the pending-batch count existed is found when the store opens, and a count left off is reset", async () => {
  const raw = await Deno.openKv(":memory:");
  try {
    await raw.set(runHeadKey("r"), { seq: 0 });
    const head = await raw.get<RunHead>(runHeadKey("r"));
    strictEqual(await stageAndFlip(raw, "r", head, [], bigMutations(1500)), true);
    // As code that did not count: no count for the pending batch.
    await raw.delete(pendingBatchCountKey());
    await rollForwardAll(raw);
    strictEqual(await count(raw, runParamsPrefix("r")), 0);
    // Opening a store finds it, as the count does not exist.
    await rollForwardUncounted(raw);
    strictEqual(await count(raw, runParamsPrefix("r")), 1500);
    // Its finish counted down from nothing: the next look finds none pending and resets the count.
    strictEqual((await raw.get<Deno.KvU64>(pendingBatchCountKey())).value?.value, 2n ** 64n - 1n);
    await rollForwardAll(raw);
    strictEqual((await raw.get<Deno.KvU64>(pendingBatchCountKey())).value?.value, 0n);
    // Once the count exists, opening a store does not list pending batches.
    const counts = newCounts();
    await rollForwardUncounted(countingKv(raw, counts));
    deepStrictEqual(counts.log, [`getMany [${JSON.stringify(pendingBatchCountKey())}]`]);
  } finally {
    raw.close();
  }
});
