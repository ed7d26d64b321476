/**
 * A typed client generated from the committed openapi.yaml drives a real flow against the app:
 * once over HTTP against a `Deno.serve` server without auth (with artifacts), once against one
 * server with auth on (HTTP Basic; 401 without it), through search runs and registering a model.
 * openapi-typescript runs with `--no-lock` so it never enters deno.lock, and its output must equal
 * the TypeScript client's committed `routes/client/openapi_types.ts`; the flow module is
 * written next to the generated `schema.d.ts` and run with `deno test`, which type-checks it
 * against those types first, so a spec/handler mismatch fails here at compile time or at run time.
 */
import assert from "node:assert/strict";
import { LIVE_PASSWORD, startLiveServer } from "./helpers/live_server.ts";
import { CLIENT_TYPES, generateClientTypes } from "../routes/openapi.ts";

const root = new URL("../", import.meta.url);

// The flow imports only the generated types and openapi-fetch, and talks to servers this test
// starts (their URLs in the environment): type-checking it then costs the generated file alone,
// not the whole app again.
const FLOW = `
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { paths } from "./schema.d.ts";

const PLAIN = Deno.env.get("KVFLOW_PLAIN_URL")!;
const AUTHED = Deno.env.get("KVFLOW_AUTH_URL")!;
const PW = Deno.env.get("KVFLOW_PW")!;

/** A JSON error body's code; the request gates' 403s and 503s are plain text, typed as string. */
function errorCode(error: { error_code: string } | string | undefined): string | undefined {
  return typeof error === "string" ? undefined : error?.error_code;
}

Deno.test("typed client: create experiment → run → log-batch → get run → history", async () => {
  const client = createClient<paths>({ baseUrl: PLAIN });

  const exp = await client.POST("/api/2.0/mlflow/experiments/create", { body: { name: "typed" } });
  assert.equal(exp.response.status, 200);
  const experimentId: string = exp.data!.experiment_id;

  const created = await client.POST("/api/2.0/mlflow/runs/create", {
    body: { experiment_id: experimentId, run_name: "typed-run", start_time: 1_700_000_000_000, tags: [] },
  });
  const runId: string = created.data!.run.info.run_id;
  assert.equal(created.data!.run.info.status, "RUNNING");

  const batch = await client.POST("/api/2.0/mlflow/runs/log-batch", {
    body: {
      run_id: runId,
      metrics: [
        { key: "loss", value: 0.5, timestamp: 1, step: 0 },
        { key: "loss", value: 0.25, timestamp: 2, step: 1 },
      ],
      params: [{ key: "lr", value: "0.01" }],
      tags: [{ key: "team", value: "kv" }],
    },
  });
  assert.equal(batch.response.status, 200);
  assert.deepEqual(batch.data, {});

  const got = await client.GET("/api/2.0/mlflow/runs/get", { params: { query: { run_id: runId } } });
  const run = got.data!.run;
  assert.deepEqual(run.data.params, [{ key: "lr", value: "0.01" }]);
  const latest: number | "NaN" | "Infinity" | "-Infinity" | undefined = run.data.metrics?.[0].value;
  assert.equal(latest, 0.25);

  const hist = await client.GET("/api/2.0/mlflow/metrics/get-history", {
    params: { query: { run_id: runId, metric_key: "loss", max_results: 25000 } },
  });
  assert.deepEqual(hist.data!.metrics?.map((m) => m.step), [0, 1]);

  const missing = await client.GET("/api/2.0/mlflow/runs/get", { params: { query: { run_id: "0".repeat(32) } } });
  assert.equal(missing.response.status, 404);
  assert.equal(errorCode(missing.error), "RESOURCE_DOES_NOT_EXIST");

  // Artifacts: a raw PUT through the proxy, then the typed JSON listings.
  const runRoot = run.info.artifact_uri.replace("mlflow-artifacts:/", "");
  const put = await client.PUT("/api/2.0/mlflow-artifacts/artifacts/{artifact_path}", {
    params: { path: { artifact_path: \`\${runRoot}/dir/a.txt\` } },
    body: "hello",
    bodySerializer: (b) => b,
    headers: { "Content-Type": "text/plain" },
  });
  assert.deepEqual(put.data, {});
  const listed = await client.GET("/api/2.0/mlflow-artifacts/artifacts", {
    params: { query: { path: \`\${runRoot}/dir\` } },
  });
  const files: { path: string; is_dir: boolean; file_size?: number }[] = listed.data!.files ?? [];
  assert.deepEqual(files, [{ path: "a.txt", is_dir: false, file_size: 5 }]);
  const runList = await client.GET("/api/2.0/mlflow/artifacts/list", {
    params: { query: { run_id: runId } },
  });
  assert.equal(runList.data!.root_uri, run.info.artifact_uri);
  assert.deepEqual(runList.data!.files, [{ path: "dir", is_dir: true }]);
  const mpu = await client.POST("/api/2.0/mlflow-artifacts/mpu/create/{artifact_path}", {
    params: { path: { artifact_path: "x/big.bin" } },
    body: { path: "big.bin", num_parts: 2 },
  });
  assert.equal(mpu.response.status, 501);
  assert.equal(errorCode(mpu.error), "NOT_IMPLEMENTED");
});

Deno.test("typed client with auth on, over HTTP: experiment → run → log-batch → search → history → model", async () => {
  {
    const baseUrl = AUTHED;
    const anonymous = createClient<paths>({ baseUrl });
    const refused = await anonymous.POST("/api/2.0/mlflow/experiments/create", { body: { name: "nope" } });
    assert.equal(refused.response.status, 401);
    assert.equal(errorCode(refused.error), "UNAUTHENTICATED");

    const client = createClient<paths>({
      baseUrl,
      headers: { authorization: \`Basic \${btoa(\`alice:\${PW}\`)}\` },
    });
    const exp = await client.POST("/api/2.0/mlflow/experiments/create", { body: { name: "typed-auth" } });
    assert.equal(exp.response.status, 200);
    const experimentId: string = exp.data!.experiment_id;
    const created = await client.POST("/api/2.0/mlflow/runs/create", {
      body: { experiment_id: experimentId, run_name: "typed-auth-run" },
    });
    const runId: string = created.data!.run.info.run_id;
    assert.equal(created.data!.run.info.user_id, "alice");
    const losses = [0.9, 0.4, 0.2];
    const batch = await client.POST("/api/2.0/mlflow/runs/log-batch", {
      body: {
        run_id: runId,
        metrics: losses.map((value, step) => ({ key: "loss", value, timestamp: 100 + step, step })),
        params: [{ key: "lr", value: "0.01" }],
        tags: [{ key: "team", value: "kv" }],
      },
    });
    assert.equal(batch.response.status, 200);
    const other = await client.POST("/api/2.0/mlflow/runs/create", { body: { experiment_id: experimentId } });
    await client.POST("/api/2.0/mlflow/runs/log-metric", {
      body: { run_id: other.data!.run.info.run_id, key: "loss", value: 3, timestamp: 1, step: 0 },
    });

    const found = await client.POST("/api/2.0/mlflow/runs/search", {
      body: { experiment_ids: [experimentId], filter: "metrics.loss < 0.5" },
    });
    assert.equal(found.response.status, 200);
    assert.deepEqual(found.data!.runs?.map((r) => r.info.run_id), [runId]);
    assert.equal(found.data!.runs?.[0].data.tags?.find((t) => t.key === "team")?.value, "kv");

    const hist = await client.GET("/api/2.0/mlflow/metrics/get-history", {
      params: { query: { run_id: runId, metric_key: "loss" } },
    });
    assert.deepEqual(hist.data!.metrics?.map((m) => [m.step, m.value]), losses.map((v, s) => [s, v]));

    const model = await client.POST("/api/2.0/mlflow/registered-models/create", { body: { name: "typed-model" } });
    assert.equal(model.response.status, 200);
    assert.equal(model.data!.registered_model.name, "typed-model");
    const version = await client.POST("/api/2.0/mlflow/model-versions/create", {
      body: { name: "typed-model", source: \`runs:/\${runId}/model\`, run_id: runId },
    });
    assert.equal(version.response.status, 200);
    const mv = version.data!.model_version;
    assert.deepEqual([mv.version, mv.run_id, mv.status], ["1", runId, "READY"]);
  }
});
`;

async function run(
  args: string[],
  cwd: URL,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code, out: dec.decode(stdout) + dec.decode(stderr) };
}

Deno.test("openapi-fetch client typed from openapi.yaml runs the core flow, with and without auth", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow_openapi_client_" });
  await using plain = await startLiveServer();
  // The flow logs in as "alice": LIVE_USER.
  await using authed = await startLiveServer({ auth: true, admin: true, artifacts: false });
  try {
    await generateClientTypes(new URL(`file://${dir}/schema.d.ts`));
    // The TypeScript client's committed copy of these types must be this very output.
    assert.equal(
      await Deno.readTextFile(`${dir}/schema.d.ts`),
      await Deno.readTextFile(CLIENT_TYPES),
      "routes/client/openapi_types.ts drifted from openapi.yaml: run `deno task openapi`",
    );
    await Deno.writeTextFile(`${dir}/flow_test.ts`, FLOW);
    const test = await run(
      [
        "test",
        "-A",
        "--no-lock",
        "--config",
        new URL("deno.json", root).pathname,
        `${dir}/flow_test.ts`,
      ],
      root,
      { KVFLOW_PLAIN_URL: plain.url, KVFLOW_AUTH_URL: authed.url, KVFLOW_PW: LIVE_PASSWORD },
    );
    assert.equal(test.code, 0, test.out);
    assert.match(test.out, /2 passed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
