/**
 * Issue 13 §5–§6 through the app: `/metrics` (off by default, admin-only with auth, a scrape that
 * parses, counts that move, route templates rather than paths), request ids on every response,
 * and one request-log line per request, whatever answered it.
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../artifacts/local.ts";
import { createApp } from "../routes/mod.ts";
import type { RequestLogOptions } from "../routes/monitoring/middleware.ts";
import type { LogFormat } from "../routes/monitoring/request_log.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../routes/monitoring/registry.ts";
import { createServerMetrics } from "../routes/monitoring/server_metrics.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import { createKvStore } from "../store/kv/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { TrackingStore } from "../store/types.ts";
import { basic, PASSWORD, TEST_PBKDF2_ITERATIONS } from "./helpers/auth_world.ts";
import { parsePrometheusText, type Scrape } from "./helpers/prometheus_text.ts";
import { startServer } from "./server_helpers.ts";

const API = "/api/2.0/mlflow";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** A request log that collects its lines. */
function collectingLog(format: LogFormat = "text"): RequestLogOptions & { lines: string[] } {
  const lines: string[] = [];
  return { format, sink: (l) => lines.push(l), lines };
}

/** Runs `fn` with console.error silenced and collected. */
async function quietErrors<T>(fn: () => Promise<T>): Promise<{ value: T; errors: string[] }> {
  const original = console.error;
  const errors: string[] = [];
  console.error = (...args: unknown[]) => errors.push(args.map(String).join(" "));
  try {
    return { value: await fn(), errors };
  } finally {
    console.error = original;
  }
}

async function scrape(
  app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> },
  init?: RequestInit,
): Promise<Scrape> {
  const res = await app.request("/metrics", init);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.equal(res.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
  return parsePrometheusText(text);
}

Deno.test("GET /metrics is an unknown endpoint unless metrics are on", async () => {
  const app = createApp({ store: createMemoryStore() });
  const res = await app.request("/metrics");
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error_code, "ENDPOINT_NOT_FOUND");
});

Deno.test("GET /metrics: the scrape parses and counts requests by route template, KV commits and points", async () => {
  using kv = await Deno.openKv(":memory:");
  const metrics = createServerMetrics("3.6.0");
  const store = await createKvStore(kv, {
    observer: metrics.storeObserver,
    stagingSweepIntervalMs: 0,
  });
  try {
    const app = createApp({ store, metrics });
    const exp = (await (await app.request(`${API}/experiments/create`, post({ name: "m" }))).json())
      .experiment_id;
    const run = (await (await app.request(`${API}/runs/create`, post({ experiment_id: exp })))
      .json()).run.info.run_id as string;
    const logged = await app.request(
      `${API}/runs/log-metric`,
      post({ run_id: run, key: "loss", value: 1, timestamp: 1, step: 0 }),
    );
    assert.equal(logged.status, 200);
    await app.request(
      `${API}/runs/log-batch`,
      post({
        run_id: run,
        metrics: [1, 2, 3].map((s) => ({ key: "acc", value: s, timestamp: s, step: s })),
      }),
    );
    for (let i = 0; i < 3; i++) {
      assert.equal((await app.request(`${API}/runs/get?run_id=${run}`)).status, 200);
    }
    assert.equal((await app.request(`/ajax-api/2.0/mlflow/runs/get?run_id=${run}`)).status, 200);
    assert.equal((await app.request(`${API}/runs/get?run_id=nope`)).status, 404);
    assert.equal((await app.request(`/no/such/path/${run}`)).status, 404);

    const s = await scrape(app);
    const requests = (method: string, route: string, status: string) =>
      s.value("kvflow_http_requests_total", { method, route, status });
    assert.equal(requests("POST", `${API}/runs/log-metric`, "200"), 1);
    assert.equal(requests("GET", `${API}/runs/get`, "200"), 3);
    assert.equal(requests("GET", "/ajax-api/2.0/mlflow/runs/get", "200"), 1);
    assert.equal(requests("GET", `${API}/runs/get`, "404"), 1);
    assert.equal(requests("GET", "unmatched", "404"), 1);
    // No label anywhere holds a raw path or an id.
    for (const sample of s.samples) {
      for (const v of Object.values(sample.labels)) assert.ok(!v.includes(run), v);
    }
    assert.equal(
      s.value("kvflow_http_request_duration_seconds_count", {
        method: "GET",
        route: `${API}/runs/get`,
      }),
      4,
    );
    // The scrape itself is the one request in flight.
    assert.equal(s.value("kvflow_http_requests_in_flight"), 1);
    assert.equal(s.value("kvflow_metric_points_ingested_total"), 4);
    assert.ok(s.value("kvflow_kv_commits_total", { result: "ok" })! >= 4);
    assert.equal(s.value("kvflow_kv_commits_total", { result: "conflict" }), 0);
    assert.equal(s.value("kvflow_kv_staged_batches_total"), 0);
    assert.equal(s.value("kvflow_build_info", { version: "3.6.0", deno: Deno.version.deno }), 1);
    assert.ok(s.value("process_resident_memory_bytes")! > 0);
    for (const family of s.types.keys()) assert.ok(s.help.has(family), family);

    // The next scrape counts the previous one.
    const again = await scrape(app);
    assert.equal(
      again.value("kvflow_http_requests_total", {
        method: "GET",
        route: "/metrics",
        status: "200",
      }),
      1,
    );
  } finally {
    await store.stopBackgroundWork();
  }
});

Deno.test("GET /metrics counts artifact bytes in and out as they stream", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-metrics-" });
  try {
    const metrics = createServerMetrics("test");
    const app = createApp({
      store: createMemoryStore(),
      artifacts: createLocalArtifactRepository({ rootDir: dir }),
      metrics,
    });
    const bytes = new Uint8Array(100_000).fill(7);
    const url = "/api/2.0/mlflow-artifacts/artifacts/0/r1/artifacts/a.bin";
    assert.equal((await app.request(url, { method: "PUT", body: bytes })).status, 200);
    const got = await app.request(url);
    assert.equal((await got.arrayBuffer()).byteLength, bytes.length);
    const ranged = await app.request(url, { headers: { range: "bytes=0-9" } });
    assert.equal((await ranged.arrayBuffer()).byteLength, 10);
    const s = await scrape(app);
    assert.equal(s.value("kvflow_artifact_bytes_in_total"), bytes.length);
    assert.equal(s.value("kvflow_artifact_bytes_out_total"), bytes.length + 10);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** An app with auth on: an admin, a user, and the request log collected. */
async function authApp(metrics = createServerMetrics("test")) {
  const auth = createMemoryAuthStore({ pbkdf2Iterations: TEST_PBKDF2_ITERATIONS });
  await auth.createUser("root", PASSWORD, true);
  await auth.createUser("alice", PASSWORD, false);
  const log = collectingLog();
  const app = createApp({
    store: createMemoryStore(),
    auth: { store: auth, defaultPermission: "READ" },
    metrics,
    requestLog: log,
  });
  return { app, log };
}

Deno.test("GET /metrics with auth on: 401 anonymous, 403 for a non-admin, 200 for an admin", async () => {
  const { app } = await authApp();
  const anonymous = await app.request("/metrics");
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
  const user = await app.request("/metrics", { headers: { authorization: basic("alice") } });
  assert.equal(user.status, 403);
  assert.equal((await user.json()).error_code, "PERMISSION_DENIED");
  const s = await scrape(app, { headers: { authorization: basic("root") } });
  // The refusals were counted under the route asked for.
  assert.equal(
    s.value("kvflow_http_requests_total", { method: "GET", route: "/metrics", status: "401" }),
    1,
  );
  assert.equal(
    s.value("kvflow_http_requests_total", { method: "GET", route: "/metrics", status: "403" }),
    1,
  );
});

Deno.test("X-Request-Id: a safe client id is echoed, anything else replaced, none generated", async () => {
  const log = collectingLog();
  const app = createApp({ store: createMemoryStore(), requestLog: log });
  const sent = await app.request("/health", { headers: { "x-request-id": "trace-42.a:b_c" } });
  assert.equal(sent.headers.get("x-request-id"), "trace-42.a:b_c");
  const none = await app.request("/health");
  assert.match(none.headers.get("x-request-id") ?? "", UUID);
  // Header values cannot carry a newline (fetch refuses them); requestIdFor's own test covers it.
  const hostile = [
    "x".repeat(10_000),
    "x".repeat(129),
    "ünïcödé",
    "a b",
    "<script>",
    "a\tb",
    "../..",
  ];
  for (const id of hostile) {
    const res = await app.request("/health", { headers: { "x-request-id": id } });
    const echoed = res.headers.get("x-request-id") ?? "";
    assert.match(echoed, UUID, id.slice(0, 20));
  }
  assert.equal(log.lines.length, 2 + hostile.length);
  for (const [i, id] of hostile.entries()) {
    const line = log.lines[2 + i];
    assert.ok(!line.includes(id), line.slice(0, 200));
    assert.match(line, / request_id=[0-9a-f-]{36} /);
  }
  assert.match(log.lines[0], / request_id=trace-42\.a:b_c /);
});

Deno.test("X-Request-Id is on every response: 404, 405, 413, 401, static assets, 5xx", async () => {
  const failing: TrackingStore = {
    ...createMemoryStore(),
    getExperiment: () => Promise.reject(new Error("disk on fire")),
  };
  const app = createApp({ store: failing });
  const cases: [string, RequestInit | undefined, number][] = [
    ["/no/such/path", undefined, 404],
    ["/health", { method: "DELETE" }, 405],
    [`${API}/experiments/search`, post({ filter: "x".repeat(2 * 1024 * 1024) }), 413],
    ["/static/styles.css", undefined, 200],
    [`${API}/experiments/get?experiment_id=0`, undefined, 500],
  ];
  const { errors } = await quietErrors(async () => {
    for (const [path, init, status] of cases) {
      const res = await app.request(path, init);
      await res.body?.cancel();
      assert.equal(res.status, status, path);
      assert.match(res.headers.get("x-request-id") ?? "", UUID, path);
    }
  });
  assert.equal(errors.length, 1);
  const { app: authed } = await authApp();
  const res = await authed.request(`${API}/experiments/search`, post({}));
  assert.equal(res.status, 401);
  assert.match(res.headers.get("x-request-id") ?? "", UUID);
});

Deno.test("a 5xx names its request id in the body and in the error log", async () => {
  const failing: TrackingStore = {
    ...createMemoryStore(),
    getExperiment: () => Promise.reject(new Error("disk on fire")),
  };
  const log = collectingLog("json");
  const app = createApp({ store: failing, requestLog: log });
  const { value: res, errors } = await quietErrors(() =>
    Promise.resolve(app.request(`${API}/experiments/get?experiment_id=0`, {
      headers: { "x-request-id": "support-case-7" },
    }))
  );
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), {
    error_code: "INTERNAL_ERROR",
    message: "Internal server error (request id support-case-7)",
    request_id: "support-case-7",
  });
  assert.equal(errors.length, 1);
  assert.match(
    errors[0],
    /Unhandled error on GET \/api\/2\.0\/mlflow\/experiments\/get \(request id support-case-7\)/,
  );
  // A handler that threw still gets its request-log line.
  assert.equal(log.lines.length, 1);
  const line = JSON.parse(log.lines[0]);
  assert.deepEqual(
    [line.status, line.route, line.request_id, line.method],
    [500, `${API}/experiments/get`, "support-case-7", "GET"],
  );
  assert.equal(typeof line.bytes, "number");
  assert.ok(line.bytes > 0);
  assert.equal(line.user, null);
  assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(typeof line.duration_ms, "number");
});

Deno.test("the request log names the user once auth identified one", async () => {
  const { app, log } = await authApp();
  await (await app.request(
    `${API}/experiments/search`,
    post({}, { authorization: basic("alice") }),
  ))
    .body?.cancel();
  await (await app.request(`${API}/experiments/search`, post({}))).body?.cancel();
  assert.equal(log.lines.length, 2);
  assert.match(
    log.lines[0],
    /route=\/api\/2\.0\/mlflow\/experiments\/search status=200 .* user=alice$/,
  );
  assert.match(
    log.lines[1],
    /route=\/api\/2\.0\/mlflow\/experiments\/search status=401 .* user=-$/,
  );
});

Deno.test("a request-log line is written when the body fails mid-way or times out", async () => {
  const log = collectingLog();
  const app = createApp({ store: createMemoryStore(), requestLog: log, bodyIdleTimeoutMs: 50 });
  // A client that goes away mid-body: the stream errors after its first bytes.
  const broken = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('{"name": "x'));
      c.error(new Error("connection reset"));
    },
  });
  const { value: res } = await quietErrors(async () =>
    await app.request(`${API}/experiments/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: broken,
      duplex: "half",
    } as RequestInit)
  );
  assert.ok(res.status >= 400, String(res.status));
  await res.body?.cancel();
  // A client that stops sending: the idle timeout answers 408.
  const stalled = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("{"));
    },
  });
  const slow = await app.request(`${API}/experiments/create`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: stalled,
    duplex: "half",
  } as RequestInit);
  assert.equal(slow.status, 408);
  await slow.body?.cancel();
  assert.equal(log.lines.length, 2);
  assert.match(log.lines[0], new RegExp(`route=${API}/experiments/create status=${res.status} `));
  assert.match(log.lines[1], new RegExp(`route=${API}/experiments/create status=408 `));
});

Deno.test({
  name:
    "main.ts --expose-prometheus --log-format json: /metrics is served and each request logged on stdout",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await using server = await startServer({ args: ["--expose-prometheus", "--log-format", "json"] });
  const res = await fetch(`${server.url}/health`, { headers: { "x-request-id": "probe-1" } });
  assert.equal(res.headers.get("x-request-id"), "probe-1");
  await res.body?.cancel();
  const metricsRes = await fetch(`${server.url}/metrics`);
  assert.equal(metricsRes.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
  const s = parsePrometheusText(await metricsRes.text());
  assert.equal(
    s.value("kvflow_http_requests_total", { method: "GET", route: "/health", status: "200" }),
    1,
  );
  // Lines are flushed in batches (LOG_FLUSH_MS); wait for them, boundedly.
  const deadline = Date.now() + 10_000;
  let lines: Record<string, unknown>[] = [];
  while (Date.now() < deadline) {
    lines = server.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    if (lines.length >= 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(
    lines.map((l) => [l.method, l.route, l.status]),
    [["GET", "/health", 200], ["GET", "/metrics", 200]],
  );
  assert.equal(lines[0].request_id, "probe-1");
});

Deno.test({
  name: "main.ts without --expose-prometheus answers /metrics 404",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await using server = await startServer();
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error_code, "ENDPOINT_NOT_FOUND");
});
