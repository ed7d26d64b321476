/**
 * The `create-scale` section of `deno task bench`: does run creation keep its pace as one
 * experiment grows? Issue 12 asks that the rate at 100,000 runs be at least 80% of the rate at
 * 1,000 on a KV file.
 *
 * A server of its own on a fresh KV file (so the other sections' data neither helps nor hurts),
 * {@linkcode CreateScaleSizes.clients} clients, and the `create-runs` workload: `runs/create`,
 * then one `runs/log-batch` with 5 params and 5 metrics at step 0, for every run, all in one
 * experiment. A warm-up in another experiment comes first, so the first window measures the store
 * rather than the JIT. The rate is taken over the first window of runs and over the last one; on
 * Linux the server's CPU and bytes written per run in both windows go in the note (steadier than
 * a rate on a shared machine). Bounds: seeding stops at `maxSeconds`, and the labels then say how
 * far it got.
 *
 * @module
 */
import { startServer } from "../server_helpers.ts";
import { createAndLog, createExperiment, drive, type Result } from "./common.ts";

/** Sizes and time budget of the `create-scale` section. */
export interface CreateScaleSizes {
  /** Runs seeded into the one experiment; the target is defined for 100k. */
  runs: number;
  /** Concurrent clients, as in `create-runs`. */
  clients: number;
  /** Runs per measured window (the first and the last). */
  window: number;
  /**
   * Runs created before the clock starts, in another experiment; with 500 the first window still
   * cost ~40% more server CPU per run than later ones, which flattered the ratio.
   */
  warmup: number;
  /** Hard cap on the seeding time. */
  maxSeconds: number;
}

/** Full size: 100k runs, ~1–6 minutes depending on the store's speed. */
export const FULL_CREATE_SCALE: CreateScaleSizes = {
  runs: 100_000,
  clients: 4,
  window: 1_000,
  warmup: 2_000,
  maxSeconds: 600,
};

/** `--quick`: 10k runs, well under a minute on a healthy store. */
export const QUICK_CREATE_SCALE: CreateScaleSizes = {
  runs: 10_000,
  clients: 4,
  window: 1_000,
  warmup: 2_000,
  maxSeconds: 90,
};

/** The rate the issue compares against: the late rate must be at least this share of the early. */
const TARGET_RATIO = 0.8;

/** What a process has used so far: CPU milliseconds (user + system) and bytes written. */
interface Usage {
  cpuMs: number;
  writtenBytes: number;
}

/** The server's usage so far, or undefined off Linux (the figures then go without it). */
function usage(pid: number): Usage | undefined {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    const io = Deno.readTextFileSync(`/proc/${pid}/io`);
    return {
      cpuMs: (Number(fields[11]) + Number(fields[12])) * 1000 / 100, // clock ticks at USER_HZ 100
      writtenBytes: Number(/^wchar: (\d+)$/m.exec(io)?.[1]),
    };
  } catch {
    return undefined;
  }
}

/** Seeds one experiment and compares the creation rate of its first and last windows. */
export async function benchCreateScale(sizes: CreateScaleSizes): Promise<Result[]> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-bench-create-scale-" });
  const server = await startServer({ kvPath: `${dir}/mlruns.kv` });
  try {
    const pid = server.process.pid;
    const warm = createAndLog(server, await createExperiment(server));
    await drive(sizes.clients, sizes.warmup, sizes.maxSeconds, warm);

    const work = createAndLog(server, await createExperiment(server));
    // Per finished run: when it finished; per window boundary: the server's usage so far.
    const ends: number[] = [];
    const usageAt = new Map<number, Usage | undefined>([[0, usage(pid)]]);
    const start = performance.now();
    const { done } = await drive(sizes.clients, sizes.runs, sizes.maxSeconds, async (i) => {
      await work(i);
      ends.push(performance.now());
      if (ends.length % sizes.window === 0) usageAt.set(ends.length, usage(pid));
    });
    const w = sizes.window;
    const windows = Math.floor(done / w);
    if (windows < 2) {
      return [{
        bench: "create-scale",
        label: `creation rate at ${done} runs vs the first ${w} (too few runs in the budget)`,
        value: NaN,
        unit: "×",
        goal: "min",
        target: TARGET_RATIO,
      }];
    }
    const rateOf = (from: number, to: number) =>
      (to - from) / ((ends[to - 1] - (from === 0 ? start : ends[from - 1])) / 1000);
    const perRun = (from: number, to: number) => {
      const a = usageAt.get(from), b = usageAt.get(to);
      if (a === undefined || b === undefined) return undefined;
      return {
        cpuMs: (b.cpuMs - a.cpuMs) / (to - from),
        kib: (b.writtenBytes - a.writtenBytes) / (to - from) / 1024,
      };
    };
    const last = windows * w;
    const early = rateOf(0, w);
    const late = rateOf(last - w, last);
    const usageEarly = perRun(0, w);
    const usageLate = perRun(last - w, last);
    const k = (n: number) => `${(n / 1000).toLocaleString("en-US")}k`;
    const round = (n: number) => Math.round(n).toLocaleString("en-US");
    // CPU and bytes written per run are steadier than rates on a shared machine.
    const usageNote = usageEarly === undefined || usageLate === undefined
      ? ""
      : `; server per run: ` +
        `CPU ${usageEarly.cpuMs.toFixed(2)} → ${usageLate.cpuMs.toFixed(2)} ms, ` +
        `written ${round(usageEarly.kib)} → ${round(usageLate.kib)} KiB`;
    return [{
      bench: "create-scale",
      label: `create + log-batch, ${sizes.clients} clients, runs 0–${k(w)} of one experiment`,
      value: early,
      unit: "runs/s",
      goal: "min",
    }, {
      bench: "create-scale",
      label: `create + log-batch, ${sizes.clients} clients, runs ${k(last - w)}–${k(last)}`,
      value: late,
      unit: "runs/s",
      goal: "min",
    }, {
      bench: "create-scale",
      label: `creation rate at ${k(last)} runs / at the first ${k(w)}`,
      value: late / early,
      unit: "×",
      goal: "min",
      target: TARGET_RATIO,
      note: `${round(early)} → ${round(late)} runs/s${usageNote}`,
    }];
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
