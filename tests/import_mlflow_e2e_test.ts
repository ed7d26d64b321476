/**
 * Issue 13 §4's end-to-end check: each MLflow fixture (../shared/fixtures/mlflow, made by the
 * real MLflow 2.17.0 and 3.1.3 servers) is imported with its artifacts into a fresh kvflow store,
 * and every object of its `manifest.json` (what MLflow's own REST API answered) is read back
 * through kvflow's REST API and compared: experiments, runs, full metric histories, latest
 * metrics, params, tags, inputs, outputs, every artifact's bytes (sha256), registered models,
 * versions, aliases and MLflow 3 logged models with their files.
 *
 * Where kvflow legitimately differs, the difference is normalised in one place below
 * (`ALLOWED`), each with its reason; everything else must be equal.
 */
import { deepStrictEqual } from "node:assert/strict";
import type { ImportResult } from "../store/ops/import.ts";
import { kvSet, type MlflowFixture, mlflowFixtures } from "./helpers/mlflow_fixtures.ts";
import { API, importMlflowStore, type Json, q, sha256 } from "./helpers/mlflow_import_app.ts";
import { runMain } from "./helpers/cli.ts";

const wireSort = (list: Json[] | undefined) =>
  (list ?? []).map((x) => JSON.stringify(sortKeys(x))).sort();
function sortKeys(x: Json): Json {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x && typeof x === "object") {
    return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys(x[k])]));
  }
  return x;
}

/** kvflow's documented history order: timestamp, then step, then value (NaN last). */
function historyOrder(a: Json, b: Json): number {
  const num = (
    v: Json,
  ) => (v === "NaN"
    ? Infinity
    : v === "Infinity"
    ? Number.MAX_VALUE
    : v === "-Infinity"
    ? -Number.MAX_VALUE
    : v);
  return a.timestamp - b.timestamp || a.step - b.step || num(a.value) - num(b.value);
}

/**
 * ALLOWED: every way kvflow's answer may differ from MLflow's manifest, with why. Each entry
 * rewrites the manifest's side into what kvflow says, so the comparison stays exact otherwise.
 */
function allowed(f: MlflowFixture, result: ImportResult) {
  const expId = (id: string) => result.remapped.experiments.get(id) ?? id;
  /** 1. A file store's random 18-digit experiment ids do not fit kvflow's sequential ≤15-digit
   * ids: the importer renumbers them (and every `mlflow-artifacts:/<exp>` location with them). */
  const location = (uri: string) =>
    uri.replace(/^mlflow-artifacts:\/([^/]+)/, (_, id) => `mlflow-artifacts:/${expId(id)}`);
  /** 2. The file store keeps ±Infinity; kvflow stores it as ±1.7976931348623157e308, as
   * MLflow's own SQL stores do (the SQLite fixtures show the same values). And -0.0 comes back
   * as 0: kvflow's JSON writer, like MLflow's SQL stores, has no negative zero. */
  const value = (v: Json) =>
    v === "Infinity"
      ? Number.MAX_VALUE
      : v === "-Infinity"
      ? -Number.MAX_VALUE
      : Object.is(v, -0)
      ? 0
      : v;
  /** 5. MLflow 2.17's file store lists a version's aliases in `model-versions/search` and in
   * `latest_versions`; its SQL store and kvflow leave them out there (`registered-models/alias`
   * and the model's `aliases` still carry them, and are compared as they are). */
  const versionAliases = (v: Json) => {
    if (f.name !== "2.17.0-filestore") return v;
    const { aliases: _, ...rest } = v;
    return rest;
  };
  /** 7. A version registered from `models:/<model_id>` names that logged model in kvflow's
   * `model_id` (MLflow 3's ModelVersion field, which 3.1.3's SQL store has no column for). It is
   * taken off only when it is exactly the model of the source. */
  const versionModel = (v: Json) => {
    if (v.model_id === undefined) return v;
    deepStrictEqual(`models:/${v.model_id}`, v.source, `model_id of version ${v.version}`);
    const { model_id: _, ...rest } = v;
    return rest;
  };
  /** 6. kvflow's `get-history` keeps the logged model (and dataset) a point was logged against;
   * MLflow 3.1.3's metrics table has no column for them, so its history drops them. They are
   * taken off kvflow's points only after checking the model does hold that very point. */
  const linked = new Set<string>(
    (f.manifest.logged_models ?? []).flatMap(({ model }: Json) =>
      model.data.metrics.map((p: Json) =>
        JSON.stringify([
          p.model_id,
          p.run_id,
          p.key,
          p.value,
          p.timestamp,
          p.step,
          p.dataset_name,
          p.dataset_digest,
        ])
      )
    ),
  );
  const historyPoint = (runId: string, p: Json) => {
    if (p.model_id === undefined) return p;
    const { model_id, dataset_name, dataset_digest, ...rest } = p;
    const id = JSON.stringify([
      model_id,
      runId,
      p.key,
      p.value,
      p.timestamp,
      p.step,
      dataset_name,
      dataset_digest,
    ]);
    deepStrictEqual(
      linked.has(id),
      true,
      `point linked to a model the manifest does not show: ${id}`,
    );
    return rest;
  };
  return { expId, location, value, versionAliases, versionModel, historyPoint };
}

for (const f of mlflowFixtures()) {
  Deno.test(`import --from-mlflow ${f.name}: every manifest object reads back equal through the REST API`, async (t) => {
    const w = await importMlflowStore(f.uri, { artifactsDir: f.artifactsDir });
    const { expId, location, value, versionAliases, versionModel, historyPoint } = allowed(
      f,
      w.result,
    );
    const m = f.manifest;
    try {
      await t.step("experiments/search ALL", async () => {
        const got: Json[] = [];
        let token: string | undefined;
        do {
          const page = await w.call(`${API}/experiments/search`, {
            view_type: "ALL",
            max_results: 1000,
            ...(token && { page_token: token }),
          });
          got.push(...(page.experiments ?? []));
          token = page.next_page_token;
        } while (token);
        deepStrictEqual(got.length, m.experiments.length);
        for (const want of m.experiments) {
          const e = got.find((e) => e.experiment_id === expId(want.experiment_id));
          const { tags, ...info } = e;
          const { tags: wantTags, ...wantInfo } = want;
          const expected = {
            ...wantInfo,
            experiment_id: expId(want.experiment_id),
            artifact_location: location(want.artifact_location),
          };
          if (want.experiment_id === "0") {
            // 3. Every kvflow store has its own Default experiment (id 0); the import merges into
            // it (as MLflow's set_experiment would), so its times are the target store's.
            expected.creation_time = info.creation_time;
            expected.last_update_time = info.last_update_time;
          }
          deepStrictEqual(info, expected, `experiment ${want.name}`);
          deepStrictEqual(kvSet(tags), kvSet(wantTags), `tags of experiment ${want.name}`);
        }
      });

      await t.step("runs/get, metrics/get-history, inputs and outputs", async () => {
        for (const { run: want, metric_history } of m.runs) {
          const id = want.info.run_id;
          const { run } = await w.call(`${API}/runs/get?${q({ run_id: id })}`);
          deepStrictEqual(run.info, {
            ...want.info,
            experiment_id: expId(want.info.experiment_id),
            artifact_uri: location(want.info.artifact_uri),
          }, `info of ${want.info.run_name}`);
          deepStrictEqual(kvSet(run.data.params), kvSet(want.data.params));
          deepStrictEqual(
            kvSet(run.data.tags),
            kvSet(want.data.tags),
            `tags of ${want.info.run_name}`,
          );
          // Latest metrics: kvflow derives them from the history; they must equal MLflow's.
          const latest = (list: Json[]) =>
            wireSort(list.map((p: Json) => ({ ...p, value: value(p.value) })));
          deepStrictEqual(
            latest(run.data.metrics ?? []),
            latest(want.data.metrics ?? []),
            `latest metrics of ${want.info.run_name}`,
          );
          deepStrictEqual(
            wireSort(run.inputs?.dataset_inputs?.map((d: Json) => ({ ...d, tags: kvSet(d.tags) }))),
            wireSort(
              want.inputs?.dataset_inputs?.map((d: Json) => ({ ...d, tags: kvSet(d.tags) })),
            ),
            `dataset inputs of ${want.info.run_name}`,
          );
          deepStrictEqual(run.inputs?.model_inputs ?? [], want.inputs?.model_inputs ?? []);
          deepStrictEqual(run.outputs?.model_outputs ?? [], want.outputs?.model_outputs ?? []);
          for (const [key, points] of Object.entries(metric_history as Record<string, Json[]>)) {
            const got: Json[] = [];
            let token: string | undefined;
            do {
              const page = await w.call(
                `${API}/metrics/get-history?${
                  q({
                    run_id: id,
                    metric_key: key,
                    max_results: 25000,
                    ...(token && { page_token: token }),
                  })
                }`,
              );
              got.push(...(page.metrics ?? []));
              token = page.next_page_token;
            } while (token);
            // kvflow answers in its documented order (timestamp, step, value); the SQL fixtures
            // are already in it, the file store's are in line (logging) order, so sort them.
            const expected = points.map((p) => ({ ...p, value: value(p.value) }))
              .sort(historyOrder);
            deepStrictEqual(
              got.map((p) => historyPoint(id, p)),
              expected,
              `history of ${want.info.run_name} ${key}`,
            );
          }
        }
      });

      await t.step("artifacts/list (recursive) and get-artifact sha256", async () => {
        for (const { run: want, artifacts } of m.runs) {
          deepStrictEqual(
            await w.runFiles(want.info.run_id),
            artifacts,
            `artifacts of ${want.info.run_name}`,
          );
        }
      });

      await t.step(
        "registered-models/search, model-versions/search, registered-models/alias",
        async () => {
          const { registered_models } = await w.call(
            `${API}/registered-models/search?max_results=1000`,
          );
          deepStrictEqual(registered_models.length, m.registered_models.length);
          // kvflow's side keeps its own ids; the manifest's goes through the allow-list.
          const gotVersion = (v: Json) => sortKeys({ ...versionModel(v), tags: kvSet(v.tags) });
          const wantVersion = (v: Json) =>
            sortKeys({ ...v, tags: kvSet(v.tags), source: location(v.source) });
          const norm = (rm: Json, version: (v: Json) => Json) =>
            sortKeys({
              ...rm,
              tags: kvSet(rm.tags),
              latest_versions: rm.latest_versions.map(version).map(JSON.stringify).sort(),
            });
          for (const want of m.registered_models) {
            const got = registered_models.find((r: Json) => r.name === want.name);
            deepStrictEqual(
              norm(got, gotVersion),
              norm(want, (v) => wantVersion(versionAliases(v))),
              `registered model ${want.name}`,
            );
          }
          const { model_versions } = await w.call(`${API}/model-versions/search?max_results=1000`);
          deepStrictEqual(
            model_versions.map(gotVersion).sort((a: Json, b: Json) => a.version - b.version),
            m.model_versions.map((v: Json) => wantVersion(versionAliases(v))),
          );
          for (const want of m.aliases) {
            const { model_version } = await w.call(
              `${API}/registered-models/alias?${q({ name: want.name, alias: want.alias })}`,
            );
            deepStrictEqual(gotVersion(model_version), wantVersion(want.model_version));
          }
        },
      );

      if (m.logged_models) {
        await t.step("logged-models/search and the models' artifacts", async () => {
          const { models } = await w.call(`${API}/logged-models/search`, {
            experiment_ids: m.experiments.map((e: Json) => expId(e.experiment_id)),
            max_results: 1000,
          });
          deepStrictEqual(models.length, m.logged_models.length);
          for (const { model: want, artifacts } of m.logged_models) {
            const got = models.find((x: Json) => x.info.model_id === want.info.model_id);
            const norm = (x: Json) =>
              sortKeys({
                info: { ...x.info, tags: kvSet(x.info.tags) },
                data: { params: kvSet(x.data.params), metrics: wireSort(x.data.metrics) },
              });
            deepStrictEqual(norm(got), norm(want), `logged model ${want.info.name}`);
            const files: Json[] = [];
            const root = got.info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
            const walk = async (path: string) => {
              const page = await w.call(
                `${API}/logged-models/${got.info.model_id}/artifacts/directories?${
                  q({ artifact_directory_path: path })
                }`,
              );
              for (const file of page.files ?? []) {
                const full = path ? `${path}/${file.path.split("/").pop()}` : file.path;
                if (file.is_dir) await walk(full);
                else {
                  // 4. kvflow has no ajax-only `logged-models/<id>/artifacts/files` route (the
                  // manifest's source); the same bytes come through the artifact proxy.
                  const body = await w.bytes(
                    `/api/2.0/mlflow-artifacts/artifacts/${root}/${
                      full.split("/").map(encodeURIComponent).join("/")
                    }`,
                  );
                  deepStrictEqual(body.length, Number(file.file_size ?? 0), full);
                  files.push({ path: full, size: body.length, sha256: sha256(body) });
                }
              }
            };
            await walk("");
            files.sort((a, b) => (a.path < b.path ? -1 : 1));
            deepStrictEqual(files, artifacts, `artifacts of logged model ${want.info.name}`);
          }
        });
      }
    } finally {
      await w.close();
    }
  });
}

Deno.test({
  name:
    "deno task import --from-mlflow sqlite:///… --artifacts … imports a fixture and lists what it left behind",
  ignore: mlflowFixtures().length === 0,
  fn: async () => {
    const f = mlflowFixtures().find((x) => x.name === "3.1.3-sqlite")!;
    const dir = await Deno.makeTempDir({ prefix: "kvflow-mlflow-cli-" });
    try {
      const out = await runMain([
        "import",
        "--from-mlflow",
        f.uri,
        "--artifacts",
        f.artifactsDir,
        "--backend-store-uri",
        `${dir}/store.kv`,
        "--artifacts-destination",
        `${dir}/artifacts`,
      ]);
      const stdout = out.stdout;
      deepStrictEqual(out.code, 0, out.stderr);
      // No id changed in a fresh store; the reader's warnings are listed; then the counts.
      deepStrictEqual(stdout.includes("→"), false, stdout);
      deepStrictEqual(/deleted_time/.test(stdout), false, stdout);
      deepStrictEqual(
        /imported 3 experiments, 25 runs, 1090 metric points, 2 logged models, 1 registered models, 2 model versions, 1 experiments merged, 28 artifact files/
          .test(stdout),
        true,
        stdout,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
