/**
 * Request bodies a client could use to exhaust memory, overflow the stack or hold the server
 * (issue 10 #3, #4, #7), against the in-process app: per-endpoint byte caps, the JSON depth and
 * value guard, and body read timeouts. The real-server figures (RSS, raw sockets) are in
 * tests/request_limits_server_test.ts.
 */
import assert from "node:assert/strict";
import { createLocalArtifactRepository } from "../../artifacts/local.ts";
import { BODY_LIMITS, MAX_BODY_BYTES } from "../../routes/decode.ts";
import { MAX_JSON_DEPTH, MAX_JSON_VALUES } from "../../routes/json_guard.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import { createApp } from "../../routes/mod.ts";
import {
  API,
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

/** `{"x": [[[…]]]}` nested `levels` deep. */
function deepBody(levels: number): string {
  return `{"x":${"[".repeat(levels)}${"]".repeat(levels)}}`;
}

/** JSON as the Python client sends it (`json.dumps`, `ensure_ascii=True`): non-ASCII escaped. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A request with a streamed body that sends `first` and then stalls (or trickles). */
function stalledRequest(
  app: TestApp,
  path: string,
  method: string,
  first: string,
  opts: { trickleMs?: number; headers?: HeadersInit } = {},
): Promise<Response> {
  const enc = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode(first));
      if (opts.trickleMs !== undefined) {
        timer = setInterval(() => {
          try {
            controller.enqueue(enc.encode(" "));
          } catch {
            clearInterval(timer);
          }
        }, opts.trickleMs);
      }
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return Promise.resolve(
    app.request(path, {
      method,
      body,
      headers: opts.headers ?? { "content-type": "application/json" },
      // @ts-ignore: Deno's RequestInit takes `duplex` for a streamed body.
      duplex: "half",
    }),
  ).finally(() => clearInterval(timer));
}

const JSON_ENDPOINTS: [string, string][] = [
  ["POST", "experiments/search"],
  ["POST", "experiments/create"],
  ["POST", "runs/create"],
  ["POST", "runs/log-batch"],
  ["POST", "runs/log-metric"],
  ["POST", "runs/log-inputs"],
  ["POST", "registered-models/create"],
  ["DELETE", "registered-models/delete"],
  ["POST", "logged-models"],
  ["PATCH", "logged-models/m-1"],
];

Deno.test("regression: deep JSON of 3,000 and 100,000 levels is 400, not 500, on every JSON endpoint (issue 10 #4)", async () => {
  const app = newApp();
  for (const levels of [2_900, 3_000, 100_000]) {
    for (const [method, path] of JSON_ENDPOINTS) {
      for (const text of [deepBody(levels), JSON.stringify(deepBody(levels))]) {
        const res = await app.request(`${API}/${path}`, {
          method,
          headers: { "content-type": "application/json" },
          body: text,
        });
        const message = await expectError(res, 400, "INVALID_PARAMETER_VALUE");
        assert.match(message, /nested deeper than the limit of 32 levels/, `${method} ${path}`);
      }
    }
  }
  // Unclosed nesting too (invalid JSON, which alone would decode as `{}`).
  await expectError(
    post(app, "experiments/search", "[".repeat(100_000)),
    400,
    "INVALID_PARAMETER_VALUE",
  );
});

Deno.test("JSON nested to the depth limit is decoded; one level more is 400", async () => {
  const app = newApp();
  const nested = (levels: number) =>
    `{"max_results":5,"x":${"[".repeat(levels - 1)}${"]".repeat(levels - 1)}}`;
  await expectJson(post(app, "experiments/search", nested(MAX_JSON_DEPTH)), 200);
  await expectError(
    post(app, "experiments/search", nested(MAX_JSON_DEPTH + 1)),
    400,
    "INVALID_PARAMETER_VALUE",
  );
});

Deno.test("regression: an element-heavy body under the byte cap is 400 before it is parsed (issue 10 #3)", async () => {
  const app = newApp();
  // ~900 KB of `{}`: under experiments/search's 1 MiB cap, ~300,000 values.
  const many = `{"x":[${Array(300_000).fill("{}").join(",")}]}`;
  assert.ok(many.length < MAX_BODY_BYTES);
  const message = await expectError(
    post(app, "experiments/search", many),
    400,
    "INVALID_PARAMETER_VALUE",
  );
  assert.match(message, /more values than the limit of 50000/);
  // log-batch's larger byte cap does not lift the value cap.
  const id = await createRun(app);
  const metrics = `{"run_id":"${id}","metrics":[${Array(MAX_JSON_VALUES).fill("{}").join(",")}]}`;
  await expectError(post(app, "runs/log-batch", metrics), 400, "INVALID_PARAMETER_VALUE");
  // Inside a JSON string (decoded twice), too.
  await expectError(
    post(app, "experiments/search", JSON.stringify(many)),
    400,
    "INVALID_PARAMETER_VALUE",
  );
});

Deno.test("regression: a 32 MB element-heavy body to experiments/search is 413 (issue 10 #3)", async () => {
  const app = newApp();
  const body = `{"x":[${"{},".repeat(32 * 1024 * 1024 / 3)}{}]}`;
  const message = await expectError(
    post(app, "experiments/search", body),
    413,
    "INVALID_PARAMETER_VALUE",
  );
  assert.equal(message, `Request body is larger than the limit of ${MAX_BODY_BYTES} bytes`);
});

Deno.test("body caps: 1 MiB by default, larger only where a field needs it", async () => {
  const app = newApp();
  const exp = await createExperiment(app);
  const over = "x".repeat(MAX_BODY_BYTES);
  await expectError(
    post(app, "experiments/set-experiment-tag", { experiment_id: exp, key: "k", value: over }),
    413,
    "INVALID_PARAMETER_VALUE",
  );
  // A registry tag value of 100,000 characters outside the BMP, \u-escaped: ~1.2 MB.
  await expectJson(post(app, "registered-models/create", { name: "m" }), 200);
  const value = "😀".repeat(100_000);
  await expectJson(
    post(app, "registered-models/set-tag", asciiJson({ name: "m", key: "k", value })),
    200,
  );
  const { registered_model } = await expectJson(
    get(app, "registered-models/get", { name: "m" }),
    200,
  );
  assert.equal(registered_model.tags[0].value, value);
  // A path parameter cannot borrow another endpoint's cap: the DELETE route's tag key spans
  // slashes, and `…/runs/log-inputs` at its end is still a 1 MiB DELETE body.
  const res = await app.request(`${API}/logged-models/m-1/tags/runs/log-inputs`, {
    method: "DELETE",
    body: JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES) }),
  });
  await expectError(res, 413, "INVALID_PARAMETER_VALUE");
});

Deno.test("a maximal legal log-batch (\\u-escaped non-ASCII values) is still 200", async () => {
  const app = newApp();
  const id = await createRun(app);
  const key = (i: number) => `${"中".repeat(245)}${String(i).padStart(5, "0")}`;
  const batch = {
    run_id: id,
    metrics: Array.from({ length: 800 }, (_, i) => ({
      key: key(i),
      value: i / 3,
      timestamp: 1_700_000_000_000 + i,
      step: i,
    })),
    params: Array.from({ length: 100 }, (_, i) => ({ key: key(i), value: "😀".repeat(6000) })),
    tags: Array.from({ length: 100 }, (_, i) => ({ key: key(i), value: "😀".repeat(8000) })),
  };
  const text = asciiJson(batch);
  assert.ok(text.length > 18_000_000 && text.length <= BODY_LIMITS["/runs/log-batch"]);
  await expectJson(post(app, "runs/log-batch", text), 200);
  const { run } = await expectJson(get(app, "runs/get", { run_id: id }), 200);
  assert.equal(run.data.params.length, 100);
  assert.equal([...run.data.params[0].value].length, 6000);
  assert.equal(run.data.metrics.length, 800);
});

Deno.test("a legal log-inputs with a 16 MiB profile is still 200", async () => {
  const app = newApp();
  const id = await createRun(app);
  // 16,777,215 characters of JSON text, its quotes escaped once more in the request.
  const unit = '{"a": 1}, ';
  const profile = unit.repeat(Math.floor(16_777_215 / unit.length)).padEnd(16_777_215, " ");
  const body = {
    run_id: id,
    datasets: [{
      tags: [{ key: "mlflow.data.context", value: "train" }],
      dataset: {
        name: "big",
        digest: "d1",
        source_type: "code",
        source: "{}",
        schema: '{"mlflow_colspec": []}',
        profile,
      },
    }],
  };
  await expectJson(post(app, "runs/log-inputs", body), 200);
  const { run } = await expectJson(get(app, "runs/get", { run_id: id }), 200);
  assert.equal(run.inputs.dataset_inputs[0].dataset.profile.length, 16_777_215);
});

Deno.test("camelCase keys are still renamed at every depth (iterative decode)", async () => {
  const app = newApp();
  const id = await createRun(app);
  await expectJson(
    post(app, "runs/log-batch", {
      runId: id,
      metrics: [{ key: "m", value: 1, timestamp: 5, step: 2 }],
      tags: [{ key: "t", value: "v" }],
    }),
    200,
  );
  const { metrics } = await expectJson(
    get(app, "metrics/get-history", { run_id: id, metric_key: "m" }),
    200,
  );
  assert.equal(metrics.length, 1);
});

Deno.test("regression: a JSON body that stops arriving is 408 after the idle timeout (issue 10 #7)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-idle-json-" });
  try {
    const app = createApp({
      store: createMemoryStore(),
      artifacts: createLocalArtifactRepository({ rootDir: dir }),
      bodyIdleTimeoutMs: 200,
    });
    const res = await stalledRequest(app, `${API}/experiments/search`, "POST", '{"max_results"');
    const message = await expectError(res, 408, "BAD_REQUEST");
    assert.equal(message, "Request body timed out: no data received for 0.2 seconds");
    // upload-artifact (read whole, then stored) too.
    const raw = await stalledRequest(
      app,
      `${API}/upload-artifact?run_id=x&path=a.txt`,
      "POST",
      "abc",
      { headers: { "content-type": "text/plain" } },
    );
    await expectError(raw, 408, "BAD_REQUEST");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("regression: a JSON body trickling a byte at a time is 408 after the body timeout (issue 10 #7)", async () => {
  const app = createApp({
    store: createMemoryStore(),
    bodyIdleTimeoutMs: 1_000,
    bodyTimeoutMs: 300,
  });
  const res = await stalledRequest(app, `${API}/experiments/search`, "POST", "{", {
    trickleMs: 20,
  });
  const message = await expectError(res, 408, "BAD_REQUEST");
  assert.equal(message, "Request body timed out: not received in full within 0.3 seconds");
});

Deno.test("regression: an artifact PUT whose body stops arriving is 408 and leaves no file (issue 10 #7)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-idle-put-" });
  try {
    const app = createApp({
      store: createMemoryStore(),
      artifacts: createLocalArtifactRepository({ rootDir: dir }),
      bodyIdleTimeoutMs: 200,
    });
    const res = await stalledRequest(
      app,
      "/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/slow.bin",
      "PUT",
      "some bytes",
      { headers: { "content-type": "application/octet-stream" } },
    );
    const message = await expectError(res, 408, "BAD_REQUEST");
    assert.equal(message, "Request body timed out: no data received for 0.2 seconds");
    const left: string[] = [];
    for await (const e of Deno.readDir(`${dir}/0/r/artifacts`)) left.push(e.name);
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a __proto__ key in a body is ignored, never an inherited argument", async () => {
  const app = newApp();
  const exp = await createExperiment(app);
  const run = await expectJson(post(app, "runs/create", { experiment_id: exp }), 200);
  const runId = run.run.info.run_id as string;
  await expectMissing(post(app, "runs/delete", `{"__proto__":{"run_id":"${runId}"}}`), "run_id");
  const got = await expectJson(get(app, "runs/get", { run_id: runId }), 200);
  assert.equal(got.run.info.lifecycle_stage, "active");
});
