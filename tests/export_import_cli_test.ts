/** `deno task export` and `deno task import` as subprocesses on KV files. */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import { createKvStore } from "../store/kv/mod.ts";
import { runMain } from "./helpers/cli.ts";

Deno.test("export then import on KV files keeps the data, copies artifacts and prints the mapping", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kv = await Deno.openKv(`${dir}/a.kv`);
    const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
    const exp = await store.createExperiment({ name: "cli" });
    const r = await store.createRun({ experimentId: exp, runName: "r", startTime: 1000 });
    const runId = r.info.run_id;
    await store.logBatch(runId, { metrics: [{ key: "m", value: NaN, timestamp: 1, step: 0 }] });
    kv.close();
    const repo = createLocalArtifactRepository({ rootDir: `${dir}/art-a` });
    await repo.put(`${exp}/${runId}/artifacts/f.txt`, ReadableStream.from([new Uint8Array([7])]));

    const exported = await runMain([
      "export",
      "--backend-store-uri",
      `${dir}/a.kv`,
      "--artifacts-destination",
      `${dir}/art-a`,
      "--out",
      `${dir}/x.jsonl.gz`,
      "--artifacts",
      `${dir}/copy`,
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /exported \d+ records/);

    // The target already holds experiment 1 under another name: the import moves it to 2.
    const kvB = await Deno.openKv(`${dir}/b.kv`);
    const storeB = await createKvStore(kvB, { stagingSweepIntervalMs: 0 });
    await storeB.createExperiment({ name: "resident" });
    kvB.close();
    const imported = await runMain([
      "import",
      `${dir}/x.jsonl.gz`,
      "--backend-store-uri",
      `${dir}/b.kv`,
      "--artifacts-destination",
      `${dir}/art-b`,
      "--artifacts",
      `${dir}/copy`,
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^experiment 1 → 2$/m);
    assert.match(imported.stdout, /imported 1 experiments, 1 runs, 1 metric points/);
    assert.deepEqual(
      await Deno.readFile(`${dir}/art-b/2/${runId}/artifacts/f.txt`),
      new Uint8Array([7]),
    );

    const check = await Deno.openKv(`${dir}/b.kv`);
    const after = await createKvStore(check, { stagingSweepIntervalMs: 0 });
    const got = await after.getRun(runId);
    assert.equal(got.info.experiment_id, "2");
    assert.equal(got.info.start_time, 1000);
    assert.ok(Number.isNaN((await after.getMetricHistory(runId, "m")).items[0].value));
    check.close();

    const bad = await runMain(["import", `${dir}/a.kv`, "--backend-store-uri", `${dir}/c.kv`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /kvflow import: .*not a complete gzip/);
    const mlflow = await runMain([
      "import",
      "--from-mlflow",
      "./mlruns",
      "--backend-store-uri",
      `${dir}/c.kv`,
    ]);
    assert.equal(mlflow.code, 1);
    assert.match(mlflow.stderr, /kvflow import: .*is not an MLflow file store/);
    const usage = await runMain(["export", "--backend-store-uri", `${dir}/c.kv`]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--out <file> is required/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
