/**
 * The MLflow readers (store/import/) against the three real MLflow stores of
 * ../shared/fixtures/mlflow: every record they give is compared with the fixture's
 * `manifest.json` (what the MLflow server itself answered), and edge cases run on temp copies.
 */
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import type { ExportRecord, MetricPointsRecord, RunRecord } from "../store/ops/export_format.ts";
import { fromWireNumber, MAX_POINTS_PER_RECORD } from "../store/ops/export_format.ts";
import { parseMlflowUri, readMlflowStore } from "../store/import/mlflow.ts";
import { parseMetricLine } from "../store/import/mlflow_file_store.ts";
import { MlflowError } from "../store/errors.ts";
import { importRecords, openImportStore } from "../store/ops/import.ts";
import {
  kvSet,
  manifestNumber,
  type MlflowFixture,
  mlflowFixtures,
  readAll,
} from "./helpers/mlflow_fixtures.ts";

const FIXTURES = mlflowFixtures();
const ignore = FIXTURES.length === 0;
const fixture = (name: MlflowFixture["name"]) => FIXTURES.find((f) => f.name === name)!;

const ofType = <T extends ExportRecord["type"]>(records: ExportRecord[], type: T) =>
  records.filter((r) => r.type === type) as Extract<ExportRecord, { type: T }>[];

/** Each run's metric histories, the point records of one key joined in order. */
function histories(
  records: ExportRecord[],
): Map<string, Map<string, MetricPointsRecord["points"]>> {
  const out = new Map<string, Map<string, MetricPointsRecord["points"]>>();
  for (const r of ofType(records, "metric_points")) {
    const run = out.get(r.run_id) ?? new Map();
    out.set(r.run_id, run);
    run.set(r.key, [...(run.get(r.key) ?? []), ...r.points]);
  }
  return out;
}

const plain = (points: MetricPointsRecord["points"]) =>
  points.map((p) => ({ value: fromWireNumber(p.value), timestamp: p.timestamp, step: p.step }));

for (const f of FIXTURES) {
  // One test per fixture and aspect; a machine without the fixtures registers none of them.
  Deno.test(`readMlflowStore() gives the manifest's counts of ${f.name}`, async () => {
    const { records } = await readAll(f.uri);
    const c = f.manifest.counts;
    strictEqual(records[0].type, "header");
    const exps = ofType(records, "experiment");
    strictEqual(exps.length, c.experiments);
    strictEqual(
      exps.filter((e) => e.experiment.lifecycle_stage === "deleted").length,
      c.experiments_deleted,
    );
    const runs = ofType(records, "run");
    strictEqual(runs.length, c.runs);
    strictEqual(runs.filter((r) => r.info.lifecycle_stage === "deleted").length, c.runs_deleted);
    const byStatus: Record<string, number> = {};
    for (const r of runs) byStatus[r.info.status] = (byStatus[r.info.status] ?? 0) + 1;
    deepStrictEqual(byStatus, c.runs_by_status);
    strictEqual(runs.reduce((n, r) => n + r.params.length, 0), c.params);
    strictEqual(runs.reduce((n, r) => n + r.tags.length, 0), c.tags);
    const points = ofType(records, "metric_points");
    strictEqual(new Set(points.map((p) => `${p.run_id}/${p.key}`)).size, c.metric_keys);
    strictEqual(points.reduce((n, p) => n + p.points.length, 0), c.metric_points);
    ok(points.every((p) => p.points.length <= MAX_POINTS_PER_RECORD));
    strictEqual(
      ofType(records, "run_inputs").reduce((n, r) => n + r.dataset_inputs.length, 0),
      c.dataset_inputs,
    );
    const registered = ofType(records, "registered_model");
    strictEqual(registered.length, c.registered_models);
    strictEqual(registered.reduce((n, r) => n + r.versions.length, 0), c.model_versions);
    strictEqual(registered.reduce((n, r) => n + r.model.aliases.length, 0), c.aliases);
    strictEqual(ofType(records, "logged_model").length, c.logged_models ?? 0);
    const linked = points.flatMap((p) => p.points).filter((p) => p.model_id).length;
    strictEqual(linked, c.logged_model_metrics ?? 0);
  });

  Deno.test(`readMlflowStore() keeps the record order of export_format.ts on ${f.name}`, async () => {
    const { records } = await readAll(f.uri);
    const seenExperiments = new Set<string>();
    const seenRuns = new Set<string>();
    const seenModels = new Set<string>();
    let registry = false;
    for (const r of records.slice(1)) {
      if (r.type === "experiment") seenExperiments.add(r.experiment.experiment_id);
      if (r.type === "logged_model") {
        ok(seenExperiments.has(r.model.info.experiment_id));
        seenModels.add(r.model.info.model_id);
      }
      if (r.type === "run") {
        ok(seenExperiments.has(r.info.experiment_id), "experiment before its runs");
        ok(!registry);
        seenRuns.add(r.info.run_id);
      }
      if (r.type === "metric_points" || r.type === "run_inputs" || r.type === "run_outputs") {
        ok(seenRuns.has(r.run_id), "run before its points, inputs and outputs");
      }
      if (r.type === "metric_points") {
        for (const p of r.points) if (p.model_id) ok(seenModels.has(p.model_id));
      }
      if (r.type === "run_outputs") {
        for (const o of r.model_outputs) ok(seenModels.has(o.model_id));
      }
      if (r.type === "registered_model") {
        registry = true;
        for (const v of r.versions) if (v.run_id) ok(seenRuns.has(v.run_id));
      }
    }
  });

  Deno.test(`readMlflowStore() carries every experiment of ${f.name} as the manifest shows it`, async () => {
    const { records } = await readAll(f.uri);
    const exps = new Map(
      ofType(records, "experiment").map((e) => [e.experiment.experiment_id, e.experiment]),
    );
    for (const want of f.manifest.experiments) {
      const got = exps.get(want.experiment_id)!;
      ok(got, `experiment ${want.experiment_id}`);
      const { tags, ...info } = got;
      const { tags: wantTags, ...wantInfo } = want;
      deepStrictEqual(info, wantInfo);
      deepStrictEqual(kvSet(tags), kvSet(wantTags));
    }
  });

  Deno.test(`readMlflowStore() carries every run of ${f.name} as the manifest shows it`, async () => {
    const { records } = await readAll(f.uri);
    const runs = new Map(ofType(records, "run").map((r) => [r.info.run_id, r]));
    const hist = histories(records);
    const inputs = new Map(ofType(records, "run_inputs").map((r) => [r.run_id, r]));
    const outputs = new Map(ofType(records, "run_outputs").map((r) => [r.run_id, r]));
    for (const { run: want, metric_history } of f.manifest.runs) {
      const id = want.info.run_id;
      const got = runs.get(id) as RunRecord;
      ok(got, `run ${id}`);
      deepStrictEqual(got.info, want.info);
      deepStrictEqual(kvSet(got.params), kvSet(want.data.params));
      deepStrictEqual(kvSet(got.tags), kvSet(want.data.tags));
      // Both backends give the manifest's own order: SQL by timestamp, the file store by line.
      const gotHist = hist.get(id) ?? new Map();
      deepStrictEqual([...gotHist.keys()].sort(), Object.keys(metric_history).sort());
      for (const [key, points] of Object.entries(metric_history)) {
        deepStrictEqual(
          plain(gotHist.get(key)!),
          // deno-lint-ignore no-explicit-any
          (points as any[]).map((p) => ({
            value: manifestNumber(p.value),
            timestamp: p.timestamp,
            step: p.step,
          })),
          `${want.info.run_name} ${key}`,
        );
      }
      const ds = (list: { tags: { key: string; value: string }[] }[] | undefined) =>
        (list ?? []).map((d) => JSON.stringify({ ...d, tags: kvSet(d.tags) })).sort();
      deepStrictEqual(ds(inputs.get(id)?.dataset_inputs), ds(want.inputs.dataset_inputs));
      deepStrictEqual(outputs.get(id)?.model_outputs ?? [], want.outputs?.model_outputs ?? []);
    }
  });

  Deno.test(`readMlflowStore() carries the registry of ${f.name}`, async () => {
    const { records } = await readAll(f.uri);
    const [rm] = ofType(records, "registered_model");
    const [want] = f.manifest.registered_models;
    strictEqual(rm.model.name, want.name);
    strictEqual(rm.model.creation_timestamp, want.creation_timestamp);
    strictEqual(rm.model.last_updated_timestamp, want.last_updated_timestamp);
    strictEqual(rm.model.description, want.description);
    deepStrictEqual(kvSet(rm.model.tags), kvSet(want.tags));
    deepStrictEqual(rm.model.aliases, want.aliases);
    for (const wantVersion of f.manifest.model_versions) {
      const v = rm.versions.find((v) => v.version === wantVersion.version)!;
      const { tags, ...rest } = wantVersion;
      for (const [k, value] of Object.entries(rest)) {
        deepStrictEqual(v[k as keyof typeof v], value, k);
      }
      deepStrictEqual(kvSet(v.tags), kvSet(tags));
      // MLflow 3 registers from a logged model: the version names it (kvflow's model_id field).
      const source = wantVersion.source as string;
      strictEqual(v.model_id, source.startsWith("models:/") ? source.slice(8) : undefined);
    }
  });
}

Deno.test({
  name: "readMlflowStore() carries 3.1.3's logged models and links their metrics to the run points",
  ignore,
  fn: async () => {
    const f = fixture("3.1.3-sqlite");
    const { records } = await readAll(f.uri);
    const models = new Map(
      ofType(records, "logged_model").map((m) => [m.model.info.model_id, m.model]),
    );
    const linked = ofType(records, "metric_points").flatMap((r) =>
      r.points.filter((p) => p.model_id).map((p) => ({ ...p, key: r.key, run_id: r.run_id }))
    );
    for (const { model: want } of f.manifest.logged_models) {
      const got = models.get(want.info.model_id)!;
      const { tags, ...info } = got.info;
      const { tags: wantTags, ...wantInfo } = want.info;
      deepStrictEqual(info, wantInfo);
      deepStrictEqual(kvSet(tags), kvSet(wantTags));
      deepStrictEqual(kvSet(got.data.params), kvSet(want.data.params));
      const mine = linked.filter((p) => p.model_id === want.info.model_id)
        .map((p) => ({ ...p, value: fromWireNumber(p.value) }));
      const key = (m: Record<string, unknown>) => JSON.stringify(Object.entries(m).sort());
      deepStrictEqual(mine.map(key).sort(), want.data.metrics.map(key).sort());
    }
  },
});

Deno.test({
  name:
    "readMlflowStore() reads special values exactly: is_nan and clamped ±inf in SQLite, nan/inf/-0.0 in the file store",
  ignore,
  fn: async () => {
    const M = Number.MAX_VALUE;
    const series = async (f: MlflowFixture) => {
      const { records } = await readAll(f.uri);
      const id = f.manifest.seed_index.runs["special-values"];
      return plain(histories(records).get(id)!.get("special_series")!).map((p) => p.value);
    };
    deepStrictEqual(
      await series(fixture("2.17.0-sqlite")),
      [0, -1.5, 1e-300, NaN, M, -M, 0, 3.25, M, -2.5e-8],
    );
    deepStrictEqual(
      await series(fixture("3.1.3-sqlite")),
      [0, -1.5, 1e-300, NaN, M, -M, 0, 3.25, M, -2.5e-8],
    );
    deepStrictEqual(
      await series(fixture("2.17.0-filestore")),
      [0, -1.5, 1e-300, NaN, Infinity, -Infinity, -0, 3.25, M, -2.5e-8],
    );
  },
});

Deno.test({
  name:
    "readMlflowStore() gives dup_step in timestamp order from SQLite and in line order from the file store",
  ignore,
  fn: async () => {
    const dup = async (f: MlflowFixture) => {
      const { records } = await readAll(f.uri);
      const id = f.manifest.seed_index.runs["out-of-order-steps"];
      return plain(histories(records).get(id)!.get("dup_step")!).map((p) => [p.step, p.value]);
    };
    deepStrictEqual(await dup(fixture("3.1.3-sqlite")), [[6, 0.4], [7, 0.5], [7, 0.6], [7, 0.55]]);
    deepStrictEqual(await dup(fixture("2.17.0-filestore")), [[7, 0.5], [7, 0.6], [7, 0.55], [
      6,
      0.4,
    ]]);
  },
});

Deno.test({
  name:
    "readMlflowStore() keeps soft deletion and each deleted run's deleted_time, which the import keeps for gc",
  ignore,
  fn: async () => {
    for (const f of FIXTURES) {
      const { records, warnings } = await readAll(f.uri);
      const deletedExp = f.manifest.seed_index.experiments.deleted;
      const runs = ofType(records, "run");
      const inDeletedExp = runs.filter((r) => r.info.experiment_id === deletedExp);
      ok(inDeletedExp.every((r) => r.info.lifecycle_stage === "deleted"));
      const deletedRun = runs.find((r) => r.info.run_name === "deleted-run")!;
      strictEqual(deletedRun.info.lifecycle_stage, "deleted");
      const deleted = [deletedRun, ...inDeletedExp];
      strictEqual(deleted.length, 3);
      for (const r of deleted) {
        ok(typeof r.deleted_time === "number" && r.deleted_time >= r.info.start_time, f.name);
      }
      ok(runs.every((r) => r.info.lifecycle_stage === "deleted" || r.deleted_time === undefined));
      ok(!warnings.some((w) => w.message.includes("deleted_time")), f.name);

      // Imported, a deleted run counts from MLflow's deletion time for gc --older-than.
      const kv = await Deno.openKv(":memory:");
      try {
        const { store, clock } = await openImportStore(kv);
        await importRecords(store, readMlflowStore(f.uri, { onWarning: () => {} }), { clock });
        const times = new Map<string, number>();
        for await (const c of store.listGcCandidates({})) {
          if (c.kind === "run") times.set(c.id, c.deleted_time);
        }
        strictEqual(times.get(deletedRun.info.run_id), deletedRun.deleted_time, f.name);
        await store.stopBackgroundWork();
      } finally {
        kv.close();
      }
    }
  },
});

Deno.test("parseMlflowUri() follows SQLAlchemy's sqlite URLs and takes a path or file: URL as a file store", () => {
  deepStrictEqual(parseMlflowUri("sqlite:////tmp/x/mlflow.db"), {
    kind: "sqlite",
    path: "/tmp/x/mlflow.db",
  });
  deepStrictEqual(parseMlflowUri("sqlite:///rel/mlflow.db?mode=ro"), {
    kind: "sqlite",
    path: join(Deno.cwd(), "rel/mlflow.db"),
  });
  deepStrictEqual(parseMlflowUri("file:///tmp/mlruns"), { kind: "file", path: "/tmp/mlruns" });
  deepStrictEqual(parseMlflowUri("./mlruns"), { kind: "file", path: join(Deno.cwd(), "mlruns") });
  for (const bad of ["sqlite://", "sqlite:///", "postgresql://u@h/db", "mysql://h/db"]) {
    try {
      parseMlflowUri(bad);
      ok(false, bad);
    } catch (e) {
      ok(e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE", bad);
    }
  }
});

Deno.test("readMlflowStore() refuses a path that is no MLflow store", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const drain = async (uri: string) => {
      for await (const _ of readMlflowStore(uri, { onWarning() {} })) { /* drain */ }
    };
    const invalid = (e: unknown) =>
      e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE";
    await rejects(drain(dir), invalid);
    await rejects(drain(`sqlite:///${dir}/missing.db`), invalid);
    new DatabaseSync(join(dir, "other.db")).exec("CREATE TABLE t (x)");
    await rejects(drain(`sqlite:///${dir}/other.db`), invalid);
    await Deno.writeTextFile(
      join(dir, "garbage.db"),
      "not a database at all, just text ".repeat(100),
    );
    await rejects(drain(`sqlite:///${dir}/garbage.db`), invalid);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseMetricLine() reads Python's float spellings and rejects anything else", () => {
  deepStrictEqual(parseMetricLine("12 nan 3"), { value: "NaN", timestamp: 12, step: 3 });
  deepStrictEqual(parseMetricLine("12 inf 3"), { value: "Infinity", timestamp: 12, step: 3 });
  deepStrictEqual(parseMetricLine("12 -inf 3"), { value: "-Infinity", timestamp: 12, step: 3 });
  deepStrictEqual(parseMetricLine("12 -0.0 3"), { value: "-0", timestamp: 12, step: 3 });
  deepStrictEqual(parseMetricLine("12 1.7976931348623157e+308 0"), {
    value: Number.MAX_VALUE,
    timestamp: 12,
    step: 0,
  });
  deepStrictEqual(parseMetricLine("12 1e-300"), { value: 1e-300, timestamp: 12, step: 0 });
  for (const bad of ["", "12", "x 1 2", "12 1 2 3", "12 0x10 1", "12 1 2.5", "12 nanx 1"]) {
    strictEqual(parseMetricLine(bad), undefined, bad);
  }
});

Deno.test("readMlflowStore() streams a long file-store metric in records of 1000 and skips bad lines with a warning", async () => {
  const root = await Deno.makeTempDir();
  try {
    const exp = join(root, "7");
    const run = join(exp, "r".repeat(32));
    await Deno.mkdir(join(run, "metrics", "train"), { recursive: true });
    await Deno.writeTextFile(
      join(exp, "meta.yaml"),
      "artifact_location: mlflow-artifacts:/7\ncreation_time: 1\nexperiment_id: '7'\nlast_update_time: 2\nlifecycle_stage: active\nname: e\n",
    );
    await Deno.writeTextFile(
      join(run, "meta.yaml"),
      `artifact_uri: s3://bucket/7/r/artifacts\nexperiment_id: '7'\nlifecycle_stage: active\nrun_id: ${
        "r".repeat(32)
      }\nrun_uuid: ${
        "r".repeat(32)
      }\nrun_name: x\nstart_time: 5\nend_time: null\nstatus: 1\nuser_id: u\nsource_name: legacy.py\n`,
    );
    const lines = Array.from({ length: 2500 }, (_, i) => `${1000 + i} ${i} ${i}`);
    lines.splice(10, 0, "garbage line", `1 ${"9".repeat(5000)} 1`);
    await Deno.writeTextFile(join(run, "metrics", "train", "loss"), lines.join("\n") + "\n");
    // A malformed run is skipped and reported, as MLflow's own file store skips it.
    await Deno.mkdir(join(exp, "b".repeat(32)));
    await Deno.writeTextFile(join(exp, "b".repeat(32), "meta.yaml"), "run_uuid: [unclosed\n");
    const { records, warnings } = await readAll(root);
    const pts = ofType(records, "metric_points");
    deepStrictEqual(pts.map((p) => [p.key, p.points.length]), [
      ["train/loss", 1000],
      ["train/loss", 1000],
      ["train/loss", 500],
    ]);
    deepStrictEqual(
      pts.flatMap((p) => p.points.map((x) => x.step)),
      Array.from({ length: 2500 }, (_, i) => i),
    );
    const [r] = ofType(records, "run");
    strictEqual(r.info.status, "RUNNING");
    strictEqual(r.info.end_time, undefined);
    const messages = warnings.map((w) => `${w.subject}: ${w.message}`);
    ok(messages.some((m) => m.startsWith("2 metric lines: unreadable")), messages.join("\n"));
    ok(messages.some((m) => m.includes("not an mlflow-artifacts:/ URI")), messages.join("\n"));
    ok(messages.some((m) => m.includes("legacy source_name")), messages.join("\n"));
    ok(
      messages.some((m) =>
        m.startsWith("1 files: not a YAML mapping") && m.includes("b".repeat(32))
      ),
      messages.join("\n"),
    );
    strictEqual(ofType(records, "run").length, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name:
    "readMlflowStore() pages a long SQLite history, checks latest_metrics and reports traces and foreign artifact URIs",
  ignore,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "mlflow.db");
      await Deno.copyFile(join(fixture("3.1.3-sqlite").dir, "mlflow.db"), path);
      const runId = fixture("3.1.3-sqlite").manifest.seed_index.runs["empty-run"];
      const db = new DatabaseSync(path);
      const insert = db.prepare(
        'INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)',
      );
      db.exec("BEGIN");
      for (let i = 0; i < 2100; i++) insert.run("big", i, 5000 - i, runId, i);
      db.exec("COMMIT");
      // MLflow's table says step 3 is the latest; the history says step 2099.
      db.prepare(
        'INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)',
      ).run("big", 3, 4997, 3, runId);
      db.prepare("UPDATE runs SET artifact_uri = 's3://b/x' WHERE run_uuid = ?").run(runId);
      db.prepare("UPDATE model_versions SET storage_location = 's3://b/m' WHERE version = 1").run();
      db.prepare(
        "INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, status) VALUES ('t1', 0, 1, 'OK')",
      ).run();
      db.close();
      const { records, warnings } = await readAll(`sqlite:///${path}`);
      const big = ofType(records, "metric_points").filter((p) => p.run_id === runId);
      deepStrictEqual(big.map((p) => p.points.length), [1000, 1000, 100]);
      // kvflow's history order: by timestamp, so the last-logged step comes first.
      strictEqual(big[0].points[0].step, 2099);
      const messages = warnings.map((w) => `${w.subject}: ${w.message}`);
      ok(
        messages.some((m) => m.startsWith("1 latest metrics:") && m.includes(`${runId}/big`)),
        messages.join("\n"),
      );
      ok(messages.some((m) => m.startsWith("table trace_info: 1 rows")), messages.join("\n"));
      // Only a storage_location MLflow did not derive from the source is reported.
      deepStrictEqual(messages.filter((m) => m.includes("storage_location")), [
        "1 model versions: storage_location other than the one MLflow derives from the source: not carried (iris-logreg v1)",
      ]);
      ok(
        messages.some((m) => m.includes("not an mlflow-artifacts:/ URI") && m.includes(runId)),
        messages.join("\n"),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
