/**
 * `deno task bench`: throughput and latency of a real kvflow server over HTTP, next to the
 * figures MLflow 2.17.0 (SQLite backend, gunicorn) reached on the same workloads.
 *
 * The server runs as a subprocess on a KV file in a temp dir (the production setup, not
 * `:memory:`); the client is plain `fetch`, which keeps connections alive. Request bodies are
 * built before the clock starts, so the figures measure the server rather than JSON.stringify.
 *
 * Flags: `--quick` (smaller counts, for a smoke run), `--only <name>` (repeatable or comma list;
 * names below), `--backend-store-uri <uri>` (default: a KV file in a temp dir). Exits 1 on any
 * non-200 response or wrong result; missing a target is reported, not fatal, since shared machines
 * are noisy. Rows without a target (seeding rate, memory) are printed for information.
 *
 * The `search` section (./search.ts) runs after the write benches: it seeds ~120k runs, which
 * would otherwise slow the write benches' KV file. The `artifacts` section (./artifacts.ts) runs
 * last and starts servers of its own: 2 GiB (256 MiB with `--quick`) through the artifact proxy
 * on local disk and on s3rver, against `cp`, with the server's peak RSS. The `ui` section
 * (./ui.ts) also starts its own: it seeds an experiment of 100k runs (10k with `--quick`) and a
 * 1M-point metric, then times the pages in Chromium and reports the island bundle's size. The
 * `auth` section (./auth.ts) starts two servers, one with `--auth`, and compares `log-metric`
 * without auth, with Basic and with a Bearer token. The `fleet` section (./fleet.ts) starts four
 * servers on one KV Connect server and has 200 simulated training jobs log through them for a
 * minute (20 jobs for 10 s with `--quick`), then reads every point back; it needs the KV Connect
 * tool (../shared/tools/kvconnect). The `create-scale` section (./create_scale.ts) starts a
 * server on a fresh KV file and seeds one experiment to 100k runs (10k with `--quick`),
 * comparing the creation rate of its last 1k runs with its first. The `migrate` section
 * (./migrate.ts) times `deno task migrate` on a version-1 store of 100k logged models and 100k
 * versions (10k with `--quick`), with the process's peak RSS. The `client` section (./client.ts)
 * starts a server of its own and compares metrics logged per second through the TypeScript
 * client's buffered `logMetric` (100k points, 10k with `--quick`) with one `log-batch` request per
 * metric (2,000; 500 with `--quick`), and counts the requests the buffered run made.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type RunningServer, startServer } from "../server_helpers.ts";
import {
  BenchError,
  createAndLog,
  createExperiment,
  createRun,
  drive,
  get,
  median,
  post,
  type Result,
} from "./common.ts";
import { benchSearch, FULL_SEARCH, QUICK_SEARCH, type SearchSizes } from "./search.ts";
import { benchCharts } from "./charts.ts";
import {
  benchCreateScale,
  type CreateScaleSizes,
  FULL_CREATE_SCALE,
  QUICK_CREATE_SCALE,
} from "./create_scale.ts";
import { benchMigrate, FULL_MIGRATE, type MigrateSizes, QUICK_MIGRATE } from "./migrate.ts";
import { benchFleet, type FleetSizes, FULL_FLEET, QUICK_FLEET } from "./fleet.ts";
import {
  benchExportImport,
  type ExportImportSizes,
  FULL_EXPORT_IMPORT,
  QUICK_EXPORT_IMPORT,
} from "./export_import.ts";
import { type AuthSizes, benchAuth, FULL_AUTH, QUICK_AUTH } from "./auth.ts";
import { benchClient, type ClientSizes, FULL_CLIENT, QUICK_CLIENT } from "./client.ts";
import { benchUi, FULL_UI, QUICK_UI, type UiSizes } from "./ui.ts";
import {
  type ArtifactSizes,
  benchArtifacts,
  FULL_ARTIFACTS,
  QUICK_ARTIFACTS,
} from "./artifacts.ts";
import {
  benchHardening,
  FULL_HARDENING,
  type HardeningSizes,
  QUICK_HARDENING,
} from "./hardening.ts";

interface Sizes {
  seqRequests: number;
  concurrentRequests: number;
  batches: number;
  runs: number;
  historyPoints: number;
  historyReps: number;
  /** Upper bound on the timed part of one bench, so a slow store cannot stall the run. */
  maxSeconds: number;
  search: SearchSizes;
  ui: UiSizes;
  artifacts: ArtifactSizes;
  hardening: HardeningSizes;
  auth: AuthSizes;
  client: ClientSizes;
  fleet: FleetSizes;
  createScale: CreateScaleSizes;
  migrate: MigrateSizes;
  exportImport: ExportImportSizes;
}

const FULL: Sizes = {
  seqRequests: 5_000,
  concurrentRequests: 32_000,
  batches: 100,
  runs: 10_000,
  historyPoints: 100_000,
  historyReps: 5,
  maxSeconds: 30,
  search: FULL_SEARCH,
  ui: FULL_UI,
  artifacts: FULL_ARTIFACTS,
  hardening: FULL_HARDENING,
  auth: FULL_AUTH,
  client: FULL_CLIENT,
  fleet: FULL_FLEET,
  createScale: FULL_CREATE_SCALE,
  migrate: FULL_MIGRATE,
  exportImport: FULL_EXPORT_IMPORT,
};
// The history size stays at 100k even in quick mode: the target is defined for that size, and
// loading it takes ~100 log-batch calls.
const QUICK: Sizes = {
  seqRequests: 1_000,
  concurrentRequests: 4_000,
  batches: 20,
  runs: 1_000,
  historyPoints: 100_000,
  historyReps: 3,
  maxSeconds: 10,
  search: QUICK_SEARCH,
  ui: QUICK_UI,
  artifacts: QUICK_ARTIFACTS,
  hardening: QUICK_HARDENING,
  auth: QUICK_AUTH,
  client: QUICK_CLIENT,
  fleet: QUICK_FLEET,
  createScale: QUICK_CREATE_SCALE,
  migrate: QUICK_MIGRATE,
  exportImport: QUICK_EXPORT_IMPORT,
};

type Bench = (server: RunningServer, sizes: Sizes) => Promise<Result[]>;

const BENCHES: Record<string, Bench> = {
  "log-metric-seq": benchSequentialLogMetric,
  "log-metric-concurrent": benchConcurrentLogMetric,
  "log-batch": benchLogBatch,
  "create-runs": benchCreateRuns,
  // ./create_scale.ts: one experiment seeded to 100k runs (10k quick), on a server of its own
  "create-scale": (_server, sizes) => benchCreateScale(sizes.createScale),
  "get-history": benchGetHistory,
  // ./migrate.ts: deno task migrate on a version-1 store with 100k logged models and versions
  migrate: (_server, sizes) => benchMigrate(sizes.migrate),
  auth: (server, sizes) => benchAuth(server, sizes.auth), // ./auth.ts: none vs Basic vs Bearer
  // ./client.ts: the TypeScript client's buffered logMetric vs one request per metric
  client: (server, sizes) => benchClient(server, sizes.client),
  charts: benchCharts, // ./charts.ts: drawing a 1M-point metric
  search: benchSearch,
  ui: benchUi, // ./ui.ts: pages in Chromium, on a server of its own
  artifacts: benchArtifacts,
  hardening: benchHardening, // ./hardening.ts: issue 10's repros, /health probed during each
  // ./fleet.ts: 4 servers on one KV Connect server, 200 jobs logging; every point read back
  fleet: (_server, sizes) => benchFleet(sizes.fleet),
  // ./export_import.ts: deno task export / import of 10M points (1M quick), peak RSS of each
  "export-import": (_server, sizes) => benchExportImport(sizes.exportImport),
};

function logMetricBody(runId: string, step: number): string {
  return JSON.stringify({
    run_id: runId,
    key: "loss",
    value: 1 / (step + 1),
    timestamp: 1_700_000_000_000 + step,
    step,
  });
}

// ---------------------------------------------------------------------------------------------
// Benches

async function benchSequentialLogMetric(server: RunningServer, sizes: Sizes): Promise<Result[]> {
  const run = await createRun(server, await createExperiment(server));
  const n = sizes.seqRequests;
  const bodies = Array.from({ length: n + 50 }, (_, i) => logMetricBody(run, i));
  for (let i = 0; i < 50; i++) await post(server, "runs/log-metric", bodies[n + i]); // warm-up
  const { done, seconds } = await drive(
    1,
    n,
    sizes.maxSeconds,
    (i) => post(server, "runs/log-metric", bodies[i]),
  );
  return [{
    bench: "log-metric-seq",
    label: "log-metric, 1 client",
    value: done / seconds,
    unit: "req/s",
    goal: "min",
    target: 3_000,
    mlflow: 289,
    note: `${done} requests`,
  }];
}

async function benchConcurrentLogMetric(server: RunningServer, sizes: Sizes): Promise<Result[]> {
  const CLIENTS = 16;
  const exp = await createExperiment(server);
  const results: Result[] = [];
  for (const shared of [false, true]) {
    const runs = shared
      ? Array(CLIENTS).fill(await createRun(server, exp))
      : await Promise.all(Array.from({ length: CLIENTS }, () => createRun(server, exp)));
    const n = sizes.concurrentRequests;
    const bodies = Array.from({ length: n }, (_, i) => logMetricBody(runs[i % CLIENTS], i));
    const { done, seconds } = await drive(
      CLIENTS,
      n,
      sizes.maxSeconds,
      (i) => post(server, "runs/log-metric", bodies[i]),
    );
    results.push({
      bench: "log-metric-concurrent",
      label: `log-metric, 16 clients, ${shared ? "1 shared run" : "16 runs"}`,
      value: done / seconds,
      unit: "req/s",
      goal: "min",
      target: 10_000,
      note: `${done} requests`,
    });
  }
  return results;
}

/** 1000 metrics per batch: 10 keys × 100 steps, new steps in every batch. */
function logBatchBody(runId: string, batch: number, keys = 10): string {
  const perKey = 1000 / keys;
  const metrics = [];
  for (let k = 0; k < keys; k++) {
    for (let j = 0; j < perKey; j++) {
      const step = batch * perKey + j;
      metrics.push({
        key: `m${k}`,
        value: Math.sin(step + k),
        timestamp: 1_700_000_000_000 + step,
        step,
      });
    }
  }
  return JSON.stringify({ run_id: runId, metrics });
}

async function benchLogBatch(server: RunningServer, sizes: Sizes): Promise<Result[]> {
  const exp = await createExperiment(server);
  // Warm up on a run of its own, so the measured run receives its steps in order as a training
  // loop would send them.
  const warm = await createRun(server, exp);
  for (let b = 0; b < 3; b++) await post(server, "runs/log-batch", logBatchBody(warm, b));
  const run = await createRun(server, exp);
  const bodies = Array.from({ length: sizes.batches }, (_, b) => logBatchBody(run, b));
  const { done, seconds } = await drive(
    1,
    sizes.batches,
    sizes.maxSeconds,
    (i) => post(server, "runs/log-batch", bodies[i]),
  );
  return [{
    bench: "log-batch",
    label: "log-batch of 1000 metrics, 1 client",
    value: (done * 1000) / seconds,
    unit: "metrics/s",
    goal: "min",
    target: 300_000,
    mlflow: 15_700,
    note: `${done} batches`,
  }];
}

async function benchCreateRuns(server: RunningServer, sizes: Sizes): Promise<Result[]> {
  const work = createAndLog(server, await createExperiment(server));
  const { done, seconds } = await drive(4, sizes.runs, sizes.maxSeconds, work);
  return [{
    bench: "create-runs",
    label: "runs/create + log-batch(5 params, 5 metrics), 4 clients",
    value: done / seconds,
    unit: "runs/s",
    goal: "min",
    target: 2_000,
    mlflow: 102,
    note: `${done} runs, 2 requests each`,
  }];
}

async function benchGetHistory(server: RunningServer, sizes: Sizes): Promise<Result[]> {
  const run = await createRun(server, await createExperiment(server));
  const points = sizes.historyPoints;
  const loadStart = performance.now();
  for (let b = 0; b < points / 1000; b++) {
    await post(server, "runs/log-batch", logBatchBody(run, b, 1));
  }
  const loadSeconds = (performance.now() - loadStart) / 1000;

  const query = { run_id: run, run_uuid: run, metric_key: "m0" };
  const whole: number[] = [];
  for (let r = 0; r < sizes.historyReps; r++) {
    const t0 = performance.now();
    const text = await get(server, "metrics/get-history", query);
    whole.push(performance.now() - t0);
    if (r === 0) expectCount(JSON.parse(text).metrics?.length ?? 0, points, "unpaged get-history");
  }

  // What the Python client does: max_results=25000 and follow next_page_token.
  const paged: number[] = [];
  for (let r = 0; r < sizes.historyReps; r++) {
    let count = 0;
    let token: string | undefined;
    const t0 = performance.now();
    do {
      const page = JSON.parse(
        await get(server, "metrics/get-history", {
          ...query,
          max_results: "25000",
          ...(token ? { page_token: token } : {}),
        }),
      );
      count += page.metrics?.length ?? 0;
      token = page.next_page_token || undefined;
    } while (token);
    paged.push(performance.now() - t0);
    if (r === 0) expectCount(count, points, "paged get-history");
  }

  const kpoints = `${points / 1000}k points`;
  return [{
    bench: "get-history",
    label: `get-history, ${kpoints}, one call (median of ${whole.length})`,
    value: median(whole),
    unit: "ms",
    goal: "max",
    target: 150,
    mlflow: 3_200,
    note: `loaded at ${Math.round(points / loadSeconds).toLocaleString("en-US")} metrics/s`,
  }, {
    bench: "get-history",
    label: `get-history, ${kpoints}, pages of 25000 (median of ${paged.length})`,
    value: median(paged),
    unit: "ms",
    goal: "max",
    target: 150,
    mlflow: 3_200,
  }];
}

function expectCount(got: number, want: number, what: string) {
  if (got !== want) throw new BenchError(`${what} returned ${got} points, expected ${want}`);
}

// ---------------------------------------------------------------------------------------------
// Output

function fmt(n: number, unit: string): string {
  if (!Number.isFinite(n)) return "n/a";
  const digits = unit === "×" ? 2 : unit === "ms" && n < 100 ? 1 : 0;
  return `${
    n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
  } ${unit}`;
}

/** NaN (nothing measured) fails either comparison, so it is always MISSED. */
function met(r: Result, target: number): boolean {
  return r.goal === "min" ? r.value >= target : r.value <= target;
}

function describe(r: Result): string[] {
  return [
    r.label,
    fmt(r.value, r.unit),
    r.target === undefined ? "-" : `${r.goal === "min" ? "≥" : "≤"} ${fmt(r.target, r.unit)}`,
    r.mlflow === undefined ? "-" : fmt(r.mlflow, r.unit),
    r.target === undefined ? "" : met(r, r.target) ? "met" : "MISSED",
  ];
}

function printTable(rows: string[][]) {
  const head = ["benchmark", "kvflow", "target", "MLflow 2.17.0", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean" },
      only: { type: "string", multiple: true },
      // For diagnosis, e.g. `:memory:` separates HTTP and store costs from KV file I/O.
      "backend-store-uri": { type: "string" },
    },
    strict: true,
  });
  const only = (values.only ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(
    Boolean,
  );
  const unknown = only.filter((name) => !(name in BENCHES));
  if (unknown.length) {
    console.error(
      `Unknown bench ${unknown.join(", ")}; choose from: ${Object.keys(BENCHES).join(", ")}`,
    );
    return 2;
  }
  const names = only.length ? only : Object.keys(BENCHES);
  const sizes = values.quick ? QUICK : FULL;

  const dir = await Deno.makeTempDir({ prefix: "kvflow-bench-" });
  let server: RunningServer | undefined;
  const results: Result[] = [];
  try {
    const kvPath = values["backend-store-uri"] ?? `${dir}/mlruns.kv`;
    server = await startServer({ kvPath });
    console.log(
      `kvflow bench${values.quick ? " (quick)" : ""}: ${server.url}, store ${kvPath}; ` +
        `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs`,
    );
    for (const name of names) {
      for (const r of await BENCHES[name](server, sizes)) {
        results.push(r);
        const [label, value, target, mlflow, status] = describe(r);
        const against = r.target === undefined
          ? ""
          : ` (target ${target}; MLflow 2.17.0: ${mlflow}) ${status}`;
        console.log(`${label}: ${value}${against}${r.note ? ` [${r.note}]` : ""}`);
      }
    }
  } catch (err) {
    if (!(err instanceof BenchError)) throw err;
    console.error(`bench failed: ${err.message}`);
    if (server) console.error(`server output:\n${server.output()}`);
    return 1;
  } finally {
    await server?.stop();
    await Deno.remove(dir, { recursive: true });
  }

  console.log();
  printTable(results.map(describe));
  return 0;
}

if (import.meta.main) Deno.exit(await main());
