/**
 * A registered model's view (store/kv/registry_view.ts): whatever writes reach a model, from one
 * process or two interleaved, a read through the view returns exactly what the lists return; a
 * model written before views gets one on its next write; a model too large for one keeps an
 * overflow mark and is read from its lists.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  registeredModelByNameKey,
  registeredModelKey,
  registeredModelViewKey,
} from "../store/kv/keys.ts";
import { createKvStore, type KvTrackingStore } from "../store/kv/mod.ts";
import type { ModelView } from "../store/kv/registry_view.ts";
import { countingKv, newCounts } from "./helpers/counting_kv.ts";

/** Two stores (two processes) on one KV file, and its raw handle. */
async function world() {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/db.kv`;
  const kvs: Deno.Kv[] = [];
  const stores: KvTrackingStore[] = [];
  const open = async (kv?: Deno.Kv) => {
    const raw = await Deno.openKv(path);
    kvs.push(raw);
    const store = await createKvStore(kv ?? raw, { stagingSweepIntervalMs: 0 });
    stores.push(store);
    return { raw, store };
  };
  const a = await open();
  const b = await open();
  return {
    kv: a.raw,
    a: a.store,
    b: b.store,
    path,
    async close() {
      for (const s of stores) await s.stopBackgroundWork();
      for (const kv of kvs) kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function modelId(kv: Deno.Kv, name: string): Promise<string> {
  return (await kv.get<string>(registeredModelByNameKey(name))).value!;
}

async function viewOfModel(kv: Deno.Kv, name: string): Promise<ModelView | null> {
  return (await kv.get<ModelView>(registeredModelViewKey(await modelId(kv, name)))).value;
}

/** The model and its versions as a page reads them (the versions search by name). */
async function readModel(s: KvTrackingStore, name: string) {
  const [model, versions] = await Promise.all([
    s.getRegisteredModel(name),
    s.searchModelVersions({ filter: `name = '${name}'`, orderBy: ["version_number DESC"] }),
  ]);
  return { model, versions: versions.items };
}

/** Asserts the view-backed reads equal the list-backed ones (the view removed, then restored). */
async function assertViewMatchesLists(kv: Deno.Kv, s: KvTrackingStore, name: string) {
  const viewed = await readModel(s, name);
  const key = registeredModelViewKey(await modelId(kv, name));
  const view = await kv.get(key);
  assert.ok(view.value && "entries" in (view.value as ModelView), "the model has a view");
  await kv.delete(key);
  const listed = await readModel(s, name);
  await kv.set(key, view.value);
  assert.deepEqual(viewed, listed);
}

Deno.test("KV registry view: reads through the view equal reads of the lists, after writes from two processes", async () => {
  const w = await world();
  try {
    const { a, b, kv } = w;
    const run = (await a.createRun({ experimentId: "0" })).info.run_id;
    await a.createRegisteredModel({ name: "m", tags: [{ key: "team", value: "x" }] });
    await assertViewMatchesLists(kv, a, "m");
    // Writes alternate between the processes, so each one's view is built on the other's.
    const writers = [a, b];
    for (let i = 0; i < 6; i++) {
      const s = writers[i % 2];
      await s.createModelVersion({
        name: "m",
        source: `runs:/${run}/m`,
        runId: run,
        tags: [{ key: "i", value: String(i) }],
      });
    }
    // Too large for a view for a while: the view is an overflow mark until a delete shrinks it.
    await b.setRegisteredModelTag("m", "long", "y".repeat(40_000));
    assert.deepEqual(await viewOfModel(kv, "m"), { overflow: true });
    await a.setRegisteredModelTag("m", "team", "z");
    await b.deleteRegisteredModelTag("m", "long");
    await assertViewMatchesLists(kv, a, "m");
    await a.setRegisteredModelAlias("m", "champion", "3");
    await b.setRegisteredModelAlias("m", "old", "1");
    await a.setModelVersionTag("m", "2", "note", "v".repeat(17_000)); // pieces
    await b.deleteModelVersionTag("m", "4", "i");
    await a.updateModelVersion("m", "5", "fifth");
    await b.transitionModelVersionStage("m", "3", "Production", false);
    await a.transitionModelVersionStage("m", "4", "Production", true);
    await b.deleteModelVersion("m", "1");
    await a.updateRegisteredModel("m", "described");
    await b.renameRegisteredModel("m", "n");
    await assertViewMatchesLists(kv, a, "n");
    await assertViewMatchesLists(kv, b, "n");
    const { model, versions } = await readModel(a, "n");
    assert.deepEqual(model.aliases, [{ alias: "champion", version: "3" }]);
    assert.deepEqual(model.tags, [{ key: "team", value: "z" }]);
    assert.deepEqual(versions.map((v) => v.version), ["6", "5", "4", "3", "2"]);
    assert.equal(versions.find((v) => v.version === "2")!.tags!.at(-1)!.value.length, 17_000);
    const id = await modelId(kv, "n");
    await a.deleteRegisteredModel("n");
    assert.equal((await kv.get(registeredModelViewKey(id))).value, null);
  } finally {
    await w.close();
  }
});

Deno.test("KV registry view: a model and its versions are two round trips; a model without a view gets one on its next write", async () => {
  const w = await world();
  try {
    const { a, kv } = w;
    await a.createRegisteredModel({ name: "m" });
    for (let i = 0; i < 3; i++) {
      await a.createModelVersion({ name: "m", source: "mlflow-artifacts:/m" });
    }
    const withView = await readModel(a, "m");
    // A store written before views: no view key.
    const id = await modelId(kv, "m");
    await kv.delete(registeredModelViewKey(id));
    const counts = newCounts();
    const cold = await createKvStore(countingKv(kv, counts), { stagingSweepIntervalMs: 0 });
    try {
      Object.assign(counts, newCounts());
      assert.deepEqual(await readModel(cold, "m"), withView);
      assert.ok(counts.reads > 2, counts.log.join("\n"));
      await cold.setRegisteredModelTag("m", "t", "v");
      assert.ok(await viewOfModel(kv, "m"));
      Object.assign(counts, newCounts());
      const after = await readModel(cold, "m");
      // The name index, then the record and its view: both calls share them.
      assert.equal(counts.reads, 2, counts.log.join("\n"));
      assert.deepEqual(after.versions, withView.versions);
      assert.deepEqual(after.model.tags, [{ key: "t", value: "v" }]);
      await assertViewMatchesLists(kv, cold, "m");
    } finally {
      await cold.stopBackgroundWork();
    }
    assert.ok((await kv.get(registeredModelKey(id))).value);
  } finally {
    await w.close();
  }
});

Deno.test("KV registry view: a model too large for its view is read from its lists", async () => {
  const w = await world();
  try {
    const { a, kv } = w;
    await a.createRegisteredModel({ name: "big" });
    await a.setRegisteredModelTag("big", "t", "x".repeat(30_000));
    assert.deepEqual(await viewOfModel(kv, "big"), { overflow: true });
    await a.createModelVersion({ name: "big", source: "mlflow-artifacts:/m" });
    const { model, versions } = await readModel(a, "big");
    assert.equal(model.tags![0].value.length, 30_000);
    assert.deepEqual(versions.map((v) => v.version), ["1"]);
    assert.deepEqual(model.latest_versions!.map((v) => v.version), ["1"]);
  } finally {
    await w.close();
  }
});
