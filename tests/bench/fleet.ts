/**
 * The `fleet` section of `deno task bench` (issue 12 §5): many isolates on one remote KV. Four
 * kvflow server processes share one KV Connect server (the tool in ../shared/tools/kvconnect,
 * every KV request delayed by `DELAY_MS=5`, as a network hop would). Simulated training jobs each
 * log `metrics` points per second for `seconds` seconds, as the MLflow client does: half call
 * `log_metrics` (one `runs/log-batch` of all metrics per step), half call `log_metric` per metric
 * (one `runs/log-metric` each, one after another). Every request goes to the next server in
 * turn, as a load balancer without stickiness would, so every run is written by all four.
 *
 * Every loop is bounded: each job makes exactly `seconds` steps (late steps are sent late, never
 * skipped or doubled), and each request has a deadline. Afterwards every history is read back
 * (paged, as the client does) and must hold each logged point exactly once; `runs/get` must show
 * each metric's last step. Any non-200, a lost or duplicated point stops the bench (exit 1).
 *
 * Reported: acknowledgement latency (p50, p99, max; per request kind), the achieved request rate,
 * how late the jobs' steps started, KV round trips and bytes per logged point (the tool's
 * `/_stats`), CPU seconds of each server process, and the machine's load average.
 *
 * @module
 */
import { kvConnectTool, startKvConnect } from "../helpers/kvconnect.ts";
import { type RunningServer, startServer } from "../server_helpers.ts";
import { API, BenchError, type Result } from "./common.ts";

/** Sizes of the fleet section. */
export interface FleetSizes {
  /** kvflow server processes sharing the KV Connect server. */
  servers: number;
  /** Simulated training jobs (one run each). */
  jobs: number;
  /** Steps per job, one per second. */
  seconds: number;
  /** Metrics logged per step. */
  metrics: number;
  /** Delay of every KV request in the KV Connect server (ms). */
  delayMs: number;
}

/** The issue's size: 4 servers, 200 jobs × 10 metrics/s × 60 s (120,000 points). */
export const FULL_FLEET: FleetSizes = {
  servers: 4,
  jobs: 200,
  seconds: 60,
  metrics: 10,
  delayMs: 5,
};
/** A smoke run: 20 jobs × 10 s. */
export const QUICK_FLEET: FleetSizes = { ...FULL_FLEET, jobs: 20, seconds: 10 };

/** A request that gets no answer within this long counts as failed. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Requests in flight at once while the histories are read back. */
const VERIFY_CONCURRENCY = 16;
/** Every point's timestamp is this plus its step in seconds, so it can be checked exactly. */
const T0 = 1_700_000_000_000;

const value = (job: number, key: number, step: number) => job * 1e6 + key * 1e3 + step + 0.5;
const metricKey = (key: number) => `m${key}`;

interface Fleet {
  servers: RunningServer[];
  next(): RunningServer;
}

/** Sends one request; returns its latency in ms, or throws a BenchError on anything but 200. */
async function send(
  server: RunningServer,
  method: "GET" | "POST",
  path: string,
  body: unknown,
): Promise<{ ms: number; json: unknown }> {
  const t0 = performance.now();
  let url = `${server.url}${API}/${path}`;
  const init: RequestInit = { method, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
  if (method === "GET") url += `?${new URLSearchParams(body as Record<string, string>)}`;
  else {
    init.headers = { "content-type": "application/json" };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, init);
    text = await res.text();
  } catch (e) {
    throw new BenchError(`${method} ${path} on ${server.url} failed: ${e}`);
  }
  const ms = performance.now() - t0;
  if (res.status !== 200) {
    throw new BenchError(
      `${method} ${path} on ${server.url} → ${res.status}: ${text.slice(0, 300)}`,
    );
  }
  return { ms, json: JSON.parse(text) };
}

interface JobStats {
  batch: number[];
  metric: number[];
  /** How late each step started against its schedule (ms). */
  lag: number[];
  /** Failed requests (the job goes on; the bench fails at the end). */
  errors: string[];
}

/** Sends a logging request, recording its latency or its failure. */
async function logRequest(
  stats: JobStats,
  into: number[],
  server: RunningServer,
  path: string,
  body: unknown,
): Promise<void> {
  try {
    into.push((await send(server, "POST", path, body)).ms);
  } catch (e) {
    if (!(e instanceof BenchError)) throw e;
    stats.errors.push(e.message);
  }
}

/** One training job: create the run, log every step on schedule, finish the run. */
async function job(
  fleet: Fleet,
  sizes: FleetSizes,
  experimentId: string,
  j: number,
  start: number,
  stats: JobStats,
): Promise<string> {
  const created = await send(fleet.next(), "POST", "runs/create", {
    experiment_id: experimentId,
    start_time: T0,
    run_name: `job-${j}`,
  });
  const runId = (created.json as { run: { info: { run_id: string } } }).run.info.run_id;
  // Jobs start spread over the first second, as independent jobs would.
  const offset = (j * 1000) / sizes.jobs;
  const batched = j % 2 === 0;
  for (let step = 0; step < sizes.seconds; step++) {
    const due = start + offset + step * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    stats.lag.push(Math.max(0, performance.now() - due));
    const points = Array.from({ length: sizes.metrics }, (_, k) => ({
      key: metricKey(k),
      value: value(j, k, step),
      timestamp: T0 + step * 1000,
      step,
    }));
    if (batched) {
      const body = { run_id: runId, metrics: points };
      await logRequest(stats, stats.batch, fleet.next(), "runs/log-batch", body);
    } else {
      for (const p of points) {
        const body = { run_id: runId, run_uuid: runId, ...p };
        await logRequest(stats, stats.metric, fleet.next(), "runs/log-metric", body);
      }
    }
  }
  await send(fleet.next(), "POST", "runs/update", {
    run_id: runId,
    run_uuid: runId,
    status: "FINISHED",
    end_time: T0 + sizes.seconds * 1000,
  });
  return runId;
}

interface HistoryPoint {
  key: string;
  value: number;
  timestamp: number | string;
  step: number | string;
}

/** Reads one metric's whole history back (pages of 25,000, as the client does). */
async function history(fleet: Fleet, runId: string, key: string): Promise<HistoryPoint[]> {
  const out: HistoryPoint[] = [];
  let token: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const r = await send(fleet.next(), "GET", "metrics/get-history", {
      run_id: runId,
      run_uuid: runId,
      metric_key: key,
      max_results: "25000",
      ...(token ? { page_token: token } : {}),
    });
    const body = r.json as { metrics?: HistoryPoint[]; next_page_token?: string };
    out.push(...(body.metrics ?? []));
    token = body.next_page_token || undefined;
    if (!token) return out;
  }
  throw new BenchError(`history of ${runId}/${key} has more than 1000 pages`);
}

/** Checks that a job's run holds every point it logged exactly once; returns points checked. */
async function verifyJob(fleet: Fleet, sizes: FleetSizes, j: number, runId: string) {
  let checked = 0;
  for (let k = 0; k < sizes.metrics; k++) {
    const points = await history(fleet, runId, metricKey(k));
    const steps = new Map<number, HistoryPoint[]>();
    for (const p of points) steps.set(Number(p.step), [...(steps.get(Number(p.step)) ?? []), p]);
    const problems: string[] = [];
    if (points.length !== sizes.seconds) {
      problems.push(`${points.length} points instead of ${sizes.seconds}`);
    }
    for (let step = 0; step < sizes.seconds; step++) {
      const at = steps.get(step) ?? [];
      if (at.length === 0) problems.push(`step ${step} lost`);
      else if (at.length > 1) problems.push(`step ${step} ×${at.length}`);
      else if (
        at[0].value !== value(j, k, step) || Number(at[0].timestamp) !== T0 + step * 1000
      ) problems.push(`step ${step} wrong: ${JSON.stringify(at[0])}`);
    }
    if (problems.length > 0) {
      throw new BenchError(`job ${j} (run ${runId}) ${metricKey(k)}: ${problems.slice(0, 5)}`);
    }
    checked += points.length;
  }
  const run = await send(fleet.next(), "GET", "runs/get", { run_id: runId, run_uuid: runId });
  const info = run.json as {
    run: { info: { status: string }; data: { metrics?: HistoryPoint[] } };
  };
  const latest = info.run.data.metrics ?? [];
  const last = sizes.seconds - 1;
  if (
    info.run.info.status !== "FINISHED" || latest.length !== sizes.metrics ||
    latest.some((m) => Number(m.step) !== last)
  ) {
    throw new BenchError(`job ${j} (run ${runId}): runs/get shows ${JSON.stringify(info.run)}`);
  }
  return checked;
}

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T, R>(items: T[], n: number, fn: (t: T, i: number) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const loadavg = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
  } catch {
    return NaN;
  }
}

const ms = (n: number) => `${n.toFixed(n < 100 ? 1 : 0)} ms`;

/** Runs the fleet simulation; see the module doc. */
export async function benchFleet(sizes: FleetSizes): Promise<Result[]> {
  if (kvConnectTool() === undefined) {
    throw new BenchError("the fleet bench needs the KV Connect tool; set KVFLOW_KVCONNECT_DIR");
  }
  const kv = await startKvConnect({ delayMs: sizes.delayMs });
  const servers: RunningServer[] = [];
  try {
    for (let i = 0; i < sizes.servers; i++) {
      servers.push(await startServer({ kvPath: kv.url, env: kv.env, timeoutMs: 60_000 }));
    }
    let turn = 0;
    const fleet: Fleet = { servers, next: () => servers[turn++ % servers.length] };
    const exp = await send(fleet.next(), "POST", "experiments/create", {
      name: `fleet-${crypto.randomUUID()}`,
    });
    const experimentId = (exp.json as { experiment_id: string }).experiment_id;
    const points = sizes.jobs * sizes.seconds * sizes.metrics;
    console.log(
      `fleet: ${sizes.servers} servers on KV Connect (DELAY_MS=${sizes.delayMs}), ` +
        `${sizes.jobs} jobs × ${sizes.metrics} metrics/s × ${sizes.seconds} s = ` +
        `${points.toLocaleString("en-US")} points; load average before: ${loadavg()}`,
    );

    const cpuBefore = servers.map((s) => cpuSeconds(s.process.pid));
    const kvBefore = await kv.stats();
    const stats: JobStats = { batch: [], metric: [], lag: [], errors: [] };
    const start = performance.now() + 200;
    const runIds = await Promise.all(
      Array.from(
        { length: sizes.jobs },
        (_, j) => job(fleet, sizes, experimentId, j, start, stats),
      ),
    );
    const elapsed = (performance.now() - start) / 1000;
    const kvAfter = await kv.stats();
    const cpu = servers.map((s, i) => cpuSeconds(s.process.pid) - cpuBefore[i]);
    const loadAfter = loadavg();
    if (stats.errors.length > 0) {
      const total = stats.errors.length + stats.batch.length + stats.metric.length;
      throw new BenchError(
        `${stats.errors.length} of ${total} logging requests failed; first: ` +
          stats.errors.slice(0, 3).join(" | "),
      );
    }

    const t0 = performance.now();
    const checked = (await pool(runIds, VERIFY_CONCURRENCY, (id, j) =>
      verifyJob(fleet, sizes, j, id)))
      .reduce((a, b) => a + b, 0);
    const verifySeconds = (performance.now() - t0) / 1000;
    if (checked !== points) throw new BenchError(`read back ${checked} points, logged ${points}`);

    const all = [...stats.batch, ...stats.metric].sort((a, b) => a - b);
    const batch = [...stats.batch].sort((a, b) => a - b);
    const metric = [...stats.metric].sort((a, b) => a - b);
    const lag = [...stats.lag].sort((a, b) => a - b);
    const requests = all.length;
    const writes = kvAfter.atomic_write - kvBefore.atomic_write;
    const reads = kvAfter.snapshot_read - kvBefore.snapshot_read;
    const bytes = kvAfter.write_bytes - kvBefore.write_bytes;
    const summary = [
      `${requests.toLocaleString("en-US")} logging requests in ${elapsed.toFixed(1)} s ` +
      `(${Math.round(requests / elapsed)} req/s, ${Math.round(points / elapsed)} points/s; ` +
      `${sizes.jobs * sizes.metrics} points/s scheduled), 0 errors`,
      `read back ${checked.toLocaleString("en-US")} points in ${verifySeconds.toFixed(1)} s: ` +
      `none lost or duplicated`,
      `log-batch (${sizes.metrics} metrics): p50 ${ms(percentile(batch, 50))}, ` +
      `p99 ${ms(percentile(batch, 99))}, max ${ms(percentile(batch, 100))} (${batch.length})`,
      `log-metric: p50 ${ms(percentile(metric, 50))}, p99 ${ms(percentile(metric, 99))}, ` +
      `max ${ms(percentile(metric, 100))} (${metric.length})`,
      `steps started late: p50 ${ms(percentile(lag, 50))}, p99 ${ms(percentile(lag, 99))}, ` +
      `max ${ms(percentile(lag, 100))}`,
      `KV while logging: ${writes.toLocaleString("en-US")} atomic writes ` +
      `(${(writes / points).toFixed(3)} per point), ${reads.toLocaleString("en-US")} snapshot ` +
      `reads (${(reads / points).toFixed(3)} per point), ` +
      `${(bytes / points).toFixed(0)} written bytes per point`,
      `server CPU while logging: ${cpu.map((c) => `${c.toFixed(1)} s`).join(", ")}; ` +
      `load average after: ${loadAfter}`,
    ];
    for (const line of summary) console.log(`fleet: ${line}`);
    const note = `${sizes.servers} servers, ${sizes.jobs} jobs × ${sizes.seconds} s`;
    return [{
      bench: "fleet",
      label: `fleet: logging ack latency p50 (${note})`,
      value: percentile(all, 50),
      unit: "ms",
      goal: "max",
      note: `${requests} requests, 0 errors, 0 lost or duplicated points`,
    }, {
      bench: "fleet",
      label: `fleet: logging ack latency p99 (${note})`,
      value: percentile(all, 99),
      unit: "ms",
      goal: "max",
    }, {
      bench: "fleet",
      label: `fleet: points logged per second (${note})`,
      value: points / elapsed,
      unit: "points/s",
      goal: "min",
      note: `${(writes / points).toFixed(3)} KV writes and ${
        (bytes / points).toFixed(0)
      } written bytes per point`,
    }];
  } catch (e) {
    if (e instanceof BenchError) {
      for (const s of servers) console.error(`server ${s.url} output:\n${s.output().slice(-3000)}`);
    }
    throw e;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await kv.stop();
  }
}
