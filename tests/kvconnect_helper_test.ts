/** The KV Connect test server works as tests use it: Deno's client talks to it, /_stats counts. */
import assert from "node:assert/strict";
import { skipKvConnect, startKvConnect } from "./helpers/kvconnect.ts";

Deno.test({
  name: "kvconnect helper: Deno's KV client reaches it and /_stats counts one write",
  ignore: skipKvConnect,
}, async () => {
  const s = await startKvConnect();
  try {
    const kv = await s.openKv();
    const before = await s.stats();
    await kv.set(["x"], 1);
    assert.equal((await kv.get(["x"])).value, 1);
    const after = await s.stats();
    assert.equal(after.atomic_write - before.atomic_write, 1);
    assert.equal(after.snapshot_read - before.snapshot_read, 1);
    kv.close();
  } finally {
    await s.stop();
  }
});
