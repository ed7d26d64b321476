/**
 * Export and import (store/ops/export.ts, import.ts, export_file.ts): a store with every entity
 * kind survives export → import into an empty store → export, record by record, and the REST
 * reads of both stores agree; an import into a store with data remaps what is taken; broken
 * files give clear errors.
 */
import assert from "node:assert/strict";
import { createApp } from "../routes/mod.ts";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import { ownProxiedPath } from "../artifacts/copy.ts";
import { MlflowError } from "../store/errors.ts";
import { createKvStore } from "../store/kv/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { createKvAuthStore } from "../store/auth/kv/mod.ts";
import { exportRecords } from "../store/ops/export.ts";
import { readExportFile, splitLines, writeExportFile } from "../store/ops/export_file.ts";
import type { ExportRecord } from "../store/ops/export_format.ts";
import { importRecords, openImportStore } from "../store/ops/import.ts";
import type { TrackingStore } from "../store/types.ts";

const T = 1_700_000_000_000;

/** A store with every entity kind; returns the ids the tests look at. */
async function populate(store: TrackingStore) {
  await store.setExperimentTag("0", "team", "core");
  const exp = await store.createExperiment({ name: "main", tags: [{ key: "k", value: "v" }] });
  const gone = await store.createExperiment({ name: "gone" });
  const model = await store.createLoggedModel({
    experimentId: exp,
    name: "clf",
    params: [{ key: "lr", value: "0.1" }],
    tags: [{ key: "stage", value: "dev" }],
  });
  const modelId = model.info.model_id;
  await store.finalizeLoggedModel(modelId, "LOGGED_MODEL_READY");
  const parent = await store.createRun({ experimentId: exp, runName: "parent", startTime: T });
  const parentId = parent.info.run_id;
  const child = await store.createRun({
    experimentId: exp,
    runName: "child",
    startTime: T + 1,
    tags: [{ key: "mlflow.parentRunId", value: parentId }],
  });
  const childId = child.info.run_id;
  await store.logBatch(parentId, {
    params: [{ key: "p", value: "1" }, { key: "q", value: "two" }],
    tags: [{ key: "note", value: "hello" }],
    metrics: [
      { key: "odd", value: NaN, timestamp: T, step: 0 },
      { key: "odd", value: Infinity, timestamp: T, step: 1 },
      { key: "odd", value: -Infinity, timestamp: T, step: 2 },
      { key: "odd", value: -0, timestamp: T, step: 3 },
      { key: "acc", value: 0.5, timestamp: T, step: 0, model_id: modelId },
      {
        key: "acc",
        value: 0.75,
        timestamp: T,
        step: 1,
        model_id: modelId,
        dataset_name: "ds",
        dataset_digest: "abc",
      },
    ],
  });
  // More than one record's worth of points.
  for (let b = 0; b < 3; b++) {
    await store.logBatch(parentId, {
      metrics: Array.from({ length: 1000 }, (_, i) => ({
        key: "loss",
        value: 1 / (b * 1000 + i + 1),
        timestamp: T + b * 1000 + i,
        step: b * 1000 + i,
      })),
    });
  }
  await store.logInputs(parentId, [{
    tags: [{ key: "mlflow.data.context", value: "train" }],
    dataset: {
      name: "ds",
      digest: "abc",
      source_type: "local",
      source: "/data",
      schema: '{"a":1}',
      profile: '{"rows":3}',
    },
  }], [{ model_id: modelId }]);
  await store.logOutputs(parentId, [{ model_id: modelId, step: 2 }]);
  await store.updateRun(parentId, { status: "FINISHED", endTime: T + 5000 });
  const deletedRun = await store.createRun({ experimentId: exp, runName: "bin", startTime: T + 2 });
  await store.deleteRun(deletedRun.info.run_id);
  const goneRun = await store.createRun({ experimentId: gone, runName: "g", startTime: T + 3 });
  await store.logBatch(goneRun.info.run_id, { params: [{ key: "x", value: "y" }] });
  await store.deleteExperiment(gone);

  await store.createRegisteredModel({
    name: "churn",
    description: "predicts churn",
    tags: [{ key: "owner", value: "ml" }],
  });
  const src = `${parent.info.artifact_uri}/model`;
  await store.createModelVersion({ name: "churn", source: src, runId: parentId });
  const v2 = await store.createModelVersion({ name: "churn", source: src, runId: parentId });
  await store.createModelVersion({
    name: "churn",
    source: `models:/${modelId}`,
    modelId,
    description: "from a logged model",
    tags: [{ key: "t", value: "1" }],
  });
  await store.createModelVersion({ name: "churn", source: `runs:/${childId}/model` });
  await store.deleteModelVersion("churn", v2.version);
  await store.transitionModelVersionStage("churn", "1", "Production", false);
  await store.setRegisteredModelAlias("churn", "champion", "3");
  return { exp, gone, parentId, childId, modelId };
}

async function collect(records: AsyncIterable<ExportRecord>): Promise<ExportRecord[]> {
  const out: ExportRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

/** Records as compared: all but the header's time. */
function comparable(records: ExportRecord[]): unknown[] {
  return records.map((r) => r.type === "header" ? { ...r, exported_at: 0 } : r);
}

async function kvStore() {
  const kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv);
  return {
    kv,
    store,
    [Symbol.asyncDispose]: async () => {
      await store.stopBackgroundWork();
      kv.close();
    },
  };
}

/** What the REST API answers for the reads a client makes. */
async function restView(store: TrackingStore, ids: { parentId: string; modelId: string }) {
  const app = createApp({ store });
  const call = async (path: string, body?: unknown) => {
    const res = await app.request(`/api/2.0/mlflow/${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(res.status, 200, path);
    return await res.json();
  };
  const exps = await call("experiments/search", { view_type: "ALL", max_results: 100 });
  return {
    exps,
    runs: await call("runs/search", {
      experiment_ids: exps.experiments.map((e: { experiment_id: string }) => e.experiment_id),
      run_view_type: "ALL",
    }),
    run: await call(`runs/get?run_id=${ids.parentId}`),
    history: await call(`metrics/get-history?run_id=${ids.parentId}&metric_key=odd`),
    loss: await call(`metrics/get-history?run_id=${ids.parentId}&metric_key=loss`),
    model: await call(`logged-models/${ids.modelId}`),
    registered: await call("registered-models/search"),
    versions: await call("model-versions/search"),
    alias: await call("registered-models/alias?name=churn&alias=champion"),
  };
}

Deno.test("export → import into an empty store → export gives the same records, and REST agrees", async () => {
  await using src = await kvStore();
  const ids = await populate(src.store);
  const srcAuth = createKvAuthStore(src.kv, { pbkdf2Iterations: 1 });
  await srcAuth.createUser("carol", "carol's long password", false);
  await srcAuth.createExperimentPermission(ids.exp, "carol", "READ");
  await srcAuth.createRegisteredModelPermission("churn", "carol", "EDIT");
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/out.jsonl.gz`;
    await writeExportFile(file, exportRecords(src.store, { authStore: srcAuth }));
    const first = await collect(readExportFile(file));
    assert.ok(first.filter((r) => r.type === "metric_points").length >= 4);
    assert.equal(first.filter((r) => r.type === "grant").length, 2);

    const kv = await Deno.openKv(":memory:");
    const { store, clock } = await openImportStore(kv);
    const authStore = createKvAuthStore(kv, { pbkdf2Iterations: 1 });
    try {
      const result = await importRecords(store, readExportFile(file), { clock, authStore });
      assert.deepEqual(result.warnings, []);
      assert.equal(result.remapped.experiments.size + result.remapped.runs.size, 0);
      assert.equal(result.counts.metric_points, 3006);
      const second = await collect(exportRecords(store, { authStore }));
      assert.deepEqual(comparable(second), comparable(first));
      assert.deepEqual(await restView(store, ids), await restView(src.store, ids));
      const values = async (s: TrackingStore) =>
        (await s.getMetricHistory(ids.parentId, "odd")).items.map((m) => m.value);
      const odd = await values(store);
      assert.ok(Number.isNaN(odd[0]));
      assert.deepEqual(odd.slice(1, 3), [Number.MAX_VALUE, -Number.MAX_VALUE]);
      // Exactly what the source stores (the KV backend keeps -0 as 0; the memory one keeps -0).
      (await values(src.store)).forEach((v, i) => assert.ok(Object.is(v, odd[i])));
    } finally {
      await store.stopBackgroundWork();
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("NaN, ±MAX_VALUE and -0 survive a trip through the file exactly", async () => {
  const src = createMemoryStore();
  const run = await src.createRun({ experimentId: "0", startTime: T });
  const values = [NaN, Infinity, -Infinity, -0, 0, 5e-324];
  await src.logBatch(run.info.run_id, {
    metrics: values.map((value, step) => ({ key: "m", value, timestamp: T, step })),
  });
  const dir = await Deno.makeTempDir();
  try {
    await writeExportFile(`${dir}/f.gz`, exportRecords(src));
    const dst = createMemoryStore();
    await importRecords(dst, readExportFile(`${dir}/f.gz`));
    const got = (await dst.getMetricHistory(run.info.run_id, "m")).items.map((m) => m.value);
    const want = [NaN, Number.MAX_VALUE, -Number.MAX_VALUE, -0, 0, 5e-324];
    assert.equal(got.length, want.length);
    got.forEach((v, i) => assert.ok(Object.is(v, want[i]), `point ${i}: ${v}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("import into a store with data keeps free ids and remaps taken ones", async () => {
  await using src = await kvStore();
  const ids = await populate(src.store);
  const records = await collect(exportRecords(src.store));
  await using dst = await kvStore();
  // Takes experiment id 1 under another name.
  const other = await dst.store.createExperiment({ name: "someone else's" });
  assert.equal(other, ids.exp);
  const one = await importRecords(
    dst.store,
    (async function* () {
      yield* records;
    })(),
  );
  const newExp = one.remapped.experiments.get(ids.exp)!;
  assert.ok(newExp && newExp !== ids.exp);
  assert.equal(one.remapped.runs.size, 0);
  const parent = await dst.store.getRun(ids.parentId);
  assert.equal(parent.info.experiment_id, newExp);
  assert.equal(parent.info.artifact_uri, `mlflow-artifacts:/${newExp}/${ids.parentId}/artifacts`);

  // The same file again: names merge, every run and model id is taken and remapped.
  const two = await importRecords(
    dst.store,
    (async function* () {
      yield* records;
    })(),
  );
  assert.equal(two.remapped.experiments.get(ids.exp), newExp);
  const parent2 = two.remapped.runs.get(ids.parentId)!;
  const child2 = two.remapped.runs.get(ids.childId)!;
  const model2 = two.remapped.logged_models.get(ids.modelId)!;
  assert.ok(parent2 && child2 && model2);
  const child = await dst.store.getRun(child2);
  assert.equal(child.data.tags.find((t) => t.key === "mlflow.parentRunId")?.value, parent2);
  const run = await dst.store.getRun(parent2);
  assert.deepEqual(run.inputs.model_inputs, [{ model_id: model2 }]);
  assert.deepEqual(run.outputs.model_outputs, [{ model_id: model2, step: 2 }]);
  const acc = await dst.store.getMetricHistory(parent2, "acc");
  assert.ok(acc.items.every((m) => m.model_id === model2));
  const churn2 = two.remapped.registered_models.get("churn")!;
  assert.equal(churn2, "churn (imported)");
  const v4 = await dst.store.getModelVersion(churn2, "4");
  assert.equal(v4.source, `runs:/${child2}/model`);
  const v3 = await dst.store.getModelVersion(churn2, "3");
  assert.equal(v3.source, `models:/${model2}`);
  assert.equal(v3.model_id, model2);
  assert.deepEqual(v3.aliases, ["champion"]);
  const v1 = await dst.store.getModelVersion(churn2, "1");
  assert.equal(v1.source, `mlflow-artifacts:/${newExp}/${parent2}/artifacts/model`);
  assert.equal(v1.run_id, parent2);
  await assert.rejects(dst.store.getModelVersion(churn2, "2"), MlflowError);
});

Deno.test("--experiment-ids exports those experiments with their runs and models, no registry", async () => {
  const src = createMemoryStore();
  const ids = await populate(src);
  const records = await collect(exportRecords(src, { experimentIds: [ids.exp] }));
  const types = new Set(records.map((r) => r.type));
  assert.ok(!types.has("registered_model"));
  assert.deepEqual(
    records.flatMap((r) => r.type === "experiment" ? [r.experiment.experiment_id] : []),
    [ids.exp],
  );
  assert.ok(records.every((r) => r.type !== "run" || r.info.experiment_id === ids.exp));
  assert.equal(records.filter((r) => r.type === "run").length, 3);
  assert.equal(records.filter((r) => r.type === "logged_model").length, 1);
});

Deno.test("users keep their password hashes and grants follow remapped experiments", async () => {
  const src = createMemoryStore();
  const auth = createMemoryAuthStore({ pbkdf2Iterations: 1 });
  const exp = await src.createExperiment({ name: "guarded" });
  await src.createRegisteredModel({ name: "m" });
  await auth.createUser("admin", "a long password!", true);
  await auth.createUser("bob", "bob's long password", false);
  await auth.createExperimentPermission(exp, "bob", "EDIT");
  await auth.createRegisteredModelPermission("m", "bob", "MANAGE");
  const records = await collect(exportRecords(src, { authStore: auth }));
  assert.equal(records.filter((r) => r.type === "user").length, 2);
  assert.ok(!JSON.stringify(records).includes("bob's long password"));

  const dst = createMemoryStore();
  await dst.createExperiment({ name: "resident" }); // takes id 1
  await dst.createRegisteredModel({ name: "m" });
  const auth2 = createMemoryAuthStore({ pbkdf2Iterations: 1 });
  const result = await importRecords(
    dst,
    (async function* () {
      yield* records;
    })(),
    { authStore: auth2 },
  );
  assert.equal(result.counts.users, 2);
  assert.equal(result.counts.grants, 2);
  const newExp = result.remapped.experiments.get(exp)!;
  assert.equal(await auth2.findExperimentPermission(newExp, 2), "EDIT");
  assert.equal(await auth2.findRegisteredModelPermission("m (imported)", 2), "MANAGE");
  assert.equal((await auth2.verifyPassword("bob", "bob's long password"))?.username, "bob");
  assert.equal((await auth2.getUser("admin")).is_admin, true);
  // Without an auth store they are skipped, with one warning.
  const skipped = await importRecords(
    createMemoryStore(),
    (async function* () {
      yield* records;
    })(),
  );
  assert.equal(skipped.counts.users, 0);
  assert.equal(skipped.warnings.filter((w) => w.subject === "users").length, 1);
});

Deno.test("import copies proxied artifacts to their (remapped) place", async () => {
  await using src = await kvStore();
  const ids = await populate(src.store);
  const dir = await Deno.makeTempDir();
  try {
    const from = createLocalArtifactRepository({ rootDir: `${dir}/dest` });
    const body = (s: string) => ReadableStream.from([new TextEncoder().encode(s)]);
    await from.put(`${ids.exp}/${ids.parentId}/artifacts/model/MLmodel`, body("flavors: {}"));
    await from.put(`${ids.exp}/models/${ids.modelId}/artifacts/a.txt`, body("m"));
    const out = createLocalArtifactRepository({ rootDir: `${dir}/export` });
    const records = await collect(exportRecords(src.store, { artifacts: { from, to: out } }));
    assert.equal(
      await Deno.readTextFile(`${dir}/export/${ids.exp}/${ids.parentId}/artifacts/model/MLmodel`),
      "flavors: {}",
    );
    await using dst = await kvStore();
    await dst.store.createExperiment({ name: "taken" });
    const target = createLocalArtifactRepository({ rootDir: `${dir}/target` });
    const result = await importRecords(
      dst.store,
      (async function* () {
        yield* records;
      })(),
      {
        artifactsDir: `${dir}/export`,
        artifacts: target,
      },
    );
    const exp = result.remapped.experiments.get(ids.exp)!;
    assert.equal(
      await Deno.readTextFile(`${dir}/target/${exp}/${ids.parentId}/artifacts/model/MLmodel`),
      "flavors: {}",
    );
    assert.equal(
      await Deno.readTextFile(`${dir}/target/${exp}/models/${ids.modelId}/artifacts/a.txt`),
      "m",
    );
    assert.equal(result.counts.artifact_files, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function gzip(text: string): Promise<Uint8Array> {
  const stream = ReadableStream.from([new TextEncoder().encode(text)])
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function readError(bytes: Uint8Array): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/f.gz`, bytes);
    try {
      await collect(readExportFile(`${dir}/f.gz`));
    } catch (err) {
      assert.ok(err instanceof MlflowError, String(err));
      assert.equal(err.code, "INVALID_PARAMETER_VALUE");
      return err.message;
    }
    throw new Error("no error");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readExportFile() names the problem: not gzip, cut short, a bad line", async () => {
  assert.match(await readError(new TextEncoder().encode("plain text\n")), /not a complete gzip/);
  const header = JSON.stringify({
    type: "header",
    format: "kvflow-export/1",
    exported_at: 1,
    source: "x",
  });
  const whole = await gzip(`${header}\n`.repeat(200));
  assert.match(await readError(whole.slice(0, whole.length / 2)), /not a complete gzip/);
  assert.match(
    await readError(await gzip(`${header}\n{"type": "run", oops\n`)),
    /line 2: not JSON/,
  );
  assert.match(await readError(await gzip(`${header}\n[1, 2]\n`)), /line 2: not an export record/);
  await using s = await kvStore();
  const notExport = (async function* () {
    yield { type: "run" } as unknown as ExportRecord;
  })();
  await assert.rejects(importRecords(s.store, notExport), /Not a kvflow export/);
  const head = { type: "header", format: "kvflow-export/1", exported_at: 1, source: "t" };
  const malformed = (async function* () {
    yield head as ExportRecord;
    yield { type: "experiment" } as unknown as ExportRecord;
  })();
  await assert.rejects(importRecords(s.store, malformed), (err: unknown) => {
    assert.ok(err instanceof MlflowError);
    assert.equal(err.code, "INVALID_PARAMETER_VALUE");
    assert.match(err.message, /^Record 2 \(experiment\) is malformed/);
    return true;
  });
  const badPoint = (async function* () {
    yield head as ExportRecord;
    yield { type: "metric_points", run_id: "x", key: "m", points: [] } as ExportRecord;
  })();
  const result = await importRecords(s.store, badPoint);
  assert.match(result.warnings[0].message, /not right after its run record/);
});

Deno.test("splitLines() bounds a line's length and keeps a last line without a newline", async () => {
  const stream = (s: string) => ReadableStream.from([new TextEncoder().encode(s)]);
  assert.deepEqual(await Array.fromAsync(splitLines(stream("a\nbb\nccc"), 5)), ["a", "bb", "ccc"]);
  await assert.rejects(Array.fromAsync(splitLines(stream("a\n123456\n"), 5)), /Line 2 is longer/);
  await assert.rejects(Array.fromAsync(splitLines(stream("a\n1234567"), 5)), /Line 2 is longer/);
});

Deno.test("ownProxiedPath() takes mlflow-artifacts URIs without a host only", () => {
  assert.equal(ownProxiedPath("mlflow-artifacts:/1/abc/artifacts"), "1/abc/artifacts");
  assert.equal(ownProxiedPath("mlflow-artifacts:///1/abc/artifacts/"), "1/abc/artifacts");
  assert.equal(ownProxiedPath("mlflow-artifacts://host:5000/1/abc"), null);
  assert.equal(ownProxiedPath("s3://bucket/1/abc"), null);
});
