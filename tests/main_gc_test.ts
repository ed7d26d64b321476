/** `deno task gc` (main.ts gc) as a process, on a KV file and a local artifact folder. */
import assert from "node:assert/strict";
import { createKvStore } from "../store/kv/mod.ts";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import { runMain } from "./helpers/cli.ts";

const gc = (args: string[]) => runMain(["gc", ...args]);

Deno.test("main.ts gc purges deleted runs and their artifacts, and refuses bad flags", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/mlruns.kv`;
    const artifacts = `${dir}/artifacts`;
    let runId = "", keep = "";
    {
      using kv = await Deno.openKv(path);
      const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
      const exp = await store.createExperiment({ name: "e" });
      runId = (await store.createRun({ experimentId: exp })).info.run_id;
      keep = (await store.createRun({ experimentId: exp })).info.run_id;
      await store.deleteRun(runId);
      const repo = createLocalArtifactRepository({ rootDir: artifacts });
      await repo.put(`${exp}/${runId}/artifacts/f.txt`, new Blob(["x"]).stream());
      await store.stopBackgroundWork();
    }
    const flags = ["--backend-store-uri", path, "--artifacts-destination", artifacts];

    const bad = await gc([...flags, "--older-than", "30x"]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /older-than/);

    const active = await gc([...flags, "--run-ids", keep]);
    assert.equal(active.code, 1);
    assert.match(active.stderr, /must be in the 'deleted' lifecycle stage/);

    const young = await gc([...flags, "--older-than", "1d"]);
    assert.equal(young.code, 0, young.stderr);
    assert.deepEqual(JSON.parse(young.stdout).run_ids, []);

    const dry = await gc([...flags, "--dry-run"]);
    assert.deepEqual(JSON.parse(dry.stdout).run_ids, [runId]);
    assert.match(dry.stderr, new RegExp(`would purge run ${runId}`));

    const done = await gc([...flags, "--run-ids", runId]);
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(JSON.parse(done.stdout).run_ids, [runId]);
    assert.match(done.stderr, new RegExp(`purged run ${runId}`));
    await assert.rejects(Deno.stat(`${artifacts}/1/${runId}`), Deno.errors.NotFound);
    using kv = await Deno.openKv(path);
    const left = await Array.fromAsync(kv.list({ prefix: [] }));
    assert.deepEqual(left.filter((e) => e.key.includes(runId)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
