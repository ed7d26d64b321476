/**
 * KV-only registry behaviour: several store instances (as separate isolates or processes would
 * have) sharing one KV file, and the keys the registry leaves behind.
 */
import assert from "node:assert/strict";
import { createKvStore } from "./mod.ts";
import type { TrackingStore } from "../types.ts";

/** Two stores over one KV file, each with its own `Deno.Kv` handle and in-process state. */
async function withTwoStores(
  fn: (a: TrackingStore, b: TrackingStore, kv: Deno.Kv) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-registry-" });
  const path = `${dir}/mlruns.kv`;
  const kvA = await Deno.openKv(path);
  const kvB = await Deno.openKv(path);
  try {
    await fn(await createKvStore(kvA), await createKvStore(kvB), kvA);
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function registryKeys(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for (
    const prefix of [
      "registered_models",
      "registered_models_by_name",
      "registered_model_tags",
      "registered_model_aliases",
      "model_versions",
      "model_version_tags",
      "model_versions_by_stage",
      "model_versions_by_run",
      "registry_garbage",
    ]
  ) {
    for await (const e of kv.list({ prefix: [prefix] })) out.push(JSON.stringify(e.key));
  }
  return out;
}

Deno.test("createModelVersion() from two stores on one KV file hands out distinct numbers", async () => {
  await withTwoStores(async (a, b) => {
    const exp = await a.createExperiment({ name: "e" });
    const run = await a.createRun({ experimentId: exp });
    await a.createRegisteredModel({ name: "shared" });
    const source = `${run.info.artifact_uri}/model`;
    const runId = run.info.run_id;
    const created = await Promise.all(
      Array.from(
        { length: 30 },
        (_, i) => (i % 2 ? a : b).createModelVersion({ name: "shared", source, runId }),
      ),
    );
    const numbers = created.map((v) => Number(v.version)).sort((x, y) => x - y);
    assert.deepEqual(numbers, Array.from({ length: 30 }, (_, i) => i + 1));
    const seen = await b.searchModelVersions({ filter: "name = 'shared'", maxResults: 100 });
    assert.equal(seen.items.length, 30);
    const rm = await a.getRegisteredModel("shared");
    assert.deepEqual(rm.latest_versions.map((v) => v.version), ["30"]);
    assert.equal((await b.createModelVersion({ name: "shared", source, runId })).version, "31");
  });
});

Deno.test("createRegisteredModel() from two stores on one KV file keeps names unique", async () => {
  await withTwoStores(async (a, b) => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).createRegisteredModel({ name: "one" })),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    assert.equal(ok.length, 1);
    for (const r of results) {
      if (r.status === "rejected") assert.equal(r.reason.code, "RESOURCE_ALREADY_EXISTS");
    }
    const page = await a.searchRegisteredModels({});
    assert.deepEqual(page.items.map((m) => m.name), ["one"]);
  });
});

Deno.test("renames racing from two stores leave exactly one model under one name", async () => {
  await withTwoStores(async (a, b) => {
    await a.createRegisteredModel({ name: "src" });
    const results = await Promise.allSettled([
      a.renameRegisteredModel("src", "x"),
      b.renameRegisteredModel("src", "y"),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    const names = (await b.searchRegisteredModels({})).items.map((m) => m.name);
    assert.equal(names.length, 1);
    assert.ok(names[0] === "x" || names[0] === "y");
  });
});

Deno.test("deleteRegisteredModel() leaves no registry keys behind; long tags leave no pieces", async () => {
  await withTwoStores(async (a, b, kv) => {
    const exp = await a.createExperiment({ name: "e" });
    const run = await a.createRun({ experimentId: exp });
    const runId = run.info.run_id;
    await a.createRegisteredModel({ name: "m", tags: [{ key: "big", value: "x".repeat(50_000) }] });
    for (let i = 0; i < 3; i++) {
      await b.createModelVersion({
        name: "m",
        source: `${run.info.artifact_uri}/m${i}`,
        runId,
        tags: [{ key: "t", value: "y".repeat(40_000) }],
      });
    }
    await a.setRegisteredModelAlias("m", "champion", "2");
    await a.transitionModelVersionStage("m", "1", "Production", false);
    // Shrinking a long tag drops its pieces.
    const before = (await registryKeys(kv)).length;
    await a.setRegisteredModelTag("m", "big", "small");
    assert.equal((await registryKeys(kv)).length, before - 4);
    await b.deleteRegisteredModel("m");
    assert.deepEqual(await registryKeys(kv), []);
    assert.deepEqual((await a.searchModelVersions({ filter: `run_id = '${runId}'` })).items, []);
  });
});

Deno.test("a delete racing version creates from another store never leaves a live orphan", async () => {
  await withTwoStores(async (a, b, kv) => {
    const exp = await a.createExperiment({ name: "e" });
    const run = await a.createRun({ experimentId: exp });
    await a.createRegisteredModel({ name: "m" });
    const creates = Array.from(
      { length: 10 },
      (_, i) =>
        b.createModelVersion({
          name: "m",
          source: `${run.info.artifact_uri}/m${i}`,
          runId: run.info.run_id,
        })
          .catch((e) => e),
    );
    const del = a.deleteRegisteredModel("m");
    await Promise.all([...creates, del]);
    // A create that lost the race found no model; one that won was swept with it.
    await b.deleteRegisteredModel("m").catch(() => undefined);
    for await (const _ of kv.list({ prefix: ["registry_garbage"] })) assert.fail("unswept model");
    assert.deepEqual((await a.searchModelVersions({})).items, []);
    assert.deepEqual(await registryKeys(kv), []);
  });
});
