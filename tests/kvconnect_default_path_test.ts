/**
 * `Deno.openKv()` with no path, as on Deno Deploy, reaching a KV Connect database through
 * `DENO_KV_DEFAULT_PATH` (Deno's own variable; toolchain.md): a kvflow server started with no
 * `--backend-store-uri` stores there, and a second process given the URL reads it back.
 *
 * @module
 */
import assert from "node:assert/strict";
import { skipKvConnect, startKvConnect } from "./helpers/kvconnect.ts";
import { getJson, postJson, type RunningServer, startServer } from "./server_helpers.ts";

const API = "/api/2.0/mlflow";
const ADMIN = { username: "admin", password: "a long admin password" };

/** Starts KV Connect and a server on its URL for reading back; `fn` gets both. */
async function withKvConnect(
  fn: (
    kv: Awaited<ReturnType<typeof startKvConnect>>,
    reader: () => Promise<RunningServer>,
  ) => Promise<void>,
) {
  const kv = await startKvConnect();
  const servers: RunningServer[] = [];
  try {
    await fn(kv, async () => {
      const s = await startServer({ kvPath: kv.url, env: kv.env, args: ["--no-serve-artifacts"] });
      servers.push(s);
      return s;
    });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await kv.stop();
  }
}

Deno.test({
  name:
    "main.ts with no --backend-store-uri and DENO_KV_DEFAULT_PATH=<KV Connect URL> stores there",
  ignore: skipKvConnect,
}, async () => {
  await withKvConnect(async (kv, reader) => {
    const name = `default-path-${crypto.randomUUID()}`;
    {
      await using server = await startServer({
        kvPath: null,
        env: { ...kv.env, DENO_KV_DEFAULT_PATH: kv.url },
        args: ["--no-serve-artifacts"],
      });
      const before = await kv.stats();
      const created = await postJson(server.url, `${API}/experiments/create`, { name });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.ok((await kv.stats()).atomic_write > before.atomic_write, "the write went to KV");
    }
    const found = await getJson((await reader()).url, `${API}/experiments/get-by-name`, {
      experiment_name: name,
    });
    assert.equal(found.status, 200, JSON.stringify(found.body));
  });
});

Deno.test({
  name: "main.ts as on Deno Deploy (DENO_DEPLOYMENT_ID, DENO_KV_DEFAULT_PATH) serves with auth",
  ignore: skipKvConnect,
}, async () => {
  await withKvConnect(async (kv, reader) => {
    const name = `deploy-${crypto.randomUUID()}`;
    {
      await using server = await startServer({
        kvPath: null,
        env: {
          ...kv.env,
          DENO_KV_DEFAULT_PATH: kv.url,
          DENO_DEPLOYMENT_ID: "kvflow-test",
          KVFLOW_ADMIN_USERNAME: ADMIN.username,
          KVFLOW_ADMIN_PASSWORD: ADMIN.password,
        },
        args: ["--no-serve-artifacts"],
      });
      const res = await fetch(`${server.url}${API}/experiments/create`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${btoa(`${ADMIN.username}:${ADMIN.password}`)}`,
        },
        body: JSON.stringify({ name }),
      });
      assert.equal(res.status, 200, await res.text());
      const anonymous = await postJson(server.url, `${API}/experiments/create`, { name: "x" });
      assert.equal(anonymous.status, 401, JSON.stringify(anonymous.body));
    }
    const found = await getJson((await reader()).url, `${API}/experiments/get-by-name`, {
      experiment_name: name,
    });
    assert.equal(found.status, 200, JSON.stringify(found.body));
  });
});
