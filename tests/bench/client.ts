/**
 * The `client` section of `deno task bench`: metrics logged per second through the TypeScript
 * client (`routes/client`), with its buffering (`logMetric` queues points and the buffer sends
 * them with `log-batch`, up to 1000 a request) against one request per metric (`logBatch` of one
 * point, awaited before the next), which is what an unbuffered client does.
 *
 * A server of its own on a fresh KV file, and `Tracking` sessions as a training script would hold
 * them. The buffered figure runs from the first `logMetric` until `endRun` (which flushes the
 * buffer) has resolved; the per-request one from the first `logBatch` until the last has
 * answered. Both runs are read back with `getMetricHistory` and must hold exactly the points
 * logged. The sessions' `fetch` counts the requests, so the buffered row also says how many
 * `log-batch` requests carried its points. The ratio's target (≥ 10×) is reported, not fatal.
 *
 * The client is told not to retry (and to give up on an attempt after `requestTimeoutMs`): a
 * bench must fail on an error answer rather than measure its backoff.
 *
 * @module
 */
import { MlflowRestError, Tracking } from "../../routes/client/mod.ts";
import type { MetricPoint } from "../../routes/client/mod.ts";
import { type RunningServer, startServer } from "../server_helpers.ts";
import { BenchError, type Result } from "./common.ts";

/** Sizes of the client section. */
export interface ClientSizes {
  /** Points logged through the buffer (one run, one key, steps 0…n-1). */
  bufferedPoints: number;
  /** Points sent one `log-batch` request each. */
  perRequestPoints: number;
  /** Points logged through the buffer on a throwaway run before the clock starts. */
  warmupPoints: number;
  /** One-point `log-batch` requests sent on that run before the clock starts. */
  warmupRequests: number;
  /** One request attempt's limit; the client does not retry. */
  requestTimeoutMs: number;
}

export const FULL_CLIENT: ClientSizes = {
  bufferedPoints: 100_000,
  perRequestPoints: 2_000,
  warmupPoints: 5_000,
  warmupRequests: 200,
  requestTimeoutMs: 60_000,
};
export const QUICK_CLIENT: ClientSizes = {
  bufferedPoints: 10_000,
  perRequestPoints: 500,
  warmupPoints: 5_000,
  warmupRequests: 100,
  requestTimeoutMs: 30_000,
};

/** The ratio (buffered ÷ per-request) asked for; missing it is reported, not fatal. */
const TARGET_RATIO = 10;

/**
 * Requests a session sent since the last `reset()`, by path (`runs/log-batch`, …), and its non-2xx
 * answers (a 404 from `experiments/get-by-name` during setup is expected, hence the reset).
 */
class Counter {
  byPath = new Map<string, number>();
  failures: string[] = [];
  reset(): void {
    this.byPath.clear();
    this.failures = [];
  }
}

function countingSession(server: RunningServer, sizes: ClientSizes) {
  const counter = new Counter();
  const session = new Tracking({
    trackingUri: server.url,
    retry: { maxRetries: 0, timeoutMs: sizes.requestTimeoutMs },
    fetch: async (req) => {
      const path = new URL(req.url).pathname.replace(/^\/api\/2\.0\/mlflow\//, "");
      counter.byPath.set(path, (counter.byPath.get(path) ?? 0) + 1);
      const res = await fetch(req);
      if (!res.ok && counter.failures.length < 10) counter.failures.push(`${path} → ${res.status}`);
      return res;
    },
  });
  return { session, counter };
}

/** Runs `work`, turning the client's errors into a {@linkcode BenchError} (exit 1 with output). */
async function guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof MlflowRestError || err instanceof AggregateError) {
      throw new BenchError(`client: ${what}: ${err.message}`);
    }
    throw err;
  }
}

async function expectHistory(session: Tracking, runId: string, want: number, what: string) {
  const got =
    (await guarded(`${what} history`, () => session.client.getMetricHistory(runId, "loss")))
      .length;
  if (got !== want) {
    throw new BenchError(`client: ${what} run has ${got} "loss" points, expected ${want}`);
  }
}

function point(step: number): MetricPoint {
  return { key: "loss", value: 1 / (step + 1), timestamp: Date.now(), step };
}

/** The bench; `_server` (the shared one) is not used: this section starts its own. */
export async function benchClient(_server: RunningServer, sizes: ClientSizes): Promise<Result[]> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-bench-client-" });
  let server: RunningServer | undefined;
  try {
    server = await startServer({ kvPath: `${dir}/mlruns.kv` });
    const srv = server;

    // Warm-up on a run of its own, both ways: connections, the JIT, the server's run caches.
    {
      const { session } = countingSession(srv, sizes);
      await guarded("warm-up", async () => {
        await session.setExperiment(`bench-client-warmup-${crypto.randomUUID()}`);
        const run = await session.startRun({ runName: "warm-up" });
        for (let i = 0; i < sizes.warmupPoints; i++) {
          await session.logMetric("warm", i, { step: i });
        }
        await session.flush();
        for (let i = 0; i < sizes.warmupRequests; i++) {
          await session.client.logBatch(run.runId, {
            metrics: [{ ...point(i), key: "warm-single" }],
          });
        }
        await session.endRun();
      });
    }

    // Buffered: logMetric N times, then endRun (which flushes).
    const buffered = countingSession(srv, sizes);
    const n = sizes.bufferedPoints;
    const bufferedRun = await guarded("start buffered run", async () => {
      await buffered.session.setExperiment(`bench-client-${crypto.randomUUID()}`);
      return await buffered.session.startRun({ runName: "buffered" });
    });
    buffered.counter.reset();
    const t0 = performance.now();
    let loggedAt = t0;
    await guarded("buffered logMetric", async () => {
      for (let step = 0; step < n; step++) {
        await buffered.session.logMetric("loss", 1 / (step + 1), { step });
      }
      loggedAt = performance.now();
      await buffered.session.endRun();
    });
    const bufferedSeconds = (performance.now() - t0) / 1000;
    const batches = buffered.counter.byPath.get("runs/log-batch") ?? 0;
    const otherRequests = [...buffered.counter.byPath].filter(([p]) => p !== "runs/log-batch")
      .map(([p, c]) => `${c} ${p}`).join(", ");
    if (buffered.counter.failures.length) {
      throw new BenchError(`client: buffered run got ${buffered.counter.failures.join(", ")}`);
    }
    await expectHistory(buffered.session, bufferedRun.runId, n, "buffered");

    // One request per metric: logBatch of one point, awaited one at a time.
    const single = countingSession(srv, sizes);
    const m = sizes.perRequestPoints;
    const singleRun = await guarded("start per-request run", async () => {
      await single.session.setExperiment(`bench-client-single-${crypto.randomUUID()}`);
      return await single.session.startRun({ runName: "one request per metric" });
    });
    const points = Array.from({ length: m }, (_, step) => point(step));
    single.counter.reset();
    const t1 = performance.now();
    await guarded("per-request logBatch", async () => {
      for (let i = 0; i < m; i++) {
        await single.session.client.logBatch(singleRun.runId, { metrics: [points[i]] });
      }
    });
    const singleSeconds = (performance.now() - t1) / 1000;
    const singleRequests = single.counter.byPath.get("runs/log-batch") ?? 0;
    await guarded("end per-request run", () => single.session.endRun());
    if (single.counter.failures.length) {
      throw new BenchError(`client: per-request run got ${single.counter.failures.join(", ")}`);
    }
    await expectHistory(single.session, singleRun.runId, m, "per-request");

    const bufferedRate = n / bufferedSeconds;
    const singleRate = m / singleSeconds;
    return [{
      bench: "client",
      label: "client logMetric, buffered (1 run, then endRun)",
      value: bufferedRate,
      unit: "points/s",
      goal: "min",
      note: `${n} points in ${bufferedSeconds.toFixed(2)} s (the logMetric calls ` +
        `${
          ((loggedAt - t0) / 1000).toFixed(2)
        } s, endRun the rest), ${batches} log-batch requests ` +
        `(${Math.round(n / Math.max(1, batches))} points each)` +
        (otherRequests ? `, plus ${otherRequests}` : ""),
    }, {
      bench: "client",
      label: "client logBatch, one request per metric",
      value: singleRate,
      unit: "points/s",
      goal: "min",
      note: `${m} points in ${singleSeconds.toFixed(2)} s, ${singleRequests} log-batch requests`,
    }, {
      bench: "client",
      label: "client log-batch requests for the buffered points",
      value: batches,
      unit: "requests",
      goal: "max",
      note: `${n} points`,
    }, {
      bench: "client",
      label: "client buffered ÷ one request per metric",
      value: bufferedRate / singleRate,
      unit: "×",
      goal: "min",
      target: TARGET_RATIO,
    }];
  } finally {
    await server?.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
