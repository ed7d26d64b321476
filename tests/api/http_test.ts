/**
 * Cross-cutting HTTP behaviour: request decoding, response encoding, the /ajax-api mirror, 404 /
 * 405, the security middleware, and a bounded fuzz loop over every POST endpoint.
 */
import assert from "node:assert/strict";
import { encodeWireJson } from "../../routes/respond.ts";
import {
  API,
  createRun,
  expectError,
  expectJson,
  expectMissing,
  get,
  newApp,
  post,
} from "./_helpers.ts";

Deno.test("request decoding: POST content types", async (t) => {
  const app = newApp();
  const path = `${API}/experiments/create`;
  await t.step("text/plain POST is 400 (no cross-site simple requests)", async () => {
    const res = app.request(path, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: '{"name":"x"}',
    });
    const msg = await expectError(res, 400, "INVALID_PARAMETER_VALUE");
    assert.equal(msg, "Bad Request. Content-Type must be one of ['application/json'].");
  });
  await t.step("form and multipart POSTs are 400", async () => {
    for (const ct of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      await expectError(
        app.request(path, { method: "POST", headers: { "Content-Type": ct }, body: "name=x" }),
        400,
        "INVALID_PARAMETER_VALUE",
      );
    }
  });
  await t.step("no Content-Type is 400", async () => {
    const msg = await expectError(
      app.request(path, { method: "POST", body: new Uint8Array([123, 125]) }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(msg, /Content-Type header is missing/);
  });
  await t.step("application/json with a charset is fine", async () => {
    const res = app.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: '{"name":"charset"}',
    });
    await expectJson(res, 200);
  });
});

Deno.test("request decoding: lenient JSON", async (t) => {
  const app = newApp();
  await t.step("unparsable JSON is treated as {}", async () => {
    await expectMissing(post(app, "experiments/create", "{not json"), "name");
    await expectJson(post(app, "runs/search", "[[["), 200);
  });
  await t.step("an empty body is {}", async () => {
    await expectJson(post(app, "experiments/search", ""), 200);
  });
  await t.step("a JSON string holding JSON is decoded twice", async () => {
    const body = await expectJson(
      post(app, "experiments/create", JSON.stringify(JSON.stringify({ name: "twice" }))),
      200,
    );
    assert.equal(typeof body.experiment_id, "string");
  });
  await t.step("unknown fields are ignored", async () => {
    await expectJson(
      post(app, "experiments/create", { name: "extra", surprise: [1, { a: 2 }] }),
      200,
    );
  });
  await t.step("camelCase names are accepted, nested too", async () => {
    const id = await createRun(app);
    await expectJson(
      post(app, "runs/logBatch".replace("logBatch", "log-batch"), {
        runId: id,
        metrics: [{ key: "m", value: 1, timestamp: 1, datasetName: "d", datasetDigest: "x" }],
      }),
      200,
    );
    const h = await expectJson(
      get(app, "metrics/get-history", { run_id: id, metric_key: "m" }),
      200,
    );
    assert.equal(h.metrics[0].dataset_name, "d");
  });
  await t.step("int64 as a numeric string", async () => {
    const body = await expectJson(post(app, "runs/create", { start_time: "1795784555638" }), 200);
    assert.equal(body.run.info.start_time, 1795784555638);
  });
  await t.step("int64 beyond 2^53 is rejected, not rounded", async () => {
    await expectError(
      post(app, "runs/create", { start_time: "99999999999999999999" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
});

Deno.test("request decoding: query strings", async (t) => {
  const app = newApp();
  await t.step("repeated args become lists, a single one too", async () => {
    const first = await expectJson(get(app, "experiments/search", { order_by: "name DESC" }), 200);
    const two = await expectJson(
      get(app, "experiments/search", { order_by: ["name DESC", "experiment_id"] }),
      200,
    );
    assert.deepEqual(first, two);
  });
  await t.step("enums by name or number", async () => {
    await expectJson(get(app, "experiments/search", { view_type: "ALL" }), 200);
    await expectJson(get(app, "experiments/search", { view_type: "3" }), 200);
    await expectError(
      get(app, "experiments/search", { view_type: "EVERYTHING" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("'+' in a query string is a space", async () => {
    await expectJson(app.request(`${API}/experiments/search?order_by=name+ASC`), 200);
  });
  await t.step("unknown args are ignored", async () => {
    await expectJson(get(app, "experiments/get", { experiment_id: "0", bogus: "1" }), 200);
  });
});

Deno.test("a GET body is dropped by Deno's server, so such a GET has no args", async () => {
  const app = newApp();
  const runId = await createRun(app);
  const ac = new AbortController();
  const server = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    signal: ac.signal,
    onListen: () => {},
  }, app.fetch);
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    const body = JSON.stringify({ runId });
    const request =
      `GET ${API}/runs/get HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    await conn.write(new TextEncoder().encode(request));
    const reply = await new Response(conn.readable).text();
    // MLflow would read run_id from this body; Deno.serve hands the app a null body instead.
    assert.match(reply, /^HTTP\/1\.1 400/);
    assert.match(reply, /Missing value for required parameter 'run_id'/);
  } finally {
    ac.abort();
    await server.finished;
  }
});

Deno.test("response encoding", async (t) => {
  await t.step("non-finite numbers become strings; empty lists vanish; list items stay", () => {
    assert.equal(
      encodeWireJson({ a: NaN, b: Infinity, c: -Infinity, d: [], e: { f: [] }, g: [1, []], h: "" }),
      '{"a":"NaN","b":"Infinity","c":"-Infinity","e":{},"g":[1,[]],"h":""}',
    );
  });
  await t.step("compact JSON with an application/json content type", async () => {
    const res = await get(newApp(), "experiments/get", { experiment_id: "0" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const text = await res.text();
    assert.equal(text, JSON.stringify(JSON.parse(text)));
  });
});

Deno.test("the /ajax-api mirror serves every route", async () => {
  const app = newApp();
  const exp = await expectJson(
    post(app, "/ajax-api/2.0/mlflow/experiments/create", { name: "ajax" }),
    200,
  );
  const got = await expectJson(
    get(app, "/ajax-api/2.0/mlflow/experiments/get", { experiment_id: exp.experiment_id }),
    200,
  );
  assert.equal(got.experiment.name, "ajax");
  const run = await expectJson(
    post(app, "/ajax-api/2.0/mlflow/runs/create", { experiment_id: exp.experiment_id }),
    200,
  );
  const id = run.run.info.run_id;
  await expectJson(
    post(app, "/ajax-api/2.0/mlflow/runs/log-metric", {
      run_id: id,
      key: "k",
      value: 1,
      timestamp: 1,
    }),
    200,
  );
  const h = await expectJson(
    get(app, "/ajax-api/2.0/mlflow/metrics/get-history", { run_id: id, metric_key: "k" }),
    200,
  );
  assert.equal(h.metrics.length, 1);
  await expectError(get(app, "/ajax-api/2.0/mlflow/nope"), 404, "ENDPOINT_NOT_FOUND");
  await expectError(get(app, "/ajax-api/2.0/mlflow/runs/create"), 405, "ENDPOINT_NOT_FOUND");
});

Deno.test("routing: health, version, openapi.json, 404 and 405", async (t) => {
  const app = newApp();
  await t.step("/health is OK text", async () => {
    const res = await app.request("/health");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/plain/);
    assert.equal(await res.text(), "OK");
  });
  await t.step("/version defaults to 3.6.0 and is configurable", async () => {
    assert.equal(await (await app.request("/version")).text(), "3.6.0");
    assert.equal(await (await newApp({ version: "2.17.0" }).request("/version")).text(), "2.17.0");
  });
  await t.step("/openapi.json is OpenAPI 3.1", async () => {
    const doc = await expectJson(app.request("/openapi.json"), 200);
    assert.equal(doc.openapi, "3.1.0");
    assert.equal(doc.info.title, "kvflow");
  });
  await t.step("unknown routes are 404 JSON, body rules not applied first", async () => {
    await expectError(app.request("/api/2.0/mlflow/experiments/list"), 404, "ENDPOINT_NOT_FOUND");
    await expectError(app.request("/nothing/here"), 404, "ENDPOINT_NOT_FOUND");
    const res = app.request(`${API}/runs/nope`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "x",
    });
    await expectError(res, 404, "ENDPOINT_NOT_FOUND");
  });
  await t.step("a wrong method is 405 JSON with Allow", async () => {
    const res = await app.request(`${API}/runs/get`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(res.headers.get("allow"), "GET");
    await expectError(res, 405, "ENDPOINT_NOT_FOUND");
    const del = await app.request(`${API}/experiments/search`, { method: "DELETE" });
    assert.equal(del.headers.get("allow"), "GET, POST");
    await expectError(del, 405, "ENDPOINT_NOT_FOUND");
    await expectError(app.request("/health", { method: "POST" }), 405, "ENDPOINT_NOT_FOUND");
  });
});

Deno.test("security: Host allowlist", async (t) => {
  const app = newApp();
  const at = (host: string, path = `${API}/experiments/get?experiment_id=0`) =>
    app.request(path, { headers: { Host: host } });
  await t.step("loopback and private hosts pass", async () => {
    for (
      const host of [
        "localhost:5000",
        "127.0.0.1",
        "[::1]:5000",
        "0.0.0.0:5000",
        "10.1.2.3",
        "172.16.0.1:80",
        "172.31.255.255",
        "192.168.1.10:5000",
        "[fd12:3456::1]:5000",
        "[fc00::1]",
      ]
    ) {
      assert.equal((await at(host)).status, 200, host);
    }
  });
  await t.step("other hosts are 403 text", async () => {
    for (
      const host of [
        "evil.example",
        "172.32.0.1",
        "8.8.8.8:5000",
        "[2001:db8::1]",
        "localhost.evil.example",
      ]
    ) {
      const res = await at(host);
      assert.equal(res.status, 403, host);
      assert.match(res.headers.get("content-type")!, /^text\/plain/);
      await res.body?.cancel();
    }
  });
  await t.step("/health and /version are exempt", async () => {
    assert.equal((await at("evil.example", "/health")).status, 200);
    assert.equal((await at("evil.example", "/version")).status, 200);
  });
  await t.step("allowedHosts adds names, ports, wildcards; '*' disables", async () => {
    const custom = newApp({
      allowedHosts: ["mlflow.example.com", "api.example.org:8443", "*.corp.test"],
    });
    const req = (host: string) =>
      custom.request(`${API}/experiments/get?experiment_id=0`, { headers: { Host: host } });
    assert.equal((await req("mlflow.example.com:5000")).status, 200);
    assert.equal((await req("api.example.org:8443")).status, 200);
    assert.equal((await req("api.example.org:9999")).status, 403);
    assert.equal((await req("a.corp.test")).status, 200);
    assert.equal((await req("evil.test")).status, 403);
    const open = newApp({ allowedHosts: ["*"] });
    assert.equal(
      (await open.request(`${API}/experiments/get?experiment_id=0`, {
        headers: { Host: "kvflow.deno.dev" },
      })).status,
      200,
    );
  });
});

Deno.test("security: cross-origin writes", async (t) => {
  const app = newApp();
  const write = (origin: string | undefined, path = `${API}/experiments/create`, a = app) =>
    a.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(origin ? { Origin: origin } : {}) },
      body: JSON.stringify({ name: crypto.randomUUID() }),
    });
  await t.step("no Origin (the Python client) and localhost origins pass", async () => {
    for (
      const origin of [undefined, "http://localhost:3000", "http://127.0.0.1:5000", "https://[::1]"]
    ) {
      assert.equal((await write(origin)).status, 200, String(origin));
    }
  });
  await t.step("the server's own origin passes", async () => {
    const res = await app.request(`${API}/experiments/create`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Origin: "http://192.168.1.5:5000",
        Host: "192.168.1.5:5000",
      },
      body: JSON.stringify({ name: "same-origin" }),
    });
    assert.equal(res.status, 200);
  });
  await t.step("other origins are 403, on /api and /ajax-api", async () => {
    for (const path of [`${API}/experiments/create`, "/ajax-api/2.0/mlflow/experiments/create"]) {
      for (const origin of ["http://evil.example", "null"]) {
        const res = await write(origin, path);
        assert.equal(res.status, 403, `${origin} ${path}`);
        await res.body?.cancel();
      }
    }
  });
  await t.step("reads are not blocked by Origin", async () => {
    const res = await app.request(`${API}/experiments/get?experiment_id=0`, {
      headers: { Origin: "http://evil.example" },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });
  await t.step("allowedOrigins adds origins", async () => {
    const custom = newApp({ allowedOrigins: ["https://ui.example.com"] });
    assert.equal((await write("https://ui.example.com", undefined, custom)).status, 200);
    assert.equal((await write("https://other.example.com", undefined, custom)).status, 403);
  });
});

Deno.test("security: headers and preflight", async () => {
  const app = newApp();
  for (
    const res of [
      await app.request(`${API}/experiments/get?experiment_id=0`),
      await app.request("/nowhere"),
      await app.request("/health"),
      await app.request(`${API}/experiments/get?experiment_id=0`, {
        headers: { Host: "evil.example" },
      }),
      await post(app, "experiments/create", {}),
    ]
  ) {
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
    await res.body?.cancel();
  }
  for (const path of [`${API}/runs/create`, "/ajax-api/2.0/mlflow/runs/create"]) {
    const pre = await app.request(path, {
      method: "OPTIONS",
      headers: { Origin: "http://evil.example" },
    });
    assert.equal(pre.status, 204);
  }
});

Deno.test("an unexpected store failure is a generic 500 that leaks nothing", async () => {
  const app = newApp({
    store: new Proxy({}, {
      get: () => () => Promise.reject(new Error("secret /var/lib/kv path")),
    }) as never,
  });
  const original = console.error;
  console.error = () => {};
  try {
    const res = await get(app, "experiments/get", { experiment_id: "0" });
    const id = res.headers.get("x-request-id") ?? "";
    const body = await expectJson(res, 500);
    // The request id is the one thing it adds, so the user can quote it in a report.
    assert.deepEqual(body, {
      error_code: "INTERNAL_ERROR",
      message: `Internal server error (request id ${id})`,
      request_id: id,
    });
  } finally {
    console.error = original;
  }
});

/** A tiny deterministic PRNG so a failure reproduces. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

Deno.test("fuzz: 300 malformed bodies across every POST endpoint never give a 5xx", async () => {
  const app = newApp();
  const runId = await createRun(app);
  const endpoints = [
    "experiments/create",
    "experiments/search",
    "experiments/update",
    "experiments/delete",
    "experiments/restore",
    "experiments/set-experiment-tag",
    "experiments/delete-experiment-tag",
    "runs/create",
    "runs/update",
    "runs/delete",
    "runs/restore",
    "runs/log-metric",
    "runs/log-parameter",
    "runs/set-tag",
    "runs/delete-tag",
    "runs/log-batch",
    "runs/log-model",
    "runs/log-inputs",
    "runs/search",
  ];
  const rand = prng(42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const scalars: unknown[] = [
    null,
    true,
    "True",
    0,
    -1,
    1e308,
    2 ** 60,
    "NaN",
    "",
    "x".repeat(300),
    "../etc",
    "\u0000",
    "𝔘",
    runId,
    "0",
    [],
    {},
    [null],
    { key: 1 },
  ];
  const fields = [
    "name",
    "experiment_id",
    "run_id",
    "run_uuid",
    "key",
    "value",
    "timestamp",
    "step",
    "status",
    "end_time",
    "new_name",
    "tags",
    "metrics",
    "params",
    "datasets",
    "models",
    "model_json",
    "max_results",
    "page_token",
    "filter",
    "order_by",
    "view_type",
    "run_view_type",
    "experiment_ids",
  ];
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 0 && r < 0.15) {
      return Array.from({ length: 1 + Math.floor(rand() * 3) }, () => object(depth - 1));
    }
    if (depth > 0 && r < 0.25) return object(depth - 1);
    return pick(scalars);
  };
  const object = (depth: number) =>
    Object.fromEntries(
      Array.from({ length: Math.floor(rand() * 5) }, () => [pick(fields), value(depth)]),
    );
  const rawBodies = ["", "{", "null", "[]", '"{}"', '"\\"x\\""', "1", "true", "{}".repeat(3)];
  for (let i = 0; i < 300; i++) {
    const path = pick(endpoints);
    const body = rand() < 0.15 ? pick(rawBodies) : JSON.stringify(object(2));
    const res = await post(app, path, body);
    const text = await res.text();
    assert.ok(res.status < 500, `#${i} ${path} ${body} -> ${res.status} ${text}`);
    if (res.status >= 400) {
      const parsed = JSON.parse(text);
      assert.equal(typeof parsed.error_code, "string", text);
      assert.equal(typeof parsed.message, "string", text);
    }
  }
});
