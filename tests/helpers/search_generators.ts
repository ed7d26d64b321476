/**
 * Deterministic generators for the runs-search differential test: a seeded PRNG, a data set
 * written through the public `TrackingStore` API, and random `searchRuns` queries drawn from the
 * whole filter / order_by grammar (kvflow extensions included). Everything is a pure function of
 * the seed, run ids included, so a failing query can be replayed exactly.
 *
 * @module
 */
import type { Run, SearchRunsOptions, TrackingStore, ViewType } from "../../store/types.ts";
import { withRunIds } from "../../store/ids.ts";

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/** Mixes numbers into a 32-bit seed, so every query gets its own independent stream. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast and good enough to drive test generation. */
export class Rng {
  #s: number;

  constructor(seed: number) {
    this.#s = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** A shuffled copy. */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** `k` distinct elements in random order (all of them when `k` ≥ length). */
  sample<T>(xs: readonly T[], k: number): T[] {
    return this.shuffle(xs).slice(0, k);
  }

  /** 32 lowercase hex digits, the shape of an MLflow run id. */
  hex32(): string {
    let s = "";
    for (let i = 0; i < 4; i++) s += (this.int(2 ** 32) >>> 0).toString(16).padStart(8, "0");
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Value domains. Small on purpose, so that equality, IN and LIKE clauses hit real runs often;
// each holds a few values no run gets, and characters that stress quoting and LIKE.
// ---------------------------------------------------------------------------------------------

/** Keys that need quoting in a filter (space, hyphen) sit next to plain ones. */
export const PARAM_KEYS: readonly string[] = ["p0", "p1", "p2", "p3", "p4", "p5", "lr rate"];
export const TAG_KEYS: readonly string[] = ["t0", "t1", "t2", "t3", "t.x-y"];
export const METRIC_KEYS: readonly string[] = ["m0", "m1", "m2", "m3", "m4", "val loss"];
/** Keys no run has: every filter on them matches nothing (or everything under NOT / IS NULL). */
const ABSENT_KEYS = ["p9", "zz", "missing key"];

const STRING_VALUES = [
  "a",
  "b",
  "c",
  "A",
  "ab",
  "Ab",
  "aB",
  "a b",
  "50%",
  "5_0",
  "x_y",
  "xay",
  "it's",
  'say "hi"',
  "Ünï",
  "ünï",
  "日本",
  "",
  "10",
  "9",
  "1e3",
  "0.5",
  "-1",
  "%",
  "_",
  "a\\b",
  "UPPER",
  "upper",
];

const METRIC_VALUES = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.25,
  2.5,
  3,
  7,
  100,
  0.1,
  5e-324, // the smallest denormal: stresses order-preserving number encodings
  -5e-324,
  1e300,
  -1e300,
  Infinity, // stored as Number.MAX_VALUE
  -Infinity,
  NaN, // compared as 0 by filters, sorted after numbers
];
const METRIC_STEPS = [0, 0, 1, 2, 3, -1, 1_000_000_000_000];
const METRIC_TIMESTAMPS = [100, 200, 200, 300];

const RUN_NAMES = [
  "dup",
  "dup",
  "Dup",
  "run 2",
  "it's",
  'q"uote',
  "日本語",
  "Ünicode",
  "50% done",
  "a_b",
  "axb",
  "under_score",
  "trailing ",
];
const USER_IDS = ["alice", "bob", "Bob", "", "o'neil", "ünï", "carol smith", "50%"];
const STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;
/** ~40 distinct start times for ~400 runs: plenty of ties, which the run_id tiebreak settles. */
const START_BASE = 1_700_000_000_000;
const END_DELTAS = [0, 1, 1000, 1000, 5000, 60_000];
const DATASETS = [
  { name: "train", digest: "d1" },
  { name: "train", digest: "d2" },
  { name: "Train", digest: "d1" },
  { name: "eval", digest: "abc" },
  { name: "eval set", digest: "x_y" },
  { name: "ünï", digest: "50%" },
];
const CONTEXTS = ["training", "eval", "Testing", "it's"];

// ---------------------------------------------------------------------------------------------
// Data set
// ---------------------------------------------------------------------------------------------

/** What the seeding produced: experiment ids (incl. `"0"`) and run ids in creation order. */
export interface SeededData {
  experimentIds: string[];
  runIds: string[];
}

/** A metric point from the domains; `key` logged once or several times out of order. */
function metricPoints(rng: Rng, key: string) {
  const n = rng.range(1, 5);
  return Array.from({ length: n }, () => ({
    key,
    value: rng.pick(METRIC_VALUES),
    step: rng.pick(METRIC_STEPS),
    timestamp: rng.pick(METRIC_TIMESTAMPS),
  }));
}

/** Each param/tag key gets its own small sub-domain so values repeat across runs. */
function keyDomains(rng: Rng, keys: readonly string[]): Map<string, string[]> {
  return new Map(keys.map((k) => [k, rng.sample(STRING_VALUES, rng.range(3, 6))]));
}

/**
 * Seeds `store` with `runCount` runs over experiments `0`–`3` through the public API only, in
 * phases that exercise every write path an index must follow: data at creation, several batches,
 * tag overwrites and deletes, renames, out-of-order metric points, dataset inputs, run and
 * experiment deletion and restoration. Same seed, same calls, same run ids.
 */
export async function seedStore(
  store: TrackingStore,
  seed: number,
  runCount: number,
): Promise<SeededData> {
  const rng = new Rng(mixSeed(seed, 1));
  const experimentIds = ["0"];
  for (const name of ["exp one", "exp-two", "exp 3 ünï"]) {
    experimentIds.push(await store.createExperiment({ name }));
  }
  const paramDomain = keyDomains(rng, PARAM_KEYS);
  const tagDomain = keyDomains(rng, TAG_KEYS);
  const startTimes = Array.from({ length: 40 }, (_, i) => START_BASE + i * 1000);
  startTimes.push(0); // the smallest start time MLflow allows

  // Phase 1: create runs, some with tags given at creation.
  const runIds: string[] = [];
  const startOf = new Map<string, number>();
  const experimentOf = new Map<string, string>();
  for (let i = 0; i < runCount; i++) {
    const r = rng.next();
    const expId = r < 0.05
      ? "0"
      : r < 0.45
      ? experimentIds[1]
      : r < 0.75
      ? experimentIds[2]
      : experimentIds[3];
    const name = rng.chance(0.5) ? `run-${i}` : rng.pick(RUN_NAMES);
    const tags = TAG_KEYS.filter(() => rng.chance(0.2)).map((key) => ({
      key,
      value: rng.pick(tagDomain.get(key)!),
    }));
    // The name arrives either as run_name or as the mlflow.runName tag; both must index alike.
    if (rng.chance(0.5)) tags.push({ key: "mlflow.runName", value: name });
    const hex = rng.hex32();
    const start = rng.pick(startTimes);
    const run = await withRunIds(() => hex, () =>
      store.createRun({
        experimentId: expId,
        userId: rng.pick(USER_IDS),
        ...(!tags.some((t) => t.key === "mlflow.runName") && { runName: name }),
        startTime: start,
        tags,
      }));
    if (run.info.run_id !== hex) {
      throw new Error(`run id ${run.info.run_id} is not the seeded ${hex}`);
    }
    runIds.push(hex);
    startOf.set(hex, start);
    experimentOf.set(hex, expId);
  }

  // Phase 2: data, interleaved across runs in random order, each run in one or two batches.
  for (const id of rng.shuffle(runIds)) {
    const params = PARAM_KEYS.filter(() => rng.chance(0.7)).map((key) => ({
      key,
      value: rng.pick(paramDomain.get(key)!),
    }));
    const metrics = METRIC_KEYS.filter(() => rng.chance(0.65)).flatMap((k) => metricPoints(rng, k));
    const tags = TAG_KEYS.filter(() => rng.chance(0.5)).map((key) => ({
      key,
      value: rng.pick(tagDomain.get(key)!),
    }));
    const shuffled = rng.shuffle(metrics);
    const cut = rng.int(shuffled.length + 1);
    await store.logBatch(id, { params, metrics: shuffled.slice(0, cut), tags });
    if (cut < shuffled.length || rng.chance(0.2)) {
      // Re-logging identical params is allowed; repeated identical points are ignored.
      const again = params.filter(() => rng.chance(0.3));
      await store.logBatch(id, { params: again, metrics: shuffled.slice(cut) });
    }
    if (rng.chance(0.75)) {
      await store.updateRun(id, {
        ...(rng.chance(0.8) && { status: rng.pick(STATUSES) }),
        ...(rng.chance(0.7) && { endTime: startOf.get(id)! + rng.pick(END_DELTAS) }),
      });
    }
    if (rng.chance(0.3)) await logDatasets(store, rng, id);
  }

  // Phase 3: changes an index must follow — overwritten and deleted tags, renames, later
  // metric points that may or may not become the latest value.
  for (const id of rng.shuffle(runIds)) {
    const run = await store.getRun(id);
    const tagKeys = run.data.tags.map((t) => t.key).filter((k) => k.startsWith("t"));
    const changed = tagKeys.filter(() => rng.chance(0.25)).map((key) => ({
      key,
      value: rng.pick(tagDomain.get(key)!),
    }));
    const more = run.data.metrics.filter(() => rng.chance(0.3)).flatMap((m) =>
      metricPoints(rng, m.key)
    );
    if (rng.chance(0.06)) changed.push({ key: "mlflow.runName", value: rng.pick(RUN_NAMES) });
    if (changed.length > 0 || more.length > 0) {
      await store.logBatch(id, { tags: changed, metrics: more });
    }
    for (const key of tagKeys) {
      if (changed.some((t) => t.key === key) || !rng.chance(0.12)) continue;
      await store.deleteTag(id, key);
      // Set again after a delete: an index entry must come back, with the new value.
      if (rng.chance(0.3)) {
        await store.logBatch(id, { tags: [{ key, value: rng.pick(tagDomain.get(key)!) }] });
      }
    }
    if (rng.chance(0.04)) await store.updateRun(id, { runName: rng.pick(RUN_NAMES) });
    // Deleting mlflow.runName keeps info.run_name; run_name filters then fall back to it.
    if (rng.chance(0.03)) await store.deleteTag(id, "mlflow.runName");
    if (rng.chance(0.1)) await logDatasets(store, rng, id);
  }

  // Phase 4: lifecycle. Experiment 2 is deleted and restored, which reactivates runs deleted
  // before; experiment 3 stays deleted, so all its runs are deleted.
  const [, , exp2, exp3] = experimentIds;
  for (const id of rng.shuffle(runIds)) if (rng.chance(0.12)) await store.deleteRun(id);
  for (const id of rng.shuffle(runIds)) if (rng.chance(0.05)) await store.restoreRun(id);
  await store.deleteExperiment(exp2);
  await store.restoreExperiment(exp2);
  const exp2Runs = runIds.filter((id) => experimentOf.get(id) === exp2);
  for (const id of rng.sample(exp2Runs, 5)) {
    await store.logBatch(id, { metrics: metricPoints(rng, rng.pick(METRIC_KEYS)) });
  }
  for (const id of rng.sample(exp2Runs, 6)) await store.deleteRun(id);
  await store.deleteExperiment(exp3);
  return { experimentIds, runIds };
}

async function logDatasets(store: TrackingStore, rng: Rng, runId: string): Promise<void> {
  const picks = rng.sample(DATASETS, rng.range(1, 3));
  await store.logInputs(
    runId,
    picks.map((d) => ({
      dataset: { ...d, source_type: "local", source: `file:///data/${d.name}` },
      tags: [
        ...(rng.chance(0.7) ? [{ key: "mlflow.data.context", value: rng.pick(CONTEXTS) }] : []),
        ...(rng.chance(0.2) ? [{ key: "other", value: "x" }] : []),
      ],
    })),
    rng.chance(0.2) ? [{ model_id: `m-${rng.hex32()}` }] : [],
  );
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: the values actually present, for queries that hit real data.
// ---------------------------------------------------------------------------------------------

/** Values seen in the data set, per field; queries mix these with the domains above. */
export interface Vocab {
  experimentIds: string[];
  /** Per-run identity, to narrow run ids and names to a query's scope. */
  runFacts: { id: string; experimentId: string; name: string; uri: string }[];
  runIds: string[];
  runNames: string[];
  artifactUris: string[];
  params: Map<string, string[]>;
  tags: Map<string, string[]>;
  metricValues: number[];
  times: number[];
  datasetNames: string[];
  datasetDigests: string[];
  contexts: string[];
}

function addTo(m: Map<string, Set<string>>, key: string, value: string): void {
  let s = m.get(key);
  if (!s) m.set(key, s = new Set());
  s.add(value);
}

/** Collects the vocabulary of a seeded data set from its full runs. */
export function buildVocab(experimentIds: string[], runs: readonly Run[]): Vocab {
  const params = new Map<string, Set<string>>();
  const tags = new Map<string, Set<string>>();
  const metricValues = new Set<number>([0]);
  const times = new Set<number>();
  const names = new Set<string>(), digests = new Set<string>(), contexts = new Set<string>();
  for (const r of runs) {
    for (const p of r.data.params) addTo(params, p.key, p.value);
    for (const t of r.data.tags) addTo(tags, t.key, t.value);
    for (const m of r.data.metrics) if (!Number.isNaN(m.value)) metricValues.add(m.value);
    times.add(r.info.start_time);
    if (r.info.end_time !== undefined) times.add(r.info.end_time);
    for (const di of r.inputs.dataset_inputs) {
      names.add(di.dataset.name);
      digests.add(di.dataset.digest);
      for (const t of di.tags) if (t.key === "mlflow.data.context") contexts.add(t.value);
    }
  }
  const toArrays = (m: Map<string, Set<string>>) => new Map([...m].map(([k, v]) => [k, [...v]]));
  return {
    experimentIds,
    runFacts: runs.map((r) => ({
      id: r.info.run_id,
      experimentId: r.info.experiment_id,
      name: r.info.run_name,
      uri: r.info.artifact_uri,
    })),
    runIds: runs.map((r) => r.info.run_id),
    runNames: [...new Set(runs.map((r) => r.info.run_name))],
    artifactUris: runs.map((r) => r.info.artifact_uri),
    params: toArrays(params),
    tags: toArrays(tags),
    metricValues: [...metricValues],
    times: [...times],
    datasetNames: [...names],
    datasetDigests: [...digests],
    contexts: [...contexts],
  };
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/**
 * One generated search. `pageSizes`, when present, changes `max_results` from page to page
 * (tokens do not depend on the page size); `deliberatelyInvalid` marks queries made to fail.
 */
export interface GeneratedQuery {
  opts: SearchRunsOptions & { maxResults: number };
  pageSizes?: number[];
  deliberatelyInvalid?: string;
}

/** Random case for keywords: the grammar's keywords are case-insensitive. */
function kw(rng: Rng, word: string): string {
  const r = rng.next();
  if (r < 0.6) return word;
  if (r < 0.85) return word.toLowerCase();
  return word[0] + word.slice(1).toLowerCase();
}

/** A string literal in `'…'` or `"…"`, embedding the quote by doubling or by backslash. */
function lit(rng: Rng, s: string): string {
  const q = rng.chance(0.75) ? "'" : '"';
  const esc = rng.chance(0.7) ? q + q : "\\" + q;
  return q + s.replaceAll(q, esc) + q;
}

const BARE_KEY = /^[\p{L}\p{N}_]+(\.[\p{L}\p{N}_]+)*$/u;

/** `type.key` with the key bare when possible, else (or at random) quoted three ways. */
function ident(rng: Rng, types: readonly string[], key: string): string {
  let type = rng.pick(types);
  if (type !== "" && rng.chance(0.1)) type = "`" + type + "`";
  const bare = BARE_KEY.test(key) && rng.chance(0.7);
  // A '…' key is only an identifier after a dot; alone it would be a string literal.
  const q = rng.pick(type === "" ? ["`", '"'] : ["`", '"', "'"]);
  const k = bare ? key : q + key + q;
  return type === "" ? k : `${type}.${k}`;
}

/** A numeric literal; zero also as `-0` and `0.0`, which must compare equal to 0. */
function num(rng: Rng, v: number): string {
  if (v === 0 && rng.chance(0.3)) return rng.pick(["-0", "0.0", "-0.0"]);
  const s = String(v);
  return Number.isInteger(v) && Math.abs(v) < 1e15 && rng.chance(0.15) ? `${s}.0` : s;
}

function sp(rng: Rng): string {
  return rng.chance(0.9) ? " " : rng.pick(["  ", "\t", "\n "]);
}

const METRIC_TYPES = ["metric", "metrics", "metrics", "metrics"];
const PARAM_TYPES = ["param", "params", "params", "parameter", "parameters"];
const TAG_TYPES = ["tag", "tags", "tags"];
const ATTR_TYPES = ["", "", "attribute", "attributes", "attr", "run"];
const DATASET_TYPES = ["dataset", "datasets"];
const NUMERIC_OPS = ["=", "!=", ">", ">=", "<", "<="];

/** A number near the data: a present value, a neighbour, a midpoint or 0 (NaN filters as 0). */
function numberNear(rng: Rng, values: readonly number[]): number {
  const v = rng.pick(values);
  const r = rng.next();
  const out = r < 0.55
    ? v
    : r < 0.7
    ? 0
    : r < 0.85
    ? (v + rng.pick(values)) / 2
    : v + rng.pick([-1, 1, -0.5, 0.5]);
  // Midpoints of ±MAX_VALUE overflow; the grammar has no literal for infinity.
  return Number.isFinite(out) ? out : v;
}

/** A LIKE pattern that often matches one of `values`: wildcards spliced into a real value. */
function likePattern(rng: Rng, values: readonly string[], caseless: boolean): string {
  let chars = [...rng.pick(values)];
  if (caseless && rng.chance(0.6)) {
    chars = chars.map((c) => rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase());
  }
  const r = rng.next();
  if (r < 0.25 && chars.length > 0) chars[rng.int(chars.length)] = "_";
  else if (r < 0.5) chars = [...chars.slice(0, rng.int(chars.length + 1)), "%"];
  else if (r < 0.7) chars = ["%", ...chars.slice(rng.int(chars.length + 1))];
  else if (r < 0.8) chars = ["%", ...chars.slice(1, Math.max(1, chars.length - 1)), "%"];
  else if (r < 0.85) chars = ["%"];
  return chars.join("");
}

/** Ops on a string field, its values, and a pool of misses. */
function stringPredicate(
  rng: Rng,
  values: readonly string[],
  nullable: boolean,
): string {
  const pool = values.length > 0 && rng.chance(0.85) ? values : STRING_VALUES;
  const r = rng.next();
  if (nullable && r < 0.12) {
    return `${sp(rng)}${kw(rng, "IS")} ${kw(rng, rng.chance(0.5) ? "NULL" : "NOT NULL")}`;
  }
  if (r < 0.4) return `${sp(rng)}=${sp(rng)}${lit(rng, rng.pick(pool))}`;
  if (r < 0.52) return `${sp(rng)}!=${sp(rng)}${lit(rng, rng.pick(pool))}`;
  if (r < 0.64) return ` ${kw(rng, "LIKE")} ${lit(rng, likePattern(rng, pool, false))}`;
  if (r < 0.74) return ` ${kw(rng, "ILIKE")} ${lit(rng, likePattern(rng, pool, true))}`;
  const list = Array.from({ length: rng.range(1, 4) }, () => lit(rng, rng.pick(pool)));
  const trailing = rng.chance(0.1) ? "," : "";
  const op = rng.chance(0.7) ? "IN" : "NOT IN";
  return ` ${op.split(" ").map((w) => kw(rng, w)).join(" ")}${sp(rng)}(${
    list.join(", ")
  }${trailing})`;
}

function metricClause(rng: Rng, v: Vocab): string {
  const key = rng.chance(0.93) ? rng.pick(METRIC_KEYS) : rng.pick(ABSENT_KEYS);
  const op = rng.pick(NUMERIC_OPS);
  return `${ident(rng, METRIC_TYPES, key)}${sp(rng)}${op}${sp(rng)}${
    num(rng, numberNear(rng, v.metricValues))
  }`;
}

/** Two ranges on one metric or time: what a planner turns into a single index range scan. */
function rangeClause(rng: Rng, v: Vocab): string {
  const metric = rng.chance(0.6);
  const values = metric ? v.metricValues : v.times;
  const [a, b] = [numberNear(rng, values), numberNear(rng, values)].sort((x, y) => x - y);
  const field = metric
    ? ident(rng, METRIC_TYPES, rng.pick(METRIC_KEYS))
    : ident(rng, ATTR_TYPES, rng.pick(["start_time", "created", "end_time"]));
  const lo = rng.pick([">", ">="]), hi = rng.pick(["<", "<="]);
  return `${field} ${lo} ${num(rng, a)} ${kw(rng, "AND")} ${field} ${hi} ${num(rng, b)}`;
}

function paramOrTagClause(rng: Rng, v: Vocab, isParam: boolean): string {
  const keys: readonly string[] = isParam ? PARAM_KEYS : [...TAG_KEYS, "mlflow.runName"];
  const key = rng.chance(0.92) ? rng.pick(keys) : rng.pick(ABSENT_KEYS);
  const values = (isParam ? v.params : v.tags).get(key) ?? [];
  return ident(rng, isParam ? PARAM_TYPES : TAG_TYPES, key) + stringPredicate(rng, values, true);
}

function attributeClause(rng: Rng, v: Vocab): string {
  const r = rng.next();
  if (r < 0.3) {
    const key = rng.pick(["start_time", "created", "Created", "end_time"]);
    const value = rng.chance(0.85) ? numberNear(rng, v.times) : rng.pick([0, -1, 1e15]);
    return `${ident(rng, ATTR_TYPES, key)}${sp(rng)}${rng.pick(NUMERIC_OPS)}${sp(rng)}${
      num(rng, value)
    }`;
  }
  if (r < 0.5) {
    // run_id: the planner's point lookups; misses include an upper-cased real id.
    const id = rng.pick(v.runIds);
    const miss = rng.chance(0.5) ? id.toUpperCase() : "0".repeat(32);
    const ids = [...rng.sample(v.runIds, rng.range(1, 5)), ...(rng.chance(0.3) ? [miss] : [])];
    const field = ident(rng, ATTR_TYPES, "run_id");
    if (rng.chance(0.6)) {
      const op = rng.chance(0.8) ? "IN" : "NOT IN";
      return `${field} ${op.split(" ").map((w) => kw(rng, w)).join(" ")} (${
        ids.map((i) => lit(rng, i)).join(",")
      })`;
    }
    return `${field} ${rng.pick(["=", "=", "!="])} ${lit(rng, rng.chance(0.9) ? id : miss)}`;
  }
  const choices: [string, readonly string[]][] = [
    ["run_name", v.runNames],
    ["run name", v.runNames],
    ["Run Name", v.runNames],
    ["status", STATUSES],
    ["user_id", USER_IDS],
    ["artifact_uri", v.artifactUris],
  ];
  const [key, values] = rng.pick(choices);
  return ident(rng, ATTR_TYPES, key) + stringPredicate(rng, values, false);
}

function datasetClause(rng: Rng, v: Vocab): string {
  const key = rng.pick(["name", "digest", "context"]);
  const values = key === "name" ? v.datasetNames : key === "digest" ? v.datasetDigests : v.contexts;
  return ident(rng, DATASET_TYPES, key) + stringPredicate(rng, values, false);
}

function clause(rng: Rng, v: Vocab): string {
  const r = rng.next();
  if (r < 0.25) return metricClause(rng, v);
  if (r < 0.42) return paramOrTagClause(rng, v, true);
  if (r < 0.57) return paramOrTagClause(rng, v, false);
  if (r < 0.8) return attributeClause(rng, v);
  if (r < 0.9) return datasetClause(rng, v);
  return rangeClause(rng, v);
}

function maybeParens(rng: Rng, s: string, p: number): string {
  return rng.chance(p) ? `(${sp(rng)}${s}${sp(rng)})` : s;
}

/** A boolean expression of depth ≤ `depth` mixing AND, OR, NOT and parentheses. */
function expression(rng: Rng, v: Vocab, depth: number): string {
  const r = rng.next();
  if (depth <= 0 || r < 0.45) return clause(rng, v);
  if (r < 0.6) return `${kw(rng, "NOT")} ${maybeParens(rng, expression(rng, v, depth - 1), 0.7)}`;
  const op = kw(rng, rng.chance(0.5) ? "AND" : "OR");
  const parts = Array.from(
    { length: rng.range(2, 3) },
    () => maybeParens(rng, expression(rng, v, depth - 1), 0.4),
  );
  return parts.join(` ${op} `);
}

/** A conjunction of 1–3 clauses: MLflow's own grammar and the planner's main target. */
function conjunction(rng: Rng, v: Vocab): string {
  // Mostly short: three random clauses rarely all hold for one run.
  const n = rng.pick([1, 1, 1, 2, 2, 3]);
  const parts = Array.from({ length: n }, () => clause(rng, v));
  return parts.join(`${sp(rng)}${kw(rng, "AND")}${sp(rng)}`);
}

function filter(rng: Rng, v: Vocab): string | undefined {
  const r = rng.next();
  if (r < 0.08) return undefined;
  if (r < 0.1) return rng.pick(["", "  "]);
  const f = r < 0.6 ? conjunction(rng, v) : expression(rng, v, 3);
  // MLflow tolerates one dangling AND.
  return rng.chance(0.03) ? `${f} ${kw(rng, "AND")}` : f;
}

/** The field an order_by clause names, with the canonical name used to avoid duplicates. */
function orderField(rng: Rng): { text: string; canonical: string } {
  const r = rng.next();
  if (r < 0.3) {
    const key = rng.chance(0.9) ? rng.pick(METRIC_KEYS) : rng.pick(ABSENT_KEYS);
    return { text: ident(rng, METRIC_TYPES, key), canonical: `metric:${key}` };
  }
  if (r < 0.45) {
    const key = rng.pick([...PARAM_KEYS, "p9"]);
    return { text: ident(rng, PARAM_TYPES, key), canonical: `param:${key}` };
  }
  if (r < 0.57) {
    const key = rng.pick([...TAG_KEYS, "mlflow.runName"]);
    return { text: ident(rng, TAG_TYPES, key), canonical: `tag:${key}` };
  }
  const attrs: [string, string][] = [
    ["start_time", "start_time"],
    ["created", "start_time"],
    ["timestamp", "start_time"],
    ["end_time", "end_time"],
    ["run_name", "run_name"],
    ["Run Name", "run_name"],
    ["status", "status"],
    ["user_id", "user_id"],
    ["run_id", "run_id"],
    ["artifact_uri", "artifact_uri"],
  ];
  const [key, canonical] = rng.pick(attrs);
  // `timestamp` is only special as a bare word.
  const text = key === "timestamp" ? key : ident(rng, ATTR_TYPES, key);
  return { text, canonical: `attr:${canonical}` };
}

function orderBy(rng: Rng): string[] | undefined {
  if (rng.chance(0.2)) return rng.chance(0.5) ? undefined : [];
  const out: string[] = [];
  const seen = new Set<string>();
  const n = rng.range(1, 3);
  while (out.length < n) {
    const f = orderField(rng);
    if (seen.has(f.canonical)) continue;
    seen.add(f.canonical);
    const dir = rng.pick(["", "", " ASC", " DESC", " DESC", " asc", " desc"]);
    out.push(f.text + dir);
  }
  return out;
}

function experimentIds(rng: Rng, v: Vocab): string[] {
  const r = rng.next();
  if (r < 0.04) return [];
  if (r < 0.07) return ["424242"]; // no such experiment
  const ids = rng.sample([...v.experimentIds, "424242"], rng.range(1, v.experimentIds.length + 1));
  return rng.chance(0.05) ? [...ids, ids[0]] : ids;
}

function viewType(rng: Rng): ViewType | undefined {
  return rng.pick([undefined, "ACTIVE_ONLY", "DELETED_ONLY", "ALL", "ALL"] as const);
}

/** Mostly small pages, so queries cross several page boundaries. */
function pageSize(rng: Rng): number {
  const r = rng.next();
  if (r < 0.15) return rng.range(1, 3);
  if (r < 0.6) return rng.range(4, 20);
  return rng.range(21, 60);
}

/** Deliberately invalid variations; each must be rejected by every backend alike. */
const INVALID: [string, (q: GeneratedQuery) => void][] = [
  ["metric compared with a string", (q) => q.opts.filter = "metrics.m0 > 'a'"],
  ["param with a numeric comparator", (q) => q.opts.filter = "params.p0 > 'a'"],
  ["unknown entity type", (q) => q.opts.filter = "foo.bar = 'x'"],
  ["unknown attribute", (q) => q.opts.filter = "attributes.nope = 'x'"],
  ["unknown dataset key", (q) => q.opts.filter = "datasets.size = 'x'"],
  ["IS NULL on a dataset", (q) => q.opts.filter = "datasets.name IS NULL"],
  ["IS NULL on an attribute", (q) => q.opts.filter = "status IS NULL"],
  ["LIKE on a numeric attribute", (q) => q.opts.filter = "start_time LIKE '1%'"],
  ["unbalanced (", (q) => q.opts.filter = "(params.p0 = 'a' OR tags.t0 = 'b'"],
  ["unbalanced )", (q) => q.opts.filter = "params.p0 = 'a')"],
  ["empty IN list", (q) => q.opts.filter = "params.p0 IN ()"],
  ["unquoted string", (q) => q.opts.filter = "params.p0 = a"],
  ["unterminated string", (q) => q.opts.filter = "params.p0 = 'a"],
  ["<> comparator", (q) => q.opts.filter = "metrics.m0 <> 1"],
  ["dangling OR", (q) => q.opts.filter = "metrics.m0 = 1 OR"],
  ["AND AND", (q) => q.opts.filter = "metrics.m0 = 1 AND AND metrics.m1 = 2"],
  ["duplicate order_by field", (q) => q.opts.orderBy = ["metrics.m0", "metrics.m0 DESC"]],
  ["duplicate via alias", (q) => q.opts.orderBy = ["start_time", "created DESC"]],
  ["order by dataset", (q) => q.opts.orderBy = ["datasets.name"]],
  ["bad direction", (q) => q.opts.orderBy = ["params.p0 UP"]],
  ["max_results 0", (q) => q.opts.maxResults = 0],
  ["max_results 50001", (q) => q.opts.maxResults = 50001],
  ["fractional max_results", (q) => q.opts.maxResults = 1.5],
  ["bad view type", (q) => q.opts.runViewType = "BOGUS" as ViewType],
  ["garbage page token", (q) => q.opts.pageToken = "garbage"],
];

/**
 * The vocabulary with run ids, names and artifact URIs mostly taken from the experiments in
 * scope, so that clauses on them usually select something; sometimes left global, for misses.
 */
function focus(rng: Rng, v: Vocab, scope: readonly string[]): Vocab {
  const facts = v.runFacts.filter((r) => scope.includes(r.experimentId));
  if (facts.length === 0 || rng.chance(0.2)) return v;
  return {
    ...v,
    runIds: facts.map((r) => r.id),
    runNames: [...new Set(facts.map((r) => r.name))],
    artifactUris: facts.map((r) => r.uri),
  };
}

/**
 * Generates query number `index` of the run with seed `seed`. Each query has its own PRNG
 * stream, so a single query can be replayed without generating the ones before it.
 */
export function generateQuery(seed: number, index: number, v: Vocab): GeneratedQuery {
  const rng = new Rng(mixSeed(seed, 2, index));
  const scope = experimentIds(rng, v);
  const q: GeneratedQuery = {
    opts: {
      experimentIds: scope,
      filter: filter(rng, focus(rng, v, scope)),
      orderBy: orderBy(rng),
      runViewType: viewType(rng),
      maxResults: pageSize(rng),
    },
  };
  if (rng.chance(0.1)) q.pageSizes = Array.from({ length: 8 }, () => pageSize(rng));
  if (rng.chance(0.03)) {
    const [why, apply] = rng.pick(INVALID);
    apply(q);
    q.deliberatelyInvalid = why;
  }
  return q;
}

/**
 * Bounds how many pages a query takes, given its reference result size, so that thousands of
 * queries fit the CI time budget (a page of an unindexable query costs a scan): most queries
 * take ≤ 2 pages (or as few as max_results ≤ 60 allows), a third ≤ 5 and one in eight up to 20,
 * which still puts page boundaries at every kind of position (ties included). Page sizes only
 * grow, and stay within 1–60.
 */
export function limitPages(
  seed: number,
  index: number,
  q: GeneratedQuery,
  resultCount: number,
): GeneratedQuery {
  const rng = new Rng(mixSeed(seed, 3, index));
  const r = rng.next();
  const cap = r < 0.55 ? 2 : r < 0.88 ? 5 : 20;
  const least = Math.min(60, Math.ceil(resultCount / cap));
  const fit = (size: number) => size >= least ? size : rng.range(least, 60);
  return {
    ...q,
    opts: { ...q.opts, maxResults: fit(q.opts.maxResults) },
    ...(q.pageSizes && { pageSizes: q.pageSizes.map(fit) }),
  };
}
