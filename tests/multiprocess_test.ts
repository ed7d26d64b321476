// Several kvflow processes sharing one database, as when a server is scaled out (or on Deno
// Deploy, where isolates share one database). Correctness must come from KV's atomic checks,
// never from in-process state, so these tests only pass if the store gets that right. Each test
// runs on a shared KV file and on a shared KV Connect server (remote KV, denokv's limits).
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  openSharedDatabase,
  SHARED_DATABASE_KINDS,
  type SharedDatabaseKind,
} from "./helpers/shared_database.ts";
import { getJson, postJson, type RunningServer, startServer } from "./server_helpers.ts";

const API = "/api/2.0/mlflow";

/**
 * Most requests in flight at once over KV Connect: above 10 concurrent writers a merged commit can
 * exceed denokv's 10 checks (issue 12 §1), which these tests are not about.
 */
const KVCONNECT_CONCURRENCY = 8;

/** Starts `n` servers on one fresh database of `kind`; `fn` runs with all of them up. */
async function withServers(
  kind: SharedDatabaseKind,
  n: number,
  fn: (servers: RunningServer[]) => Promise<void>,
) {
  const db = await openSharedDatabase(kind);
  const servers: RunningServer[] = [];
  try {
    const start = () => startServer({ kvPath: db.kvPath, env: db.env });
    // The first server creates the database and experiment 0; starting the rest afterwards keeps
    // startup itself out of the race being tested.
    servers.push(await start());
    servers.push(...await Promise.all(Array.from({ length: n - 1 }, start)));
    await fn(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.close();
  }
}

for (const { kind, ignore } of SHARED_DATABASE_KINDS) {
  const remote = kind === "kvconnect";
  Deno.test({
    name: `[${kind}] concurrent experiments/create across processes keeps names unique`,
    ignore,
  }, async () => {
    await withServers(kind, 2, async (servers) => {
      const prefix = `mp-${crypto.randomUUID().slice(0, 8)}-`;
      const names = Array.from({ length: remote ? 5 : 25 }, (_, i) => `${prefix}${i}`);
      const attemptsPerServer = 4;
      // 8 racers per name (2 servers × 4); over KV Connect one name races at a time.
      const namesAtOnce = remote ? KVCONNECT_CONCURRENCY / 8 : names.length;

      const results: { name: string; status: number; body: Record<string, unknown> }[] = [];
      for (let i = 0; i < names.length; i += namesAtOnce) {
        results.push(
          ...await Promise.all(
            names.slice(i, i + namesAtOnce).flatMap((name) =>
              servers.flatMap((s) =>
                Array.from(
                  { length: attemptsPerServer },
                  async () => ({
                    name,
                    ...await postJson(s.url, `${API}/experiments/create`, { name }),
                  }),
                )
              )
            ),
          ),
        );
      }

      const idsByName = new Map<string, string>();
      for (const name of names) {
        const mine = results.filter((r) => r.name === name);
        const ok = mine.filter((r) => r.status === 200);
        strictEqual(
          ok.length,
          1,
          `exactly one create of "${name}" succeeds: ${JSON.stringify(mine)}`,
        );
        idsByName.set(name, ok[0].body.experiment_id as string);
        for (const r of mine.filter((r) => r.status !== 200)) {
          deepStrictEqual(
            { status: r.status, code: r.body.error_code },
            { status: 400, code: "RESOURCE_ALREADY_EXISTS" },
            JSON.stringify(r.body),
          );
        }
      }
      strictEqual(
        new Set(idsByName.values()).size,
        names.length,
        "every experiment got its own id",
      );

      for (const s of servers) {
        const res = await postJson(s.url, `${API}/experiments/search`, {
          filter: `name LIKE '${prefix}%'`,
          max_results: 1000,
        });
        strictEqual(res.status, 200, JSON.stringify(res.body));
        const found = (res.body.experiments as { name: string; experiment_id: string }[])
          .map((e) => [e.name, e.experiment_id] as const)
          .sort(([a], [b]) => a.localeCompare(b));
        deepStrictEqual(found, [...idsByName].sort(([a], [b]) => a.localeCompare(b)));
      }
    });
  });

  Deno.test({
    name: `[${kind}] concurrent logging from two processes loses no metric, param or tag`,
    ignore,
  }, async () => {
    const CLIENTS_PER_SERVER = remote ? KVCONNECT_CONCURRENCY / 2 : 8;
    const REQUESTS_PER_CLIENT = remote ? 15 : 100;
    // Five request kinds in rotation, so each kind is sent REQUESTS_PER_CLIENT / 5 times per client.
    const PER_KIND = REQUESTS_PER_CLIENT / 5;

    await withServers(kind, 2, async (servers) => {
      const [a] = servers;
      const exp = await postJson(a.url, `${API}/experiments/create`, {
        name: `mp-log-${crypto.randomUUID()}`,
      });
      strictEqual(exp.status, 200, JSON.stringify(exp.body));
      const createRun = async () => {
        const res = await postJson(a.url, `${API}/runs/create`, {
          experiment_id: exp.body.experiment_id,
          start_time: Date.now(),
        });
        strictEqual(res.status, 200, JSON.stringify(res.body));
        return (res.body.run as { info: { run_id: string } }).info.run_id;
      };
      const shared = await createRun();
      const clients = await Promise.all(
        servers.flatMap((server, p) =>
          Array.from({ length: CLIENTS_PER_SERVER }, async (_, c) => ({
            server,
            tag: `${p}_${c}`,
            // Distinct per client, so shared-run points never coincide (identical points dedupe).
            base: (p * CLIENTS_PER_SERVER + c) * REQUESTS_PER_CLIENT,
            own: await createRun(),
          }))
        ),
      );

      const failures: string[] = [];
      await Promise.all(clients.map(async ({ server, tag, base, own }) => {
        for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
          const step = base + i;
          const ts = 1_700_000_000_000 + step;
          const [path, body] = [
            [`runs/log-metric`, {
              run_id: shared,
              key: "shared",
              value: step,
              timestamp: ts,
              step,
            }],
            [`runs/log-metric`, { run_id: own, key: "own", value: step, timestamp: ts, step }],
            [`runs/log-parameter`, { run_id: shared, key: `p_${tag}_${i}`, value: String(step) }],
            [`runs/set-tag`, { run_id: shared, key: `t_${tag}_${i}`, value: String(step) }],
            [`runs/log-batch`, {
              run_id: own,
              metrics: [
                { key: "batch_a", value: step, timestamp: ts, step },
                { key: "batch_b", value: -step, timestamp: ts, step },
              ],
              params: [{ key: `bp_${i}`, value: String(step) }],
              tags: [{ key: `bt_${i}`, value: String(step) }],
            }],
          ][i % 5] as [string, unknown];
          const res = await postJson(server.url, `${API}/${path}`, body);
          if (res.status !== 200) {
            failures.push(`${path} ${res.status} ${JSON.stringify(res.body)}`);
          }
        }
      }));
      deepStrictEqual(failures, [], "every logging request succeeds");

      const history = async (runId: string, key: string) => {
        const res = await getJson(servers[1].url, `${API}/metrics/get-history`, {
          run_id: runId,
          metric_key: key,
        });
        strictEqual(res.status, 200, JSON.stringify(res.body));
        strictEqual(res.body.next_page_token, undefined, "no max_results means one page");
        return (res.body.metrics as { step: number }[]).map((m) => m.step).sort((x, y) => x - y);
      };
      const runData = async (runId: string) => {
        const res = await getJson(servers[1].url, `${API}/runs/get`, { run_id: runId });
        strictEqual(res.status, 200, JSON.stringify(res.body));
        const data =
          (res.body.run as { data: Record<string, { key: string; value: string }[]> }).data;
        const keys = (kind: string) => (data[kind] ?? []).map((x) => x.key);
        return { params: keys("params"), tags: keys("tags") };
      };
      const stepsOf = (base: number, kind: number) =>
        Array.from({ length: PER_KIND }, (_, j) => base + j * 5 + kind);

      const sharedData = await runData(shared);
      deepStrictEqual(
        await history(shared, "shared"),
        clients.flatMap(({ base }) => stepsOf(base, 0)).sort((x, y) => x - y),
      );
      for (const { tag } of clients) {
        for (const j of stepsOf(0, 2)) {
          strictEqual(sharedData.params.includes(`p_${tag}_${j}`), true);
        }
        for (const j of stepsOf(0, 3)) strictEqual(sharedData.tags.includes(`t_${tag}_${j}`), true);
      }
      strictEqual(sharedData.params.length, clients.length * PER_KIND);

      for (const { base, own } of clients) {
        deepStrictEqual(await history(own, "own"), stepsOf(base, 1));
        deepStrictEqual(await history(own, "batch_a"), stepsOf(base, 4));
        deepStrictEqual(await history(own, "batch_b"), stepsOf(base, 4));
        const data = await runData(own);
        deepStrictEqual(data.params.sort(), stepsOf(0, 4).map((i) => `bp_${i}`).sort());
        for (const i of stepsOf(0, 4)) strictEqual(data.tags.includes(`bt_${i}`), true);
      }
    });
  });

  Deno.test({
    name:
      `[${kind}] regression: log-metric below the first packed chunk is accepted from two servers (issue 10 #1)`,
    ignore,
  }, async () => {
    await withServers(kind, 2, async ([a, b]) => {
      const exp = await postJson(a.url, `${API}/experiments/create`, {
        name: `mp-chunk-${crypto.randomUUID()}`,
      });
      strictEqual(exp.status, 200, JSON.stringify(exp.body));
      const run = await postJson(a.url, `${API}/runs/create`, {
        experiment_id: exp.body.experiment_id,
        start_time: Date.now(),
      });
      strictEqual(run.status, 200, JSON.stringify(run.body));
      const runId = (run.body.run as { info: { run_id: string } }).info.run_id;
      const point = (step: number) => ({
        key: "m",
        value: step / 10,
        timestamp: 1_700_000_000_000 + step,
        step,
      });
      // Steps 100–399 in two batches of 150 through server A: packed into a chunk.
      for (const from of [100, 250]) {
        const metrics = Array.from({ length: 150 }, (_, i) => point(from + i));
        const res = await postJson(a.url, `${API}/runs/log-batch`, { run_id: runId, metrics });
        strictEqual(res.status, 200, JSON.stringify(res.body));
      }
      // Then both servers at once, each point below everything packed so far (over KV Connect
      // the last 30 only: each such point rewrites the packed chunk, ~80 ms a round there).
      const lowest = remote ? 70 : 0;
      const failures: string[] = [];
      await Promise.all([a, b].map(async (server, p) => {
        for (let step = 99 - p; step >= lowest; step -= 2) {
          const res = await postJson(server.url, `${API}/runs/log-metric`, {
            run_id: runId,
            ...point(step),
          });
          if (res.status !== 200) {
            failures.push(`step ${step}: ${res.status} ${JSON.stringify(res.body)}`);
          }
        }
      }));
      deepStrictEqual(failures, [], "every log-metric succeeds");
      for (const server of [a, b]) {
        const res = await getJson(server.url, `${API}/metrics/get-history`, {
          run_id: runId,
          metric_key: "m",
        });
        strictEqual(res.status, 200, JSON.stringify(res.body));
        deepStrictEqual(
          (res.body.metrics as { step: number }[]).map((m) => m.step),
          Array.from({ length: 400 - lowest }, (_, i) => lowest + i),
        );
      }
    });
  });
}
