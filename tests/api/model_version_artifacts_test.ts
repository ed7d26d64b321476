/**
 * `GET /model-versions/get-artifact` (and its `/ajax-api` twin): a registered version's `MLmodel`
 * served as `/get-artifact` serves a run's file, the path attack shapes refused before anything is
 * read, and 404 for a missing file, an unknown version and a prompt version (which has no files).
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import {
  createExperiment,
  createRun,
  expectError,
  expectJson,
  get,
  newApp,
  post,
  type TestApp,
} from "./_helpers.ts";

const MLMODEL = "artifact_path: model\nflavors:\n  python_function: {}\n";

async function putArtifact(app: TestApp, path: string, body: string) {
  const res = await app.request(`/api/2.0/mlflow-artifacts/artifacts/${path}`, {
    method: "PUT",
    headers: { "content-type": "text/plain" },
    body,
  });
  assert.equal(res.status, 200, await res.text());
}

/** Temporary artifact directories, removed when the process ends its tests. */
const dirs: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const d of dirs) Deno.removeSync(d, { recursive: true });
});

async function world() {
  const rootDir = await Deno.makeTempDir({ prefix: "kvflow_mv_artifacts_" });
  dirs.push(rootDir);
  const app = newApp({ artifacts: createLocalArtifactRepository({ rootDir }) });
  const exp = await createExperiment(app);
  const runId = await createRun(app, exp);
  await putArtifact(app, `${exp}/${runId}/artifacts/model/MLmodel`, MLMODEL);
  await expectJson(post(app, "registered-models/create", { name: "clf" }), 200);
  await expectJson(
    post(app, "model-versions/create", {
      name: "clf",
      source: `runs:/${runId}/model`,
      run_id: runId,
    }),
    200,
  );
  return { app, exp, runId };
}

const file = (q: Record<string, string>, prefix = "") =>
  `${prefix}/model-versions/get-artifact?${new URLSearchParams(q)}`;

Deno.test("model-versions/get-artifact serves a version's MLmodel like /get-artifact", async () => {
  const { app, runId } = await world();
  const run = await app.request(`/get-artifact?run_id=${runId}&path=model/MLmodel`);
  assert.equal(run.status, 200);
  await run.body?.cancel();
  for (const prefix of ["", "/ajax-api/2.0/mlflow"]) {
    const res = await app.request(file({ name: "clf", version: "1", path: "MLmodel" }, prefix));
    assert.equal(res.status, 200, prefix);
    assert.equal(await res.text(), MLMODEL);
    for (
      const h of ["content-type", "content-disposition", "x-content-type-options", "content-length"]
    ) {
      assert.equal(res.headers.get(h), run.headers.get(h), h);
    }
    assert.match(res.headers.get("content-disposition") ?? "", /^attachment; filename="?MLmodel/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  }
  // A byte range, as the proxy serves one.
  const part = await app.request(file({ name: "clf", version: "1", path: "MLmodel" }), {
    headers: { range: "bytes=0-12" },
  });
  assert.equal(part.status, 206);
  assert.equal(await part.text(), MLMODEL.slice(0, 13));
});

Deno.test("model-versions/get-artifact refuses unsafe paths and answers 404 for what is missing", async () => {
  const { app } = await world();
  for (
    const path of ["../../../etc/passwd", "%2e%2e/%2e%2e/x", "/etc/passwd", "a/../../b", "C:/x"]
  ) {
    await expectError(
      app.request(file({ name: "clf", version: "1", path })),
      400,
      "INVALID_PARAMETER_VALUE",
    ).catch((e) => {
      throw new Error(`${path}: ${e.message}`);
    });
  }
  await expectError(
    app.request(file({ name: "clf", version: "1", path: "nope.txt" })),
    404,
    "RESOURCE_DOES_NOT_EXIST",
  );
  await expectError(
    app.request(file({ name: "clf", version: "7", path: "MLmodel" })),
    404,
    "RESOURCE_DOES_NOT_EXIST",
  );
  await expectError(
    app.request(file({ name: "nobody", version: "1", path: "MLmodel" })),
    404,
    "RESOURCE_DOES_NOT_EXIST",
  );
  await expectError(
    app.request(file({ name: "clf", version: "1" })),
    400,
    "INVALID_PARAMETER_VALUE",
  );
  await expectError(
    app.request(file({ name: "clf", version: "one", path: "MLmodel" })),
    400,
    "INVALID_PARAMETER_VALUE",
  );
});

Deno.test("model-versions/get-artifact: a prompt version has no files (404), nor a download URI", async () => {
  const { app } = await world();
  const prompt = { key: "mlflow.prompt.is_prompt", value: "true" };
  await expectJson(
    post(app, "registered-models/create", { name: "greeting", tags: [prompt] }),
    200,
  );
  await expectJson(
    post(app, "model-versions/create", {
      name: "greeting",
      source: "dummy-source",
      tags: [prompt, { key: "mlflow.prompt.text", value: "Hello {{name}}!" }],
    }),
    200,
  );
  const msg = await expectError(
    app.request(file({ name: "greeting", version: "1", path: "MLmodel" })),
    404,
    "RESOURCE_DOES_NOT_EXIST",
  );
  assert.match(msg, /has no files/);
  await expectError(
    get(app, "model-versions/get-download-uri", { name: "greeting", version: "1" }),
    404,
    "RESOURCE_DOES_NOT_EXIST",
  );
});

Deno.test("model-versions/get-artifact is off with the other artifact routes (no repository: 503)", async () => {
  const app = newApp();
  const res = await app.request(file({ name: "clf", version: "1", path: "MLmodel" }));
  assert.equal(res.status, 503);
  await res.body?.cancel();
});
