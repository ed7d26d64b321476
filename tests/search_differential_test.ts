/**
 * Differential test of run search: thousands of random queries (filter, order_by, view type,
 * experiment scope, page sizes) over one generated data set, where every backend's paged
 * `searchRuns` must return exactly what the brute-force reference evaluator `searchRunsIn`
 * returns for the same query over the runs as `getRun` reads them. It is what proves the KV
 * backend's secondary indexes, query planner and keyset page tokens right.
 *
 * Environment (all optional):
 * - `KVFLOW_DIFF_SEED`: data and query seed (default fixed, so CI is reproducible);
 * - `KVFLOW_DIFF_QUERIES`: number of queries (default 800, about 20 s of the suite's CPU on two
 *   cores, so the whole suite stays near 5 minutes; `KVFLOW_DIFF_QUERIES=10000` for a deeper
 *   run before touching the planner or tokens);
 * - `KVFLOW_DIFF_RUNS`: number of runs in the data set (default 400);
 * - `KVFLOW_DIFF_ONLY`: query numbers to replay, e.g. `17` from a failure message, or `3,10-20`.
 *
 * @module
 */
import { deepStrictEqual } from "node:assert/strict";
import { MlflowError } from "../store/errors.ts";
import { createKvStore } from "../store/kv/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { searchRunsIn } from "../store/search/mod.ts";
import type { Page, Run, SearchRunsOptions, TrackingStore } from "../store/types.ts";
import {
  buildVocab,
  type GeneratedQuery,
  generateQuery,
  limitPages,
  seedStore,
  type Vocab,
} from "./helpers/search_generators.ts";

const DEFAULT_SEED = 20_250_611;

function envInt(name: string, fallback: number): number {
  const raw = readEnv(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be an integer, got ${raw}`);
  return n;
}

/** Env access without requiring --allow-env: absent permission means defaults. */
function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** `KVFLOW_DIFF_ONLY`: query numbers and ranges, e.g. `17,40-45`. */
function parseOnly(raw: string): number[] {
  const out: number[] = [];
  for (const part of raw.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) {
      throw new Error(`KVFLOW_DIFF_ONLY: expected numbers or ranges like 3,10-20, got ${part}`);
    }
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.push(i);
  }
  return out;
}

const SEED = envInt("KVFLOW_DIFF_SEED", DEFAULT_SEED);
const QUERIES = envInt("KVFLOW_DIFF_QUERIES", 800);
const RUNS = envInt("KVFLOW_DIFF_RUNS", 400);
const ONLY = parseOnly(readEnv("KVFLOW_DIFF_ONLY") ?? "");
/** Failures reported in one message; later ones are usually the same bug again. */
const MAX_REPORTED = 5;

// ---------------------------------------------------------------------------------------------
// Comparing runs
// ---------------------------------------------------------------------------------------------

/** JSON folds NaN and ±Infinity into null and -0 into 0; keep them distinct. */
function keepSpecialNumbers(_key: string, v: unknown): unknown {
  if (typeof v !== "number" || (Number.isFinite(v) && !Object.is(v, -0))) return v;
  return `#${Object.is(v, -0) ? "-0" : v}`;
}

/**
 * A fast text of a run. Equal texts imply `deepStrictEqual` runs; unequal ones may still be
 * equal (key order), so a mismatch is settled by `deepStrictEqual`. Deep-comparing every
 * returned run instead would cost several times more.
 */
function runText(run: Run): string {
  return JSON.stringify(run, keepSpecialNumbers);
}

/** A search result may leave out `outputs` (MLflow's search does); everything else must match. */
function comparable(found: Run, truth: Run): { found: Run; truth: Run } {
  if ("outputs" in found) return { found, truth };
  const { outputs: _, ...rest } = truth;
  return { found, truth: rest as Run };
}

/** A one-line summary of a run for failure messages: what filters and orderings look at. */
function describeRun(r: Run | undefined): string {
  if (r === undefined) return "(none)";
  const i = r.info;
  const kv = (xs: { key: string; value: unknown }[]) =>
    xs.map((x) => `${x.key}=${JSON.stringify(x.value, keepSpecialNumbers)}`).join(" ");
  return `${i.run_id} exp=${i.experiment_id} ${i.lifecycle_stage} name=${
    JSON.stringify(i.run_name)
  } user=${JSON.stringify(i.user_id)} ${i.status} start=${i.start_time} end=${
    i.end_time ?? "-"
  } | metrics ${kv(r.data.metrics)} | params ${kv(r.data.params)} | tags ${kv(r.data.tags)}`;
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

interface Fixture {
  store: TrackingStore;
  /** Every run, as `getRun` returns it: the reference evaluator's input. */
  runs: Run[];
  byId: Map<string, { run: Run; text: string }>;
  experimentIds: string[];
  close(): void;
}

async function seeded(store: TrackingStore, close: () => void): Promise<Fixture> {
  const data = await seedStore(store, SEED, RUNS);
  const runs: Run[] = [];
  for (const id of data.runIds) runs.push(await store.getRun(id));
  const byId = new Map(runs.map((run) => [run.info.run_id, { run, text: runText(run) }]));
  return { store, runs, byId, experimentIds: data.experimentIds, close };
}

async function kvFixture(): Promise<Fixture> {
  const kv = await Deno.openKv(":memory:");
  return seeded(await createKvStore(kv), () => kv.close());
}

function memoryFixture(): Promise<Fixture> {
  return seeded(createMemoryStore(), () => {});
}

// ---------------------------------------------------------------------------------------------
// One query
// ---------------------------------------------------------------------------------------------

type Outcome = { ids: string[] } | { error: unknown };

/** The truth for a query: the reference evaluator over all runs, in one page. */
function referenceOutcome(runs: Run[], opts: SearchRunsOptions): Outcome {
  try {
    // Validate with the query's own page size and token, then read everything at once.
    searchRunsIn([], opts);
    const all = searchRunsIn(runs, { ...opts, maxResults: 50000, pageToken: undefined });
    return { ids: all.items.map((r) => r.info.run_id) };
  } catch (error) {
    return { error };
  }
}

function isInvalidParam(e: unknown): boolean {
  return e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE";
}

function errorText(e: unknown): string {
  return e instanceof MlflowError ? `${e.code}: ${e.message}` : String(e);
}

/** What a check found: `null` when the store agrees with the reference. */
type Finding = string | null;

interface Stats {
  queries: number;
  invalid: number;
  empty: number;
  multiPage: number;
  pages: number;
  runsReturned: number;
}

/** A finished paging: every run returned, how many pages it took, and the first token seen. */
interface Paged {
  got: Run[];
  pages: number;
  firstToken?: string;
}

/**
 * Checks one query: paging agrees with the reference (or both reject the query), every run is
 * exactly what `getRun` returns, and a token does not resume another query.
 */
async function checkQuery(
  fx: Fixture,
  index: number,
  q: GeneratedQuery,
  expected: Outcome,
  stats: Stats,
): Promise<Finding> {
  const paged = await pageThrough(fx.store, q, expected);
  if (paged === null || typeof paged === "string") return paged;
  const finding = checkRunBodies(fx, paged.got);
  if (finding !== null) return finding;
  // One query in four is enough to catch a token that resumes a foreign query, at a quarter
  // of the extra calls.
  if (paged.firstToken !== undefined && index % 4 === 0) {
    const misuse = await checkForeignToken(fx.store, q.opts, paged.firstToken);
    if (misuse !== null) return misuse;
  }
  stats.pages += paged.pages;
  stats.runsReturned += paged.got.length;
  if (paged.got.length === 0) stats.empty++;
  if (paged.pages > 1) stats.multiPage++;
  return null;
}

/**
 * Pages through `store` until no token comes back, checking each page as it arrives: full pages
 * before the last, no empty page after a token, run ids in the reference order. Returns `null`
 * when both sides rejected the query alike, a finding on any disagreement, else the pages.
 */
async function pageThrough(
  store: TrackingStore,
  q: GeneratedQuery,
  expected: Outcome,
): Promise<Paged | Finding> {
  const sizeOf = (page: number) =>
    page === 0 || !q.pageSizes ? q.opts.maxResults : q.pageSizes[(page - 1) % q.pageSizes.length];
  const paged: Paged = { got: [], pages: 0 };
  let token = q.opts.pageToken;
  for (;;) {
    const size = sizeOf(paged.pages);
    let res: Page<Run>;
    try {
      res = await store.searchRuns({ ...q.opts, maxResults: size, pageToken: token });
    } catch (error) {
      if (!("error" in expected) || paged.pages > 0) {
        return `page ${paged.pages} threw ${errorText(error)}` +
          ("ids" in expected ? ` (the reference returns ${expected.ids.length} runs)` : "");
      }
      return isInvalidParam(error) && isInvalidParam(expected.error) ? null : (
        `both reject the query, but differently:\n  reference: ${errorText(expected.error)}` +
        `\n  store:     ${errorText(error)}`
      );
    }
    if ("error" in expected) {
      return `the store accepted the query, the reference rejects it: ${errorText(expected.error)}`;
    }
    const n = res.items.length;
    paged.got.push(...res.items);
    paged.pages++;
    if (res.nextPageToken !== undefined && n !== size) {
      return `page ${paged.pages - 1} has ${n} runs and a token; only the last page may have ` +
        `fewer than max_results=${size}`;
    }
    if (res.nextPageToken === undefined && n === 0 && paged.pages > 1) {
      return `page ${paged.pages - 1} is empty: the previous page's token promised more runs`;
    }
    const mismatch = firstDifference(expected.ids, paged.got, paged.got.length - n);
    if (mismatch !== null) return mismatch;
    if (res.nextPageToken === undefined) break;
    // More would already differ from the reference (caught above), so this is MLflow 3.6's
    // token on an exactly full last page, which leads to an empty page.
    if (paged.got.length === expected.ids.length) {
      return `page ${paged.pages - 1} returned a token although it ended the result ` +
        `(${expected.ids.length} runs)`;
    }
    paged.firstToken ??= res.nextPageToken;
    token = res.nextPageToken;
  }
  if (paged.got.length !== expected.ids.length) {
    return `the store returned ${paged.got.length} runs in ${paged.pages} pages, the reference ` +
      `${expected.ids.length}`;
  }
  return paged;
}

/** Every returned run must be exactly what `getRun` returns (bar a left-out `outputs`). */
function checkRunBodies(fx: Fixture, got: Run[]): Finding {
  for (const [i, run] of got.entries()) {
    const truth = fx.byId.get(run.info.run_id)!;
    const pair = comparable(run, truth.run);
    if (runText(pair.found) === (pair.truth === truth.run ? truth.text : runText(pair.truth))) {
      continue;
    }
    try {
      deepStrictEqual(pair.found, pair.truth);
    } catch (e) {
      return `run at position ${i} differs from getRun:\n${(e as Error).message}`;
    }
  }
  return null;
}

/**
 * The first position, at or after `from`, where `got` leaves the reference order; `null` while
 * `got` is a prefix of it.
 */
function firstDifference(expected: string[], got: Run[], from: number): Finding {
  for (let i = from; i < got.length; i++) {
    const id = got[i].info.run_id;
    if (id === expected[i]) continue;
    const where = expected.indexOf(id);
    const why = got.findIndex((r) => r.info.run_id === id) < i
      ? "returned twice"
      : where < 0
      ? "not in the reference result"
      : `reference position ${where}`;
    return `first difference at position ${i}: expected ${expected[i] ?? "(end of results)"}, ` +
      `got ${id} (${why})\n    got[${i}] ${describeRun(got[i])}`;
  }
  return null;
}

/** A page token must not resume a different query (here: the same one under another view). */
async function checkForeignToken(
  store: TrackingStore,
  opts: SearchRunsOptions,
  token: string,
): Promise<Finding> {
  const runViewType = (opts.runViewType ?? "ACTIVE_ONLY") === "ALL" ? "ACTIVE_ONLY" : "ALL";
  try {
    await store.searchRuns({ ...opts, runViewType, pageToken: token });
  } catch (e) {
    return isInvalidParam(e) ? null : `a foreign page token threw ${errorText(e)}`;
  }
  return `a page token was accepted by a different query (run_view_type ${runViewType})`;
}

/** Everything needed to replay a failure, with the ids around the first difference. */
function report(
  store: string,
  index: number,
  q: GeneratedQuery,
  expected: Outcome,
  finding: string,
  fx: Fixture,
): string {
  const lines = [
    `[${store}] query #${index} (seed ${SEED}, runs ${RUNS}): ${finding}`,
    `  opts: ${JSON.stringify(q.opts)}`,
  ];
  if (q.pageSizes) lines.push(`  later page sizes (cycled): ${JSON.stringify(q.pageSizes)}`);
  if (q.deliberatelyInvalid) lines.push(`  deliberately invalid: ${q.deliberatelyInvalid}`);
  if ("ids" in expected) {
    lines.push(`  reference: ${expected.ids.length} runs`);
    const m = /position (\d+)/.exec(finding);
    if (m) {
      const p = Number(m[1]);
      for (let i = Math.max(0, p - 2); i < Math.min(expected.ids.length, p + 3); i++) {
        lines.push(`    ref[${i}] ${describeRun(fx.byId.get(expected.ids[i])?.run)}`);
      }
    }
  }
  lines.push(
    `  replay: KVFLOW_DIFF_SEED=${SEED} KVFLOW_DIFF_RUNS=${RUNS} KVFLOW_DIFF_ONLY=${index} ` +
      `deno test -A tests/search_differential_test.ts`,
  );
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

function queryIndexes(): number[] {
  return ONLY.length > 0 ? ONLY : Array.from({ length: QUERIES }, (_, i) => i);
}

let sharedVocab: Promise<Vocab> | undefined;

/**
 * The vocabulary queries draw values from, built once from a memory store, so that every
 * backend gets the very same queries even where its data differ (which the seeding test
 * reports on its own).
 */
function queryVocab(): Promise<Vocab> {
  sharedVocab ??= (async () => {
    const fx = await memoryFixture();
    return buildVocab(fx.experimentIds, fx.runs);
  })();
  return sharedVocab;
}

/** Runs every query against one backend; fails with up to MAX_REPORTED replayable reports. */
async function differential(name: string, fx: Fixture): Promise<Stats> {
  const vocab = await queryVocab();
  const stats: Stats = {
    queries: 0,
    invalid: 0,
    empty: 0,
    multiPage: 0,
    pages: 0,
    runsReturned: 0,
  };
  const failures: string[] = [];
  let failed = 0;
  for (const index of queryIndexes()) {
    const generated = generateQuery(SEED, index, vocab);
    const first = referenceOutcome(fx.runs, generated.opts);
    const q = "ids" in first ? limitPages(SEED, index, generated, first.ids.length) : generated;
    stats.queries++;
    if ("error" in first) {
      if (!isInvalidParam(first.error)) throw first.error; // a reference crash is a harness bug
      stats.invalid++;
    }
    const finding = await checkQuery(fx, index, q, first, stats);
    if (finding === null) continue;
    failed++;
    if (failures.length < MAX_REPORTED) failures.push(report(name, index, q, first, finding, fx));
  }
  if (failed > 0) {
    throw new Error(
      `${failed} of ${stats.queries} queries disagree with the reference evaluator ` +
        `(first ${failures.length} shown):\n\n${failures.join("\n\n")}`,
    );
  }
  return stats;
}

console.log(
  `search differential: seed=${SEED} queries=${
    ONLY.length > 0 ? `${ONLY.length} replayed (KVFLOW_DIFF_ONLY)` : QUERIES
  } ` +
    `runs=${RUNS} (override with KVFLOW_DIFF_SEED / KVFLOW_DIFF_QUERIES / KVFLOW_DIFF_RUNS / ` +
    `KVFLOW_DIFF_ONLY)`,
);

Deno.test("search differential: identical seeding gives both backends the same runs", async () => {
  // Otherwise the two differential tests below would not test the same data; this also catches
  // write paths where the backends disagree.
  const [kv, memory] = [await kvFixture(), await memoryFixture()];
  try {
    const diffs: string[] = [];
    for (const [i, truth] of memory.runs.entries()) {
      const run = kv.runs[i];
      if (runText(run) === runText(truth)) continue;
      try {
        deepStrictEqual(run, truth);
      } catch (e) {
        diffs.push(
          `run ${truth.info.run_id} (kv actual, memory expected):\n${(e as Error).message}`,
        );
      }
    }
    if (diffs.length > 0) {
      throw new Error(
        `${diffs.length} of ${memory.runs.length} runs differ between the KV and memory stores ` +
          `after the same calls (seed ${SEED}, runs ${RUNS}); first ${Math.min(3, diffs.length)}:` +
          `\n\n${diffs.slice(0, 3).join("\n\n")}`,
      );
    }
  } finally {
    kv.close();
    memory.close();
  }
});

Deno.test("search differential: memory store agrees with the reference (harness check)", async () => {
  const fx = await memoryFixture();
  try {
    const stats = await differential("memory", fx);
    console.log(`  memory: ${JSON.stringify(stats)}`);
    // Guards the generator itself: a change that made every query empty or invalid would
    // leave the differential test green while testing nothing.
    if (ONLY.length === 0 && stats.queries >= 500) {
      const valid = stats.queries - stats.invalid;
      const share = (n: number) => n / valid;
      if (share(valid - stats.empty) < 0.5 || share(stats.multiPage) < 0.15) {
        throw new Error(`the query generator degenerated: ${JSON.stringify(stats)}`);
      }
    }
  } finally {
    fx.close();
  }
});

Deno.test("search differential: KV store pages equal the reference evaluator", async () => {
  const fx = await kvFixture();
  try {
    const stats = await differential("kv", fx);
    console.log(`  kv: ${JSON.stringify(stats)}`);
  } finally {
    fx.close();
  }
});
