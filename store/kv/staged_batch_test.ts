import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runHeadKey, runParamKey, runParamsPrefix, stagingsPrefix } from "./keys.ts";
import type { Mutation } from "./mutations.ts";
import type { RunHead } from "./records.ts";
import { rollForward, stageAndFlip, sweepAbandonedStagings } from "./staged_batch.ts";

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
