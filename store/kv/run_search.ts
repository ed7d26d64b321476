/**
 * Run search in KV: the query planner and its executor.
 *
 * A plan is one of three, tried in this order:
 * 1. **Index set** — the filter's indexable conjuncts (param/tag `=` and `IN`, `run_id`, metric
 *    comparisons, ORs of those) give a small candidate set: load, verify, sort, page.
 * 2. **Ordered scan** — when the first order clause has an index (`start_time`, or a metric),
 *    walk it from the page's start, verifying candidates as they come, and stop as soon as the
 *    page is full: a first page reads only the top of the index.
 * 3. **Scan** — every run of the experiments, verified and sorted (a filter no index can serve).
 *
 * Every candidate is verified with the shared evaluator on the fields the query reads, so plans
 * differ in cost, never in results. Pages are keyset-paged: the token holds the sort values of
 * the last run returned, so an unchanged result pages through every run exactly once.
 *
 * @module
 */
import { invalidParam } from "../errors.ts";
import { decodePageToken, encodePageToken } from "../page_token.ts";
import {
  checkListParam,
  type FilterNode,
  inView,
  matchesRunFilter,
  MAX_SEARCH_EXPERIMENT_IDS,
  type OrderClause,
  parseRunFilter,
  parseRunOrderBy,
  runsQueryFingerprint,
  type SortValue,
  validateMaxResults,
  validateViewType,
  WorkBudget,
} from "../search/mod.ts";
import type { Page, Run, SearchRunsOptions, ViewType } from "../types.ts";
import { runsByExperimentPrefix, runsByMetricPrefix } from "./keys.ts";
import type { ExperimentRecord, RunRecord } from "./records.ts";
import { indexedRunId } from "./run_index.ts";
import { mapLimit } from "../map_limit.ts";
import { readRun } from "./run_read.ts";
import { candidateSet, NO_CURSOR, orderedSource } from "./run_sources.ts";
import {
  compareTuples,
  decodeTuple,
  encodeTuple,
  isWholeView,
  loadViews,
  type Needs,
  needsOf,
  sortTuple,
} from "./run_views.ts";
import type { KvContext } from "./run_write.ts";
import { readExperimentRecords } from "./experiments.ts";
import { rollForwardAll } from "./staged_batch.ts";

/** A validated query. */
interface Query {
  filter: FilterNode | null;
  order: OrderClause[];
  view: ViewType;
  after: SortValue[] | null;
  max: number;
  exps: Map<string, ExperimentRecord>;
  scope: string[];
  needs: Needs;
  /** The request's CPU-time guard: verification pauses and gives up through it. */
  budget: WorkBudget;
}

interface Match {
  run: Run;
  t: SortValue[];
}

/** Candidate-set size above which an ordered scan is preferred (when one exists). */
const ORDERED_CAP_MIN = 1000;
/** Scopes up to this many experiments may walk an ordered index over a candidate set. */
const WALK_MAX_EXPERIMENTS = 4;
/** The most entries Deno KV returns from one list call. */
const MAX_LIST_BATCH = 1000;
/** Candidate-set size above which a full scan is cheaper than reading the index. */
const SCAN_CAP = 50_000;

function readAfter(token: string | undefined, fp: string, length: number): SortValue[] | null {
  const cursor = decodePageToken(token);
  if (cursor.q === undefined && cursor.after === undefined) return null;
  const after = cursor.q === fp && cursor.after ? decodeTuple(cursor.after, length) : null;
  if (!after) {
    throw invalidParam(
      `Invalid page token '${String(token).slice(0, 100)}': it belongs to another query`,
    );
  }
  return after;
}

/**
 * Records a full scan keeps from the run index (the rest are read again by key): bounds its
 * memory over a huge experiment to a few MB.
 */
const KEPT_INDEX_RECORDS = 5_000;

/** Every run id of the experiments; `known` collects the records their index entries carry. */
async function allRunIds(
  kv: Deno.Kv,
  scope: readonly string[],
  known?: Map<string, RunRecord>,
): Promise<string[]> {
  const ids: string[] = [];
  for (const exp of scope) {
    for await (
      const e of kv.list<RunRecord | string>({ prefix: runsByExperimentPrefix(exp) }, {
        batchSize: 1000,
      })
    ) {
      ids.push(indexedRunId(e.value));
      if (known && typeof e.value !== "string" && known.size < KEPT_INDEX_RECORDS) {
        known.set(e.value.run_id, e.value);
      }
    }
  }
  return ids;
}

/** Verifies candidate views and keeps those after the keyset position, sorted. */
async function accept(views: (Run | null)[], q: Query): Promise<Match[]> {
  const out: Match[] = [];
  for (const run of views) {
    if (q.budget.tick()) await q.budget.pause();
    if (!run || !inView(run.info.lifecycle_stage, q.view) || !matchesRunFilter(q.filter, run)) {
      continue;
    }
    const t = sortTuple(run, q.order);
    if (q.after && compareTuples(t, q.after, q.order) <= 0) continue;
    out.push({ run, t });
  }
  return out.sort((a, b) => compareTuples(a.t, b.t, q.order));
}

/** Plans 1 and 3: verify a known set of candidates and take the top of the sorted result. */
async function selectFrom(
  kv: Deno.Kv,
  ids: string[],
  q: Query,
  known?: ReadonlyMap<string, RunRecord>,
): Promise<Match[]> {
  const out: Match[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const part = ids.slice(i, i + 5000);
    const views = await q.budget.wait(loadViews(kv, part, q.needs, q.exps, known));
    out.push(...await accept(views, q));
  }
  return out.sort((a, b) => compareTuples(a.t, b.t, q.order)).slice(0, q.max + 1);
}

/** True when every matching run must have metric `key` (a top-level conjunct tests it). */
function requiresMetric(filter: FilterNode | null, key: string): boolean {
  if (filter === null) return false;
  const conjuncts = filter.kind === "and" ? filter.children : [filter];
  return conjuncts.some((c) => c.kind === "metric" && c.key === key);
}

/**
 * Plan 2: walk an ordered index group by group until the page is full. With `only`, the walk
 * looks at members of that candidate set alone, and gives up (null) after `budget` index entries
 * when the set's members sort too late for the walk to pay.
 */
async function orderedScan(
  kv: Deno.Kv,
  q: Query,
  only?: Set<string>,
  budget = Infinity,
): Promise<Match[] | null> {
  const first = q.order[0];
  let batch = Math.max(64, q.max + 1);
  // One entry past the first batch closes its last group, so a first page is one list call.
  const listBatch = Math.min(batch + 1, MAX_LIST_BATCH);
  const src = orderedSource(kv, first, q.scope, q.after ? q.after[0] : NO_CURSOR, listBatch)!;
  const out: Match[] = [];
  let groups: string[][] = [];
  let pending = 0;
  const known = new Map<string, RunRecord>();
  const flush = async () => {
    const views = await q.budget.wait(loadViews(kv, groups.flat(), q.needs, q.exps, known));
    known.clear();
    let i = 0;
    for (const g of groups) {
      out.push(...await accept(views.slice(i, i + g.length), q));
      i += g.length;
    }
    groups = [];
    pending = 0;
  };
  let cur: string[] = [];
  let curPv: number[] | null = null;
  let full = false;
  let walked = 0;
  for await (const e of src.entries) {
    if (++walked > budget) return null;
    if (only && !only.has(e.id)) continue;
    if (e.record) known.set(e.id, e.record);
    if (curPv && src.cmp(curPv, e.pv) === 0) {
      cur.push(e.id);
      continue;
    }
    if (cur.length > 0) {
      groups.push(cur);
      pending += cur.length;
    }
    cur = [e.id];
    curPv = e.pv;
    if (pending >= batch) {
      await flush();
      if (out.length > q.max) {
        full = true;
        break;
      }
      batch = Math.min(batch * 2, 4000);
    }
  }
  if (!full) {
    if (cur.length > 0) groups.push(cur);
    await flush();
  }
  if (out.length > q.max || first.kind !== "metric" || requiresMetric(q.filter, first.key)) {
    return out.slice(0, q.max + 1);
  }
  // Runs without the metric sort after every run with it, in either direction.
  const withMetric = new Set<string>();
  for (const exp of q.scope) {
    for await (
      const e of kv.list<string>({ prefix: runsByMetricPrefix(exp, first.key) }, {
        batchSize: 1000,
      })
    ) {
      withMetric.add(e.value);
    }
  }
  const missing = (only ? [...only] : await allRunIds(kv, q.scope))
    .filter((id) => !withMetric.has(id));
  out.push(...await selectFrom(kv, missing, q));
  return out.slice(0, q.max + 1);
}

/** Whether an index gives the first order clause, and what the candidate set may cost. */
function setLimits(order: OrderClause[], max: number) {
  const ordered = order[0].kind === "metric" ||
    (order[0].kind === "numeric_attribute" && order[0].key === "start_time");
  const cap = ordered ? Math.max(ORDERED_CAP_MIN, 4 * (max + 1)) : SCAN_CAP;
  const walkable = order[0].kind === "metric" ? order[0].key : undefined;
  return { ordered, cap, walkable };
}

/** Plans and runs the query; `set` is the filter's candidate set (null: no index serves it). */
async function findMatches(kv: Deno.Kv, q: Query, set: Set<string> | null): Promise<Match[]> {
  const { ordered } = setLimits(q.order, q.max);
  if (set && ordered && set.size > 4 * (q.max + 1) && q.scope.length <= WALK_MAX_EXPERIMENTS) {
    // A set much larger than the page: walk the order's index over its members rather than
    // loading them all, unless they sort so late that the walk would read far more. Over many
    // experiments the merged walk reads a batch from every one of them first, and loses.
    const walked = await orderedScan(kv, q, set, 8 * set.size + 1000);
    if (walked) return walked;
  }
  if (set) return selectFrom(kv, [...set], q);
  if (ordered) return (await orderedScan(kv, q))!;
  const known = new Map<string, RunRecord>();
  return selectFrom(kv, await q.budget.wait(allRunIds(kv, q.scope, known)), q, known);
}

/**
 * Searches runs (§6.1–6.3 plus kvflow's OR / NOT / parentheses / IN) with the planner above.
 * Every argument is validated before any read. The page's runs are read in full, each as one
 * consistent state, and checked against the filter once more.
 */
export async function searchRuns(ctx: KvContext, opts: SearchRunsOptions): Promise<Page<Run>> {
  const max = validateMaxResults(opts.maxResults);
  const view = validateViewType(opts.runViewType);
  checkListParam("experiment_ids", opts.experimentIds, MAX_SEARCH_EXPERIMENT_IDS);
  const filter = parseRunFilter(opts.filter);
  const order = parseRunOrderBy(opts.orderBy);
  const fp = runsQueryFingerprint(opts);
  const after = readAfter(opts.pageToken, fp, order.length);
  const ids = [...new Set(opts.experimentIds)];
  if (ids.length === 0) return { items: [] };
  // The pending-batch count and the experiments are point reads: issued together, they share
  // one round trip (see `read_batcher.ts`), with each other and with the caller's other reads.
  const [, exps] = await Promise.all([rollForwardAll(ctx.kv), readExperimentRecords(ctx.kv, ids)]);
  const budget = new WorkBudget(ctx.searchTimeBudgetMs);
  // Index entries exist only for experiments that exist.
  const { cap, walkable } = setLimits(order, max);
  const set = await budget.wait(candidateSet(ctx.kv, filter, ids, cap, walkable));
  if (set?.size === 0) return { items: [] };
  const scope = ids.filter((id) => exps.has(id));
  if (scope.length === 0) return { items: [] };
  const q: Query = {
    filter,
    order,
    view,
    after,
    max,
    exps,
    scope,
    needs: needsOf(filter, order),
    budget,
  };
  const found = await findMatches(ctx.kv, q, set);
  const page = found.slice(0, max);
  const full = await budget.wait(mapLimit(
    page,
    16,
    (m): Promise<Run | null> =>
      isWholeView(m.run)
        ? Promise.resolve(m.run)
        : readRun(ctx, m.run.info.run_id, exps.get(m.run.info.experiment_id)).catch(() => null),
  ));
  // A run written since it was verified is checked again; one that no longer matches is left out.
  const items: Run[] = [];
  for (const r of full) {
    if (budget.tick()) await budget.pause();
    if (r !== null && inView(r.info.lifecycle_stage, view) && matchesRunFilter(filter, r)) {
      items.push(r);
    }
  }
  if (found.length <= max) return { items };
  const last = page[page.length - 1];
  return { items, nextPageToken: encodePageToken({ q: fp, after: encodeTuple(last.t) }) };
}
