import { ok, strictEqual } from "node:assert/strict";
import { createKvStore } from "../store/kv/mod.ts";
import { countBatches, HUGE_BATCH, hugeBatch } from "./helpers/huge_batch.ts";

const WRITER = new URL("./helpers/batch_writer.ts", import.meta.url).pathname;

function assertWhole(counts: ReturnType<typeof countBatches>, where: string): void {
  for (const [i, c] of counts) {
    const whole = c.params === HUGE_BATCH.params && c.tags === HUGE_BATCH.tags &&
      c.metrics === HUGE_BATCH.metrics;
    ok(whole, `${where}: batch ${i} is partial: ${JSON.stringify(c)}`);
  }
}

Deno.test("logBatch() larger than one KV commit is all-or-nothing in one process", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv);
  const run = await store.createRun({ experimentId: "0" });
  await store.logBatch(run.info.run_id, hugeBatch(1));
  const got = await store.getRun(run.info.run_id);
  assertWhole(countBatches(got.data), "after commit");
  strictEqual(countBatches(got.data).size, 1);
  // A rejected huge batch (a changed param at the very end) writes nothing.
  const bad = hugeBatch(2);
  bad.params!.push({ key: "p1_0", value: "changed" });
  await store.logBatch(run.info.run_id, bad).then(() => {
    throw new Error("expected a rejection");
  }, (e) => strictEqual(e.code, "INVALID_PARAMETER_VALUE"));
  strictEqual(countBatches((await store.getRun(run.info.run_id)).data).size, 1);
});

Deno.test({
  name: "logBatch() stays all-or-nothing when the writer process is killed mid-batch",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/crash.kv`;
    let runId: string;
    {
      using kv = await Deno.openKv(path);
      const store = await createKvStore(kv);
      runId = (await store.createRun({ experimentId: "0" })).info.run_id;
    }
    let next = 0;
    for (const killAfterMs of [700, 1100, 1500, 1900]) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", WRITER, path, runId, String(next)],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      let out = "";
      const reading = (async () => {
        for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) out += chunk;
      })();
      // Meanwhile a reader in this process must only ever see whole batches.
      using kv = await Deno.openKv(path);
      const store = await createKvStore(kv);
      const until = Date.now() + killAfterMs;
      let reads = 0;
      while (Date.now() < until) {
        assertWhole(countBatches((await store.getRun(runId)).data), `concurrent read ${reads++}`);
      }
      child.kill("SIGKILL");
      await child.status;
      await reading;
      const committed = [...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1]));
      // After the crash: every acknowledged batch is whole, and nothing partial is visible.
      const counts = countBatches((await store.getRun(runId)).data);
      assertWhole(counts, `after kill at ${killAfterMs} ms`);
      for (const i of committed) ok(counts.has(i), `acknowledged batch ${i} is missing`);
      ok(reads > 0);
      console.log(
        `kill at ${killAfterMs} ms: ${committed.length} acknowledged, ${counts.size} whole batches visible, ${reads} concurrent reads`,
      );
      next = Math.max(next, ...counts.keys()) + 1;
    }
    await Deno.remove(dir, { recursive: true });
  },
});
