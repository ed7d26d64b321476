/**
 * Plumbing shared by the `deno task bench` sections: the result row, HTTP helpers that abort the
 * run on a non-200, the bounded client loop, and the median.
 *
 * @module
 */
import type { RunningServer } from "../server_helpers.ts";

export const API = "/api/2.0/mlflow";

/** One measured figure with what it is compared against. */
export interface Result {
  bench: string;
  label: string;
  /** NaN when nothing could be measured (e.g. every request timed out); always MISSED then. */
  value: number;
  unit: string;
  /** `min`: the figure must be at least the target; `max`: at most. */
  goal: "min" | "max";
  /** Undefined for a figure that is reported but has no target (seeding rate, memory). */
  target?: number;
  /** MLflow 2.17.0's figure on the same workload, in the same unit; undefined if not measured. */
  mlflow?: number;
  note?: string;
}

/**
 * A response the bench cannot interpret as a measurement (non-200, wrong results): the run stops
 * with exit code 1, since a figure for a failing request would be meaningless.
 */
export class BenchError extends Error {}

/**
 * POSTs a pre-serialised JSON body, with extra headers (e.g. `authorization`) when given; any
 * non-200 aborts the whole bench.
 */
export async function post(
  server: RunningServer,
  path: string,
  body: string,
  headers?: Record<string, string>,
): Promise<string> {
  const res = await fetch(`${server.url}${API}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) {
    throw new BenchError(`POST ${path} → ${res.status}: ${text.slice(0, 300)}`);
  }
  return text;
}

export async function get(
  server: RunningServer,
  path: string,
  query: Record<string, string>,
): Promise<string> {
  const res = await fetch(`${server.url}${API}/${path}?${new URLSearchParams(query)}`);
  const text = await res.text();
  if (res.status !== 200) {
    throw new BenchError(`GET ${path} → ${res.status}: ${text.slice(0, 300)}`);
  }
  return text;
}

export async function createExperiment(
  server: RunningServer,
  headers?: Record<string, string>,
): Promise<string> {
  const body = JSON.stringify({ name: `bench-${crypto.randomUUID()}` });
  return JSON.parse(await post(server, "experiments/create", body, headers)).experiment_id;
}

export async function createRun(
  server: RunningServer,
  experimentId: string,
  headers?: Record<string, string>,
): Promise<string> {
  const body = JSON.stringify({ experiment_id: experimentId, start_time: Date.now() });
  return JSON.parse(await post(server, "runs/create", body, headers)).run.info.run_id;
}

/** The `create-runs` workload for run number `i`: create it, then log 5 params and 5 metrics. */
export function createAndLog(
  server: RunningServer,
  experimentId: string,
): (i: number) => Promise<void> {
  const createBody = JSON.stringify({
    experiment_id: experimentId,
    start_time: Date.now(),
    user_id: "bench",
  });
  return async (i) => {
    const created = await post(server, "runs/create", createBody);
    const runId: string = JSON.parse(created).run.info.run_id;
    const ts = 1_700_000_000_000 + i;
    await post(
      server,
      "runs/log-batch",
      JSON.stringify({
        run_id: runId,
        params: Array.from({ length: 5 }, (_, k) => ({ key: `p${k}`, value: `v${i}_${k}` })),
        metrics: Array.from(
          { length: 5 },
          (_, k) => ({ key: `m${k}`, value: i + k, timestamp: ts, step: 0 }),
        ),
      }),
    );
  };
}

/**
 * Runs `clients` loops that each call `work(i)` for globally numbered i until `total` calls or
 * the deadline; returns the calls done and the seconds taken. Every call numbered below `done`
 * has completed when this resolves (a started call is always awaited).
 */
export async function drive(
  clients: number,
  total: number,
  maxSeconds: number,
  work: (i: number, client: number) => Promise<unknown>,
): Promise<{ done: number; seconds: number }> {
  let next = 0;
  const start = performance.now();
  const deadline = start + maxSeconds * 1000;
  await Promise.all(Array.from({ length: clients }, async (_, client) => {
    while (next < total && performance.now() < deadline) await work(next++, client);
  }));
  return { done: Math.min(next, total), seconds: (performance.now() - start) / 1000 };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
