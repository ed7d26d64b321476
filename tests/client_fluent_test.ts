/**
 * The TypeScript client's fluent API (routes/client) against a real kvflow server over HTTP, with
 * auth on: a nested run with params, metrics, tags and artifacts that reads back through the REST
 * API the way the MLflow Python client's recorded read calls (mlflow-client-traffic.md) see a run
 * it logged itself; buffered metrics flushed by size, by time and on `endRun`; retries after 503
 * and 429, with nothing lost or doubled; refused batches reported, not retried.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as mlflow from "../routes/client/mod.ts";
import { MlflowRestError, Tracking } from "../routes/client/mod.ts";
import {
  LIVE_PASSWORD,
  LIVE_USER,
  type LiveServer,
  startLiveServer,
} from "./helpers/live_server.ts";

const AUTH = { authorization: `Basic ${btoa(`${LIVE_USER}:${LIVE_PASSWORD}`)}` };
const FAST_RETRY = { backoffFactorMs: 1, backoffJitterMs: 0 };

/** GETs `path` as the Python client does (its query string as given), with credentials. */
async function read(server: LiveServer, path: string): Promise<Response> {
  return await fetch(`${server.url}${path}`, { headers: AUTH });
}

// deno-lint-ignore no-explicit-any
async function readJson(server: LiveServer, path: string): Promise<any> {
  const res = await read(server, path);
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return await res.json();
}

function historyPath(runId: string, key: string): string {
  return `/api/2.0/mlflow/metrics/get-history?run_uuid=${runId}&metric_key=${key}` +
    `&run_id=${runId}&max_results=25000`;
}

/** Sets the variables the Python client reads, for the duration of `fn`. */
async function withEnv(vars: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
  try {
    await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
}

Deno.test("fluent client: a nested run reads back as the MLflow client's recorded reads expect", async () => {
  await using server = await startLiveServer({ auth: true });
  const dir = await Deno.makeTempDir({ prefix: "kvflow_client_files_" });
  await Deno.writeTextFile(`${dir}/hello.txt`, "hello artifact\n");
  await Deno.mkdir(`${dir}/notes/deep`, { recursive: true });
  await Deno.writeTextFile(`${dir}/notes/a.md`, "A");
  await Deno.writeTextFile(`${dir}/notes/deep/b.md`, "BB");
  try {
    let parentId = "", childId = "", experimentId = "";
    // The default session, configured only through the Python client's variables.
    await withEnv({
      MLFLOW_TRACKING_URI: server.url,
      MLFLOW_TRACKING_USERNAME: LIVE_USER,
      MLFLOW_TRACKING_PASSWORD: LIVE_PASSWORD,
    }, async () => {
      const exp = await mlflow.setExperiment("ts-smoke");
      experimentId = exp.experiment_id;
      const parent = await mlflow.startRun({ runName: "parent" });
      parentId = parent.runId;
      await mlflow.logParam("lr", 0.01);
      await mlflow.logParams({ batch: 32, optimizer: "adam" });
      for (let step = 0; step < 5; step++) {
        await mlflow.logMetric("loss", 1 / (step + 1), { step });
        await mlflow.logMetrics({ acc: 0.5 + step / 10, f1: 0.4 + step / 10 }, { step });
      }
      await mlflow.setTag("team", "peers");
      await mlflow.setTags({ stage: "smoke" });
      await mlflow.logArtifact(`${dir}/hello.txt`);
      await mlflow.logArtifacts(`${dir}/notes`, "notes");
      await mlflow.logText('{"a": 1}', "config.json");
      const child = await mlflow.startRun({ runName: "child", nested: true });
      childId = child.runId;
      assert.equal(mlflow.activeRun()?.runId, childId);
      await mlflow.logParam("child_param", "c");
      await mlflow.endRun();
      assert.equal(mlflow.activeRun()?.runId, parentId);
      await mlflow.endRun();
      assert.equal(mlflow.activeRun(), undefined);
    });

    // runs/get?run_uuid=…&run_id=…, as the Python client reads a run: the recorded child's shape.
    const child =
      (await readJson(server, `/api/2.0/mlflow/runs/get?run_uuid=${childId}&run_id=${childId}`))
        .run;
    // The fields the recorded reply has (JSON key order is no part of the contract).
    assert.deepEqual(Object.keys(child.info).sort(), [
      "artifact_uri",
      "end_time",
      "experiment_id",
      "lifecycle_stage",
      "run_id",
      "run_name",
      "run_uuid",
      "start_time",
      "status",
      "user_id",
    ]);
    assert.equal(child.info.run_name, "child");
    assert.equal(child.info.status, "FINISHED");
    assert.equal(child.info.experiment_id, experimentId);
    assert.equal(child.info.artifact_uri, `mlflow-artifacts:/${experimentId}/${childId}/artifacts`);
    assert.deepEqual(child.data.params, [{ key: "child_param", value: "c" }]);
    // The recorded child's tags, nothing more (kvflow lists them by key).
    assert.deepEqual(child.data.tags.map((t: { key: string }) => t.key).sort(), [
      "mlflow.parentRunId",
      "mlflow.runName",
      "mlflow.source.name",
      "mlflow.source.type",
      "mlflow.user",
    ]);
    const childTags = Object.fromEntries(
      child.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]),
    );
    assert.equal(childTags["mlflow.parentRunId"], parentId);
    assert.equal(childTags["mlflow.source.type"], "LOCAL");
    assert.equal(childTags["mlflow.user"], child.info.user_id);
    assert.match(childTags["mlflow.source.name"], /client_fluent_test\.ts$/);

    // get-history with the recorded query string: every point, in step order, exact values.
    const history = await readJson(server, historyPath(parentId, "loss"));
    assert.deepEqual(
      history.metrics.map((m: { step: number; value: number }) => [m.step, m.value]),
      [
        [0, 1],
        [1, 0.5],
        [2, 1 / 3],
        [3, 0.25],
        [4, 0.2],
      ],
    );
    assert.deepEqual(Object.keys(history.metrics[0]), ["key", "value", "timestamp", "step"]);

    // The recorded search: filter and order by a metric, a param's string value.
    const found = await fetch(`${server.url}/api/2.0/mlflow/runs/search`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({
        experiment_ids: [experimentId],
        run_view_type: "ACTIVE_ONLY",
        filter: "metrics.acc > 0.6 and params.lr = '0.01'",
        max_results: 10000,
        order_by: ["metrics.acc DESC"],
      }),
    }).then((r) => r.json());
    assert.deepEqual(found.runs.map((r: { info: { run_id: string } }) => r.info.run_id), [
      parentId,
    ]);
    const parent = found.runs[0];
    assert.equal(parent.info.status, "FINISHED");
    assert.ok(parent.info.end_time >= parent.info.start_time);
    assert.deepEqual(
      Object.fromEntries(
        parent.data.metrics.map((
          m: { key: string; value: number; step: number },
        ) => [m.key, [m.value, m.step]]),
      ),
      { loss: [0.2, 4], acc: [0.9, 4], f1: [0.8, 4] },
    );
    assert.deepEqual(parent.data.params, [
      { key: "batch", value: "32" },
      { key: "lr", value: "0.01" },
      { key: "optimizer", value: "adam" },
    ]);
    const parentTags = Object.fromEntries(
      parent.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]),
    );
    assert.equal(parentTags["mlflow.runName"], "parent");
    assert.equal(parentTags.team, "peers");
    assert.equal(parentTags.stage, "smoke");
    assert.equal(parentTags["mlflow.parentRunId"], undefined);

    // The proxy listing the client walks to download a run: paths relative, sizes on files.
    const root = `${experimentId}/${parentId}/artifacts`;
    const listing = await readJson(
      server,
      `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(root)}`,
    );
    assert.deepEqual(listing.files, [
      { path: "config.json", is_dir: false, file_size: 8 },
      { path: "hello.txt", is_dir: false, file_size: 15 },
      { path: "notes", is_dir: true },
    ]);
    const deep = await readJson(
      server,
      `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${root}/notes/deep`)}`,
    );
    assert.deepEqual(deep.files, [{ path: "b.md", is_dir: false, file_size: 2 }]);
    const download = await read(server, `/api/2.0/mlflow-artifacts/artifacts/${root}/hello.txt`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "text/plain");
    assert.equal(await download.text(), "hello artifact\n");

    // The client's own search finds the child through its parent tag.
    const session = new Tracking({
      trackingUri: server.url,
      username: LIVE_USER,
      password: LIVE_PASSWORD,
    });
    const children = await session.searchRuns({
      experimentIds: [experimentId],
      filterString: `tags.mlflow.parentRunId = '${parentId}'`,
    });
    assert.deepEqual(children.map((r) => r.info.run_id), [childId]);
    const byName = await session.searchRuns({
      experimentNames: ["ts-smoke", "no-such"],
      orderBy: ["attributes.run_name ASC"],
    });
    assert.deepEqual(byName.map((r) => r.info.run_name), ["child", "parent"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fluent client: without credentials the server's 401 surfaces as an MlflowRestError", async () => {
  await using server = await startLiveServer({ auth: true });
  const session = new Tracking({ trackingUri: server.url, retry: FAST_RETRY });
  const err = await session.setExperiment("nope").then(() => null, (e) => e);
  assert.ok(err instanceof MlflowRestError);
  assert.equal(err.status, 401);
  assert.equal(err.errorCode, "UNAUTHENTICATED");
  const bearerless = new Tracking({
    trackingUri: server.url,
    token: "not-a-token",
    retry: FAST_RETRY,
  });
  assert.equal((await bearerless.setExperiment("nope").catch((e) => e)).status, 401);
});

Deno.test("fluent client: a second top-level run is refused; the first log call starts a run", async () => {
  await using server = await startLiveServer();
  const session = new Tracking({ trackingUri: server.url });
  await session.logParam("auto", "started"); // no active run: one is started in experiment 0
  const run = session.activeRun()!;
  assert.equal(run.info.experiment_id, "0");
  await assert.rejects(session.startRun(), /is already active/);
  {
    await using nested = await session.startRun({ nested: true, tags: { owner: "me" } });
    assert.equal(session.activeRun(), nested);
  } // disposing ends the nested run
  assert.equal(session.activeRun(), run);
  await session.endRun("KILLED");
  const info = (await session.client.getRun(run.runId)).info;
  assert.equal(info.status, "KILLED");
  // Resuming a run sets it RUNNING again.
  const resumed = await session.startRun({ runId: run.runId });
  assert.equal(resumed.info.status, "RUNNING");
  await session.endRun();
  await assert.rejects(
    session.setExperiment("x").then(() => session.client.getExperiment("404404")),
    MlflowRestError,
  );
});

Deno.test("fluent client: buffered metrics go out by size while logging and the rest on endRun", async () => {
  await using server = await startLiveServer();
  const session = new Tracking({ trackingUri: server.url, flushIntervalMs: 3_600_000 });
  const run = await session.startRun();
  const batches = () => server.requests.filter((r) => r.endsWith("/runs/log-batch")).length;
  const history = async () => (await session.client.getMetricHistory(run.runId, "loss")).length;
  for (let step = 0; step < 999; step++) await session.logMetric("loss", step, { step });
  assert.equal(await history(), 0, "999 points wait for the 1000th, the timer or endRun");
  assert.equal(session.pendingMetrics, 999);
  await session.logMetric("loss", 999, { step: 999 }); // the 1000th: one full log-batch goes out
  for (let i = 0; i < 200 && session.pendingMetrics > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(await history(), 1000);
  assert.equal(batches(), 1);
  for (let step = 1000; step < 1500; step++) await session.logMetric("loss", step, { step });
  assert.equal(await history(), 1000);
  assert.equal(session.pendingMetrics, 500);
  await session.endRun();
  assert.equal(session.pendingMetrics, 0);
  const after = await session.client.getMetricHistory(run.runId, "loss");
  assert.deepEqual(after.map((m) => m.step), Array.from({ length: 1500 }, (_, i) => i));
  assert.equal(batches(), 2, "1000 by size, 500 on endRun");
  // endRun sent the last batch before it marked the run finished.
  assert.ok(
    server.requests.lastIndexOf("POST /api/2.0/mlflow/runs/log-batch") <
      server.requests.lastIndexOf("POST /api/2.0/mlflow/runs/update"),
  );
});

Deno.test("fluent client: buffered metrics go out after flushIntervalMs without endRun", async () => {
  await using server = await startLiveServer();
  const session = new Tracking({ trackingUri: server.url, flushIntervalMs: 30 });
  const run = await session.startRun();
  await session.logMetrics({ a: 1, b: Number.NaN, c: -Infinity }, { step: 3 });
  let got: mlflow.Metric[] = [];
  for (let i = 0; i < 100 && got.length < 1; i++) {
    await new Promise((r) => setTimeout(r, 20));
    got = await session.client.getMetricHistory(run.runId, "b");
  }
  assert.deepEqual(got.map((m) => [m.value, m.step]), [["NaN", 3]]);
  // ±Inf comes back as ±DBL_MAX, as from MLflow's SQL store (mlflow-rest.md, log-metric).
  const c = await session.client.getMetricHistory(run.runId, "c");
  assert.deepEqual(c.map((m) => m.value), [-1.7976931348623157e308]);
  await session.endRun();
});

/** A fetch that answers `status` itself to requests `fail` picks, and forwards the rest. */
function faulty(
  fail: (req: Request) => "reject" | "after" | null,
  status: number,
  headers: Record<string, string> = {},
): { fetch: (req: Request) => Promise<Response>; failed: string[] } {
  const failed: string[] = [];
  return {
    failed,
    fetch: async (req) => {
      const how = fail(req);
      if (how === null) return await fetch(req);
      failed.push(`${req.method} ${new URL(req.url).pathname}`);
      // "after": the server did the work but the answer was lost to a gateway error.
      if (how === "after") await (await fetch(req)).body?.cancel();
      return new Response("upstream unavailable", { status, headers });
    },
  };
}

Deno.test("fluent client: a 503 before and after the server wrote is retried; nothing lost or doubled", async () => {
  await using server = await startLiveServer();
  let n = 0;
  const f = faulty(
    (req) => {
      if (!req.url.endsWith("/runs/log-batch")) return null;
      n++;
      return n === 1 ? "reject" : n === 2 ? "after" : null;
    },
    503,
    { "retry-after": "0" },
  );
  const session = new Tracking({ trackingUri: server.url, retry: FAST_RETRY, fetch: f.fetch });
  const run = await session.startRun();
  for (let step = 0; step < 10; step++) {
    await session.logMetric("m", step * 2, { step, timestamp: 1000 + step });
  }
  await session.endRun();
  assert.equal(f.failed.length, 2);
  const history = await session.client.getMetricHistory(run.runId, "m");
  assert.deepEqual(history.map((m) => m.value), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  const batches = server.requests.filter((r) => r.endsWith("/runs/log-batch")).length;
  assert.equal(
    batches,
    2,
    "the rejected attempt never reached the server; the lost answer's did, then the retry",
  );
});

Deno.test("fluent client: 429 on run creation and update is retried", async () => {
  await using server = await startLiveServer();
  let create = 0, update = 0;
  const f = faulty((req) => {
    if (req.url.endsWith("/runs/create")) return ++create <= 2 ? "reject" : null;
    if (req.url.endsWith("/runs/update")) return ++update === 1 ? "reject" : null;
    return null;
  }, 429);
  const session = new Tracking({ trackingUri: server.url, retry: FAST_RETRY, fetch: f.fetch });
  const run = await session.startRun({ runName: "throttled" });
  await session.endRun();
  assert.equal(f.failed.length, 3);
  assert.equal((await session.client.getRun(run.runId)).info.status, "FINISHED");
});

Deno.test("fluent client: a server down past the retries keeps the points for the next flush", async () => {
  await using server = await startLiveServer();
  let down = true;
  const f = faulty((req) => down && req.url.endsWith("/runs/log-batch") ? "reject" : null, 502);
  const session = new Tracking({
    trackingUri: server.url,
    retry: { ...FAST_RETRY, maxRetries: 2 },
    fetch: f.fetch,
    flushIntervalMs: 3_600_000,
  });
  const run = await session.startRun();
  for (let step = 0; step < 5; step++) await session.logMetric("m", step, { step });
  const err = await session.flush().then(() => null, (e) => e);
  assert.ok(err instanceof MlflowRestError);
  assert.equal(err.status, 502);
  assert.equal(f.failed.length, 3, "the first attempt and two retries");
  assert.equal(session.pendingMetrics, 5);
  down = false;
  await session.endRun();
  assert.equal(session.pendingMetrics, 0);
  assert.deepEqual((await session.client.getMetricHistory(run.runId, "m")).map((m) => m.step), [
    0,
    1,
    2,
    3,
    4,
  ]);
});

Deno.test("fluent client: a batch the server refuses is reported by endRun, not retried", async () => {
  await using server = await startLiveServer();
  const session = new Tracking({ trackingUri: server.url, retry: FAST_RETRY });
  const run = await session.startRun();
  await session.logMetric("ok", 1);
  await session.logMetric("../escape", 1);
  const err = await session.endRun().then(() => null, (e) => e);
  assert.ok(err instanceof MlflowRestError, String(err));
  assert.equal(err.status, 400);
  assert.equal(err.errorCode, "INVALID_PARAMETER_VALUE");
  assert.equal(server.requests.filter((r) => r.endsWith("/runs/log-batch")).length, 1);
  assert.equal(session.pendingMetrics, 0);
  // The run was still ended, and a later flush has nothing left to report.
  assert.equal((await session.client.getRun(run.runId)).info.status, "FINISHED");
  assert.equal(session.activeRun(), undefined);
  await session.flush();
});
