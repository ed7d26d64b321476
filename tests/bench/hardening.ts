/**
 * The `hardening` section of `deno task bench`: every hostile or unlucky request of issue 10,
 * replayed against a real server on a KV file, each while a prober calls `/health` back to back.
 * A row's figure is the slowest `/health` answer during that request (target: under 100 ms); its
 * note is the status the request got and how long it took. A request that gets a 5xx, a status
 * other than the expected ones, or no answer within its deadline stops the bench (exit 1).
 *
 * The server is started here, not shared with the throughput sections: a repro that bloats memory
 * must not skew them, and the peak RSS it reports is this server's alone.
 *
 * @module
 */
import { type RunningServer, startServer } from "../server_helpers.ts";
import { API, BenchError, type Result } from "./common.ts";

/** Sizes of the hardening section. */
export interface HardeningSizes {
  /** Points in the metric read back whole by `get-history` without `max_results`. */
  historyPoints: number;
}

export const FULL_HARDENING: HardeningSizes = { historyPoints: 8_500_000 };
export const QUICK_HARDENING: HardeningSizes = { historyPoints: 500_000 };

/** A request to replay, and the statuses it may get. */
interface Repro {
  name: string;
  expect: number[];
  /** Sends the request(s); returns the status of the last one. */
  send(base: string): Promise<number>;
}

const json = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

async function call(url: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, text: await res.text() };
}

async function ok(url: string, init?: RequestInit): Promise<string> {
  const { status, text } = await call(url, init);
  if (status !== 200) throw new BenchError(`setup ${url} → ${status}: ${text.slice(0, 300)}`);
  return text;
}

/**
 * POSTs `body` over a raw socket, as curl does: headers with its length, then the bytes, while the
 * reply is read. A server may answer (413) and close before the body is sent, which `fetch`
 * reports as a failed request rather than the status; here the status line is what counts.
 */
async function rawPost(base: string, path: string, body: Uint8Array): Promise<number> {
  const url = new URL(base);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  try {
    const head = `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const writing = (async () => {
      try {
        await conn.write(new TextEncoder().encode(head));
        for (let at = 0; at < body.length; at += 1 << 20) {
          await conn.write(body.subarray(at, at + (1 << 20)));
        }
      } catch {
        // The server answered and closed first.
      }
    })();
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    await Promise.race([writing, new Promise((r) => setTimeout(r, 100))]);
    const line = new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\r\n")[0];
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(line)?.[1] ?? 0);
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** `/health` called back to back; `stop()` returns the slowest answer in ms. */
function probeHealth(base: string): { stop(): Promise<number> } {
  let running = true;
  let worst = 0;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
      } catch {
        // No answer within 10 s (or the server died): the elapsed time still counts.
      }
      worst = Math.max(worst, performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return worst;
    },
  };
}

/** Peak resident memory of the server process so far (VmHWM), in MB. */
async function peakRssMb(server: RunningServer): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${server.process.pid}/status`);
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Builds the fixtures the repros point at and returns the repros. */
async function setUp(base: string, sizes: HardeningSizes): Promise<Repro[]> {
  const api = `${base}${API}`;
  const createExp = async (name: string) =>
    JSON.parse(await ok(`${api}/experiments/create`, json({ name }))).experiment_id as string;
  const createRun = async (experiment_id: string) =>
    JSON.parse(await ok(`${api}/runs/create`, json({ experiment_id, start_time: Date.now() })))
      .run.info.run_id as string;
  const exp = await createExp(`hardening-${crypto.randomUUID()}`);
  const run = await createRun(exp);
  await createExp("a".repeat(100));
  const metricsAt = (key: string, steps: number[]) =>
    steps.map((step) => ({ key, value: step / 7, timestamp: 1_700_000_000_000 + step, step }));

  // A big history for the whole-history read, packed in log-batch calls of 1000 points.
  const bigRun = await createRun(exp);
  for (let at = 0; at < sizes.historyPoints; at += 1000) {
    const steps = Array.from(
      { length: Math.min(1000, sizes.historyPoints - at) },
      (_, i) => at + i,
    );
    await ok(`${api}/runs/log-batch`, json({ run_id: bigRun, metrics: metricsAt("big", steps) }));
  }
  const manyExps: string[] = [];
  for (let i = 0; i < 50; i++) manyExps.push(await createExp(`hardening-many-${i}-${Date.now()}`));

  const long = "k".repeat(3000);
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const status = async (url: string, init?: RequestInit) => (await call(url, init)).status;
  const deepBody = "[".repeat(2900) + "]".repeat(2900);
  // Built before the clock starts: encoding 32 MB would stall this process's own prober.
  const heavyBody = new TextEncoder().encode(
    `{"x":[${"{},".repeat(32 * 1024 * 1024 / 3 - 10)}{}]}`,
  );

  return [
    {
      name: "1. log-metric below the first packed chunk",
      expect: [200],
      async send() {
        const r = await createRun(exp);
        for (const from of [100, 250]) {
          const steps = Array.from({ length: 150 }, (_, i) => from + i);
          await ok(`${api}/runs/log-batch`, json({ run_id: r, metrics: metricsAt("m", steps) }));
        }
        const [p] = metricsAt("m", [5]);
        return await status(`${api}/runs/log-metric`, json({ run_id: r, ...p }));
      },
    },
    {
      name: "2. LIKE '%a%a%a%a%a%a%b' over a 100-char name",
      expect: [200],
      send: () =>
        status(`${api}/experiments/search`, json({ filter: "name LIKE '%a%a%a%a%a%a%b'" })),
    },
    {
      name: "2. LIKE '_%' × 40",
      expect: [200],
      send: () =>
        status(`${api}/experiments/search`, json({ filter: `name LIKE '${"_%".repeat(40)}b'` })),
    },
    {
      name: "2. UI GET /?filter= with the same LIKE",
      expect: [200, 400],
      send: () => status(`${base}/?${q({ filter: "name LIKE '%a%a%a%a%a%a%a%a%b'" })}`),
    },
    {
      name: "3. 10 × 32 MB element-heavy bodies in parallel",
      expect: [400, 413],
      async send() {
        const all = await Promise.all(
          Array.from({ length: 10 }, () => rawPost(base, `${API}/experiments/search`, heavyBody)),
        );
        return all.find((s) => s !== all[0]) ?? all[0];
      },
    },
    {
      name: "4. JSON nested 2,900 deep",
      expect: [400],
      send: () => status(`${api}/experiments/search`, json(`{"x":${deepBody}}`)),
    },
    {
      name: "5. runs/delete-tag with a 3,000-char key",
      expect: [400],
      send: () => status(`${api}/runs/delete-tag`, json({ run_id: run, key: long })),
    },
    {
      name: "5. delete-experiment-tag with a 3,000-char key",
      expect: [400],
      send: () =>
        status(
          `${api}/experiments/delete-experiment-tag`,
          json({ experiment_id: exp, key: long }),
        ),
    },
    {
      name: "5. get-history with a 3,000-char metric_key",
      expect: [400],
      send: () => status(`${api}/metrics/get-history?${q({ run_id: run, metric_key: long })}`),
    },
    {
      name: "5. runs/search filter on a 3,000-char backquoted key",
      expect: [400],
      send: () =>
        status(
          `${api}/runs/search`,
          json({ experiment_ids: [exp], filter: `params.\`${long}\` = 'x'` }),
        ),
    },
    {
      name: "5. runs/search order_by a 3,000-char backquoted key",
      expect: [400],
      send: () =>
        status(
          `${api}/runs/search`,
          json({ experiment_ids: [exp], order_by: [`metrics.\`${long}\``] }),
        ),
    },
    {
      name: "5. model-versions/search with a 3,000-char run_id",
      expect: [400],
      send: () => status(`${api}/model-versions/search?${q({ filter: `run_id = '${long}'` })}`),
    },
    {
      name: "5. UI /?filter= on a 3,000-char tag key",
      expect: [200, 400],
      send: () => status(`${base}/?${q({ filter: `tags.\`${long}\` = 'x'` })}`),
    },
    {
      name: "5. runs/create with a 100,000-char run_name (truncated to 8,000 as the tag)",
      expect: [200, 400],
      send: () =>
        status(
          `${api}/runs/create`,
          json({ experiment_id: exp, run_name: "n".repeat(100_000), user_id: "u" }),
        ),
    },
    {
      name: "5. runs/update with a 100,000-char run_name",
      expect: [200, 400],
      send: () =>
        status(`${api}/runs/update`, json({ run_id: run, run_name: "n".repeat(100_000) })),
    },
    {
      name: "5. log-inputs with a 1 MB model_id",
      expect: [400],
      send: () =>
        status(
          `${api}/runs/log-inputs`,
          json({ run_id: run, models: [{ model_id: "m".repeat(1_000_000) }] }),
        ),
    },
    {
      name: "5. log-inputs with a dataset name of 500 × U+1F600",
      expect: [200, 400],
      send: () =>
        status(
          `${api}/runs/log-inputs`,
          json({
            run_id: run,
            datasets: [{
              dataset: {
                name: "\u{1F600}".repeat(500),
                digest: "d",
                source_type: "local",
                source: "s",
              },
            }],
          }),
        ),
    },
    {
      name: `6. get-history of ${sizes.historyPoints.toLocaleString("en")} points, no max_results`,
      expect: [200, 400],
      async send() {
        const res = await fetch(
          `${api}/metrics/get-history?${q({ run_id: bigRun, metric_key: "big" })}`,
          { signal: AbortSignal.timeout(120_000) },
        );
        // Read the body to the end without holding it: a streamed reply must finish too.
        let bytes = 0;
        for await (const chunk of res.body!) bytes += chunk.byteLength;
        if (res.status === 200 && bytes < sizes.historyPoints * 20) {
          throw new BenchError(`get-history returned only ${bytes} bytes`);
        }
        return res.status;
      },
    },
    {
      name: "8. runs/search, 50 experiments, IN list of 10,000, 4 in parallel",
      expect: [400],
      async send() {
        const ids = Array.from(
          { length: 10_000 },
          (_, i) => `'${i.toString(16).padStart(32, "0")}'`,
        );
        const body = { experiment_ids: manyExps, filter: `run_id IN (${ids.join(",")})` };
        const all = await Promise.all(
          Array.from({ length: 4 }, () => status(`${api}/runs/search`, json(body))),
        );
        return all.find((s) => s !== all[0]) ?? all[0];
      },
    },
    {
      name: "9. artifact PUT with a 300-byte path segment",
      expect: [400],
      send: () =>
        status(`${base}/api/2.0/mlflow-artifacts/artifacts/${exp}/${"s".repeat(300)}`, {
          method: "PUT",
          body: "x",
        }),
    },
    {
      name: "9. artifact PUT with a 4,000-char path",
      expect: [400],
      send: () =>
        status(
          `${base}/api/2.0/mlflow-artifacts/artifacts/${exp}/${
            Array.from({ length: 40 }, () => "d".repeat(99)).join("/")
          }/f`,
          { method: "PUT", body: "x" },
        ),
    },
    {
      name: "10. %0A in a URL path",
      expect: [404],
      send: () => status(`${base}/api/2.0/mlflow/x%0Akvflow%20listening%20on%20forged`),
    },
    {
      name: "11. runs/restore of a run whose experiment is deleted",
      expect: [400],
      async send() {
        const e = await createExp(`hardening-deleted-${crypto.randomUUID()}`);
        const r = await createRun(e);
        await ok(`${api}/experiments/delete`, json({ experiment_id: e }));
        return await status(`${api}/runs/restore`, json({ run_id: r }));
      },
    },
    {
      name: "11. delete the Default experiment 0",
      expect: [400],
      send: () => status(`${api}/experiments/delete`, json({ experiment_id: "0" })),
    },
  ];
}

/** Replays every repro; see the module doc. */
export async function benchHardening(
  _shared: RunningServer,
  sizes: { hardening: HardeningSizes },
): Promise<Result[]> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-bench-hardening-" });
  const server = await startServer({
    kvPath: `${dir}/mlruns.kv`,
    args: ["--artifacts-destination", `${dir}/artifacts`],
  });
  const results: Result[] = [];
  const failures: string[] = [];
  try {
    const repros = await setUp(server.url, sizes.hardening);
    for (const repro of repros) {
      const probe = probeHealth(server.url);
      const t = performance.now();
      let status: number;
      try {
        status = await repro.send(server.url);
      } catch (err) {
        if (err instanceof BenchError) throw err;
        status = 0; // no answer: the server hung up or died
      } finally {
        await probe.stop().then((worst) => {
          results.push({
            bench: "hardening",
            label: repro.name,
            value: worst,
            unit: "ms",
            goal: "max",
            target: 100,
            note: "",
          });
        });
      }
      const took = performance.now() - t;
      const row = results[results.length - 1];
      row.note = `${status} in ${took.toFixed(0)} ms`;
      console.log(`  ${repro.name}: ${row.note}, slowest /health ${row.value.toFixed(0)} ms`);
      if (!repro.expect.includes(status)) {
        failures.push(`${repro.name}: got ${status}, expected ${repro.expect.join("/")}`);
      }
    }
    if (/\nkvflow listening on forged/.test(server.output())) {
      failures.push("a %0A in a URL path forged a line in the server log");
    }
    if (failures.length > 0) throw new BenchError(`hardening:\n  ${failures.join("\n  ")}`);
    results.push({
      bench: "hardening",
      label: "server peak RSS over the whole section",
      value: await peakRssMb(server),
      unit: "MB",
      goal: "max",
    });
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}
