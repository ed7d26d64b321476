/**
 * A writer process for the background-sweep test: stages one batch larger than a KV commit for
 * a run, prints `staged <batch-id> <packs>` once every pack is written, then hangs until it is
 * killed — exactly what a writer killed between staging and its logical commit leaves behind.
 *
 * Usage: deno run -A tests/helpers/staging_writer.ts <kv-path> <run-id>
 */
import { runParamKey, stagedBatchPrefix } from "../../store/kv/keys.ts";
import { stageBatch } from "../../store/kv/staged_batch.ts";

const [path, runId] = Deno.args;
const kv = await Deno.openKv(path);
const mutations = Array.from(
  { length: 1500 },
  (_, i) => ({ key: runParamKey(runId, `staged_${i}`), value: "x".repeat(5000) }),
);
const { batchId } = await stageBatch(kv, runId, mutations);
let packs = 0;
for await (const _ of kv.list({ prefix: stagedBatchPrefix(runId, batchId) })) packs++;
console.log(`staged ${batchId} ${packs}`);
setTimeout(() => {}, 2 ** 31 - 1);
