/**
 * The `charts` section of `deno task bench` (`--only charts`): what it costs to draw a
 * 1,000,000-point metric. The metric is logged as 1000 log-batches of 1000 points (small noise
 * plus one spike), then read three ways, each the median of 5 calls timed until the body is in:
 *
 * - `get-history-downsampled` with 1000 buckets, kvflow's chart read. Target: a chart is drawable
 *   within 1 s, so the request gets half of that, leaving the rest for transfer and rendering.
 *   The reply is checked: ≤ 2 × 1000 + 2 points, the spike among them, `total_points` 1M.
 * - `get-history-bulk-interval` (MLflow's web-UI chart read, 2500 sampled steps), for comparison.
 * - Full `get-history` in one call, what a client without either would have to fetch.
 *
 * The size is fixed (also with `--quick`): the target is defined for 1M points.
 *
 * @module
 */
import type { RunningServer } from "../server_helpers.ts";
import {
  BenchError,
  createExperiment,
  createRun,
  get,
  median,
  post,
  type Result,
} from "./common.ts";

export const POINTS = 1_000_000;
const BATCH = 1000;
const REPS = 5;
const BUCKETS = 1000;
const SPIKE_STEP = 654_321;
const T0 = 1_700_000_000_000;

function batchBody(runId: string, batch: number): string {
  const metrics = Array.from({ length: BATCH }, (_, i) => {
    const step = batch * BATCH + i;
    const value = step === SPIKE_STEP ? 1000 : Math.sin(step) * 1e-3;
    return { key: "loss", value, timestamp: T0 + step, step };
  });
  return JSON.stringify({ run_id: runId, metrics });
}

/** Calls `read` REPS times; returns the median milliseconds and the first reply's text. */
async function timed(read: () => Promise<string>): Promise<{ ms: number; first: string }> {
  const times: number[] = [];
  let first = "";
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    const text = await read();
    times.push(performance.now() - t0);
    if (r === 0) first = text;
  }
  return { ms: median(times), first };
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new BenchError(`charts: ${what}`);
}

const mib = (text: string) => `${(text.length / 2 ** 20).toFixed(1)} MiB reply`;

/**
 * Logs the 1M-point `loss` metric (1000 log-batches of 1000 points, one spike at step 654,321) to
 * a new run of a new experiment; returns the run and the seconds the batches took. The `ui`
 * section (./ui.ts) draws the same metric in Chromium.
 */
export async function logMillionPointMetric(
  server: RunningServer,
): Promise<{ run: string; loadSeconds: number }> {
  const run = await createRun(server, await createExperiment(server));
  const loadStart = performance.now();
  for (let b = 0; b < POINTS / BATCH; b++) await post(server, "runs/log-batch", batchBody(run, b));
  return { run, loadSeconds: (performance.now() - loadStart) / 1000 };
}

/** Logs the metric, then times the three reads (see the module doc). */
export async function benchCharts(server: RunningServer): Promise<Result[]> {
  const { run, loadSeconds } = await logMillionPointMetric(server);
  const base = { run_id: run, metric_key: "loss" };

  const down = await timed(() =>
    get(server, "metrics/get-history-downsampled", { ...base, buckets: String(BUCKETS) })
  );
  const body = JSON.parse(down.first);
  check(body.total_points === POINTS, `total_points ${body.total_points}, expected ${POINTS}`);
  check(body.metrics.length <= 2 * BUCKETS + 2, `${body.metrics.length} points returned`);
  check(
    body.metrics.some((m: { step: number; value: number }) =>
      m.step === SPIKE_STEP && m.value === 1000
    ),
    "the spike was lost",
  );

  const interval = await timed(() =>
    get(server, "metrics/get-history-bulk-interval", { run_ids: run, metric_key: "loss" })
  );
  const sampled = JSON.parse(interval.first).metrics?.length ?? 0;
  check(sampled > 2000, `bulk-interval returned ${sampled} points`);

  const full = await timed(() => get(server, "metrics/get-history", base));
  const all = JSON.parse(full.first).metrics?.length ?? 0;
  check(all === POINTS, `get-history returned ${all} points, expected ${POINTS}`);

  return [{
    bench: "charts",
    label: `get-history-downsampled, 1M points, ${BUCKETS} buckets (median of ${REPS})`,
    value: down.ms,
    unit: "ms",
    goal: "max",
    target: 500,
    note: `${body.metrics.length} points, ${(down.first.length / 1024).toFixed(0)} KiB reply; ` +
      `loaded at ${Math.round(POINTS / loadSeconds).toLocaleString("en-US")} metrics/s`,
  }, {
    bench: "charts",
    label: `get-history-bulk-interval, 1M points, 1 run (median of ${REPS})`,
    value: interval.ms,
    unit: "ms",
    goal: "max",
    note: `${sampled} points (MLflow's UI read)`,
  }, {
    bench: "charts",
    label: `get-history, 1M points, one call (median of ${REPS})`,
    value: full.ms,
    unit: "ms",
    goal: "max",
    note: mib(full.first),
  }];
}
