/**
 * A writer process for the crash test: logs huge batches (each larger than one KV commit) to one
 * run in a loop and prints `committed <i>` after each, until it is killed.
 *
 * Usage: deno run -A tests/helpers/batch_writer.ts <kv-path> <run-id> <first-batch>
 */
import { createKvStore } from "../../store/kv/mod.ts";
import { hugeBatch } from "./huge_batch.ts";

const [path, runId, first] = Deno.args;
const store = await createKvStore(await Deno.openKv(path));
for (let i = Number(first);; i++) {
  await store.logBatch(runId, hugeBatch(i, false));
  console.log(`committed ${i}`);
}
