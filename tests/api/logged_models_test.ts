/**
 * The logged-model endpoints over HTTP (mlflow-rest.md §4.4), replaying the MLflow 3.1.3 client's
 * `log_model` sequence from mlflow-client-traffic.md on both store backends, with the model's
 * files going through the artifact proxy to a local repository in a temp dir.
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import { createApp } from "../../routes/mod.ts";
import { createKvStore } from "../../store/kv/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import type { TrackingStore } from "../../store/types.ts";
import {
  API,
  clientCreateRunBody,
  createExperiment,
  createRun,
  expectError,
  expectJson,
  expectMissing,
  get,
  newApp,
  post,
  type TestApp,
} from "./_helpers.ts";

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
const UNKNOWN = "m-0123456789abcdef0123456789abcdef";

/** A request with a JSON body and any method (the client's PATCH and DELETE send one too). */
function send(app: TestApp, method: string, path: string, body?: unknown) {
  return app.request(`${API}/${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The exact `POST logged-models` body the 3.1.3 client sent (sklearn LogisticRegression). */
function clientCreateModelBody(experimentId: string, runId: string) {
  const params = [
    ["C", "1.0"],
    ["class_weight", "None"],
    ["dual", "False"],
    ["fit_intercept", "True"],
    ["intercept_scaling", "1"],
    ["l1_ratio", "None"],
    ["max_iter", "50"],
    ["multi_class", "auto"],
    ["n_jobs", "None"],
    ["penalty", "l2"],
    ["random_state", "None"],
    ["solver", "lbfgs"],
    ["tol", "0.0001"],
    ["verbose", "0"],
    ["warm_start", "False"],
  ].map(([key, value]) => ({ key, value }));
  return {
    experiment_id: experimentId,
    name: "model",
    source_run_id: runId,
    params,
    tags: [
      { key: "mlflow.user", value: "root" },
      { key: "mlflow.source.name", value: "<peer>/client_smoke.py" },
      { key: "mlflow.source.type", value: "LOCAL" },
    ],
  };
}

const text = (s: string) => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;

/** The files `log_model` writes for an sklearn model (contents are arbitrary bytes). */
function modelFiles(): [string, Uint8Array<ArrayBuffer>][] {
  const pkl = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) & 0xff);
  return [
    ["MLmodel", text("artifact_path: model\nflavors:\n  sklearn: {}\n")],
    ["conda.yaml", text("dependencies:\n- python=3.11\n")],
    ["model.pkl", pkl],
    ["python_env.yaml", text("python: 3.11\n")],
    ["requirements.txt", text("mlflow==3.1.3\nscikit-learn\n")],
    ["input_example/serving_input_example.json", text('{"inputs": [[1, 2]]}')],
  ];
}

interface Backend {
  name: string;
  open(): Promise<{ store: TrackingStore; close(): void }>;
}

const BACKENDS: Backend[] = [
  { name: "memory", open: () => Promise.resolve({ store: createMemoryStore(), close() {} }) },
  {
    name: "kv",
    async open() {
      const kv = await Deno.openKv(":memory:");
      return { store: await createKvStore(kv), close: () => kv.close() };
    },
  },
];

for (const backend of BACKENDS) {
  Deno.test(`[${backend.name}] the 3.x log_model request sequence, then a byte-identical download`, async () => {
    const { store, close } = await backend.open();
    const root = await Deno.makeTempDir({ prefix: "kvflow-logged-models-" });
    try {
      const app = createApp({ store, artifacts: createLocalArtifactRepository({ rootDir: root }) });
      const exp = await createExperiment(app);
      const runId = await createRun(app, exp);

      // 1. Create the model.
      const created = await expectJson(
        post(app, "logged-models", clientCreateModelBody(exp, runId)),
        200,
      );
      const model = created.model;
      const id: string = model.info.model_id;
      assert.match(id, /^m-[0-9a-f]{32}$/);
      assert.deepEqual(Object.keys(created), ["model"]);
      assert.deepEqual(Object.keys(model.info), [
        "model_id",
        "experiment_id",
        "name",
        "creation_timestamp_ms",
        "last_updated_timestamp_ms",
        "artifact_uri",
        "status",
        "model_type",
        "source_run_id",
        "tags",
      ]);
      assert.equal(model.info.experiment_id, exp);
      assert.equal(model.info.name, "model");
      assert.equal(model.info.artifact_uri, `mlflow-artifacts:/${exp}/models/${id}/artifacts`);
      assert.equal(model.info.status, "LOGGED_MODEL_PENDING");
      assert.equal(model.info.model_type, "");
      assert.equal(model.info.source_run_id, runId);
      assert.equal(model.info.last_updated_timestamp_ms, model.info.creation_timestamp_ms);
      assert.deepEqual(model.info.tags, [
        { key: "mlflow.source.name", value: "<peer>/client_smoke.py" },
        { key: "mlflow.source.type", value: "LOCAL" },
        { key: "mlflow.user", value: "root" },
      ]);
      assert.deepEqual(model.data, { params: clientCreateModelBody(exp, runId).params });

      // 2. runs/outputs, exactly as recorded.
      assert.deepEqual(
        await expectJson(
          post(app, "runs/outputs", { run_id: runId, models: [{ model_id: id, step: 0 }] }),
          200,
        ),
        {},
      );

      // 3. log-batch with metrics that carry the model id.
      const ts = 1795784537700;
      assert.deepEqual(
        await expectJson(
          post(app, "runs/log-batch", {
            run_id: runId,
            metrics: [
              { key: "training_score", value: 0.96, timestamp: ts, step: 0, model_id: id },
              {
                key: "eval_accuracy",
                value: 0.93,
                timestamp: ts,
                step: 0,
                model_id: id,
                dataset_name: "eval",
                dataset_digest: "abc123",
              },
            ],
            params: [],
            tags: [],
          }),
          200,
        ),
        {},
      );

      // 4. PUT the files under the model's artifact root through the proxy.
      const files = modelFiles();
      const base = `${PROXY}/${exp}/models/${id}/artifacts`;
      for (const [path, bytes] of files) {
        const res = await app.request(`${base}/${path}`, {
          method: "PUT",
          headers: { "Content-Type": "application/octet-stream" },
          body: bytes,
        });
        assert.deepEqual(await expectJson(res, 200), {}, path);
      }

      // 5. The recorded client never sent DELETE .../tags/mlflow.model.isExternal: it deletes
      // that tag only when set, and it was not set. (The delete path is tested below.)

      // 6. Finalize READY with the recorded body.
      const finalized = await expectJson(
        send(app, "PATCH", `logged-models/${id}`, {
          model_id: id,
          status: "LOGGED_MODEL_READY",
        }),
        200,
      );
      assert.equal(finalized.model.info.status, "LOGGED_MODEL_READY");
      assert.ok(
        finalized.model.info.last_updated_timestamp_ms >= model.info.creation_timestamp_ms,
      );

      // 7. GET (how `models:/<id>` is loaded): the model with its metrics.
      const got = await expectJson(get(app, `logged-models/${id}`), 200);
      assert.deepEqual(got, finalized);
      assert.deepEqual(got.model.data.metrics, [
        {
          key: "eval_accuracy",
          value: 0.93,
          timestamp: ts,
          step: 0,
          dataset_name: "eval",
          dataset_digest: "abc123",
          model_id: id,
          run_id: runId,
        },
        { key: "training_score", value: 0.96, timestamp: ts, step: 0, model_id: id, run_id: runId },
      ]);
      const run = await expectJson(get(app, "runs/get", { run_id: runId, run_uuid: runId }), 200);
      assert.deepEqual(run.run.outputs, { model_outputs: [{ model_id: id, step: 0 }] });
      assert.deepEqual(
        run.run.data.metrics.map((m: { key: string }) => m.key),
        ["eval_accuracy", "training_score"],
      );

      // 8. Search, as the client did (a miss is `{}`), then a hit.
      assert.deepEqual(
        await expectJson(
          post(app, "logged-models/search", { experiment_ids: [exp], filter: "name = 'dir'" }),
          200,
        ),
        {},
      );
      const hit = await expectJson(
        post(app, "logged-models/search", { experiment_ids: [exp], filter: "name = 'model'" }),
        200,
      );
      assert.deepEqual(hit, { models: [got.model] });

      // The registry tags the model, with the recorded body.
      const versions = '[{"name": "smoke-model", "version": 1}]';
      assert.deepEqual(
        await expectJson(
          send(app, "PATCH", `logged-models/${id}/tags`, {
            tags: [{ key: "mlflow.modelVersions", value: versions }],
          }),
          200,
        ),
        {},
      );

      // Download: list the model root (through the proxy and the model route), GET each file.
      const listed = await expectJson(
        get(app, `${PROXY}`, { path: `${exp}/models/${id}/artifacts` }),
        200,
      );
      assert.deepEqual(listed.files.map((f: { path: string }) => f.path), [
        "MLmodel",
        "conda.yaml",
        "input_example",
        "model.pkl",
        "python_env.yaml",
        "requirements.txt",
      ]);
      const dirs = await expectJson(get(app, `logged-models/${id}/artifacts/directories`), 200);
      assert.equal(dirs.root_uri, model.info.artifact_uri);
      assert.deepEqual(dirs.files, listed.files);
      const sub = await expectJson(
        get(app, `logged-models/${id}/artifacts/directories`, {
          artifact_directory_path: "input_example",
        }),
        200,
      );
      assert.deepEqual(sub.files, [{
        path: "input_example/serving_input_example.json",
        is_dir: false,
        file_size: 20,
      }]);
      for (const [path, bytes] of files) {
        const res = await app.request(`${base}/${path}`);
        assert.equal(res.status, 200, path);
        assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes, `${path} byte-identical`);
      }
      // The ajax mirror serves the model too.
      assert.deepEqual(
        await expectJson(app.request(`/ajax-api/2.0/mlflow/logged-models/${id}`), 200),
        await expectJson(get(app, `logged-models/${id}`), 200),
      );
    } finally {
      close();
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("logged-models tags, params and delete over HTTP", async (t) => {
  const app = newApp();
  const exp = await createExperiment(app);
  const id = (await expectJson(post(app, "logged-models", { experiment_id: exp }), 200))
    .model.info.model_id;
  await t.step("a random name, and no tags, params or metrics emitted", async () => {
    const { model } = await expectJson(get(app, `logged-models/${id}`), 200);
    assert.match(model.info.name, /^[a-z]+-[a-z]+-\d+$/);
    assert.equal("tags" in model.info, false);
    assert.deepEqual(model.data, {});
  });
  await t.step("the client's isExternal tag is deleted when set", async () => {
    await expectJson(
      send(app, "PATCH", `logged-models/${id}/tags`, {
        tags: [{ key: "mlflow.model.isExternal", value: "true" }, { key: "a/b", value: "x" }],
      }),
      200,
    );
    assert.deepEqual(
      await expectJson(
        send(app, "DELETE", `logged-models/${id}/tags/mlflow.model.isExternal`),
        200,
      ),
      {},
    );
    // A key with a slash spans path segments.
    await expectJson(send(app, "DELETE", `logged-models/${id}/tags/a/b`), 200);
    const { model } = await expectJson(get(app, `logged-models/${id}`), 200);
    assert.equal("tags" in model.info, false);
    const msg = await expectError(
      send(app, "DELETE", `logged-models/${id}/tags/mlflow.model.isExternal`),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    assert.equal(msg, `No tag with key 'mlflow.model.isExternal' found for model with ID '${id}'.`);
  });
  await t.step("params are added; a changed value is 400", async () => {
    await expectJson(
      post(app, `logged-models/${id}/params`, {
        model_id: id,
        params: [{ key: "alpha", value: "1" }],
      }),
      200,
    );
    await expectError(
      post(app, `logged-models/${id}/params`, { params: [{ key: "alpha", value: "2" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    const { model } = await expectJson(get(app, `logged-models/${id}`), 200);
    assert.deepEqual(model.data.params, [{ key: "alpha", value: "1" }]);
  });
  await t.step(
    "finalize accepts the proto number and refuses PENDING and unknown names",
    async () => {
      const ok = await expectJson(send(app, "PATCH", `logged-models/${id}`, { status: 3 }), 200);
      assert.equal(ok.model.info.status, "LOGGED_MODEL_UPLOAD_FAILED");
      for (const status of ["LOGGED_MODEL_PENDING", "READY_ISH", 0, 7]) {
        await expectError(
          send(app, "PATCH", `logged-models/${id}`, { status }),
          400,
          "INVALID_PARAMETER_VALUE",
        );
      }
      await expectMissing(send(app, "PATCH", `logged-models/${id}`, {}), "status");
    },
  );
  await t.step("DELETE with the client's JSON body hides the model", async () => {
    assert.deepEqual(
      await expectJson(send(app, "DELETE", `logged-models/${id}`, { model_id: id }), 200),
      {},
    );
    const msg = await expectError(get(app, `logged-models/${id}`), 404, "RESOURCE_DOES_NOT_EXIST");
    assert.equal(msg, `Logged model with ID '${id}' not found.`);
    await expectError(send(app, "DELETE", `logged-models/${id}`), 404, "RESOURCE_DOES_NOT_EXIST");
  });
});

Deno.test("logged-models search over HTTP: filter, order_by objects, datasets and paging", async () => {
  const app = newApp();
  const exp = await createExperiment(app);
  const runId = await createRun(app, exp);
  const ids: string[] = [];
  for (const name of ["c", "a", "b"]) {
    const body = await expectJson(post(app, "logged-models", { experiment_id: exp, name }), 200);
    ids.push(body.model.info.model_id);
  }
  await expectJson(
    post(app, "runs/log-batch", {
      run_id: runId,
      metrics: ids.map((model_id, i) => ({
        key: "acc",
        value: i / 10,
        timestamp: 1,
        model_id,
        dataset_name: "eval",
      })),
    }),
    200,
  );
  const names = (body: { models?: { info: { name: string } }[] }) =>
    (body.models ?? []).map((m) => m.info.name);
  const search = (args: Record<string, unknown>) =>
    expectJson(post(app, "logged-models/search", { experiment_ids: [exp], ...args }), 200);
  assert.deepEqual(
    names(await search({ order_by: [{ field_name: "metrics.acc", ascending: false }] })),
    ["b", "a", "c"],
  );
  assert.deepEqual(
    names(
      await search({
        filter: "metrics.acc >= 0.1",
        datasets: [{ dataset_name: "eval" }],
        order_by: [{ field_name: "name", ascending: "True" }],
      }),
    ),
    ["a", "b"],
  );
  const first = await search({ max_results: "2", order_by: [{ field_name: "name" }] });
  assert.deepEqual(names(first), ["a", "b"]);
  assert.equal(typeof first.next_page_token, "string");
  const second = await search({
    max_results: 2,
    order_by: [{ field_name: "name" }],
    page_token: first.next_page_token,
  });
  assert.deepEqual(second, { models: [second.models[0]] });
  assert.deepEqual(names(second), ["c"]);
  for (
    const bad of [
      { filter: "name = 'a' OR name = 'b'" },
      { order_by: [{ field_name: "params.x" }] },
      { order_by: [{ ascending: true }] },
      { order_by: [{ field_name: "name", ascending: "sideways" }] },
      { datasets: [{ dataset_digest: "d" }] },
      { max_results: 0 },
      { page_token: "nope" },
    ]
  ) {
    await expectError(
      post(app, "logged-models/search", { experiment_ids: [exp], ...bad }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  }
  await expectMissing(post(app, "logged-models/search", {}), "experiment_ids");
});

Deno.test("logged-models error replies", async (t) => {
  const app = newApp({
    artifacts: createLocalArtifactRepository({ rootDir: await Deno.makeTempDir() }),
  });
  const exp = await createExperiment(app);
  const runId = await createRun(app, exp);
  const id = (await expectJson(post(app, "logged-models", { experiment_id: exp }), 200))
    .model.info.model_id;
  const notFound = (x: string) => `Logged model with ID '${x}' not found.`;
  await t.step("create: missing experiment, unknown, deleted, bad name, bad params", async () => {
    await expectMissing(post(app, "logged-models", {}), "experiment_id");
    assert.equal(
      await expectError(
        post(app, "logged-models", { experiment_id: "31337" }),
        404,
        "RESOURCE_DOES_NOT_EXIST",
      ),
      "No Experiment with id=31337 exists",
    );
    const gone = await createExperiment(app);
    await expectJson(post(app, "experiments/delete", { experiment_id: gone }), 200);
    await expectError(
      post(app, "logged-models", { experiment_id: gone }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      post(app, "logged-models", { experiment_id: exp, name: "a.b" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      post(app, "logged-models", { experiment_id: exp, params: [{ key: "../x", value: "1" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      post(app, "logged-models", { experiment_id: exp, tags: [{ value: "1" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      app.request(`${API}/logged-models`, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ experiment_id: exp }),
      }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("unknown ids are 404 on every model route", async () => {
    for (const x of [UNKNOWN, "not-a-model-id"]) {
      const calls = [
        get(app, `logged-models/${x}`),
        send(app, "PATCH", `logged-models/${x}`, { status: "LOGGED_MODEL_READY" }),
        send(app, "DELETE", `logged-models/${x}`, {}),
        send(app, "PATCH", `logged-models/${x}/tags`, { tags: [{ key: "k", value: "v" }] }),
        send(app, "DELETE", `logged-models/${x}/tags/k`),
        post(app, `logged-models/${x}/params`, { params: [{ key: "k", value: "v" }] }),
        get(app, `logged-models/${x}/artifacts/directories`),
      ];
      for (const call of calls) {
        assert.equal(await expectError(call, 404, "RESOURCE_DOES_NOT_EXIST"), notFound(x));
      }
    }
  });
  await t.step("tags and params: missing lists and bad keys are 400", async () => {
    await expectMissing(send(app, "PATCH", `logged-models/${id}/tags`, {}), "tags");
    await expectMissing(post(app, `logged-models/${id}/params`, {}), "params");
    await expectError(
      send(app, "PATCH", `logged-models/${id}/tags`, { tags: [{ key: "/abs", value: "v" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("artifacts/directories refuses traversal", async () => {
    for (const path of ["..", "../../etc", "%2e%2e/x", "/etc", "a\\b", "a#b"]) {
      await expectError(
        get(app, `logged-models/${id}/artifacts/directories`, { artifact_directory_path: path }),
        400,
        "INVALID_PARAMETER_VALUE",
      );
    }
    // An empty model root lists as no files.
    assert.deepEqual(
      await expectJson(get(app, `logged-models/${id}/artifacts/directories`), 200),
      { root_uri: `mlflow-artifacts:/${exp}/models/${id}/artifacts` },
    );
  });
  await t.step("runs/outputs: missing args, unknown run, unknown model", async () => {
    await expectMissing(post(app, "runs/outputs", { run_id: runId }), "models");
    await expectMissing(post(app, "runs/outputs", { models: [{ model_id: id }] }), "run_id");
    await expectError(
      post(app, "runs/outputs", { run_id: runId, models: [{ model_id: id, step: "x" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      post(app, "runs/outputs", { run_id: "f".repeat(32), models: [{ model_id: id }] }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await expectError(
      post(app, "runs/outputs", { run_id: runId, models: [{ model_id: "m".repeat(300) }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    // A missing step is 0, as proto2 defaults it.
    await expectJson(
      post(app, "runs/outputs", { run_uuid: runId, models: [{ model_id: id }] }),
      200,
    );
    const run = await expectJson(get(app, "runs/get", { run_id: runId }), 200);
    assert.deepEqual(run.run.outputs, { model_outputs: [{ model_id: id, step: 0 }] });
  });
  await t.step(
    "log-metric and log-batch: unknown model ids log to the run; bad ones are 400",
    async () => {
      await expectJson(
        post(app, "runs/log-metric", {
          run_id: runId,
          key: "m",
          value: 1,
          timestamp: 1,
          model_id: UNKNOWN,
        }),
        200,
      );
      await expectError(
        post(app, "runs/log-batch", {
          run_id: runId,
          metrics: [{ key: "m", value: 1, timestamp: 1, model_id: "x".repeat(5000) }],
        }),
        400,
        "INVALID_PARAMETER_VALUE",
      );
      await expectError(
        post(app, "runs/log-metric", {
          run_id: runId,
          key: "m",
          value: 1,
          timestamp: 1,
          model_id: id,
          dataset_digest: "d".repeat(37),
        }),
        400,
        "INVALID_PARAMETER_VALUE",
      );
    },
  );
});

/** Malformed values for every field: wrong types, nesting, huge and hostile strings. */
const JUNK: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  "",
  "x",
  "NaN",
  [],
  [null],
  [1, 2],
  {},
  { key: 1 },
  [{ key: null, value: {} }],
  [{ field_name: [] }],
  "../../etc/passwd",
  "m-" + "f".repeat(32),
  "\u0000\u202e",
  "x".repeat(70_000),
  [{ key: "k", value: "v".repeat(70_000) }],
];

for (const backend of BACKENDS) {
  Deno.test(`[${backend.name}] 50+ malformed logged-model bodies never get a 5xx`, async () => {
    const { store, close } = await backend.open();
    const app = createApp({ store });
    const exp = await createExperiment(app);
    const runId = await createRun(app, exp);
    const id = (await expectJson(post(app, "logged-models", { experiment_id: exp }), 200))
      .model.info.model_id;
    const targets: [string, string, string[]][] = [
      ["POST", "logged-models", [
        "experiment_id",
        "name",
        "model_type",
        "source_run_id",
        "params",
        "tags",
      ]],
      ["POST", "logged-models/search", [
        "experiment_ids",
        "filter",
        "datasets",
        "max_results",
        "order_by",
        "page_token",
      ]],
      ["PATCH", `logged-models/${id}`, ["model_id", "status"]],
      ["PATCH", `logged-models/${id}/tags`, ["tags"]],
      ["POST", `logged-models/${id}/params`, ["params"]],
      ["POST", "runs/outputs", ["run_id", "models"]],
      ["POST", "runs/log-batch", ["metrics"]],
    ];
    const base: Record<string, Record<string, unknown>> = {
      "logged-models": { experiment_id: exp },
      "logged-models/search": { experiment_ids: [exp] },
      "runs/outputs": { run_id: runId, models: [{ model_id: id, step: 0 }] },
      "runs/log-batch": { run_id: runId },
    };
    let sent = 0;
    for (const [method, path, fields] of targets) {
      const raw = ["", "{", "[]", '"{}"', "null", "12"];
      for (const body of raw) {
        const res = await send(app, method, path, body);
        await res.body?.cancel();
        assert.ok(res.status < 500, `${method} ${path} ${body}: ${res.status}`);
        sent++;
      }
      for (const field of fields) {
        for (const junk of JUNK) {
          const body = { ...base[path], [field]: junk };
          const res = await send(app, method, path, body);
          const text = await res.text();
          assert.ok(
            res.status < 500,
            `${method} ${path} ${field}=${
              JSON.stringify(junk).slice(0, 60)
            }: ${res.status} ${text}`,
          );
          if (res.status !== 200) assert.match(text, /"error_code"/);
          sent++;
        }
      }
      // The same junk, nested one level inside list items.
      for (const junk of JUNK.slice(0, 8)) {
        const res = await send(app, method, path, {
          ...base[path],
          models: [{ model_id: junk, step: junk }],
          params: [{ key: junk, value: junk }],
          tags: [{ key: junk, value: junk }],
          order_by: [{ field_name: junk, ascending: junk, dataset_name: junk }],
          datasets: [{ dataset_name: junk, dataset_digest: junk }],
          metrics: [{ key: "k", value: 1, timestamp: 1, model_id: junk, dataset_name: junk }],
        });
        await res.body?.cancel();
        assert.ok(
          res.status < 500,
          `${method} ${path} nested ${JSON.stringify(junk)}: ${res.status}`,
        );
        sent++;
      }
    }
    // Hostile path parts: far longer than any key or id could be.
    await expectError(
      send(app, "DELETE", `logged-models/${id}/tags/${"k".repeat(5000)}`),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await expectError(
      get(app, `logged-models/m-${"a".repeat(5000)}`),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    assert.ok(sent >= 50, `sent ${sent}`);
    // The model survived all of it.
    await expectJson(get(app, `logged-models/${id}`), 200);
    close();
  });
}

Deno.test("runs/create and search stay without outputs; runs/get carries them", async () => {
  const app = newApp();
  const exp = await createExperiment(app);
  const created = await expectJson(post(app, "runs/create", clientCreateRunBody(exp)), 200);
  assert.equal("outputs" in created.run, false);
  const runId = created.run.info.run_id;
  const got = await expectJson(get(app, "runs/get", { run_id: runId }), 200);
  assert.deepEqual(got.run.outputs, {});
  const found = await expectJson(post(app, "runs/search", { experiment_ids: [exp] }), 200);
  assert.equal("outputs" in found.runs[0], false);
});
