/**
 * The `export-import` section of `deno task bench`: `deno task export` and `deno task import` on
 * a KV file of 10M metric points (100 runs × 10 metrics × 10k steps; 1M with `--quick`), beside
 * a store a tenth the size, so constant memory shows as the same peak RSS for both.
 *
 * The stores are seeded in-process through `logBatch` (1000 points a call, a few runs at once);
 * export and import run as `deno run -A main.ts export|import` subprocesses, and their peak RSS
 * is `VmHWM` from `/proc/<pid>/status`, polled while they run (Linux only; elsewhere it is NaN).
 *
 * @module
 */
import { createKvStore } from "../../store/kv/mod.ts";
import { commitLimitsFor } from "../../store/kv/commit_limits.ts";
import { MAIN_TS, REPO_ROOT } from "../server_helpers.ts";
import { BenchError, type Result } from "./common.ts";

/** Sizes of the `export-import` section. */
export interface ExportImportSizes {
  /** Runs of the big store; the small one has a tenth. */
  runs: number;
  metricsPerRun: number;
  stepsPerMetric: number;
  /** Runs seeded at once. */
  concurrency: number;
}

/** Full size: 10M points. */
export const FULL_EXPORT_IMPORT: ExportImportSizes = {
  runs: 100,
  metricsPerRun: 10,
  stepsPerMetric: 10_000,
  concurrency: 4,
};

/** `--quick`: 1M points. */
export const QUICK_EXPORT_IMPORT: ExportImportSizes = {
  runs: 10,
  metricsPerRun: 10,
  stepsPerMetric: 10_000,
  concurrency: 4,
};

const POINTS_PER_CALL = 1000;

async function seed(path: string, runs: number, sizes: ExportImportSizes): Promise<number> {
  const kv = await Deno.openKv(path);
  const store = await createKvStore(kv, {
    stagingSweepIntervalMs: 0,
    commitLimits: commitLimitsFor(path),
  });
  try {
    const exp = await store.createExperiment({ name: "bench" });
    let next = 0;
    let points = 0;
    const worker = async () => {
      while (next < runs) {
        next++;
        const run = await store.createRun({ experimentId: exp, startTime: 1_700_000_000_000 });
        for (let m = 0; m < sizes.metricsPerRun; m++) {
          for (let s = 0; s < sizes.stepsPerMetric; s += POINTS_PER_CALL) {
            const n = Math.min(POINTS_PER_CALL, sizes.stepsPerMetric - s);
            await store.logBatch(run.info.run_id, {
              metrics: Array.from({ length: n }, (_, i) => ({
                key: `m${m}`,
                value: Math.sin(s + i) * 1000,
                timestamp: 1_700_000_000_000 + s + i,
                step: s + i,
              })),
            });
            points += n;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: sizes.concurrency }, worker));
    return points;
  } finally {
    await store.stopBackgroundWork();
    kv.close();
  }
}

/** Runs `main.ts <args>`; returns its wall time and peak RSS (bytes, NaN off Linux). */
async function measured(args: string[]): Promise<{ seconds: number; peakRss: number }> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN_TS, ...args],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peak = NaN;
  let done = false;
  const poll = (async () => {
    while (!done) {
      try {
        const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
        const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
        if (Number.isFinite(kb)) peak = Number.isNaN(peak) ? kb * 1024 : Math.max(peak, kb * 1024);
      } catch {
        // gone, or not Linux
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const out = await child.output();
  done = true;
  await poll;
  if (!out.success) {
    throw new BenchError(`main.ts ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return { seconds: (performance.now() - started) / 1000, peakRss: peak };
}

/** Seeds both stores, exports and imports each, and reports points/s and peak RSS. */
export async function benchExportImport(sizes: ExportImportSizes): Promise<Result[]> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-export-bench-" });
  const results: Result[] = [];
  try {
    for (const runs of [Math.max(1, Math.round(sizes.runs / 10)), sizes.runs]) {
      const seedStart = performance.now();
      const points = await seed(`${dir}/src-${runs}.kv`, runs, sizes);
      const seedSeconds = (performance.now() - seedStart) / 1000;
      const tag = `${(points / 1e6).toFixed(points < 1e6 ? 1 : 0)}M points`;
      const file = `${dir}/out-${runs}.jsonl.gz`;
      const ex = await measured([
        "export",
        "--backend-store-uri",
        `${dir}/src-${runs}.kv`,
        "--no-serve-artifacts",
        "--out",
        file,
      ]);
      const size = (await Deno.stat(file)).size;
      const im = await measured([
        "import",
        file,
        "--backend-store-uri",
        `${dir}/dst-${runs}.kv`,
        "--no-serve-artifacts",
      ]);
      const row = (label: string, value: number, unit: string, note?: string): Result => ({
        bench: "export-import",
        label: `${label} (${tag})`,
        value,
        unit,
        goal: "min",
        ...(note && { note }),
      });
      results.push(
        row("seed via logBatch", points / seedSeconds, "points/s", `${seedSeconds.toFixed(0)} s`),
        row(
          "export",
          points / ex.seconds,
          "points/s",
          `${ex.seconds.toFixed(0)} s, file ${(size / 2 ** 20).toFixed(0)} MiB`,
        ),
        { ...row("export peak RSS", ex.peakRss / 2 ** 20, "MiB"), goal: "max" },
        row("import", points / im.seconds, "points/s", `${im.seconds.toFixed(0)} s`),
        { ...row("import peak RSS", im.peakRss / 2 ** 20, "MiB"), goal: "max" },
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}
