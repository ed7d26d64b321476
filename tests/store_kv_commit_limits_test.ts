/**
 * KV's per-commit limits never reach a client as a 500: on KV Connect (denokv's 10 checks per
 * atomic write) paths whose checks grow with the request stay within the limit, and on any backend
 * a request too large for one commit is a 400.
 */
import assert from "node:assert/strict";
import { MlflowError } from "../store/errors.ts";
import { LOCAL_KV_COMMIT_LIMITS, REMOTE_KV_COMMIT_LIMITS } from "../store/kv/commit_limits.ts";
import { createKvStore } from "../store/kv/mod.ts";
import type { DatasetInput } from "../store/types.ts";
import { skipKvConnect, startKvConnect } from "./helpers/kvconnect.ts";

const dataset = (i: number): DatasetInput => ({
  tags: [],
  dataset: { name: `d${i}`, digest: `g${i}`, source_type: "local", source: "{}" },
});

async function withRemoteStore(
  fn: (store: Awaited<ReturnType<typeof createKvStore>>) => Promise<void>,
) {
  const kvc = await startKvConnect();
  const kv = await kvc.openKv();
  const store = await createKvStore(kv, {
    commitLimits: REMOTE_KV_COMMIT_LIMITS,
    stagingSweepIntervalMs: 0,
  });
  try {
    await fn(store);
  } finally {
    await store.stopBackgroundWork();
    kv.close();
    await kvc.stop();
  }
}

Deno.test({
  name: "KV Connect: log-inputs of 12 datasets the experiment already has fits one commit",
  ignore: skipKvConnect,
}, async () => {
  await withRemoteStore(async (store) => {
    const exp = await store.createExperiment({ name: "ds" });
    const first = await store.createRun({ experimentId: exp });
    for (let i = 0; i < 12; i += 4) {
      await store.logInputs(first.info.run_id, [0, 1, 2, 3].map((j) => dataset(i + j)));
    }
    const second = await store.createRun({ experimentId: exp });
    await store.logInputs(second.info.run_id, Array.from({ length: 12 }, (_, i) => dataset(i)));
    const got = await store.getRun(second.info.run_id);
    assert.equal(got.inputs.dataset_inputs.length, 12);
  });
});

Deno.test({
  name: "KV Connect: log-inputs of more new datasets than one commit can check is a 400",
  ignore: skipKvConnect,
}, async () => {
  await withRemoteStore(async (store) => {
    const exp = await store.createExperiment({ name: "ds" });
    const run = await store.createRun({ experimentId: exp });
    await assert.rejects(
      store.logInputs(run.info.run_id, Array.from({ length: 12 }, (_, i) => dataset(i))),
      (e) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE",
    );
    assert.equal((await store.getRun(run.info.run_id)).inputs.dataset_inputs.length, 0);
    // As many as fit (head, experiment and 8 absent index entries) go through.
    await store.logInputs(run.info.run_id, Array.from({ length: 8 }, (_, i) => dataset(i)));
    assert.equal((await store.getRun(run.info.run_id)).inputs.dataset_inputs.length, 8);
  });
});

/** Tags with keys near the 250-character limit: 300 of them pass KV's 80 KiB of keys per commit. */
const longTags = (n: number, valueChars = 1) =>
  Array.from({ length: n }, (_, i) => ({
    key: `${i}`.padEnd(250, "k"),
    value: "v".repeat(valueChars),
  }));

const isInvalidParam = (e: unknown) =>
  e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE";

Deno.test("createRegisteredModel() with more tag-key bytes than one commit takes is a 400", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, {
    commitLimits: LOCAL_KV_COMMIT_LIMITS,
    stagingSweepIntervalMs: 0,
  });
  await assert.rejects(
    store.createRegisteredModel({ name: "m", tags: longTags(300) }),
    isInvalidParam,
  );
  await assert.rejects(store.getRegisteredModel("m"), (e) => e instanceof MlflowError);
  await store.stopBackgroundWork();
});

Deno.test("createExperiment() with more tag bytes than one commit takes is a 400", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, {
    commitLimits: LOCAL_KV_COMMIT_LIMITS,
    stagingSweepIntervalMs: 0,
  });
  await assert.rejects(
    store.createExperiment({ name: "e", tags: longTags(300, 4000) }),
    isInvalidParam,
  );
  assert.equal(await store.getExperimentByName("e").catch(() => null), null);
  await store.stopBackgroundWork();
});
