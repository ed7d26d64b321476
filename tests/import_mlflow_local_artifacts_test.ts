/**
 * `import --from-mlflow` of stores used without a tracking server, where artifacts live on local
 * disk and are named by `file:` URIs or plain paths: the 2.17.0 file-store fixture and both
 * SQLite fixtures are rewritten (in temp copies) to that layout, imported, and every file's
 * sha256 and the new proxied locations are read back through kvflow's REST API. Hostile
 * locations (`file:///etc`, `..`, symbolic links leading out) copy nothing.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import {
  localArtifactRoots,
  localPathOf,
  proxiedModelSource,
} from "../store/import/_local_artifacts.ts";
import { importRecords, openImportStore } from "../store/ops/import.ts";
import { EXPORT_FORMAT, type ExportRecord } from "../store/ops/export_format.ts";
import { type MlflowFixture, mlflowFixtures } from "./helpers/mlflow_fixtures.ts";
import {
  API,
  type ImportedMlflowStore,
  importMlflowStore,
  type Json,
  q,
  sha256,
} from "./helpers/mlflow_import_app.ts";
import { runMain } from "./helpers/cli.ts";

const fixture = (name: MlflowFixture["name"]) => mlflowFixtures().find((f) => f.name === name);

/**
 * A temp copy of the 2.17.0 file-store fixture as a client without a server writes it: every
 * experiment's and run's location a `file://<tmp>/mlruns/…` URI, and the run files in the run's
 * own `artifacts/` directory (under `.trash/` for the deleted experiment, whose runs' URIs still
 * name the place it had before, as MLflow leaves them).
 */
async function serverlessFileStore(f: MlflowFixture): Promise<{ tmp: string; root: string }> {
  const tmp = await Deno.realPath(await Deno.makeTempDir({ prefix: "kvflow-mlruns-" }));
  const root = join(tmp, "mlruns");
  cpSync(join(f.dir, "mlruns"), root, { recursive: true });
  const runDir = (exp: string, run: string) =>
    existsSync(join(root, exp)) ? join(root, exp, run) : join(root, ".trash", exp, run);
  for (const base of [root, join(root, ".trash")]) {
    for (const e of Deno.readDirSync(base)) {
      if (!/^\d+$/.test(e.name)) continue;
      const metas = [join(base, e.name, "meta.yaml")];
      for (const r of Deno.readDirSync(join(base, e.name))) {
        if (existsSync(join(base, e.name, r.name, "meta.yaml"))) {
          metas.push(join(base, e.name, r.name, "meta.yaml"));
        }
      }
      for (const m of metas) {
        const text = Deno.readTextFileSync(m);
        Deno.writeTextFileSync(m, text.replaceAll("mlflow-artifacts:/", `file://${root}/`));
      }
    }
  }
  // Registered versions name the model's files by the same kind of URI.
  for (const m of Deno.readDirSync(join(root, "models"))) {
    for (const v of Deno.readDirSync(join(root, "models", m.name))) {
      const meta = join(root, "models", m.name, v.name, "meta.yaml");
      if (!v.name.startsWith("version-") || !existsSync(meta)) continue;
      const text = Deno.readTextFileSync(meta);
      Deno.writeTextFileSync(meta, text.replaceAll("mlflow-artifacts:/", `file://${root}/`));
    }
  }
  for (const exp of Deno.readDirSync(f.artifactsDir)) {
    for (const run of Deno.readDirSync(join(f.artifactsDir, exp.name))) {
      cpSync(
        join(f.artifactsDir, exp.name, run.name, "artifacts"),
        join(runDir(exp.name, run.name), "artifacts"),
        { recursive: true },
      );
    }
  }
  return { tmp, root };
}

/** Imports `uri` as the CLI does (copying each run's checked local directory). */
function importServerless(uri: string): Promise<ImportedMlflowStore> {
  return importMlflowStore(uri, { trustArtifactSources: true });
}

/** Checks every manifest run's proxied URI and files, and every experiment's location. */
async function checkAgainstManifest(
  f: MlflowFixture,
  w: ImportedMlflowStore,
) {
  const expId = (id: string) => w.result.remapped.experiments.get(id) ?? id;
  let files = 0;
  for (const { run: want, artifacts } of f.manifest.runs) {
    const id = want.info.run_id;
    const { run } = await w.call(`${API}/runs/get?${q({ run_id: id })}`);
    strictEqual(
      run.info.artifact_uri,
      `mlflow-artifacts:/${expId(want.info.experiment_id)}/${id}/artifacts`,
      want.info.run_name,
    );
    deepStrictEqual(await w.runFiles(id), artifacts, `artifacts of ${want.info.run_name}`);
    files += artifacts.length;
  }
  strictEqual(files, f.manifest.counts.artifact_files);
  const { experiments } = await w.call(`${API}/experiments/search`, {
    view_type: "ALL",
    max_results: 1000,
  });
  for (const want of f.manifest.experiments) {
    const got = experiments.find((e: Json) => e.experiment_id === expId(want.experiment_id));
    strictEqual(got.artifact_location, `mlflow-artifacts:/${expId(want.experiment_id)}`);
  }
  const { model_versions } = await w.call(`${API}/model-versions/search?max_results=1000`);
  for (const want of f.manifest.model_versions) {
    const got = model_versions.find((v: Json) =>
      v.name === want.name && v.version === want.version
    );
    strictEqual(
      got.source,
      want.source.replace(
        /^mlflow-artifacts:\/([^/]+)/,
        (_: string, id: string) => `mlflow-artifacts:/${expId(id)}`,
      ),
      `source of ${want.name} v${want.version}`,
    );
  }
  ok(
    !w.messages().some((m) => /not an mlflow-artifacts|outside the store|storage_location/.test(m)),
    w.messages().join("\n"),
  );
}

Deno.test({
  name:
    "import --from-mlflow of a server-less file store (file:// URIs, files in each run's artifacts/) copies every file: proxied URIs and sha256s through REST",
  ignore: !fixture("2.17.0-filestore"),
  fn: async () => {
    const f = fixture("2.17.0-filestore")!;
    const { tmp, root } = await serverlessFileStore(f);
    const w = await importServerless(root);
    try {
      await checkAgainstManifest(f, w);
      strictEqual(w.result.counts.artifact_files, 28);
      strictEqual(w.result.counts.artifact_bytes, 45_045);
    } finally {
      await w.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

for (const name of ["2.17.0-sqlite", "3.1.3-sqlite"] as const) {
  Deno.test({
    name:
      `import --from-mlflow sqlite:///… of a server-less ${name} store (absolute paths into ./mlruns beside the database) copies every run and logged model file`,
    ignore: !fixture(name),
    fn: async () => {
      const f = fixture(name)!;
      const tmp = await Deno.realPath(await Deno.makeTempDir({ prefix: "kvflow-mlflow-db-" }));
      const w0 = { close: async () => {} };
      let w: ImportedMlflowStore | typeof w0 = w0;
      try {
        // MLflow's SQL store on POSIX writes plain absolute paths under the default ./mlruns.
        Deno.copyFileSync(join(f.dir, "mlflow.db"), join(tmp, "mlflow.db"));
        cpSync(f.artifactsDir, join(tmp, "mlruns"), { recursive: true });
        const db = new DatabaseSync(join(tmp, "mlflow.db"));
        const at = `${tmp}/mlruns/`;
        db.prepare("UPDATE experiments SET artifact_location = ? || experiment_id").run(at);
        db.prepare(
          "UPDATE runs SET artifact_uri = ? || experiment_id || '/' || run_uuid || '/artifacts'",
        ).run(at);
        db.prepare(
          "UPDATE model_versions SET source = replace(source, 'mlflow-artifacts:/', ?), storage_location = replace(storage_location, 'mlflow-artifacts:/', ?)",
        ).run(at, at);
        const hasModels = db.prepare(
          "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'logged_models'",
        ).get()!.n === 1;
        if (hasModels) {
          // file: URIs here, the other spelling MLflow uses.
          db.prepare(
            "UPDATE logged_models SET artifact_location = ? || experiment_id || '/models/' || model_id || '/artifacts'",
          ).run(`file://${at}`);
        }
        db.close();
        const s = await importServerless(`sqlite:///${join(tmp, "mlflow.db")}`);
        w = s;
        await checkAgainstManifest(f, s);
        for (const { model: want, artifacts } of f.manifest.logged_models ?? []) {
          const { model } = await s.call(`${API}/logged-models/${want.info.model_id}`);
          const rel = model.info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
          strictEqual(rel, `${want.info.experiment_id}/models/${want.info.model_id}/artifacts`);
          for (const a of artifacts) {
            const bytes = await Deno.readFile(join(s.dest, rel, a.path));
            strictEqual(sha256(bytes), a.sha256, a.path);
          }
        }
      } finally {
        await w.close();
        await Deno.remove(tmp, { recursive: true });
      }
    },
  });
}

/** A one-experiment file store at `<tmp>/mlruns` whose runs have the given artifact URIs. */
async function miniStore(uris: Record<string, string>) {
  const tmp = await Deno.realPath(await Deno.makeTempDir({ prefix: "kvflow-mini-" }));
  const root = join(tmp, "mlruns");
  await Deno.mkdir(join(root, "7"), { recursive: true });
  await Deno.writeTextFile(
    join(root, "7", "meta.yaml"),
    `artifact_location: file://${root}/7\ncreation_time: 1\nexperiment_id: '7'\nlast_update_time: 2\nlifecycle_stage: active\nname: e\n`,
  );
  for (const [run, uri] of Object.entries(uris)) {
    await Deno.mkdir(join(root, "7", run, "artifacts"), { recursive: true });
    await Deno.writeTextFile(
      join(root, "7", run, "meta.yaml"),
      `artifact_uri: ${uri}\nexperiment_id: '7'\nlifecycle_stage: active\nrun_id: ${run}\nrun_uuid: ${run}\nrun_name: ${run}\nstart_time: 5\nend_time: 6\nstatus: 3\nuser_id: u\n`,
    );
  }
  return { tmp, root };
}

const runId = (c: string) => c.repeat(32);

Deno.test("import --from-mlflow: a file: artifact_uri outside the store (file:///etc, a '..' path) copies nothing and is reported, the URI kept", async () => {
  const [a, b] = [runId("a"), runId("b")];
  const { tmp, root } = await miniStore({
    [a]: "file:///etc",
    [b]: `file://ROOT/7/${b}/../../../outside`,
  });
  // The second URI, with the real root put in, climbs out of the store to a directory beside it.
  const meta = join(root, "7", b, "meta.yaml");
  await Deno.writeTextFile(meta, (await Deno.readTextFile(meta)).replace("ROOT", root));
  await Deno.mkdir(join(tmp, "outside"));
  await Deno.writeTextFile(join(tmp, "outside", "secret.txt"), "secret");
  await Deno.writeTextFile(join(root, "7", a, "artifacts", "own.txt"), "mine");
  const w = await importServerless(root);
  try {
    const { run: ra } = await w.call(`${API}/runs/get?${q({ run_id: a })}`);
    strictEqual(ra.info.artifact_uri, "file:///etc");
    const { run: rb } = await w.call(`${API}/runs/get?${q({ run_id: b })}`);
    strictEqual(rb.info.artifact_uri, `file://${root}/7/${b}/../../../outside`);
    strictEqual(w.result.counts.artifact_files ?? 0, 0);
    deepStrictEqual([...Deno.readDirSync(w.dest)], []);
    ok(
      w.messages().some((m) =>
        m.startsWith("2 runs: artifacts in a local directory outside the store")
      ),
      w.messages().join("\n"),
    );
  } finally {
    await w.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("import --from-mlflow: symbolic links inside a run's artifacts are not followed, a run's artifacts directory linked out of the store is refused", async () => {
  const [a, b] = [runId("a"), runId("b")];
  const { tmp, root } = await miniStore({
    [a]: "PLACEHOLDER",
    [b]: "PLACEHOLDER",
  });
  const outside = join(tmp, "outside");
  await Deno.mkdir(outside);
  await Deno.writeTextFile(join(outside, "secret.txt"), "secret");
  const artA = join(root, "7", a, "artifacts");
  await Deno.writeTextFile(join(artA, "kept.txt"), "kept");
  await Deno.mkdir(join(artA, "sub"));
  await Deno.writeTextFile(join(artA, "sub", "deep.txt"), "deep");
  await Deno.symlink(join(outside, "secret.txt"), join(artA, "file-link.txt"));
  await Deno.symlink(outside, join(artA, "dir-link"));
  await Deno.symlink(join(artA, "kept.txt"), join(artA, "inner-link.txt"));
  // Run a's URI names its own directory; run b's artifacts directory is a link to outside.
  for (const [run, uri] of [[a, `file://${artA}`], [b, `file://${root}/7/${b}/artifacts`]]) {
    const meta = join(root, "7", run, "meta.yaml");
    await Deno.writeTextFile(
      meta,
      (await Deno.readTextFile(meta)).replace(/^artifact_uri: .*$/m, `artifact_uri: ${uri}`),
    );
  }
  await Deno.remove(join(root, "7", b, "artifacts"));
  await Deno.symlink(outside, join(root, "7", b, "artifacts"));
  const w = await importServerless(root);
  try {
    deepStrictEqual((await w.runFiles(a)).map((x) => x.path), ["kept.txt", "sub/deep.txt"]);
    const { run: rb } = await w.call(`${API}/runs/get?${q({ run_id: b })}`);
    strictEqual(rb.info.artifact_uri, `file://${root}/7/${b}/artifacts`);
    strictEqual(w.result.counts.artifact_files, 2);
    const messages = w.messages().join("\n");
    for (const link of ["file-link.txt", "dir-link", "inner-link.txt"]) {
      ok(messages.includes(`artifact ${link} not copied: symbolic link not followed`), messages);
    }
    ok(messages.includes("1 runs: artifacts in a local directory outside the store"), messages);
  } finally {
    await w.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("import --from-mlflow: relative ./mlruns paths of older clients and the absolute paths of a store moved from another machine are found in the store", async () => {
  const [a, b, c] = [runId("a"), runId("b"), runId("c")];
  const { tmp, root } = await miniStore({
    [a]: `./mlruns/7/${a}/artifacts`,
    [b]: `file:///home/alice/project/mlruns/7/${b}/artifacts`,
    [c]: `/home/alice/project/mlruns/7/${c}/artifacts`,
  });
  for (const r of [a, b]) await Deno.writeTextFile(join(root, "7", r, "artifacts", "f.txt"), r);
  // c has no artifacts: its empty directory was dropped (git does so), and it still gets the proxied URI.
  await Deno.remove(join(root, "7", c, "artifacts"));
  const w = await importServerless(root);
  try {
    const expId = w.result.remapped.experiments.get("7") ?? "7";
    for (const r of [a, b, c]) {
      const { run } = await w.call(`${API}/runs/get?${q({ run_id: r })}`);
      strictEqual(run.info.artifact_uri, `mlflow-artifacts:/${expId}/${r}/artifacts`);
    }
    for (const r of [a, b]) {
      deepStrictEqual(await w.runFiles(r), [{
        path: "f.txt",
        size: 32,
        sha256: sha256(new TextEncoder().encode(r)),
      }]);
    }
    deepStrictEqual(await w.runFiles(c), []);
    ok(!w.messages().some((m) => m.includes("outside")), w.messages().join("\n"));
  } finally {
    await w.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("importRecords() ignores a record's artifact_source unless told to trust it (an export file could name any path)", async () => {
  const kv = await Deno.openKv(":memory:");
  const dest = await Deno.makeTempDir();
  const src = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(src, "x.txt"), "x");
    const { store, clock } = await openImportStore(kv);
    const records = async function* (): AsyncGenerator<ExportRecord> {
      yield { type: "header", format: EXPORT_FORMAT, exported_at: 1, source: "kvflow" };
      yield {
        type: "experiment",
        experiment: {
          experiment_id: "5",
          name: "e",
          artifact_location: "mlflow-artifacts:/5",
          lifecycle_stage: "active",
          creation_time: 1,
          last_update_time: 1,
          tags: [],
        },
      };
      yield {
        type: "run",
        info: {
          run_id: runId("d"),
          run_uuid: runId("d"),
          run_name: "r",
          experiment_id: "5",
          user_id: "u",
          status: "FINISHED",
          start_time: 1,
          end_time: 2,
          artifact_uri: `mlflow-artifacts:/5/${runId("d")}/artifacts`,
          lifecycle_stage: "active",
        },
        params: [],
        tags: [],
        artifact_source: src,
      };
    };
    const artifacts = createLocalArtifactRepository({ rootDir: dest });
    const result = await importRecords(store, records(), { clock, artifacts });
    strictEqual(result.counts.artifact_files, undefined);
    deepStrictEqual([...Deno.readDirSync(dest)], []);
    ok(result.warnings.some((w) => w.message.includes("ignored: not from an MLflow store")));
  } finally {
    kv.close();
    await Deno.remove(dest, { recursive: true });
    await Deno.remove(src, { recursive: true });
  }
});

Deno.test({
  name:
    "deno task import --from-mlflow ./mlruns (server-less file store, no --artifacts) copies the runs' files into the artifacts destination",
  ignore: !fixture("2.17.0-filestore"),
  fn: async () => {
    const { tmp } = await serverlessFileStore(fixture("2.17.0-filestore")!);
    try {
      const out = await runMain([
        "import",
        "--from-mlflow",
        "./mlruns",
        "--backend-store-uri",
        `${tmp}/store.kv`,
        "--artifacts-destination",
        `${tmp}/dest`,
      ], tmp);
      const stdout = out.stdout;
      strictEqual(out.code, 0, out.stderr);
      ok(/28 artifact files/.test(stdout), stdout);
      ok(!/outside the store|not an mlflow-artifacts/.test(stdout), stdout);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("localPathOf() and proxiedModelSource() read MLflow's local spellings and leave other schemes alone", () => {
  strictEqual(localPathOf("file:///data/mlruns/1", "/x"), "/data/mlruns/1");
  strictEqual(localPathOf("file:/data/a%20b", "/x"), "/data/a b");
  strictEqual(localPathOf("file:./mlruns/1", "/x"), "/x/mlruns/1");
  strictEqual(localPathOf("./mlruns/1/r/artifacts", "/x"), "/x/mlruns/1/r/artifacts");
  strictEqual(localPathOf("/abs/../etc", "/x"), "/etc");
  for (
    const other of ["", "s3://b/1", "mlflow-artifacts:/1", "file://otherhost/data", "runs:/r/m"]
  ) {
    strictEqual(localPathOf(other, "/x"), undefined, other);
  }
  const roots = localArtifactRoots([], "/x");
  const run = "a".repeat(32);
  strictEqual(
    proxiedModelSource(`file:///old/mlruns/12/${run}/artifacts/model`, roots),
    `mlflow-artifacts:/12/${run}/artifacts/model`,
  );
  strictEqual(
    proxiedModelSource(`/old/mlruns/3/models/m-${"b".repeat(32)}/artifacts`, roots),
    `mlflow-artifacts:/3/models/m-${"b".repeat(32)}/artifacts`,
  );
  for (
    const kept of ["models:/m-1", "s3://b/1/x/artifacts/model", "/data/model", `runs:/${run}/model`]
  ) {
    strictEqual(proxiedModelSource(kept, roots), kept);
  }
});
