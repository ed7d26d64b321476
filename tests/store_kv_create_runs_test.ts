/**
 * `runs/create` on the KV store under concurrency (issue 12 §6): concurrent creates in one
 * experiment share the experiment this process cached instead of each reading it again, and a
 * cached experiment that another process changed is never trusted past the commit's check.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createKvStore } from "../store/kv/mod.ts";
import { MlflowError } from "../store/errors.ts";

/** A KV handle that counts its read round trips (`get`, `getMany`, `list` pages not included). */
function countingKv(kv: Deno.Kv): { kv: Deno.Kv; reads: () => number } {
  let reads = 0;
  const counted = new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop === "get" || prop === "getMany") {
        return (...args: unknown[]) => {
          reads++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { kv: counted, reads: () => reads };
}

Deno.test("concurrent runs/create in one cached experiment read nothing", async () => {
  using raw = await Deno.openKv(":memory:");
  const { kv, reads } = countingKv(raw);
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const exp = await store.createExperiment({ name: "e" });
  await store.createRun({ experimentId: exp, startTime: 1 }); // caches the experiment
  const before = reads();
  const runs = await Promise.all(
    Array.from({ length: 16 }, () => store.createRun({ experimentId: exp, startTime: 1 })),
  );
  assert.equal(new Set(runs.map((r) => r.info.run_id)).size, 16);
  assert.equal(reads() - before, 0);
});

Deno.test("runs/create from a stale cached experiment follows another process", async () => {
  using kv = await Deno.openKv(":memory:");
  const mine = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const other = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const exp = await mine.createExperiment({ name: "e" });
  await mine.createRun({ experimentId: exp, startTime: 1 }); // caches it as active

  await other.deleteExperiment(exp);
  const err = await Promise.all(
    Array.from({ length: 4 }, () => mine.createRun({ experimentId: exp, startTime: 1 })),
  ).then(() => undefined, (e) => e);
  assert.ok(err instanceof MlflowError, String(err));
  assert.equal(err.code, "INVALID_PARAMETER_VALUE");

  await other.restoreExperiment(exp);
  const run = await mine.createRun({ experimentId: exp, startTime: 1 });
  assert.equal((await other.getRun(run.info.run_id)).info.lifecycle_stage, "active");
});
