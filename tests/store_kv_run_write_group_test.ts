/**
 * Writes to one run waiting in this process's queue are planned one after another and share one
 * commit (store/kv/run_write.ts), each keeping its own outcome, within the backend's commit limits,
 * and with exactly the result of the same writes made one by one (the memory store's).
 */
import assert from "node:assert/strict";
import { MlflowError } from "../store/errors.ts";
import { LOCAL_KV_COMMIT_LIMITS, REMOTE_KV_COMMIT_LIMITS } from "../store/kv/commit_limits.ts";
import type { CommitLimits } from "../store/kv/commit_limits.ts";
import { createKvStore } from "../store/kv/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { createApp } from "../routes/mod.ts";
import { post } from "./api/_helpers.ts";
import { skipKvConnect, startKvConnect } from "./helpers/kvconnect.ts";
import type { DatasetInput, RunBatch, TrackingStore } from "../store/types.ts";

/** What each atomic commit that reached KV held. */
interface CommitLog {
  commits: { checks: number; mutations: number }[];
}

/** `kv`, with a log of every atomic commit made through it. */
function logged(kv: Deno.Kv, log: CommitLog): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const seen = { checks: 0, mutations: 0 };
          const wrapped: Deno.AtomicOperation = new Proxy(op, {
            get(o, p) {
              const v = Reflect.get(o, p, o);
              if (typeof v !== "function") return v;
              return (...args: unknown[]) => {
                if (p === "check") seen.checks += args.length;
                if (p === "set" || p === "delete") seen.mutations++;
                if (p === "commit") log.commits.push(seen);
                const out = v.apply(o, args);
                return out === o ? wrapped : out;
              };
            },
          });
          return wrapped;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

async function openStore(limits: CommitLimits = LOCAL_KV_COMMIT_LIMITS) {
  const raw = await Deno.openKv(":memory:");
  const log: CommitLog = { commits: [] };
  const store = await createKvStore(logged(raw, log), {
    commitLimits: limits,
    stagingSweepIntervalMs: 0,
  });
  return {
    store,
    log,
    async [Symbol.asyncDispose]() {
      await store.stopBackgroundWork();
      raw.close();
    },
  };
}

const point = (step: number, key = "m") => ({
  key,
  value: step % 7 === 3 ? NaN : 1 / (step + 1),
  timestamp: 1_000 + step,
  step,
});

/** A fixed shuffle of 0..n-1, so points arrive out of order. */
function shuffled(n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let seed = 7;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

Deno.test("concurrent log-metric calls to one run share commits and every point lands", async () => {
  await using s = await openStore();
  const run = (await s.store.createRun({ experimentId: "0" })).info.run_id;
  s.log.commits.length = 0;
  const steps = shuffled(40);
  await Promise.all(steps.map((i) => s.store.logBatch(run, { metrics: [point(i)] })));
  // One at a time this was 40 commits.
  assert.ok(s.log.commits.length <= 3, `${s.log.commits.length} commits for 40 writes`);
  const history = await s.store.getMetricHistory(run, "m");
  assert.deepEqual(
    history.items.map((p) => p.step).sort((a, b) => a - b),
    [...steps].sort((a, b) => a - b),
  );
  const got = await s.store.getRun(run);
  assert.deepEqual(got.data.metrics, [point(39)]);
});

Deno.test("a bad write among concurrent good ones to one run fails alone and leaves nothing behind", async () => {
  await using s = await openStore();
  const run = (await s.store.createRun({ experimentId: "0" })).info.run_id;
  await s.store.logBatch(run, { params: [{ key: "lr", value: "0.1" }] });
  s.log.commits.length = 0;
  const writes: RunBatch[] = Array.from({ length: 10 }, (_, i) => ({ metrics: [point(i)] }));
  // Plans a new param and a point before it meets the changed param: none of it may be kept.
  writes.splice(5, 0, {
    params: [{ key: "fresh", value: "1" }, { key: "lr", value: "0.2" }],
    metrics: [point(100), point(1, "other")],
    tags: [{ key: "bad", value: "1" }],
  });
  const results = await Promise.allSettled(writes.map((b) => s.store.logBatch(run, b)));
  results.forEach((r, i) => {
    if (i !== 5) return assert.equal(r.status, "fulfilled", `write ${i}`);
    assert.equal(r.status, "rejected");
    const e = (r as PromiseRejectedResult).reason;
    assert.ok(e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE", String(e));
  });
  assert.ok(s.log.commits.length < 10, `${s.log.commits.length} commits for 10 good writes`);
  const got = await s.store.getRun(run);
  assert.deepEqual(got.data.params, [{ key: "lr", value: "0.1" }]);
  assert.deepEqual(got.data.metrics, [point(9)]);
  assert.equal(got.data.tags.find((t) => t.key === "bad"), undefined);
  const history = await s.store.getMetricHistory(run, "m");
  assert.deepEqual(history.items.map((p) => p.step), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual((await s.store.getMetricHistory(run, "other")).items, []);
});

Deno.test("over HTTP, a bad log call among concurrent log-metric calls to one run gets its 400 alone", async () => {
  await using s = await openStore();
  const app = createApp({ store: s.store });
  const run = (await s.store.createRun({ experimentId: "0" })).info.run_id;
  await s.store.logBatch(run, { params: [{ key: "lr", value: "0.1" }] });
  s.log.commits.length = 0;
  const calls = Array.from(
    { length: 12 },
    (_, i) => post(app, "runs/log-metric", { run_id: run, ...point(i), value: i }),
  );
  calls.splice(6, 0, post(app, "runs/log-parameter", { run_id: run, key: "lr", value: "0.2" }));
  const replies = await Promise.all(calls);
  const statuses = await Promise.all(replies.map(async (r) => (await r.body?.cancel(), r.status)));
  assert.deepEqual(statuses, [...Array(6).fill(200), 400, ...Array(6).fill(200)]);
  assert.ok(s.log.commits.length < 12, `${s.log.commits.length} commits for 12 good calls`);
  const history = await s.store.getMetricHistory(run, "m");
  assert.equal(history.items.length, 12);
  assert.deepEqual((await s.store.getRun(run)).data.params, [{ key: "lr", value: "0.1" }]);
});

/** A run's whole visible state, without its id. */
async function snapshot(store: TrackingStore, runId: string, exp: string) {
  const run = await store.getRun(runId);
  const byKey = <T extends { key: string }>(xs: T[]) =>
    [...xs].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const histories = [];
  for (const key of ["m", "n"]) {
    histories.push((await store.getMetricHistory(runId, key)).items);
  }
  const search = await store.searchRuns({
    experimentIds: [exp],
    filter: "metrics.m >= 0 and tags.t != 'x'",
    runViewType: "ALL",
  });
  return {
    name: run.info.run_name,
    stage: run.info.lifecycle_stage,
    metrics: byKey(run.data.metrics),
    params: byKey(run.data.params),
    tags: byKey(run.data.tags.filter((t) => t.key !== "mlflow.user")),
    histories,
    search: search.items.map((r) => ({ metrics: byKey(r.data.metrics), tags: r.data.tags.length })),
  };
}

Deno.test("grouped writes leave exactly what the same writes one by one leave (memory store)", async () => {
  await using s = await openStore();
  const memory = createMemoryStore();
  const kvExp = await s.store.createExperiment({ name: "e" });
  const memExp = await memory.createExperiment({ name: "e" });
  const input = { runName: "r", startTime: 5 };
  const kvRun = (await s.store.createRun({ experimentId: kvExp, ...input })).info.run_id;
  const memRun = (await memory.createRun({ experimentId: memExp, ...input })).info.run_id;
  // Out-of-order and repeated points across compactions, renames, tag changes and deletes,
  // params (one changed: rejected), and writes after the run is deleted (rejected).
  const ops: ((store: TrackingStore, run: string) => Promise<void>)[] = [];
  for (const i of shuffled(260)) {
    ops.push((st, r) => st.logBatch(r, { metrics: [point(i % 230), point(i, "n")] }));
    if (i % 37 === 0) ops.push((st, r) => st.logBatch(r, { tags: [{ key: "t", value: `${i}` }] }));
    if (i % 53 === 0) {
      ops.push((st, r) => st.logBatch(r, { tags: [{ key: "mlflow.runName", value: `r${i}` }] }));
    }
    if (i % 61 === 0) ops.push((st, r) => st.deleteTag(r, "t"));
    if (i % 71 === 0) {
      ops.push((st, r) => st.logBatch(r, { params: [{ key: "p", value: `${i === 0 ? 0 : 1}` }] }));
    }
  }
  ops.push((st, r) => st.updateRun(r, { status: "FINISHED", endTime: 9 }).then(() => {}));
  ops.push((st, r) => st.deleteRun(r));
  ops.push((st, r) => st.logBatch(r, { metrics: [point(500)] }));
  ops.push((st, r) => st.restoreRun(r));
  ops.push((st, r) => st.logBatch(r, { metrics: [point(501)] }));

  const outcome = (r: PromiseSettledResult<void>) =>
    r.status === "fulfilled" ? "ok" : (r.reason as MlflowError).code ?? String(r.reason);
  const want: string[] = [];
  for (const op of ops) {
    want.push(outcome((await Promise.allSettled([op(memory, memRun)]))[0]));
  }
  s.log.commits.length = 0;
  const got = (await Promise.allSettled(ops.map((op) => op(s.store, kvRun)))).map(outcome);
  assert.deepEqual(got, want);
  assert.ok(want.includes("INVALID_PARAMETER_VALUE") && want.includes("RESOURCE_DOES_NOT_EXIST"));
  // One by one, every accepted write was a commit of its own; grouped, a plan reads what earlier
  // plans of its group wrote (chunks rewritten by late points, loose points being packed) through
  // pending_reads.ts, so only MAX_RUN_WRITE_GROUP bounds a group.
  const accepted = want.filter((o) => o === "ok").length;
  assert.ok(s.log.commits.length <= accepted / 20, `${s.log.commits.length} of ${accepted}`);
  assert.deepEqual(await snapshot(s.store, kvRun, kvExp), await snapshot(memory, memRun, memExp));
});

Deno.test("a group stays within the backend's commit limits and every write lands", async (t) => {
  await t.step("mutations", async () => {
    await using s = await openStore({ ...LOCAL_KV_COMMIT_LIMITS, mutations: 60 });
    const run = (await s.store.createRun({ experimentId: "0" })).info.run_id;
    s.log.commits.length = 0;
    const keys = (i: number) => [0, 1, 2, 3, 4].map((k) => point(i, `k${i}_${k}`));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.store.logBatch(run, { metrics: keys(i) })),
    );
    assert.ok(s.log.commits.length < 20, `${s.log.commits.length} commits`);
    for (const c of s.log.commits) assert.ok(c.mutations <= 60, `${c.mutations} mutations`);
    assert.equal((await s.store.getRun(run)).data.metrics.length, 100);
  });
  await t.step("checks (denokv takes 10)", async () => {
    await using s = await openStore(REMOTE_KV_COMMIT_LIMITS);
    const run = (await s.store.createRun({ experimentId: "0" })).info.run_id;
    s.log.commits.length = 0;
    const dataset = (i: number): DatasetInput => ({
      tags: [],
      dataset: { name: `d${i}`, digest: `g${i}`, source_type: "local", source: "{}" },
    });
    // Each new dataset adds a check of its experiment-wide index key.
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => s.store.logInputs(run, [dataset(i)])),
    );
    assert.ok(s.log.commits.length < 24, `${s.log.commits.length} commits`);
    for (const c of s.log.commits) assert.ok(c.checks <= 10, `${c.checks} checks`);
    assert.equal((await s.store.getRun(run)).inputs.dataset_inputs.length, 24);
  });
});

Deno.test("a group planned from a stale cache is planned again from KV as a whole", async () => {
  const raw = await Deno.openKv(":memory:");
  const log: CommitLog = { commits: [] };
  const a = await createKvStore(logged(raw, log), { stagingSweepIntervalMs: 0 });
  const b = await createKvStore(raw, { stagingSweepIntervalMs: 0 });
  try {
    const run = (await a.createRun({ experimentId: "0" })).info.run_id; // a caches the run
    await b.logBatch(run, { params: [{ key: "lr", value: "0.1" }], metrics: [point(50)] });
    log.commits.length = 0;
    const writes: RunBatch[] = [
      ...Array.from({ length: 6 }, (_, i) => ({ metrics: [point(i)] })),
      { params: [{ key: "lr", value: "0.2" }] }, // valid against a's cache, not against KV
      { params: [{ key: "lr", value: "0.1" }], tags: [{ key: "t", value: "1" }] },
    ];
    const results = await Promise.allSettled(writes.map((w) => a.logBatch(run, w)));
    assert.deepEqual(results.map((r) => r.status), [
      ...Array(6).fill("fulfilled"),
      "rejected",
      "fulfilled",
    ]);
    // The stale group's commit failed its check; the whole group then went out once.
    assert.equal(log.commits.length, 2);
    const got = await b.getRun(run);
    assert.deepEqual(got.data.params, [{ key: "lr", value: "0.1" }]);
    assert.deepEqual(got.data.metrics, [point(50)]);
    assert.equal(got.data.tags.find((x) => x.key === "t")?.value, "1");
    const steps = (await b.getMetricHistory(run, "m")).items.map((p) => p.step);
    assert.deepEqual(steps, [0, 1, 2, 3, 4, 5, 50]);
  } finally {
    await a.stopBackgroundWork();
    await b.stopBackgroundWork();
    raw.close();
  }
});

Deno.test({
  name:
    "KV Connect: concurrent log-metric and log-inputs calls to one run share commits denokv takes",
  ignore: skipKvConnect,
}, async () => {
  const kvc = await startKvConnect();
  const raw = await kvc.openKv();
  const log: CommitLog = { commits: [] };
  const store = await createKvStore(logged(raw, log), {
    commitLimits: REMOTE_KV_COMMIT_LIMITS,
    stagingSweepIntervalMs: 0,
  });
  try {
    const run = (await store.createRun({ experimentId: "0" })).info.run_id;
    log.commits.length = 0;
    const dataset = (i: number): DatasetInput => ({
      tags: [],
      dataset: { name: `d${i}`, digest: `g${i}`, source_type: "local", source: "{}" },
    });
    // 16 new datasets need 16 index checks besides the run's own two: several commits of ≤ 10.
    await Promise.all([
      ...Array.from({ length: 32 }, (_, i) => store.logBatch(run, { metrics: [point(i)] })),
      ...Array.from({ length: 16 }, (_, i) => store.logInputs(run, [dataset(i)])),
    ]);
    assert.ok(log.commits.length < 24, `${log.commits.length} commits for 48 calls`);
    for (const c of log.commits) assert.ok(c.checks <= 10, `${c.checks} checks`);
    const got = await store.getRun(run);
    assert.equal(got.inputs.dataset_inputs.length, 16);
    assert.equal((await store.getMetricHistory(run, "m")).items.length, 32);
  } finally {
    await store.stopBackgroundWork();
    raw.close();
    await kvc.stop();
  }
});
