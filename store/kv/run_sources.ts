/**
 * Where search candidates come from: index lookups that give a small set of run ids, and ordered
 * index scans that give run ids in (primary) sort order. Both read pointers only; the search
 * then loads and verifies each candidate, so an index may over-approximate but never miss.
 *
 * @module
 */
import { compareNumbers } from "../search/mod.ts";
import type { FilterNode, MetricClause, OrderClause, SortValue } from "../search/mod.ts";
import type { RunRecord } from "./records.ts";
import {
  runsByExperimentPrefix,
  runsByMetricPrefix,
  runsByParamPrefix,
  runsByTagPrefix,
} from "./keys.ts";

/** Sorts after every string in a key position (KV orders bytes < string < number < bool). */
const HIGH = true;

class TooMany extends Error {}

/**
 * Most index ranges one clause may read. An IN list probes one range per value and experiment
 * (1,000 values × 50 experiments took 2 s, issue 10 #8); beyond this many, the clause is left to
 * the scan, whose verification the search's CPU-time guard bounds.
 */
const MAX_INDEX_PROBES = 5000;

/** Collects run ids from index ranges, giving up once more than `cap` are found. */
class IdCollector {
  ids = new Set<string>();
  #probes = 0;
  constructor(private kv: Deno.Kv, private cap: number) {}

  addId(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.cap) throw new TooMany();
  }

  async add(selector: Deno.KvListSelector): Promise<void> {
    if (++this.#probes > MAX_INDEX_PROBES) throw new TooMany();
    for await (const e of this.kv.list<string>(selector, { batchSize: 500 })) this.addId(e.value);
  }
}

/** The index ranges holding every run a metric clause can match (NaN counts as 0). */
function metricRanges(exp: string, c: MetricClause): Deno.KvListSelector[] | null {
  const p = runsByMetricPrefix(exp, c.key);
  const num = [...p, 0];
  // Stored keys hold 0 for -0 (KV orders -0 before 0); bounds must use the same number.
  const v = c.value === 0 ? 0 : c.value;
  let numbers: Deno.KvListSelector;
  switch (c.op) {
    case "=":
      numbers = { prefix: [...num, v] };
      break;
    case ">":
      numbers = { start: [...num, v, HIGH], end: [...p, 1] };
      break;
    case ">=":
      numbers = { start: [...num, v], end: [...p, 1] };
      break;
    case "<":
      numbers = { start: num, end: [...num, v] };
      break;
    case "<=":
      numbers = { start: num, end: [...num, v, HIGH] };
      break;
    case "!=":
      return null;
  }
  const out = [numbers];
  if (compareNumbers(0, c.op, v)) out.push({ prefix: [...p, 1] });
  return out;
}

async function collect(
  node: FilterNode,
  expIds: readonly string[],
  ids: IdCollector,
): Promise<boolean> {
  switch (node.kind) {
    case "param":
    case "tag": {
      const prefix = node.kind === "param" ? runsByParamPrefix : runsByTagPrefix;
      const values = node.op === "=" ? [node.value] : node.op === "IN" ? node.values : null;
      if (values === null || values.length * expIds.length > MAX_INDEX_PROBES) return false;
      for (const exp of expIds) {
        for (const v of values) await ids.add({ prefix: prefix(exp, node.key, v) });
      }
      return true;
    }
    case "string_attribute": {
      if (node.key !== "run_id") return false;
      const values = node.op === "=" ? [node.value] : node.op === "IN" ? node.values : null;
      if (values === null) return false;
      for (const v of values) ids.addId(v);
      return true;
    }
    case "metric": {
      for (const exp of expIds) {
        const ranges = metricRanges(exp, node);
        if (ranges === null) return false;
        for (const r of ranges) await ids.add(r);
      }
      return true;
    }
    case "or": {
      for (const child of node.children) if (!await collect(child, expIds, ids)) return false;
      return true;
    }
    default:
      return false;
  }
}

/**
 * A superset of the runs matching `filter`, from indexes, when one exists with at most `cap`
 * runs; null otherwise. Top-level AND clauses are intersected: the result is as small as the
 * indexes allow. Clauses are tried cheapest-first (equalities before ranges).
 */
export async function candidateSet(
  kv: Deno.Kv,
  filter: FilterNode | null,
  expIds: readonly string[],
  cap: number,
  /** A metric the caller will walk in order anyway: ranges on it are not worth a probe. */
  walked?: string,
): Promise<Set<string> | null> {
  if (filter === null) return null;
  const conjuncts = filter.kind === "and" ? filter.children : [filter];
  const rank = (n: FilterNode) => n.kind === "metric" ? 1 : 0;
  let best: Set<string> | null = null;
  for (const node of [...conjuncts].sort((a, b) => rank(a) - rank(b))) {
    // A range rarely narrows an equality's set enough to pay for reading it; the candidates'
    // summaries check it anyway.
    if (best !== null && rank(node) > 0) break;
    if (node.kind === "metric" && node.key === walked) continue;
    const found: IdCollector = new IdCollector(kv, best ? Math.min(cap, best.size) : cap);
    try {
      if (!await collect(node, expIds, found)) continue;
    } catch (e) {
      if (e instanceof TooMany) continue;
      throw e;
    }
    const next: Set<string> = best === null
      ? found.ids
      : new Set([...best].filter((id) => found.ids.has(id)));
    best = next;
    if (next.size === 0) break;
  }
  return best;
}

/** One entry of an ordered scan: a run id and its primary sort value. */
export interface Ordered {
  id: string;
  /** The run's record, when the index carries it (the experiment's run index, small runs). */
  record?: RunRecord;
  /** The primary value: `[start_time]`, or `[nanFlag, value]` for a metric. */
  pv: number[];
}

/** An ordered scan over one index, merged across experiments. */
export interface OrderedSource {
  entries: AsyncGenerator<Ordered>;
  /** Orders primary values the way the scan yields them; 0 means a tie (same group). */
  cmp: (a: number[], b: number[]) => number;
}

async function* scan(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  reverse: boolean,
  pv: (key: Deno.KvKey) => number[],
  batchSize = SCAN_BATCH,
): AsyncGenerator<Ordered> {
  for await (const e of kv.list<RunRecord | string>(selector, { reverse, batchSize })) {
    const v = e.value;
    yield typeof v === "string"
      ? { id: v, pv: pv(e.key) }
      : { id: v.run_id, pv: pv(e.key), record: v };
  }
}

/** Entries one list call of an index scan reads (unless the caller says fewer will do). */
const SCAN_BATCH = 500;

/** Merges per-experiment scans that are each in `cmp` order. */
async function* merge(
  streams: AsyncGenerator<Ordered>[],
  cmp: (a: number[], b: number[]) => number,
): AsyncGenerator<Ordered> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i].done) continue;
      if (best < 0 || cmp(heads[i].value!.pv, heads[best].value!.pv) < 0) best = i;
    }
    if (best < 0) return;
    yield heads[best].value as Ordered;
    heads[best] = await streams[best].next();
  }
}

/**
 * An ordered scan for the first order clause when an index provides that order: `start_time`
 * (the run index) or a metric (the metric-value index: numbers, then NaN, in either direction;
 * runs without the metric are not in it). Starts at the group of `after` when resuming.
 * `firstBatch` is how many entries the caller expects to need: the run index's entries carry
 * records, so its first list call reads no more than that.
 */
export function orderedSource(
  kv: Deno.Kv,
  clause: OrderClause,
  expIds: readonly string[],
  after: SortValue | typeof NO_CURSOR,
  firstBatch = SCAN_BATCH,
): OrderedSource | null {
  if (clause.kind === "numeric_attribute" && clause.key === "start_time") {
    const desc = !clause.ascending;
    const cmp = (a: number[], b: number[]) => desc ? b[0] - a[0] : a[0] - b[0];
    const streams = expIds.map((exp) => {
      const p = runsByExperimentPrefix(exp);
      // Keys hold -start_time, so forward order is start_time DESC.
      let selector: Deno.KvListSelector = { prefix: p };
      if (typeof after === "number") {
        selector = desc
          ? { prefix: p, start: [...p, 0 - after] }
          : { prefix: p, end: [...p, 0 - after, HIGH] };
      }
      return scan(kv, selector, !desc, (k) => [0 - (k[2] as number)], firstBatch);
    });
    return { entries: merge(streams, cmp), cmp };
  }
  if (clause.kind === "metric") {
    const desc = !clause.ascending;
    const cmp = (a: number[], b: number[]) => a[0] - b[0] || (desc ? b[1] - a[1] : a[1] - b[1]);
    const pv = (k: Deno.KvKey) => [k[3] as number, k[4] as number];
    if (after === undefined) return { entries: merge([], cmp), cmp }; // resuming past the index
    const streams = expIds.map((exp) => {
      const p = runsByMetricPrefix(exp, clause.key);
      const nums = [...p, 0], nans = [...p, 1];
      const resumeNaN = typeof after === "number" && Number.isNaN(after);
      const resumeAt = typeof after === "number" && !Number.isNaN(after) ? after : null;
      async function* both(): AsyncGenerator<Ordered> {
        if (!resumeNaN) {
          let sel: Deno.KvListSelector = { prefix: nums };
          if (resumeAt !== null) {
            sel = desc
              ? { prefix: nums, end: [...nums, resumeAt, HIGH] }
              : { prefix: nums, start: [...nums, resumeAt] };
          }
          yield* scan(kv, sel, desc, pv);
        }
        yield* scan(kv, { prefix: nans }, false, pv);
      }
      return both();
    });
    return { entries: merge(streams, cmp), cmp };
  }
  return null;
}

/** Marks "no keyset position": the scan starts at the beginning. */
export const NO_CURSOR: unique symbol = Symbol("no cursor");
