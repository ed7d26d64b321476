/**
 * Many concurrent writers against a real kvflow server on KV Connect (denokv's limits: 10 checks
 * per atomic write). Merged commits must stay within them, so no writer ever sees an error.
 */
import assert from "node:assert/strict";
import { skipKvConnect, startKvConnect } from "./helpers/kvconnect.ts";
import { startServer } from "./server_helpers.ts";

const API = "/api/2.0/mlflow";

async function post(base: string, path: string, body: unknown): Promise<Response> {
  return await fetch(`${base}${API}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** One client's training run: five writes, as the reproduction does. */
async function client(base: string, expId: string, i: number, failures: string[]) {
  const call = async (path: string, body: unknown) => {
    const res = await post(base, path, body);
    const text = await res.text();
    if (!res.ok) failures.push(`${path} ${res.status} ${text.slice(0, 200)}`);
    return res.ok ? JSON.parse(text) : undefined;
  };
  const created = await call("runs/create", {
    experiment_id: expId,
    run_name: `w${i}`,
    start_time: 1_000 + i,
    tags: [{ key: "client", value: String(i) }],
  });
  const runId: string | undefined = created?.run?.info?.run_id;
  if (runId === undefined) return undefined;
  await call("runs/log-batch", {
    run_id: runId,
    metrics: [0, 1, 2].map((step) => ({ key: "loss", value: i + step, timestamp: 5, step })),
    params: [{ key: "lr", value: String(i) }],
    tags: [{ key: "phase", value: "train" }],
  });
  await call("runs/set-tag", { run_id: runId, key: "note", value: `n${i}` });
  await call("runs/log-metric", { run_id: runId, key: "acc", value: i, timestamp: 6, step: 0 });
  await call("runs/update", { run_id: runId, status: "FINISHED", end_time: 9_000 });
  return runId;
}

async function concurrentWriters(clients: number) {
  const kvc = await startKvConnect();
  try {
    await using server = await startServer({ kvPath: kvc.url, env: kvc.env });
    const exp = await (await post(server.url, "experiments/create", { name: "many" })).json();
    const failures: string[] = [];
    const ids = await Promise.all(
      Array.from({ length: clients }, (_, i) => client(server.url, exp.experiment_id, i, failures)),
    );
    assert.deepEqual(failures, [], `${failures.length} of ${clients * 5} requests failed`);
    for (const [i, runId] of ids.entries()) {
      const got = await (await fetch(`${server.url}${API}/runs/get?run_id=${runId}`)).json();
      const { info, data } = got.run;
      assert.equal(info.status, "FINISHED");
      const tags = Object.fromEntries(data.tags.map((t: { key: string; value: string }) => [
        t.key,
        t.value,
      ]));
      assert.equal(tags.client, String(i));
      assert.equal(tags.phase, "train");
      assert.equal(tags.note, `n${i}`);
      assert.deepEqual(data.params, [{ key: "lr", value: String(i) }]);
      const metrics = Object.fromEntries(
        data.metrics.map((m: { key: string; value: number }) => [m.key, m.value]),
      );
      assert.deepEqual(metrics, { loss: i + 2, acc: i });
      const hist = await (await fetch(
        `${server.url}${API}/metrics/get-history?run_id=${runId}&metric_key=loss`,
      )).json();
      assert.equal(hist.metrics.length, 3);
    }
    const found = await (await post(server.url, "runs/search", {
      experiment_ids: [exp.experiment_id],
      max_results: 1000,
    })).json();
    assert.equal(found.runs.length, clients);
  } finally {
    await kvc.stop();
  }
}

Deno.test({
  name:
    "KV Connect: 32 concurrent writers (create, log-batch, set-tag, log-metric, update) get no error",
  ignore: skipKvConnect,
}, () => concurrentWriters(32));

Deno.test({
  name: "KV Connect: 12 concurrent writers, the issue's reproduction, get no error",
  ignore: skipKvConnect,
}, () => concurrentWriters(12));
