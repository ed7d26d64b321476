/**
 * The MLflow client's recorded sessions (tests/helpers/client_flows.ts: 2.17.0 with artifacts,
 * log-model and the registry, then the web UI's reads; 3.1.3 with logged models) replayed over
 * real HTTP against a kvflow server whose `--backend-store-uri` is a KV Connect URL, the remote
 * protocol of Deno Deploy's KV; artifacts go to a local directory. Every request must get what it
 * gets from the recording, and what was written must be read back through a second process.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fullPath, readReply, type Reply, type Req } from "./helpers/auth_world.ts";
import { CLIENT_FLOWS, type FlowCtx, replayFlow } from "./helpers/client_flows.ts";
import { skipKvConnect, startKvConnect } from "./helpers/kvconnect.ts";
import { type RunningServer, startServer } from "./server_helpers.ts";

const UA = { "user-agent": "mlflow-python-client/2.17.0" };

/** Sends a flow step to a running server over HTTP. */
function sender(server: RunningServer) {
  return async (req: Req): Promise<Reply> => {
    const headers: Record<string, string> = { ...UA, ...req.headers };
    let body: BodyInit | undefined;
    if (typeof req.body === "string") body = req.body;
    else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(`${server.url}${fullPath(req.path)}`, {
      method: req.method,
      headers,
      body,
      signal: AbortSignal.timeout(15_000),
    });
    return await readReply(res);
  };
}

Deno.test({
  name: "kvconnect client flows: the MLflow client's 2.17 and 3.1.3 sessions and the UI's reads",
  ignore: skipKvConnect,
}, async () => {
  const kv = await startKvConnect();
  const dir = await Deno.makeTempDir({ prefix: "kvflow-kvconnect-flow-" });
  const servers: RunningServer[] = [];
  try {
    const start = async () => {
      const s = await startServer({
        kvPath: kv.url,
        env: kv.env,
        args: ["--artifacts-destination", dir],
      });
      servers.push(s);
      return s;
    };
    const a = await start();
    const before = await kv.stats();
    const ctxs: FlowCtx[] = [];
    for (const [flowName, steps] of Object.entries(CLIENT_FLOWS)) {
      const ctx: FlowCtx = { user: "alice", suffix: crypto.randomUUID().slice(0, 8) };
      const got = await replayFlow(steps, ctx, sender(a));
      for (const r of got) {
        // The recording: the status MLflow's server gave each call.
        assert.equal(r.reply.status, r.recorded, `${flowName}: ${r.name}: ${r.reply.text}`);
      }
      const download = got.find((r) => r.name === "GET artifact (download)");
      if (download) assert.equal(download.reply.text, "A");
      const modelFile = got.find((r) => r.name === "GET artifact (model file)");
      if (modelFile) assert.ok(modelFile.reply.text.length > 0, "the model's MLmodel is served");
      ctxs.push(ctx);
    }

    const after = await kv.stats();
    assert.ok(
      after.atomic_write - before.atomic_write >= 20,
      "the flows' writes went to KV Connect",
    );

    // A second process on the same KV Connect database sees what the first wrote.
    const b = await start();
    const send = sender(b);
    const [smoke, models] = ctxs;
    const run = await send({ method: "GET", path: `runs/get?run_id=${smoke.run}` });
    assert.equal(run.status, 200, run.text);
    const data = run.json.run.data;
    assert.ok(data.params.length > 0 && data.metrics.length > 0 && data.tags.length > 0);
    const history = await send({
      method: "GET",
      path: `metrics/get-history?run_id=${smoke.run}&metric_key=loss`,
    });
    assert.equal(history.status, 200, history.text);
    assert.ok(history.json.metrics.length > 0);
    const file = await send({
      method: "GET",
      path: `/get-artifact?path=hello.txt&run_uuid=${smoke.run}`,
    });
    assert.equal(file.status, 200, file.text);
    assert.equal(file.text, "hello artifact\n");
    const model = await send({ method: "GET", path: `registered-models/get?name=${smoke.model}` });
    assert.equal(model.status, 200, model.text);
    const lm = await send({ method: "GET", path: `logged-models/${models.lm}` });
    assert.equal(lm.status, 200, lm.text);
    assert.equal(lm.json.model.info.status, "LOGGED_MODEL_READY");
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await kv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
