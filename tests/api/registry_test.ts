/**
 * HTTP-level tests of the model registry: the recorded Python-client and web-UI exchanges replayed
 * byte-for-byte in shape, `models:/` URI resolution as the client performs it, the registry's
 * attack shapes (mlflow-rest.md §9), error replies, and random malformed bodies.
 */
import assert from "node:assert/strict";
import { createKvStore } from "../../store/kv/mod.ts";
import {
  API,
  createExperiment,
  createRun,
  expectError,
  expectJson,
  get,
  MISSING,
  newApp,
  post,
  type TestApp,
} from "./_helpers.ts";

const NAME = "smoke-model-1795784554-e841e7";

/** A JSON request with any method (PATCH and DELETE carry JSON bodies in MLflow's API). */
function send(
  app: TestApp,
  method: string,
  path: string,
  body: unknown,
  headers: HeadersInit = {},
) {
  return app.request(`${API}/${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The recorded client flow up to a registered version: experiment, run, model, version 1. */
async function registered(app: TestApp, name = NAME) {
  const exp = await createExperiment(app);
  const runId = await createRun(app, exp);
  await expectJson(post(app, "registered-models/create", { name }), 200);
  const source = `mlflow-artifacts:/${exp}/${runId}/artifacts/explicit_model`;
  const { model_version } = await expectJson(
    post(app, "model-versions/create", { name, source, run_id: runId }),
    200,
  );
  return { exp, runId, source, mv: model_version };
}

Deno.test("the recorded registry exchange of the 2.17 client replays with identical shapes", async (t) => {
  const app = newApp();
  const exp = await createExperiment(app);
  const runId = await createRun(app, exp);
  const source = `mlflow-artifacts:/${exp}/${runId}/artifacts/explicit_model`;
  let created: Record<string, unknown> = {};

  await t.step("POST registered-models/create", async () => {
    const body = await expectJson(post(app, "registered-models/create", { name: NAME }), 200);
    assert.deepEqual(Object.keys(body), ["registered_model"]);
    assert.deepEqual(Object.keys(body.registered_model), [
      "name",
      "creation_timestamp",
      "last_updated_timestamp",
    ]);
    assert.equal(body.registered_model.name, NAME);
    created = body.registered_model;
  });

  let mv: Record<string, unknown> = {};
  await t.step("POST model-versions/create with the recorded source shape", async () => {
    const res = await app.request(`${API}/model-versions/create`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: `{"name": "${NAME}", "source": "${source}", "run_id": "${runId}"}`,
    });
    const body = await expectJson(res, 200);
    mv = body.model_version;
    assert.deepEqual(Object.keys(mv), [
      "name",
      "version",
      "creation_timestamp",
      "last_updated_timestamp",
      "current_stage",
      "description",
      "source",
      "run_id",
      "status",
      "run_link",
    ]);
    assert.deepEqual(
      { ...mv, creation_timestamp: 0, last_updated_timestamp: 0 },
      {
        name: NAME,
        version: "1",
        creation_timestamp: 0,
        last_updated_timestamp: 0,
        current_stage: "None",
        description: "",
        source,
        run_id: runId,
        status: "READY",
        run_link: "",
      },
    );
    assert.equal(mv.creation_timestamp, mv.last_updated_timestamp);
  });

  await t.step("POST registered-models/alias → {}", async () => {
    const body = await expectJson(
      post(app, "registered-models/alias", { name: NAME, alias: "champion", version: "1" }),
      200,
    );
    assert.deepEqual(body, {});
  });

  await t.step("GET registered-models/alias", async () => {
    const body = await expectJson(
      get(app, "registered-models/alias", { name: NAME, alias: "champion" }),
      200,
    );
    assert.deepEqual(body, { model_version: { ...mv, aliases: ["champion"] } });
  });

  await t.step("GET model-versions/get-download-uri", async () => {
    const body = await expectJson(
      get(app, "model-versions/get-download-uri", { name: NAME, version: "1" }),
      200,
    );
    assert.deepEqual(body, { artifact_uri: source });
  });

  const expectedModel = () => ({
    name: NAME,
    creation_timestamp: created.creation_timestamp,
    last_updated_timestamp: mv.creation_timestamp,
    latest_versions: [mv],
    aliases: [{ alias: "champion", version: "1" }],
  });

  await t.step("GET registered-models/search?filter=name = '…'&max_results=100", async () => {
    const res = await app.request(
      `${API}/registered-models/search?filter=name+%3D+%27${NAME}%27&max_results=100`,
    );
    const body = await expectJson(res, 200);
    assert.deepEqual(body, { registered_models: [expectedModel()] });
    assert.deepEqual(Object.keys(body.registered_models[0]), [
      "name",
      "creation_timestamp",
      "last_updated_timestamp",
      "latest_versions",
      "aliases",
    ]);
  });

  await t.step("GET registered-models/get (3.x)", async () => {
    const body = await expectJson(get(app, "registered-models/get", { name: NAME }), 200);
    assert.deepEqual(body, { registered_model: expectedModel() });
  });

  await t.step("the web UI's ajax searches", async () => {
    const versions = await expectJson(
      app.request(`/ajax-api/2.0/mlflow/model-versions/search?filter=run_id%3D%27${runId}%27`, {
        headers: { "Content-Type": "application/json; charset=utf-8" },
      }),
      200,
    );
    assert.deepEqual(versions, { model_versions: [mv] });
    const models = await expectJson(
      app.request(
        `/ajax-api/2.0/mlflow/registered-models/search?filter=&max_results=25&order_by=name+ASC`,
      ),
      200,
    );
    assert.deepEqual(models, { registered_models: [expectedModel()] });
  });
});

Deno.test("models:/ URIs resolve the way the client resolves them", async (t) => {
  const app = newApp();
  const { source, runId, exp } = await registered(app);
  const source2 = `mlflow-artifacts:/${exp}/${runId}/artifacts/model2`;
  await expectJson(
    post(app, "model-versions/create", { name: NAME, source: source2, run_id: runId }),
    200,
  );
  await expectJson(
    post(app, "registered-models/alias", { name: NAME, alias: "champion", version: 1 }),
    200,
  );
  await expectJson(
    post(app, "model-versions/transition-stage", {
      name: NAME,
      version: "1",
      stage: "Production",
      archive_existing_versions: false,
    }),
    200,
  );
  const downloadUri = async (version: string) =>
    (await expectJson(get(app, "model-versions/get-download-uri", { name: NAME, version }), 200))
      .artifact_uri;

  await t.step("models:/name/version → get-download-uri", async () => {
    assert.equal(await downloadUri("1"), source);
    assert.equal(await downloadUri("2"), source2);
  });
  await t.step("models:/name@alias → alias GET, then get-download-uri", async () => {
    const { model_version } = await expectJson(
      get(app, "registered-models/alias", { name: NAME, alias: "champion" }),
      200,
    );
    assert.equal(await downloadUri(model_version.version), source);
  });
  await t.step("models:/name/Production → POST get-latest-versions with stages", async () => {
    const body = await expectJson(
      post(app, "registered-models/get-latest-versions", { name: NAME, stages: ["Production"] }),
      200,
    );
    assert.deepEqual(body.model_versions.map((v: { version: string }) => v.version), ["1"]);
    assert.equal(await downloadUri(body.model_versions[0].version), source);
    const viaGet = await expectJson(
      get(app, "registered-models/get-latest-versions", { name: NAME, stages: ["production"] }),
      200,
    );
    assert.deepEqual(viaGet, body);
  });
  await t.step(
    "models:/name/latest → get-latest-versions without stages, highest version",
    async () => {
      const body = await expectJson(
        post(app, "registered-models/get-latest-versions", { name: NAME }),
        200,
      );
      const max = Math.max(
        ...body.model_versions.map((v: { version: string }) => Number(v.version)),
      );
      assert.equal(await downloadUri(String(max)), source2);
    },
  );
});

Deno.test("the 3.x flow registers a logged model by models:/<model_id>", async () => {
  const app = newApp();
  const exp = await createExperiment(app);
  const runId = await createRun(app, exp);
  const { model } = await expectJson(
    post(app, "logged-models", { experiment_id: exp, name: "clf", source_run_id: runId }),
    200,
  );
  await expectJson(post(app, "registered-models/create", { name: NAME }), 200);
  const { model_version } = await expectJson(
    post(app, "model-versions/create", {
      name: NAME,
      source: `models:/${model.info.model_id}`,
      run_id: runId,
    }),
    200,
  );
  assert.equal(model_version.source, `models:/${model.info.model_id}`);
  assert.equal(model_version.run_id, runId);
  assert.equal("model_id" in model_version, false, "only echoed when the client sends model_id");
  const { artifact_uri } = await expectJson(
    get(app, "model-versions/get-download-uri", { name: NAME, version: "1" }),
    200,
  );
  assert.equal(artifact_uri, model.info.artifact_uri);
  const { registered_model } = await expectJson(
    get(app, "registered-models/get", { name: NAME }),
    200,
  );
  assert.deepEqual(registered_model.latest_versions, [model_version]);
});

Deno.test("every registry endpoint answers with MLflow's shapes", async (t) => {
  const app = newApp();
  const { source, runId } = await registered(app);
  await t.step("rename, update (PATCH), get", async () => {
    const renamed = await expectJson(
      post(app, "registered-models/rename", { name: NAME, new_name: "m2" }),
      200,
    );
    assert.equal(renamed.registered_model.name, "m2");
    const updated = await expectJson(
      send(app, "PATCH", "registered-models/update", { name: "m2", description: "desc" }),
      200,
    );
    assert.equal(updated.registered_model.description, "desc");
    assert.equal(updated.registered_model.latest_versions[0].name, "m2");
  });
  await t.step("tags: POST set-tag, DELETE delete-tag (JSON body)", async () => {
    assert.deepEqual(
      await expectJson(
        post(app, "registered-models/set-tag", { name: "m2", key: "k", value: "v" }),
        200,
      ),
      {},
    );
    assert.deepEqual(
      (await expectJson(get(app, "registered-models/get", { name: "m2" }), 200)).registered_model
        .tags,
      [{ key: "k", value: "v" }],
    );
    assert.deepEqual(
      await expectJson(
        send(app, "DELETE", "registered-models/delete-tag", { name: "m2", key: "k" }),
        200,
      ),
      {},
    );
    await expectJson(
      post(app, "model-versions/set-tag", { name: "m2", version: "1", key: "a", value: "b" }),
      200,
    );
    const { model_version } = await expectJson(
      get(app, "model-versions/get", { name: "m2", version: "1" }),
      200,
    );
    assert.deepEqual(model_version.tags, [{ key: "a", value: "b" }]);
    await expectJson(
      send(app, "DELETE", "model-versions/delete-tag", { name: "m2", version: "1", key: "a" }),
      200,
    );
  });
  await t.step("model-versions: PATCH update, transition-stage, search, DELETE", async () => {
    const up = await expectJson(
      send(app, "PATCH", "model-versions/update", { name: "m2", version: "1", description: "d" }),
      200,
    );
    assert.equal(up.model_version.description, "d");
    const tr = await expectJson(
      post(app, "model-versions/transition-stage", {
        name: "m2",
        version: "1",
        stage: "staging",
        archive_existing_versions: "True",
      }),
      200,
    );
    assert.equal(tr.model_version.current_stage, "Staging");
    const page = await expectJson(
      get(app, "model-versions/search", { filter: `name='m2'`, max_results: "10" }),
      200,
    );
    assert.equal(page.model_versions.length, 1);
    assert.equal(page.model_versions[0].source, source);
    assert.equal(page.model_versions[0].run_id, runId);
    await expectJson(
      post(app, "registered-models/alias", { name: "m2", alias: "a", version: "1" }),
      200,
    );
    await expectJson(
      send(app, "DELETE", "registered-models/alias", { name: "m2", alias: "a" }),
      200,
    );
    await expectJson(
      send(app, "DELETE", "model-versions/delete", { name: "m2", version: "1" }),
      200,
    );
    await expectError(
      get(app, "model-versions/get", { name: "m2", version: "1" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
  await t.step("DELETE registered-models/delete", async () => {
    await expectJson(send(app, "DELETE", "registered-models/delete", { name: "m2" }), 200);
    await expectError(
      get(app, "registered-models/get", { name: "m2" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
  await t.step("search pages carry opaque tokens", async () => {
    for (let i = 0; i < 5; i++) {
      await expectJson(post(app, "registered-models/create", { name: `p${i}` }), 200);
    }
    const first = await expectJson(get(app, "registered-models/search", { max_results: "2" }), 200);
    assert.deepEqual(first.registered_models.map((m: { name: string }) => m.name), ["p0", "p1"]);
    const second = await expectJson(
      get(app, "registered-models/search", { max_results: "2", page_token: first.next_page_token }),
      200,
    );
    assert.deepEqual(second.registered_models.map((m: { name: string }) => m.name), ["p2", "p3"]);
    const last = await expectJson(
      get(app, "registered-models/search", {
        max_results: "2",
        page_token: second.next_page_token,
      }),
      200,
    );
    assert.deepEqual(last, { registered_models: [last.registered_models[0]] });
  });
});

Deno.test("registry error replies: codes, statuses and messages", async (t) => {
  const app = newApp();
  await registered(app);
  const cases: [string, Response | Promise<Response>, number, string, string | RegExp][] = [
    [
      "missing name",
      post(app, "registered-models/create", {}),
      400,
      "INVALID_PARAMETER_VALUE",
      MISSING("name"),
    ],
    [
      "empty name",
      post(app, "registered-models/create", { name: "" }),
      400,
      "INVALID_PARAMETER_VALUE",
      MISSING("name"),
    ],
    [
      "name of the wrong type",
      post(app, "registered-models/create", { name: 5 }),
      400,
      "INVALID_PARAMETER_VALUE",
      /^Invalid value 5 for parameter 'name' supplied/,
    ],
    [
      "duplicate",
      post(app, "registered-models/create", { name: NAME }),
      400,
      "RESOURCE_ALREADY_EXISTS",
      `Registered Model (name=${NAME}) already exists.`,
    ],
    [
      "look-alike encoded name (CVE-2024-3099)",
      post(app, "registered-models/create", { name: "smoke%2Dmodel" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /percent-escapes/,
    ],
    [
      "unknown model",
      get(app, "registered-models/get", { name: "nope" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Registered Model with name=nope not found",
    ],
    [
      "get without name",
      get(app, "registered-models/get"),
      400,
      "INVALID_PARAMETER_VALUE",
      MISSING("name"),
    ],
    [
      "version not an integer",
      get(app, "model-versions/get", { name: NAME, version: "one" }),
      400,
      "INVALID_PARAMETER_VALUE",
      "Parameter 'version' must be an integer, got 'one'.",
    ],
    [
      "unknown version",
      get(app, "model-versions/get", { name: NAME, version: "9" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
      `Model Version (name=${NAME}, version=9) not found`,
    ],
    [
      "unknown alias",
      get(app, "registered-models/alias", { name: NAME, alias: "nope" }),
      400,
      "INVALID_PARAMETER_VALUE",
      "Registered model alias nope not found.",
    ],
    [
      "reserved alias",
      post(app, "registered-models/alias", { name: NAME, alias: "latest", version: "1" }),
      400,
      "INVALID_PARAMETER_VALUE",
      "'latest' alias name (case insensitive) is reserved.",
    ],
    [
      "bad stage",
      post(app, "model-versions/transition-stage", {
        name: NAME,
        version: "1",
        stage: "Gold",
        archive_existing_versions: false,
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /^Invalid Model Version stage: Gold/,
    ],
    [
      "missing archive flag",
      post(app, "model-versions/transition-stage", { name: NAME, version: "1", stage: "Staging" }),
      400,
      "INVALID_PARAMETER_VALUE",
      MISSING("archive_existing_versions"),
    ],
    [
      "missing source",
      post(app, "model-versions/create", { name: NAME }),
      400,
      "INVALID_PARAMETER_VALUE",
      MISSING("source"),
    ],
    [
      "bad filter",
      get(app, "model-versions/search", { filter: "name = 'a' OR name = 'b'" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /OR is not supported/,
    ],
    [
      "max_results too large",
      get(app, "registered-models/search", { max_results: "1001" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /at most 1000/,
    ],
    [
      "max_results not a number",
      get(app, "model-versions/search", { max_results: "lots" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /'max_results'/,
    ],
    [
      "foreign page token",
      get(app, "registered-models/search", { page_token: "abc" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Invalid page token/,
    ],
    [
      "tag value over 100000",
      post(app, "registered-models/set-tag", { name: NAME, key: "k", value: "x".repeat(100_001) }),
      400,
      "INVALID_PARAMETER_VALUE",
      "'value' exceeds the maximum length of 100000 characters",
    ],
  ];
  for (const [what, res, status, code, msg] of cases) {
    await t.step(what, async () => {
      const message = await expectError(res, status, code);
      if (typeof msg === "string") assert.equal(message, msg);
      else assert.match(message, msg);
    });
  }
  await t.step("POST without a JSON content type", async () => {
    const res = await app.request(`${API}/registered-models/create`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ name: "x" }),
    });
    await expectError(res, 400, "INVALID_PARAMETER_VALUE");
  });
  await t.step("wrong method", async () => {
    await expectError(get(app, "registered-models/create"), 405, "ENDPOINT_NOT_FOUND");
  });
});

Deno.test("model-versions/create refuses every registry attack shape of §9", async () => {
  const app = newApp();
  const { exp, runId } = await registered(app);
  const root = `mlflow-artifacts:/${exp}/${runId}/artifacts`;
  const otherRun = await createRun(app, exp);
  const attacks: [string, string | undefined][] = [
    ["file:///etc/passwd", runId],
    ["/etc/passwd", runId],
    ["//proc/self/environ", undefined],
    ["..\\..\\etc\\passwd", runId],
    ["C:/Windows", undefined],
    ["relative/path", undefined],
    [`${root}/../../../etc`, runId],
    [`${root}/%2e%2e%2f%2e%2e%2fetc`, runId],
    [`${root}/%252E%252E%252Fetc`, runId],
    [`${root}/model#x`, runId],
    [`${root}/model;x`, runId],
    [`${root}/model?x`, runId],
    [`${root}/model%0a`, runId],
    ["mlflow-artifacts:/../../etc", undefined],
    ["mlflow-artifacts:///etc", undefined],
    ["mlflow-artifacts://attacker.example/1/x", undefined],
    ["http://169.254.169.254/latest/meta-data/", undefined],
    ["https://attacker.example/api/2.0/mlflow-artifacts/artifacts/x", undefined],
    ["s3://someone-elses-bucket/model", undefined],
    [`mlflow-artifacts:/${exp}/${otherRun}/artifacts/model`, runId],
    [`runs:/${runId}/../../x`, undefined],
    [`runs:/${otherRun}/model`, runId],
  ];
  for (const [source, run_id] of attacks) {
    const res = await post(app, "model-versions/create", {
      name: NAME,
      source,
      ...(run_id && { run_id }),
    });
    const message = await expectError(res, 400, "INVALID_PARAMETER_VALUE");
    assert.match(message, /^Invalid model version source /, `${source}: ${message}`);
    assert.ok(!message.includes("/work/"), "no server paths in messages");
  }
  const { model_versions } = await expectJson(
    get(app, "model-versions/search", { filter: `name='${NAME}'` }),
    200,
  );
  assert.equal(model_versions.length, 1, "only the legitimate version exists");
});

/** A small deterministic PRNG (mulberry32), so a failing body can be reproduced. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function fuzz(app: TestApp): Promise<void> {
  await registered(app);
  const rnd = prng(20240601);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const fields = [
    "name",
    "new_name",
    "description",
    "version",
    "source",
    "run_id",
    "run_link",
    "tags",
    "key",
    "value",
    "alias",
    "stage",
    "stages",
    "archive_existing_versions",
    "model_id",
    "filter",
    "max_results",
    "order_by",
    "page_token",
  ];
  const strings = [
    "",
    NAME,
    "1",
    "-1",
    "99999999999999999999",
    "../../etc",
    "%2e%2e%2f",
    "file:///etc/passwd",
    "mlflow-artifacts:/../x",
    "\u0000",
    "😀".repeat(300),
    "x".repeat(5000),
    "Production",
    "latest",
    "name = 'x' OR",
    "models:/m@",
    "runs:/",
    "NaN",
    "true",
  ];
  const value = (depth: number): unknown => {
    switch (Math.floor(rnd() * (depth > 2 ? 5 : 8))) {
      case 0:
        return pick(strings);
      case 1:
        return Math.floor(rnd() * 1e6) * (rnd() < 0.5 ? -1 : 1);
      case 2:
        return rnd() < 0.5;
      case 3:
        return null;
      case 4:
        return rnd() * 1e300;
      case 5:
        return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      case 6:
        return { key: value(depth + 1), value: value(depth + 1) };
      default:
        return Object.fromEntries([[pick(fields), value(depth + 1)]]);
    }
  };
  const endpoints: [string, string][] = [
    ["POST", "registered-models/create"],
    ["POST", "registered-models/rename"],
    ["PATCH", "registered-models/update"],
    ["DELETE", "registered-models/delete"],
    ["POST", "registered-models/get-latest-versions"],
    ["POST", "registered-models/set-tag"],
    ["DELETE", "registered-models/delete-tag"],
    ["POST", "registered-models/alias"],
    ["DELETE", "registered-models/alias"],
    ["POST", "model-versions/create"],
    ["PATCH", "model-versions/update"],
    ["POST", "model-versions/transition-stage"],
    ["DELETE", "model-versions/delete"],
    ["POST", "model-versions/set-tag"],
    ["DELETE", "model-versions/delete-tag"],
    ["GET", "registered-models/get"],
    ["GET", "registered-models/search"],
    ["GET", "registered-models/alias"],
    ["GET", "model-versions/get"],
    ["GET", "model-versions/get-download-uri"],
    ["GET", "model-versions/search"],
    ["GET", "registered-models/get-latest-versions"],
  ];
  for (let i = 0; i < 50; i++) {
    const [method, path] = pick(endpoints);
    const body: Record<string, unknown> = {};
    for (let j = Math.floor(rnd() * 6); j > 0; j--) body[pick(fields)] = value(0);
    let res: Response;
    if (method === "GET") {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) {
        q.append(k, typeof v === "string" ? v : JSON.stringify(v));
      }
      res = await app.request(`${API}/${path}?${q}`);
    } else {
      const raw = rnd() < 0.1 ? "{not json" : JSON.stringify(body);
      res = await send(app, method, path, raw);
    }
    const text = await res.text();
    assert.ok(
      res.status < 500,
      `#${i} ${method} ${path} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${text}`,
    );
    if (res.status >= 400) {
      const parsed = JSON.parse(text);
      assert.equal(typeof parsed.error_code, "string");
      assert.equal(typeof parsed.message, "string");
    }
  }
}

Deno.test("50 random malformed registry bodies never get a 5xx (memory store)", async () => {
  await fuzz(newApp());
});

Deno.test("50 random malformed registry bodies never get a 5xx (KV store)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await fuzz(newApp({ store: await createKvStore(kv) }));
  } finally {
    kv.close();
  }
});
