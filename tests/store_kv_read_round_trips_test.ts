/**
 * Read paths of the KV store held to their round trips (issue 12 §3) on a KV file shared by two
 * stores (a warm process and a cold one), and the indexes behind them read correctly on data
 * written before they existed. The KV Connect figures per call are in `kv_round_trips_test.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  experimentLifecyclesKey,
  loggedModelsByRunBuiltKey,
  loggedModelsByRunPrefix,
  modelVersionsBySourceModelBuiltKey,
  modelVersionsBySourceModelPrefix,
  registeredModelByNameKey,
  registeredModelKey,
  registeredModelViewKey,
  schemaVersionKey,
} from "../store/kv/keys.ts";
import {
  type ExperimentLifecycles,
  MAX_EXPERIMENT_LIFECYCLES,
  nextLifecycles,
} from "../store/kv/experiment_lifecycles.ts";
import { createKvStore, type KvTrackingStore } from "../store/kv/mod.ts";
import type { ExperimentRecord } from "../store/kv/records.ts";
import { countingKv, type KvCounts, newCounts } from "./helpers/counting_kv.ts";

/** A KV file with a writer store, and a way to open cold stores (counted) on it. */
async function world() {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/db.kv`;
  const kvs: Deno.Kv[] = [];
  const stores: KvTrackingStore[] = [];
  const open = async (counts?: KvCounts) => {
    const raw = await Deno.openKv(path);
    kvs.push(raw);
    const kv = counts ? countingKv(raw, counts) : raw;
    const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
    stores.push(store);
    if (counts) Object.assign(counts, newCounts());
    return { kv: raw, store };
  };
  const close = async () => {
    for (const s of stores) await s.stopBackgroundWork();
    for (const kv of kvs) kv.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { open, close, writer: await open() };
}

Deno.test("KV reads: runs/get in a new process is one round trip, in any experiment lifecycle", async () => {
  const w = await world();
  try {
    const s = w.writer.store;
    const exp = await s.createExperiment({ name: "e" });
    const kept = (await s.createRun({ experimentId: exp })).info.run_id;
    const gone = (await s.createRun({ experimentId: exp })).info.run_id;
    await s.deleteRun(gone);
    const stages = async () => {
      const counts = newCounts();
      const cold = (await w.open(counts)).store;
      const a = await cold.getRun(kept);
      const b = await cold.getRun(gone);
      assert.equal(counts.reads, 2, counts.log.join("\n"));
      return [a.info.lifecycle_stage, b.info.lifecycle_stage];
    };
    assert.deepEqual(await stages(), ["active", "deleted"]);
    await s.deleteExperiment(exp);
    assert.deepEqual(await stages(), ["deleted", "deleted"]);
    // A restore brings back runs deleted on their own too (a new epoch).
    await s.restoreExperiment(exp);
    assert.deepEqual(await stages(), ["active", "active"]);
    await s.deleteRun(gone);
    assert.deepEqual(await stages(), ["active", "deleted"]);
  } finally {
    await w.close();
  }
});

Deno.test("KV reads: a store written before the experiment lifecycles key reads run stages right", async () => {
  const w = await world();
  try {
    const s = w.writer.store;
    const exp = await s.createExperiment({ name: "e" });
    const run = (await s.createRun({ experimentId: exp })).info.run_id;
    await s.deleteExperiment(exp);
    // As a store written before the key existed (no schema version): opening builds it.
    await w.writer.kv.delete(experimentLifecyclesKey());
    await w.writer.kv.delete(schemaVersionKey());
    const counts = newCounts();
    const cold = (await w.open(counts)).store;
    assert.equal((await cold.getRun(run)).info.lifecycle_stage, "deleted");
    assert.equal(counts.reads, 1, counts.log.join("\n"));
    // A key that cannot tell (a stage change raced its build, or too many experiments): the
    // experiment is read, as before the key existed.
    for (const value of [{ stale: true }, { overflow: true }] as ExperimentLifecycles[]) {
      const c = newCounts();
      const other = (await w.open(c)).store;
      await w.writer.kv.set(experimentLifecyclesKey(), value);
      assert.equal((await other.getRun(run)).info.lifecycle_stage, "deleted");
      assert.equal(c.reads, 2, c.log.join("\n"));
    }
    // The writer changes a stage while the key cannot tell: it stays unable to tell, never wrong.
    await w.writer.kv.set(experimentLifecyclesKey(), { stale: true });
    await s.restoreExperiment(exp);
    const after = await w.writer.kv.get<ExperimentLifecycles>(experimentLifecyclesKey());
    assert.deepEqual(after.value, { stale: true });
    assert.equal((await (await w.open()).store.getRun(run)).info.lifecycle_stage, "active");
  } finally {
    await w.close();
  }
});

Deno.test("KV reads: the experiment lifecycles key gives up past its limit", () => {
  const rec = (id: number): ExperimentRecord => ({
    experiment_id: String(id),
    name: `e${id}`,
    artifact_location: "x",
    lifecycle_stage: "deleted",
    creation_time: 0,
    last_update_time: 0,
    epoch: 0,
  });
  let v: ExperimentLifecycles = { exps: {} };
  for (let i = 1; i <= MAX_EXPERIMENT_LIFECYCLES; i++) v = nextLifecycles(v, rec(i));
  assert.ok("exps" in v);
  // An experiment back in its first state leaves the key.
  const back = nextLifecycles(v, { ...rec(1), lifecycle_stage: "active" });
  assert.ok("exps" in back && !("1" in back.exps));
  assert.deepEqual(nextLifecycles(v, rec(MAX_EXPERIMENT_LIFECYCLES + 1)), { overflow: true });
  assert.deepEqual(nextLifecycles({ overflow: true }, rec(1)), { overflow: true });
  assert.deepEqual(nextLifecycles(null, rec(1)), { stale: true });
});

Deno.test("KV reads: runs read together (a compare page) share one round trip, warm or cold", async () => {
  const w = await world();
  try {
    const s = w.writer.store;
    const exp = await s.createExperiment({ name: "e" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await s.createRun({ experimentId: exp })).info.run_id);
    const counts = newCounts();
    const cold = (await w.open(counts)).store;
    for (const when of ["cold", "warm"]) {
      counts.reads = 0;
      const runs = await Promise.all(
        [...ids, "f".repeat(32)].map((id) => cold.getRun(id).catch(() => null)),
      );
      assert.deepEqual(runs.map((r) => r?.info.run_id ?? null), [...ids, null]);
      assert.equal(counts.reads, 1, `${when}\n${counts.log.join("\n")}`);
    }
  } finally {
    await w.close();
  }
});

Deno.test("KV reads: a run's logged models are found through the source-run index, on older stores too", async () => {
  const w = await world();
  try {
    const s = w.writer.store;
    const exp = await s.createExperiment({ name: "e" });
    const other = await s.createExperiment({ name: "o" });
    const run = (await s.createRun({ experimentId: exp })).info.run_id;
    const elsewhere = (await s.createRun({ experimentId: exp })).info.run_id;
    const mine = (await s.createLoggedModel({ experimentId: exp, sourceRunId: run, name: "a" }))
      .info.model_id;
    const gone = (await s.createLoggedModel({ experimentId: exp, sourceRunId: run, name: "b" }))
      .info.model_id;
    await s.deleteLoggedModel(gone);
    // Another experiment's model from this run is not in a search of this experiment.
    await s.createLoggedModel({ experimentId: other, sourceRunId: run });
    for (let i = 0; i < 6; i++) {
      await s.createLoggedModel({ experimentId: exp, sourceRunId: elsewhere });
    }
    const search = (store: KvTrackingStore) =>
      store.searchLoggedModels({ experimentIds: [exp], filter: `source_run_id = '${run}'` })
        .then((p) => p.items.map((m) => m.info.model_id));
    const counts = newCounts();
    const cold = (await w.open(counts)).store;
    assert.deepEqual(await search(cold), [mine]);
    // The pending-batch count and the index mark, the index, the one model: not the other six.
    assert.equal(counts.reads, 3, counts.log.join("\n"));

    // As a store written before the index: no entries, no mark. Until a store opens (and
    // migrates it), searches
    // scan the experiment's models; opening builds the index.
    for await (const e of w.writer.kv.list({ prefix: loggedModelsByRunPrefix() })) {
      await w.writer.kv.delete(e.key);
    }
    await w.writer.kv.delete(loggedModelsByRunBuiltKey());
    await w.writer.kv.delete(schemaVersionKey());
    assert.deepEqual(await search(w.writer.store), [mine]);
    const c2 = newCounts();
    const rebuilt = (await w.open(c2)).store;
    assert.deepEqual(await search(rebuilt), [mine]);
    assert.equal(c2.reads, 3, c2.log.join("\n"));
    const entries = [];
    for await (const e of w.writer.kv.list({ prefix: loggedModelsByRunPrefix(run) })) {
      entries.push(e.key.at(-1));
    }
    assert.equal(entries.length, 2); // this experiment's live model and the other experiment's
    assert.ok(entries.includes(mine) && !entries.includes(gone));
  } finally {
    await w.close();
  }
});

Deno.test("KV reads: versions registered from a logged model are found through their index, on older stores too", async () => {
  const w = await world();
  try {
    const s = w.writer.store;
    const exp = await s.createExperiment({ name: "e" });
    const run = (await s.createRun({ experimentId: exp })).info.run_id;
    const lm = (await s.createLoggedModel({ experimentId: exp, sourceRunId: run })).info.model_id;
    const other = (await s.createLoggedModel({ experimentId: exp })).info.model_id;
    await s.createRegisteredModel({ name: "a" });
    await s.createRegisteredModel({ name: "b" });
    await s.createModelVersion({ name: "a", source: `models:/${lm}` });
    await s.createModelVersion({ name: "a", source: `models:/${other}` });
    await s.createModelVersion({ name: "b", source: `models:/${lm}` });
    await s.createModelVersion({ name: "b", source: `models:/${lm}` });
    await s.deleteModelVersion("b", "2");
    for (let i = 0; i < 5; i++) await s.createModelVersion({ name: "a", source: `runs:/${run}/m` });
    const search = (store: KvTrackingStore) =>
      store.searchModelVersions({ filter: `source_path = 'models:/${lm}'` })
        .then((p) => p.items.map((v) => `${v.name}/${v.version}`).sort());
    const counts = newCounts();
    const cold = (await w.open(counts)).store;
    assert.deepEqual(await search(cold), ["a/1", "b/1"]);
    // The index mark, the index, the records, each version's tags: no registry scan, whose
    // cost grows with every version of every model.
    assert.equal(counts.reads, 5, counts.log.join("\n"));
    const scans = counts.log.filter((l) => l.startsWith('list {"prefix":["model_versions"]}'));
    assert.deepEqual(scans, []);
    // Without tags (a page that does not show them): no read per version.
    counts.reads = 0;
    const bare = await cold.searchModelVersions({
      filter: `source_path = 'models:/${lm}'`,
      omitTags: true,
    });
    assert.equal(bare.items.length, 2);
    assert.equal(counts.reads, 3, counts.log.join("\n"));

    // As a store written before the index: scanned until a store opens, whose
    // migration builds it.
    for await (const e of w.writer.kv.list({ prefix: ["model_versions_by_source_model"] })) {
      await w.writer.kv.delete(e.key);
    }
    await w.writer.kv.delete(modelVersionsBySourceModelBuiltKey());
    await w.writer.kv.delete(schemaVersionKey());
    assert.deepEqual(await search(w.writer.store), ["a/1", "b/1"]);
    const c2 = newCounts();
    const rebuilt = (await w.open(c2)).store;
    assert.deepEqual(await search(rebuilt), ["a/1", "b/1"]);
    assert.equal(c2.reads, 5, c2.log.join("\n"));
    // A deleted registered model's versions leave the index with it.
    await s.deleteRegisteredModel("b");
    assert.deepEqual(await search(rebuilt), ["a/1"]);
    const left = [];
    for await (const e of w.writer.kv.list({ prefix: modelVersionsBySourceModelPrefix(lm) })) {
      left.push(e.key);
    }
    assert.equal(left.length, 1);
  } finally {
    await w.close();
  }
});

Deno.test("KV reads: a registered model's latest versions in several stages are read together", async () => {
  const w = await world();
  try {
    const s = w.writer.store;
    await s.createRegisteredModel({ name: "r" });
    const run = (await s.createRun({ experimentId: "0" })).info.run_id;
    for (let i = 0; i < 3; i++) await s.createModelVersion({ name: "r", source: `runs:/${run}/m` });
    await s.transitionModelVersionStage("r", "1", "Production", false);
    await s.transitionModelVersionStage("r", "2", "Staging", false);
    const counts = newCounts();
    const cold = (await w.open(counts)).store;
    const model = await cold.getRegisteredModel("r");
    assert.deepEqual(model.latest_versions?.map((v) => v.current_stage), [
      "None",
      "Staging",
      "Production",
    ]);
    // Name index, then the record with the model's view (registry_view.ts): the whole model.
    assert.equal(counts.reads, 2, counts.log.join("\n"));
    // Without a view (a store written before views): name index, record, then at once: model
    // tags, aliases, the three versions' records (one point read) and tags; then the record
    // again. One version after another took 2 per stage.
    const { id } = (await w.writer.kv.get<{ id: string }>(registeredModelKey(
      (await w.writer.kv.get<string>(registeredModelByNameKey("r"))).value!,
    ))).value!;
    await w.writer.kv.delete(registeredModelViewKey(id));
    const old = newCounts();
    const older = (await w.open(old)).store;
    assert.deepEqual(await older.getRegisteredModel("r"), model);
    assert.equal(old.reads, 9, old.log.join("\n"));
  } finally {
    await w.close();
  }
});

Deno.test("KV reads: a run's logged models, info only, come from the source-run index in one list and match the models after every write", async () => {
  const w = await world();
  try {
    const s = w.writer.store;
    const exp = await s.createExperiment({ name: "e" });
    const run = (await s.createRun({ experimentId: exp })).info.run_id;
    const a = (await s.createLoggedModel({ experimentId: exp, sourceRunId: run, name: "a" }))
      .info.model_id;
    // Newest first is the expected order below: two models made in the same millisecond would
    // tie and fall back to id order.
    await new Promise((r) => setTimeout(r, 2));
    const b = (await s.createLoggedModel({
      experimentId: exp,
      sourceRunId: run,
      name: "b",
      modelType: "agent",
    })).info.model_id;
    const gone = (await s.createLoggedModel({ experimentId: exp, sourceRunId: run })).info.model_id;
    // Every write that changes a model's record (finalize, tags, params, delete).
    await s.finalizeLoggedModel(a, "LOGGED_MODEL_READY");
    await s.setLoggedModelTags(b, [{ key: "t", value: "1" }]);
    await s.logLoggedModelParams(a, [{ key: "p", value: "1" }]);
    await s.deleteLoggedModelTag(b, "t");
    await s.deleteLoggedModel(gone);
    const opts = { experimentIds: [exp], filter: `source_run_id = '${run}'` };
    const infos = async (store: KvTrackingStore, infoOnly: boolean) =>
      (await store.searchLoggedModels({ ...opts, infoOnly })).items.map((m) => {
        const { tags: _, ...info } = m.info;
        return info;
      });
    const full = await infos(s, false);
    assert.deepEqual(full.map((i) => i.model_id), [b, a]);
    assert.equal(full[1].status, "LOGGED_MODEL_READY");
    const counts = newCounts();
    const cold = (await w.open(counts)).store;
    assert.deepEqual(await infos(cold, true), full);
    // The pending-batch count and the index mark, then the index: no model read.
    assert.equal(counts.reads, 2, counts.log.join("\n"));
    // Index entries written before they carried the record: the models are read.
    for await (const e of w.writer.kv.list({ prefix: loggedModelsByRunPrefix(run) })) {
      await w.writer.kv.set(e.key, exp);
    }
    const c2 = newCounts();
    const older = (await w.open(c2)).store;
    assert.deepEqual(await infos(older, true), full);
    assert.equal(c2.reads, 4, c2.log.join("\n"));
  } finally {
    await w.close();
  }
});
