/**
 * One way to run a fast-check property, bounded in `deno task test` and long in `deno task fuzz`.
 *
 * - In `deno task test` a property runs `numRuns` cases. Under CI (`CI=true`) the seed is fixed,
 *   so a landing is reproducible; elsewhere each run draws a fresh seed.
 * - `deno task fuzz --seconds N` (tests/fuzz/run.ts) runs each `*_fuzz_test.ts` file with
 *   `KVFLOW_FUZZ_SECONDS` set to that file's share of N; a property then runs as many cases as fit
 *   in `share` of it (the shares of one file's properties add up to 1).
 * - `KVFLOW_FUZZ_SEED` (and `KVFLOW_FUZZ_PATH`, to jump straight to the shrunk case) replay a
 *   failure: the thrown error prints the exact command.
 *
 * @module
 */
import fc from "fast-check";

/** How long and how hard one property runs; see the module doc. */
export interface FuzzBudget {
  /** Cases in a normal `deno task test` run. */
  numRuns: number;
  /** Fraction of the file's fuzz-mode time this property gets (default 1). */
  share?: number;
}

/** The seed CI uses, so that a green CI run is a replayable fact. */
const CI_SEED = 20261205;

function envNumber(name: string): number | undefined {
  const text = Deno.env.get(name);
  if (text === undefined || text.trim() === "") return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${text}"`);
  return n;
}

/** Seconds this file may fuzz for, when run by `deno task fuzz`; undefined in normal tests. */
export function fuzzSeconds(): number | undefined {
  return envNumber("KVFLOW_FUZZ_SECONDS");
}

/**
 * Runs `property` within its budget; on failure throws fast-check's report (counterexample, seed,
 * path) plus the command that replays it.
 */
export async function checkProperty<Ts>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
  budget: FuzzBudget,
): Promise<void> {
  const seconds = fuzzSeconds();
  const seed = envNumber("KVFLOW_FUZZ_SEED") ??
    (Deno.env.get("CI") && seconds === undefined
      ? CI_SEED
      : Date.now() ^ (Math.random() * 2 ** 31));
  const path = Deno.env.get("KVFLOW_FUZZ_PATH") || undefined;
  const params: fc.Parameters<Ts> = seconds === undefined || path !== undefined
    ? { numRuns: budget.numRuns, seed, path, includeErrorInReport: true }
    : {
      numRuns: Number.MAX_SAFE_INTEGER,
      seed,
      interruptAfterTimeLimit: Math.max(1, seconds * (budget.share ?? 1)) * 1000,
      markInterruptAsFailure: false,
      includeErrorInReport: true,
    };
  const started = performance.now();
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, params);
  const took = ((performance.now() - started) / 1000).toFixed(1);
  if (seconds !== undefined) {
    console.log(`fuzz: ${name}: ${details.numRuns} cases in ${took} s, seed ${details.seed}`);
  }
  if (details.failed) {
    const replay =
      `KVFLOW_FUZZ_SEED=${details.seed} KVFLOW_FUZZ_PATH=${details.counterexamplePath}` +
      ` deno test -A <file> --filter ${JSON.stringify(name)}`;
    throw new Error(`${fc.defaultReportMessage(details)}\nReplay: ${replay}`);
  }
}
