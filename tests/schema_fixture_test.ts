/**
 * The schema fixture (`tests/fixtures/schema-v5.kv`, written by `make_schema_fixture.ts` with
 * the code of its day) read with today's code: every entity the generator wrote comes back the
 * same through the store's read methods. And the same store stripped to the version-1 layout (no
 * version key, no lifecycles key or pending-batch count, no indexes built) migrates to the
 * current version, equal to the fixture, with searches answered from the built indexes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createKvAuthStore } from "../store/auth/kv/mod.ts";
import { LOCAL_KV_COMMIT_LIMITS } from "../store/kv/commit_limits.ts";
import { schemaVersionKey } from "../store/kv/keys.ts";
import { createKvStore } from "../store/kv/mod.ts";
import { migrate } from "../store/kv/schema.ts";
import type { TrackingStore } from "../store/types.ts";
import {
  FIXTURE_DATASET_INPUT,
  FIXTURE_LOSS_POINTS,
  FIXTURE_T0,
  FIXTURE_USER,
  lossAt,
} from "./fixtures/make_schema_fixture.ts";
import { countingKv, newCounts } from "./helpers/counting_kv.ts";
import { copyToTemp, dumpKv } from "./helpers/kv_dump.ts";
import { toVersionOne } from "./helpers/schema_layouts.ts";

/** The fixture file and the version it is at (a store of its day; never written to). */
const FIXTURE = new URL("./fixtures/schema-v5.kv", import.meta.url);
const FIXTURE_VERSION = 5;

const tagMap = (tags: { key: string; value: string }[]) =>
  Object.fromEntries(tags.map((t) => [t.key, t.value]));

/** Checks, through `store`'s read methods, everything the generator wrote. */
async function checkFixture(store: TrackingStore, kv: Deno.Kv): Promise<void> {
  const exp = await store.getExperimentByName("fixture");
  assert.equal(exp.lifecycle_stage, "active");
  assert.equal(tagMap(exp.tags ?? []).team, "kv");
  assert.equal((await store.getExperimentByName("gone")).lifecycle_stage, "deleted");
  assert.equal((await store.getExperimentByName("Default")).experiment_id, "0");

  const runs = await store.searchRuns({ experimentIds: [exp.experiment_id], runViewType: "ALL" });
  const byName = new Map(runs.items.map((r) => [r.info.run_name, r]));
  assert.deepEqual([...byName.keys()].sort(), ["discarded", "main"]);
  const main = await store.getRun(byName.get("main")!.info.run_id);
  const expected = {
    status: "FINISHED",
    start_time: FIXTURE_T0,
    end_time: FIXTURE_T0 + 1000,
    lifecycle_stage: "active",
  };
  for (const [field, value] of Object.entries(expected)) {
    assert.equal(main.info[field as keyof typeof main.info], value, field);
  }
  assert.deepEqual(tagMap(main.data.params), { lr: "0.01", layers: "3" });
  const tags = tagMap(main.data.tags);
  assert.equal(tags.stage, "fixture");
  assert.equal(tags.note, "schema fixture");
  assert.equal(tags["mlflow.runName"], "main");
  const latest = Object.fromEntries(main.data.metrics.map((m) => [m.key, m]));
  assert.equal(latest.loss.value, lossAt(FIXTURE_LOSS_POINTS - 1));
  assert.equal(latest.loss.step, FIXTURE_LOSS_POINTS - 1);
  assert.ok(Object.is(latest.special.value, -0), `special latest ${latest.special.value}`);

  const loss = (await store.getMetricHistory(main.info.run_id, "loss")).items;
  assert.equal(loss.length, FIXTURE_LOSS_POINTS + 1);
  assert.deepEqual(
    [loss[0].value, loss[0].step, loss[0].timestamp],
    [99, -1, FIXTURE_T0 - 1],
    "the late point comes first",
  );
  for (let i = 0; i < FIXTURE_LOSS_POINTS; i++) {
    const p = loss[i + 1];
    assert.deepEqual([p.value, p.step, p.timestamp], [lossAt(i), i, FIXTURE_T0 + i], `loss ${i}`);
  }
  // The column read (charts) gives the same history from this older store's chunks, whole and
  // in pages that cut through them.
  const cols = await store.getMetricHistoryColumns(main.info.run_id, "loss");
  assert.deepEqual([...cols.steps], loss.map((p) => p.step));
  assert.deepEqual([...cols.values], loss.map((p) => p.value));
  const firstPage = await store.getMetricHistoryColumns(main.info.run_id, "loss", {
    maxResults: 3,
  });
  assert.deepEqual([...firstPage.timestamps], loss.slice(0, 3).map((p) => p.timestamp));
  const special = (await store.getMetricHistory(main.info.run_id, "special")).items
    .sort((a, b) => a.step - b.step).map((p) => p.value);
  assert.equal(special.length, 4);
  assert.ok(Number.isNaN(special[0]));
  // ±Inf are kept as ±Number.MAX_VALUE, as MLflow's SQL store keeps them.
  assert.equal(special[1], Number.MAX_VALUE);
  assert.equal(special[2], -Number.MAX_VALUE);
  // -0: the history reads it back as 0 today, the latest value (above) as -0; either zero passes.
  assert.ok(special[3] === 0);

  assert.equal(main.inputs.dataset_inputs.length, 1);
  const input = main.inputs.dataset_inputs[0];
  assert.deepEqual(input.dataset, FIXTURE_DATASET_INPUT.dataset);
  assert.deepEqual(tagMap(input.tags), tagMap(FIXTURE_DATASET_INPUT.tags));

  const discarded = await store.getRun(byName.get("discarded")!.info.run_id);
  assert.equal(discarded.info.lifecycle_stage, "deleted");
  const gone = await store.getExperimentByName("gone");
  const orphans = await store.searchRuns({
    experimentIds: [gone.experiment_id],
    runViewType: "ALL",
  });
  assert.deepEqual(orphans.items.map((r) => [r.info.run_name, r.info.lifecycle_stage]), [[
    "orphan",
    "deleted",
  ]]);

  // Through the source-run index.
  const models = await store.searchLoggedModels({
    experimentIds: [exp.experiment_id],
    filter: `source_run_id = '${main.info.run_id}'`,
  });
  assert.equal(models.items.length, 1);
  const clf = models.items[0];
  assert.equal(clf.info.name, "clf");
  assert.deepEqual(tagMap(clf.data.params), { alpha: "0.5" });
  assert.equal(tagMap(clf.info.tags ?? []).flavor, "sklearn");

  const rm = await store.getRegisteredModel("fixture-model");
  assert.equal(rm.description, "registered in the schema fixture");
  assert.deepEqual(tagMap(rm.tags), { owner: "ops" });
  assert.deepEqual(rm.aliases, [{ alias: "champion", version: "1" }]);
  const v1 = await store.getModelVersionByAlias("fixture-model", "champion");
  assert.equal(v1.version, "1");
  assert.equal(v1.source, `models:/${clf.info.model_id}`);
  assert.deepEqual(tagMap(v1.tags), { validated: "yes" });
  const v2 = await store.getModelVersion("fixture-model", "2");
  assert.equal(v2.source, `runs:/${main.info.run_id}/model`);
  // Through the source-model index.
  const fromClf = await store.searchModelVersions({
    filter: `source_path = 'models:/${clf.info.model_id}'`,
  });
  assert.deepEqual(fromClf.items.map((v) => v.version), ["1"]);

  const user = await createKvAuthStore(kv).verifyPassword(
    FIXTURE_USER.username,
    FIXTURE_USER.password,
  );
  assert.equal(user?.is_admin, true);
}

async function withCopy(fn: (path: string) => Promise<void>): Promise<void> {
  const { path, dir } = await copyToTemp(FIXTURE);
  try {
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("schema fixture: today's code reads everything a store of schema version 5 holds", async () => {
  await withCopy(async (path) => {
    const kv = await Deno.openKv(path);
    const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
    try {
      assert.equal((await kv.get(schemaVersionKey())).value, FIXTURE_VERSION);
      await checkFixture(store, kv);
    } finally {
      await store.stopBackgroundWork();
      kv.close();
    }
  });
});

Deno.test("schema fixture: the version-1 layout migrates to the current one, equal to the fixture, and searches use the built indexes", async () => {
  await withCopy(async (path) => {
    const kv = await Deno.openKv(path);
    try {
      const want = await dumpKv(kv);
      await toVersionOne(kv);
      const lines: string[] = [];
      const result = await migrate(kv, {
        limits: LOCAL_KV_COMMIT_LIMITS,
        pageKeys: 1,
        onProgress: (l) => lines.push(l),
      });
      assert.deepEqual(result, {
        from: 1,
        to: FIXTURE_VERSION,
        applied: [
          "experiment_lifecycles",
          "pending_batch_count",
          "logged_models_by_run",
          "model_versions_by_source_model",
        ],
      });
      assert.ok(lines.some((l) => l.includes("1 logged models")), lines.join("\n"));
      // The source-run index holds the experiment id where a model's own write keeps its record
      // (a build checks no record: see logged_models.ts); every other key and value is the same.
      const plain = (d: typeof want) =>
        d.map((e) => e.key.startsWith('["logged_models_by_run"') ? { key: e.key } : e);
      assert.deepEqual(plain(await dumpKv(kv)), plain(want));

      const counts = newCounts();
      const store = await createKvStore(countingKv(kv, counts), { stagingSweepIntervalMs: 0 });
      try {
        await checkFixture(store, kv);
      } finally {
        await store.stopBackgroundWork();
      }
      const scans = counts.log.filter((l) =>
        l.startsWith('list {"prefix":["model_versions"]}') ||
        l.startsWith('list {"prefix":["logged_models_by_experiment"')
      );
      assert.deepEqual(scans, [], "searches by source scanned instead of using the indexes");
    } finally {
      kv.close();
    }
  });
});
