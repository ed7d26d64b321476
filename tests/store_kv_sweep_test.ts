/**
 * Issue 10 #11: batches abandoned by a crashed writer are swept while the server runs, not only
 * when a store is next opened.
 */
import { ok, strictEqual } from "node:assert/strict";
import { stagedBatchPrefix, stagingsPrefix } from "../store/kv/keys.ts";
import { createKvStore } from "../store/kv/mod.ts";

const WRITER = new URL("./helpers/staging_writer.ts", import.meta.url).pathname;

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

/** Starts the writer and waits for its `staged …` line; the child is returned still running. */
async function stageInChild(path: string, runId: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WRITER, path, runId],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { done, value } = await lines.read();
    if (done) throw new Error(`writer exited before staging: ${out}`);
    out += value;
  }
  const [, batchId, packs] = /^staged (\w+) (\d+)/.exec(out)!;
  return { child, lines, batchId, packs: Number(packs) };
}

Deno.test("regression: a batch abandoned by a killed writer is swept while the store stays open, without a restart (issue 10 #11)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-sweep-" });
  const path = `${dir}/sweep.kv`;
  try {
    using kv = await Deno.openKv(path);
    // Opened BEFORE the crash, so its start-up sweep cannot be what removes the batch.
    const store = await createKvStore(kv, {
      stagingSweepIntervalMs: 100,
      abandonedStagingAfterMs: 1000,
    });
    try {
      const runId = (await store.createRun({ experimentId: "0" })).info.run_id;
      const { child, lines, batchId, packs } = await stageInChild(path, runId);
      child.kill("SIGKILL");
      await child.status;
      await lines.cancel();
      ok(packs > 1, `the writer staged ${packs} packs`);

      // The sweeper deletes the packs and then, in a later commit, the staging record: wait for
      // both, or a check between the two commits sees the record still there.
      const deadline = Date.now() + 60_000;
      while (
        await count(kv, stagedBatchPrefix(runId, batchId)) > 0 ||
        await count(kv, stagingsPrefix()) > 0
      ) {
        ok(Date.now() < deadline, "the abandoned batch was not swept within 60 s");
        await new Promise((r) => setTimeout(r, 100));
      }
      // Nothing of the batch ever became visible, and the run takes writes as before.
      const run = await store.getRun(runId);
      strictEqual(run.data.params.length, 0);
      await store.logBatch(runId, { params: [{ key: "after", value: "1" }] });
      strictEqual((await store.getRun(runId)).data.params.length, 1);
    } finally {
      await store.stopBackgroundWork();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the background sweep stops by itself when the database is closed", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 10 });
  kv.close();
  // A few periods on a closed database: no throw escapes, and stopping still resolves.
  await new Promise((r) => setTimeout(r, 60));
  await store.stopBackgroundWork();
});
