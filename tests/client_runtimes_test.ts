/**
 * The TypeScript client (routes/client) outside `deno test`'s own process, in the three runtimes
 * it promises: Node running the `deno bundle --platform node` build (configured only through
 * MLflow's variables, streaming a file from disk through node:fs, and leaving its parent run to
 * the `beforeExit` hook), a Deno script that never calls `endRun` (the `beforeunload` hook), and
 * Chromium running the `--platform browser` build in a page served from the server's own origin.
 * Each run is read back over REST with Basic auth against a live server with auth on.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "./helpers/browser.ts";
import {
  LIVE_PASSWORD,
  LIVE_USER,
  type LiveServer,
  startLiveServer,
} from "./helpers/live_server.ts";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const CLIENT_ENTRY = fileURLToPath(new URL("../routes/client/mod.ts", import.meta.url));
const AUTH = { authorization: `Basic ${btoa(`${LIVE_USER}:${LIVE_PASSWORD}`)}` };
/** A bundle or a child program that takes longer than this has hung. */
const STEP_TIMEOUT_MS = 30_000;

/** GETs `path` from the server with credentials and returns its JSON (asserting a 200). */
// deno-lint-ignore no-explicit-any
async function readJson(server: LiveServer, path: string): Promise<any> {
  const res = await fetch(`${server.url}${path}`, {
    headers: AUTH,
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

// deno-lint-ignore no-explicit-any
async function getRun(server: LiveServer, runId: string): Promise<any> {
  return (await readJson(server, `/api/2.0/mlflow/runs/get?run_id=${runId}`)).run;
}

/** `[step, value]` of every point of metric `key`, in the server's (step) order. */
async function history(server: LiveServer, runId: string, key: string): Promise<number[][]> {
  const body = await readJson(
    server,
    `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=${key}&max_results=25000`,
  );
  return (body.metrics ?? []).map((m: { step: number; value: number }) => [m.step, m.value]);
}

function tagsOf(run: { data: { tags?: { key: string; value: string }[] } }) {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

function paramsOf(run: { data: { params?: { key: string; value: string }[] } }) {
  return Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
}

/** The bytes of an artifact of a run, through the server's artifact proxy. */
async function artifactBytes(
  server: LiveServer,
  run: { info: { experiment_id: string; run_id: string } },
  relPath: string,
): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const res = await fetch(
    `${server.url}/api/2.0/mlflow-artifacts/artifacts/${run.info.experiment_id}/` +
      `${run.info.run_id}/artifacts/${relPath}`,
    { headers: AUTH, signal: AbortSignal.timeout(5_000) },
  );
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

/** Runs a program to its end (killed after {@linkcode STEP_TIMEOUT_MS}); throws on failure. */
async function run(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd ?? REPO_ROOT,
    // Nothing of this process's environment leaks in: the child sees only what the test sets.
    clearEnv: true,
    env: { ...baseEnv(), NO_COLOR: "1", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited with ${out.code}${out.signal ? ` (${out.signal})` : ""}` +
        `\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
    );
  }
  return { stdout, stderr };
}

/** What a child program needs to find its tools and caches, and nothing else. */
function baseEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"];
  return Object.fromEntries(
    keep.flatMap((k) => {
      const v = Deno.env.get(k);
      return v === undefined ? [] : [[k, v]];
    }),
  );
}

/** `deno bundle` of the client (from the repository root, so deno.json applies) into `out`. */
async function bundleClient(platform: "node" | "browser", out: string): Promise<void> {
  await run(Deno.execPath(), [
    "bundle",
    "--platform",
    platform,
    "--quiet",
    "-o",
    out,
    CLIENT_ENTRY,
  ]);
}

/** The variables MLflow's clients read, pointing at `server` as the live user. */
function mlflowEnv(server: LiveServer): Record<string, string> {
  return {
    MLFLOW_TRACKING_URI: server.url,
    MLFLOW_TRACKING_USERNAME: LIVE_USER,
    MLFLOW_TRACKING_PASSWORD: LIVE_PASSWORD,
  };
}

const NODE_SCRIPT = `
import * as mlflow from "./client.mjs";

const artifact = process.argv[2];
await mlflow.setExperiment("node-exp");
const parent = await mlflow.startRun({ runName: "node-parent" });
await mlflow.logParams({ lr: 0.01, layers: 3, runtime: "node" });
for (let step = 0; step < 3; step++) {
  await mlflow.logMetric("loss", 1 / (step + 1), { step });
}
await mlflow.logArtifact(artifact);
const child = await mlflow.startRun({ runName: "node-child", nested: true });
await mlflow.endRun();
if (mlflow.activeRun()?.runId !== parent.runId) throw new Error("parent not active again");
console.log(parent.runId);
console.log(child.runId);
// No endRun for the parent: the client's beforeExit hook must end it.
`;

Deno.test("client runtimes: Node runs the node bundle from MLflow's variables; beforeExit ends the run", async () => {
  await using server = await startLiveServer({ auth: true });
  const dir = await Deno.makeTempDir({ prefix: "kvflow_client_node_" });
  try {
    await bundleClient("node", `${dir}/client.mjs`);
    const script = `${dir}/train.mjs`;
    await Deno.writeTextFile(script, NODE_SCRIPT);
    // Binary bytes (a text round trip would corrupt them), more than one 64 KiB stream chunk.
    const payload = new Uint8Array(200_000).map((_, i) => (i * 7919 + (i >> 8)) & 0xff);
    await Deno.writeFile(`${dir}/weights.bin`, payload);

    const { stdout } = await run("node", [script, `${dir}/weights.bin`], {
      cwd: dir,
      env: mlflowEnv(server),
    });
    const served = [...server.requests];
    const [parentId, childId] = stdout.trim().split("\n");
    assert.match(parentId ?? "", /^[0-9a-f]{32}$/, `stdout: ${stdout}`);
    assert.match(childId ?? "", /^[0-9a-f]{32}$/, `stdout: ${stdout}`);

    const parent = await getRun(server, parentId);
    assert.equal(parent.info.status, "FINISHED");
    assert.equal(typeof parent.info.end_time, "number");
    assert.ok(parent.info.end_time >= parent.info.start_time);
    assert.equal(parent.info.run_name, "node-parent");
    assert.deepEqual(paramsOf(parent), { lr: "0.01", layers: "3", runtime: "node" });
    assert.deepEqual(await history(server, parentId, "loss"), [[0, 1], [1, 0.5], [2, 1 / 3]]);
    const parentTags = tagsOf(parent);
    assert.equal(parentTags["mlflow.source.name"], script);
    assert.equal(parentTags["mlflow.user"], LIVE_USER);
    assert.equal(parentTags["mlflow.parentRunId"], undefined);
    const exp = await readJson(
      server,
      "/api/2.0/mlflow/experiments/get-by-name?experiment_name=node-exp",
    );
    assert.equal(parent.info.experiment_id, exp.experiment.experiment_id);

    const file = await artifactBytes(server, parent, "weights.bin");
    assert.equal(file.status, 200);
    assert.equal(file.type, "application/octet-stream");
    assert.equal(file.bytes.length, payload.length);
    assert.deepEqual(file.bytes, payload);

    const child = await getRun(server, childId);
    assert.equal(child.info.status, "FINISHED");
    assert.equal(child.info.run_name, "node-child");
    const childTags = tagsOf(child);
    assert.equal(childTags["mlflow.parentRunId"], parentId);
    assert.equal(childTags["mlflow.source.name"], script);
    assert.equal(childTags["mlflow.source.type"], "LOCAL");
    // The parent was ended after the child, by the hook.
    assert.ok(parent.info.end_time >= child.info.end_time);
    // One streamed PUT for the artifact; two run updates: the child's endRun, then the hook's.
    const puts = served.filter((r) => r.startsWith("PUT /api/2.0/mlflow-artifacts/"));
    assert.deepEqual(puts, [
      `PUT /api/2.0/mlflow-artifacts/artifacts/${parent.info.experiment_id}/${parentId}/artifacts/weights.bin`,
    ]);
    assert.equal(served.filter((r) => r === "POST /api/2.0/mlflow/runs/update").length, 2);
    assert.equal(served.at(-1), "POST /api/2.0/mlflow/runs/update");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("client runtimes: a Deno script that never calls endRun; beforeunload ends the run", async () => {
  await using server = await startLiveServer({ auth: true });
  const dir = await Deno.makeTempDir({ prefix: "kvflow_client_deno_" });
  try {
    const script = `${dir}/train.ts`;
    await Deno.writeTextFile(
      script,
      `import * as mlflow from ${JSON.stringify(new URL(`file://${CLIENT_ENTRY}`).href)};
await mlflow.setExperiment("deno-exp");
const run = await mlflow.startRun({ runName: "deno-no-end" });
for (let step = 0; step < 5; step++) await mlflow.logMetric("acc", step / 10, { step });
console.log(run.runId);
`,
    );
    // From the repository root, so its deno.json (the openapi-fetch import) applies.
    // `--config`: Deno finds a config from the script's folder, not the working directory, and
    // the client's `openapi-fetch` import resolves only through the repository's import map.
    const { stdout } = await run(
      Deno.execPath(),
      ["run", "-A", "--no-check", "--config", `${REPO_ROOT}deno.json`, script],
      { env: mlflowEnv(server) },
    );
    const runId = stdout.trim();
    assert.match(runId, /^[0-9a-f]{32}$/, `stdout: ${stdout}`);
    const r = await getRun(server, runId);
    assert.equal(r.info.status, "FINISHED");
    assert.equal(typeof r.info.end_time, "number");
    assert.ok(r.info.end_time >= r.info.start_time);
    assert.deepEqual(await history(server, runId, "acc"), [
      [0, 0],
      [1, 0.1],
      [2, 0.2],
      [3, 0.3],
      [4, 0.4],
    ]);
    assert.equal(tagsOf(r)["mlflow.source.name"], script);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The test page: the browser bundle, used as a page would, its outcome on `window.__result`. */
function testPage(): string {
  const creds = JSON.stringify({ username: LIVE_USER, password: LIVE_PASSWORD });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>client test</title></head><body>
<script type="module">
import { Tracking } from "./client.js";
try {
  const retry = { maxRetries: 1, backoffFactorMs: 10, backoffJitterMs: 0 };
  const t = new Tracking({ trackingUri: location.origin, ...${creds}, retry });
  const exp = await t.setExperiment("browser-exp");
  const run = await t.startRun({ runName: "browser-run" });
  await t.logParams({ lr: 0.1, runtime: "chromium" });
  for (let step = 0; step < 4; step++) await t.logMetric("acc", step / 4, { step });
  await t.logText("hi", "notes/hello.txt");
  // A browser has no files to stream: logArtifact must fail, and say so.
  const artifactError = await t.logArtifact("/etc/hostname").then(() => "", (e) => String(e));
  await t.endRun();
  window.__result = { runId: run.runId, experimentId: exp.experiment_id, artifactError };
} catch (err) {
  window.__result = { error: String(err && err.stack || err) };
}
</script>
</body></html>
`;
}

Deno.test({
  name: "client runtimes: Chromium runs the browser bundle same-origin and logs a run",
  // Playwright's connection outlives the test's own ops; the browser is closed in `finally`.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using server = await startLiveServer({ auth: true });
    const dir = await Deno.makeTempDir({ prefix: "kvflow_client_browser_" });
    const browser = await launchBrowser();
    try {
      await bundleClient("browser", `${dir}/client.js`);
      const bundle = await Deno.readTextFile(`${dir}/client.js`);
      const page = await browser.newPage();
      page.setDefaultTimeout(10_000);
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() !== "error") return;
        // setExperiment asks get-by-name first, and MLflow's answer for a new name is a 404,
        // which Chromium logs as a failed resource whoever handles it.
        const probe = m.location().url.includes("/experiments/get-by-name?") &&
          m.text().includes("status of 404");
        if (!probe) problems.push(`console: ${m.text()} (${m.location().url})`);
      });
      // The page and the bundle come from the route; every other request reaches the server.
      const base = `${server.url}/__client_test/`;
      await page.route(`${base}**`, async (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === "/__client_test/index.html") {
          await route.fulfill({ contentType: "text/html; charset=utf-8", body: testPage() });
        } else if (path === "/__client_test/client.js") {
          await route.fulfill({ contentType: "text/javascript; charset=utf-8", body: bundle });
        } else {
          await route.fulfill({ status: 404, body: "not here" });
        }
      });
      await page.goto(`${base}index.html`);
      await page.waitForFunction(() => "__result" in globalThis, null, { timeout: 10_000 });
      const result = await page.evaluate(() =>
        (globalThis as unknown as { __result: Record<string, string> }).__result
      );
      assert.equal(result.error, undefined, `in the page: ${result.error}`);
      assert.deepEqual(problems, []);
      // It fails at once, saying why and what to use instead, and nothing is uploaded.
      assert.match(result.artifactError, /no file system; upload bytes or a Blob with logText/);
      assert.ok(!server.requests.some((req) => req.endsWith("/hostname")));

      const r = await getRun(server, result.runId);
      assert.equal(r.info.status, "FINISHED");
      assert.equal(r.info.experiment_id, result.experimentId);
      assert.equal(r.info.run_name, "browser-run");
      assert.deepEqual(paramsOf(r), { lr: "0.1", runtime: "chromium" });
      assert.deepEqual(await history(server, result.runId, "acc"), [
        [0, 0],
        [1, 0.25],
        [2, 0.5],
        [3, 0.75],
      ]);
      const tags = tagsOf(r);
      assert.equal(tags["mlflow.user"], LIVE_USER);
      assert.equal(tags["mlflow.source.name"], `${base}index.html`);
      const file = await artifactBytes(server, r, "notes/hello.txt");
      assert.equal(file.status, 200);
      assert.equal(new TextDecoder().decode(file.bytes), "hi");
      // The page's API calls went to the server itself (the route served only the two files).
      assert.ok(!server.requests.some((req) => req.includes("/__client_test/")));
      assert.ok(server.requests.includes("POST /api/2.0/mlflow/runs/log-batch"));
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
