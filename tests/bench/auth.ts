/**
 * The `auth` section of `deno task bench` (issue 11 §7): `runs/log-metric` over HTTP without
 * auth, with HTTP Basic (a password, as `MLFLOW_TRACKING_USERNAME`/`PASSWORD` send it) and with a
 * Bearer API token (`MLFLOW_TRACKING_TOKEN`). The goal is Basic and Bearer within 10% of the
 * unauthenticated figure: the ratio rows have a target of 0.90×.
 *
 * Two servers are started here, each on a fresh KV file: one without auth, one with `--auth`. The
 * caller is an ordinary user (not an admin, who would skip the permission check) logging to a
 * run in an experiment they created, so every request is authenticated (Basic: a credential
 * cache hit confirmed by one KV read; Bearer: the token's two KV reads) and authorized (the run's
 * experiment, then the user's grant on it). Variants alternate round by round, in a rotating
 * order, and each figure is the median of its rounds, so drift on a shared machine hits all
 * three alike. Each row's note also gives the server's CPU time per request (Linux: from
 * `/proc/<pid>/stat`), which other load on the machine disturbs far less than throughput.
 *
 * @module
 */
import { type RunningServer, startServer } from "../server_helpers.ts";
import { createExperiment, createRun, drive, median, post, type Result } from "./common.ts";

/** Sizes of the auth section. */
export interface AuthSizes {
  /** Requests per variant per round. */
  requests: number;
  /** Rounds; each runs every variant once. */
  rounds: number;
  /** Client counts to measure (1 = sequential). */
  clients: number[];
  /** Upper bound on one timed run. */
  maxSeconds: number;
}

export const FULL_AUTH: AuthSizes = {
  requests: 2_000,
  rounds: 5,
  clients: [1, 16],
  maxSeconds: 15,
};
export const QUICK_AUTH: AuthSizes = { requests: 500, rounds: 3, clients: [1, 16], maxSeconds: 10 };

const ADMIN = { username: "admin", password: "bench admin password" };
const USER = { username: "bench", password: "bench user password" };

const basic = (u: { username: string; password: string }) => ({
  authorization: `Basic ${btoa(`${u.username}:${u.password}`)}`,
});

function logMetricBody(runId: string, step: number): string {
  return JSON.stringify({
    run_id: runId,
    key: "loss",
    value: 1 / (step + 1),
    timestamp: 1_700_000_000_000 + step,
    step,
  });
}

/** Linux's clock ticks per second for `/proc/<pid>/stat` times (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/** The process's user + system CPU seconds so far, or NaN where `/proc` is missing. */
function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces) start at field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** One way of calling: a server, the headers, and the runs it logs to (one per client). */
interface Variant {
  name: string;
  server: RunningServer;
  headers: Record<string, string>;
  runs: string[];
}

/** Creates the experiment and `n` runs the variant logs to, as its own caller. */
async function runsFor(
  server: RunningServer,
  headers: Record<string, string>,
  n: number,
): Promise<string[]> {
  const exp = await createExperiment(server, headers);
  return await Promise.all(Array.from({ length: n }, () => createRun(server, exp, headers)));
}

/** The bench; `_server` (the shared, unauthenticated one) is not used. */
export async function benchAuth(_server: RunningServer, sizes: AuthSizes): Promise<Result[]> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-bench-auth-" });
  const servers: RunningServer[] = [];
  try {
    servers.push(await startServer({ kvPath: `${dir}/open.kv` }));
    servers.push(
      await startServer({
        kvPath: `${dir}/auth.kv`,
        args: ["--auth"],
        env: { KVFLOW_ADMIN_USERNAME: ADMIN.username, KVFLOW_ADMIN_PASSWORD: ADMIN.password },
      }),
    );
    const [open, authed] = servers;
    await post(authed, "users/create", JSON.stringify(USER), basic(ADMIN));
    const { token } = JSON.parse(
      await post(authed, "users/tokens/create", JSON.stringify({ name: "bench" }), basic(USER)),
    );
    const bearer = { authorization: `Bearer ${token}` };
    const most = Math.max(...sizes.clients);
    const variants: Variant[] = [
      { name: "no auth", server: open, headers: {}, runs: await runsFor(open, {}, most) },
      {
        name: "Basic",
        server: authed,
        headers: basic(USER),
        runs: await runsFor(authed, basic(USER), most),
      },
      {
        name: "Bearer",
        server: authed,
        headers: bearer,
        runs: await runsFor(authed, bearer, most),
      },
    ];

    let step = 0;
    const results: Result[] = [];
    for (const clients of sizes.clients) {
      const rates = new Map<string, number[]>(variants.map((v) => [v.name, []]));
      const cpu = new Map<string, number[]>(variants.map((v) => [v.name, []]));
      for (let round = 0; round < sizes.rounds; round++) {
        for (let k = 0; k < variants.length; k++) {
          const v = variants[(round + k) % variants.length];
          // Fresh steps every time, built before the clock starts.
          const bodies = Array.from(
            { length: sizes.requests + 50 },
            (_, i) => logMetricBody(v.runs[i % clients], step + i),
          );
          step += bodies.length;
          // Warm-up: connections, the credential cache, the run caches.
          for (let i = 0; i < 50; i++) {
            await post(v.server, "runs/log-metric", bodies[sizes.requests + i], v.headers);
          }
          const cpu0 = cpuSeconds(v.server.process.pid);
          const { done, seconds } = await drive(
            clients,
            sizes.requests,
            sizes.maxSeconds,
            (i) => post(v.server, "runs/log-metric", bodies[i], v.headers),
          );
          rates.get(v.name)!.push(done / seconds);
          cpu.get(v.name)!.push((cpuSeconds(v.server.process.pid) - cpu0) / done * 1e6);
        }
      }
      const label = `log-metric, ${clients === 1 ? "1 client" : `${clients} clients`}`;
      const base = median(rates.get("no auth")!);
      const baseCpu = median(cpu.get("no auth")!);
      for (const v of variants) {
        const rs = rates.get(v.name)!;
        const us = median(cpu.get(v.name)!);
        results.push({
          bench: "auth",
          label: `${label}, ${v.name}`,
          value: median(rs),
          unit: "req/s",
          goal: "min",
          note: `median of ${rs.length} rounds: ${rs.map((r) => Math.round(r)).join(", ")}; ` +
            `server CPU ${Math.round(us)} µs/request (${(us / baseCpu).toFixed(2)}× no auth)`,
        });
      }
      for (const v of variants.slice(1)) {
        results.push({
          bench: "auth",
          label: `${label}, ${v.name} ÷ no auth`,
          value: median(rates.get(v.name)!) / base,
          unit: "×",
          goal: "min",
          target: 0.9,
        });
      }
    }
    return results;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await Deno.remove(dir, { recursive: true });
  }
}
