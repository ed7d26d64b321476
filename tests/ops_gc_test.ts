/**
 * `runGc` (store/ops/gc.ts) over the KV store with real artifact repositories: after gc no KV key
 * names a purged run and the artifact store holds no object under it, on local disk and on S3
 * (s3rver), also when a first gc was killed part-way.
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import { createS3ArtifactRepository } from "../artifacts/s3.ts";
import type { ArtifactRepository } from "../artifacts/types.ts";
import { createKvStore } from "../store/kv/mod.ts";
import { artifactFolder, parseOlderThan, runGc } from "../store/ops/gc.ts";
import { keysNaming, keysOfExperiment } from "./helpers/kv_scan.ts";
import { richRun } from "./helpers/rich_run.ts";
import { startS3rver } from "./helpers/s3rver.ts";
import { assertMlflowError, randomExperimentName } from "./fixtures.ts";
import type { TrackingStore } from "../store/types.ts";

const DAY = 86_400_000;

/** Every file path in the repository (depth-first, bounded). */
async function allFiles(repo: ArtifactRepository, path = "", depth = 0): Promise<string[]> {
  assert.ok(depth < 12, "artifact tree too deep");
  const out: string[] = [];
  for (const f of await repo.list(path)) {
    if (f.is_dir) out.push(...await allFiles(repo, f.path, depth + 1));
    else out.push(f.path);
  }
  return out;
}

async function put(repo: ArtifactRepository, path: string, text = "x"): Promise<void> {
  await repo.put(path, new Blob([text]).stream());
}

/** A run with files in its artifact folder, plus a logged model's files (`files`). */
async function runWithArtifacts(store: TrackingStore, repo: ArtifactRepository, expId?: string) {
  const r = await richRun(store, expId);
  const run = await store.getRun(r.runId);
  const rel = run.info.artifact_uri.replace("mlflow-artifacts:/", "");
  const model = await store.getLoggedModel(r.modelId);
  const files = [
    `${rel}/MLmodel`,
    `${rel}/loss.png`,
    `${model.info.artifact_uri.replace("mlflow-artifacts:/", "")}/MLmodel`,
  ];
  for (const f of files) await put(repo, f);
  return { ...r, files };
}

/** Which of `paths` still hold an object (by `stat`: s3rver 5 lists no nested prefixes). */
async function present(repo: ArtifactRepository, paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) if (await repo.stat(p) !== null) out.push(p);
  return out;
}

async function withLocal(fn: (repo: ArtifactRepository) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(createLocalArtifactRepository({ rootDir: dir }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The check for one backend: run gc, then scan every key and every object. */
async function purgesEverything(repo: ArtifactRepository, walk: boolean): Promise<void> {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const doomed = await runWithArtifacts(store, repo);
  const kept = await runWithArtifacts(store, repo, doomed.experimentId);
  const gone = await runWithArtifacts(store, repo);
  await store.deleteRun(doomed.runId);
  await store.deleteExperiment(gone.experimentId);
  const lines: string[] = [];
  const result = await runGc(store, repo, { onProgress: (l) => lines.push(l) });
  assert.deepEqual(result.run_ids, [doomed.runId]);
  assert.deepEqual(result.experiment_ids, [gone.experimentId]);
  assert.deepEqual(result.skipped_artifacts, []);
  assert.ok(lines.includes(`gc: purged run ${doomed.runId}`));
  for (const id of [doomed.runId, gone.runId, gone.modelId]) {
    assert.deepEqual(await keysNaming(kv, id), [], id);
  }
  assert.deepEqual(await keysOfExperiment(kv, gone.experimentId, gone.experimentName), []);
  assert.deepEqual(await present(repo, [...doomed.files.slice(0, 2), ...gone.files]), []);
  assert.deepEqual(await present(repo, kept.files), kept.files);
  // The doomed run's model was not deleted: only the run went.
  assert.deepEqual(await present(repo, doomed.files.slice(2)), doomed.files.slice(2));
  if (walk) {
    const files = await allFiles(repo);
    assert.deepEqual(files.filter((f) => f.includes(doomed.runId)), []);
    assert.deepEqual(files.filter((f) => f.startsWith(`${gone.experimentId}/`)), []);
    assert.equal(files.length, 4);
  }
  // The purged experiment's name can be used again.
  await store.createExperiment({ name: gone.experimentName });
}

Deno.test("runGc() leaves no key and no local artifact of what it purged", async () => {
  await withLocal((repo) => purgesEverything(repo, true));
});

Deno.test("runGc() leaves no key and no S3 object of what it purged", async () => {
  const s3 = await startS3rver({ buckets: ["gc"] });
  try {
    const repo = createS3ArtifactRepository({
      bucket: "gc",
      prefix: "mlartifacts",
      endpoint: s3.endpoint,
      credentials: s3,
      retries: 0,
      env: {},
    });
    // s3rver 5 answers a multi-object delete with 500 now and then when two of the keys' folders
    // on its disk are removed at once (real S3 has no folders): gc is simply run again then.
    const retrying: ArtifactRepository = {
      ...repo,
      delete: async (path) => {
        for (let i = 0;; i++) {
          try {
            return await repo.delete(path);
          } catch (e) {
            if (i >= 4) throw e;
          }
        }
      },
    };
    await purgesEverything(retrying, false);
  } finally {
    await s3.stop();
  }
});

Deno.test("runGc() killed while deleting artifacts is finished by the next gc", async () => {
  await withLocal(async (repo) => {
    using kv = await Deno.openKv(":memory:");
    const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
    const r = await runWithArtifacts(store, repo);
    await store.deleteRun(r.runId);
    const failing: ArtifactRepository = {
      ...repo,
      delete: () => Promise.reject(new Error("killed")),
    };
    await assert.rejects(runGc(store, failing), /killed/);
    await assertMlflowError(store.getRun(r.runId), "RESOURCE_DOES_NOT_EXIST");
    assert.equal((await allFiles(repo)).filter((f) => f.includes(r.runId)).length, 2);
    const result = await runGc(store, repo);
    assert.deepEqual(result.run_ids, [r.runId]);
    assert.deepEqual(await keysNaming(kv, r.runId), []);
    assert.deepEqual((await allFiles(repo)).filter((f) => f.includes(r.runId)), []);
  });
});

Deno.test("runGc() --older-than keeps what was deleted more recently", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const exp = await store.createExperiment({ name: randomExperimentName() });
  const run = await store.createRun({ experimentId: exp });
  await store.deleteRun(run.info.run_id);
  const none = await runGc(store, undefined, { olderThanMs: DAY });
  assert.deepEqual(none.run_ids, []);
  const later = await runGc(store, undefined, { olderThanMs: DAY, now: Date.now() + 2 * DAY });
  assert.deepEqual(later.run_ids, [run.info.run_id]);
});

Deno.test("runGc() --dry-run lists and purges nothing; limit reports more", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const exp = await store.createExperiment({ name: randomExperimentName() });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const run = await store.createRun({ experimentId: exp });
    await store.deleteRun(run.info.run_id);
    ids.push(run.info.run_id);
  }
  const dry = await runGc(store, undefined, { dryRun: true });
  assert.deepEqual([...dry.run_ids].sort(), [...ids].sort());
  assert.equal(dry.dry_run, true);
  for (const id of ids) assert.equal((await store.getRun(id)).info.lifecycle_stage, "deleted");
  const first = await runGc(store, undefined, { limit: 2 });
  assert.equal(first.run_ids.length, 2);
  assert.equal(first.more, true);
  const rest = await runGc(store, undefined, { limit: 2 });
  assert.equal(rest.run_ids.length, 1);
  assert.equal(rest.more, false);
});

Deno.test("runGc() reports artifacts outside the proxy as skipped", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, {
    stagingSweepIntervalMs: 0,
    allowedArtifactRoots: ["mlflow-artifacts:/", "s3://bucket/own"],
  });
  const exp = await store.createExperiment({
    name: randomExperimentName(),
    artifactLocation: "s3://bucket/own/x",
  });
  const run = await store.createRun({ experimentId: exp });
  await store.deleteExperiment(exp);
  await withLocal(async (repo) => {
    const result = await runGc(store, repo, { experimentIds: [exp] });
    assert.deepEqual(result.experiment_ids, [exp]);
    assert.deepEqual(result.skipped_artifacts.map((s) => [s.kind, s.artifact_uri]), [
      ["experiment", "s3://bucket/own/x"],
      ["run", run.info.artifact_uri],
    ]);
  });
});

Deno.test("runGc() with named ids refuses an active run before purging anything", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const exp = await store.createExperiment({ name: randomExperimentName() });
  const a = await store.createRun({ experimentId: exp });
  const b = await store.createRun({ experimentId: exp });
  await store.deleteRun(a.info.run_id);
  await assertMlflowError(
    runGc(store, undefined, { runIds: [a.info.run_id, b.info.run_id] }),
    "INVALID_PARAMETER_VALUE",
  );
  assert.equal((await store.getRun(a.info.run_id)).info.lifecycle_stage, "deleted");
});

Deno.test("parseOlderThan() reads MLflow's #d#h#m#s", () => {
  assert.equal(parseOlderThan("30d"), 30 * DAY);
  assert.equal(parseOlderThan("1h30m"), 5_400_000);
  assert.equal(parseOlderThan("45s"), 45_000);
  assert.equal(parseOlderThan("1.5d"), 1.5 * DAY);
  assert.equal(parseOlderThan("1d2h3m4s"), DAY + 7_200_000 + 180_000 + 4_000);
  for (const bad of ["", "30", "1m1h", "d", "-1d", "1w", "1d "]) {
    assert.throws(() => parseOlderThan(bad), /older-than/, bad);
  }
});

Deno.test("artifactFolder() deletes only what this server's store holds for the entity", () => {
  const run = { kind: "run" as const, id: "r1", experiment_id: "1" };
  assert.equal(
    artifactFolder({ ...run, artifact_uri: "mlflow-artifacts:/1/r1/artifacts" }),
    "1/r1",
  );
  assert.equal(artifactFolder({ ...run, artifact_uri: "s3://b/1/r1/artifacts" }), null);
  assert.equal(artifactFolder({ ...run, artifact_uri: "mlflow-artifacts:/../x" }), null);
  const exp = { kind: "experiment" as const, id: "7", experiment_id: "7" };
  assert.equal(artifactFolder({ ...exp, artifact_uri: "mlflow-artifacts:/7" }), "7");
  assert.equal(artifactFolder({ ...exp, artifact_uri: "mlflow-artifacts:/shared" }), null);
  assert.equal(artifactFolder({ ...exp, artifact_uri: "mlflow-artifacts:/" }), null);
});

Deno.test("runGc() purges a named run inside a named experiment, and skips what another gc took", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  const exp = await store.createExperiment({ name: randomExperimentName() });
  const run = (await store.createRun({ experimentId: exp })).info.run_id;
  const other = (await store.createRun({ experimentId: "0" })).info.run_id;
  await store.deleteExperiment(exp);
  await store.deleteRun(other);
  const both = await runGc(store, undefined, { experimentIds: [exp], runIds: [run] });
  assert.deepEqual([both.run_ids, both.experiment_ids], [[run], [exp]]);
  // Two gcs at once: neither fails (one may finish the other's purge), and the run is gone.
  const [a, b] = await Promise.all([runGc(store, undefined), runGc(store, undefined)]);
  assert.deepEqual([...new Set([...a.run_ids, ...b.run_ids])], [other]);
  assert.deepEqual(await keysNaming(kv, other), []);
});
