/**
 * Partial runs for search: only the fields a query reads (the run record plus the params, tags
 * and metrics its filter and order_by name), fetched for many runs at once with `getMany`. The
 * shared evaluator only looks at the keys a query names, so a partial run gives the same verdict
 * and the same sort values as the full run at a fraction of the reads.
 *
 * @module
 */
import type { FilterNode, OrderClause, SortValue } from "../search/mod.ts";
import { compareSortValues, runSortValue } from "../search/mod.ts";
import { mapLimit } from "../map_limit.ts";
import type { Run } from "../types.ts";
import { loadDatasetInputs } from "./datasets.ts";
import { runDatasetInputsPrefix, runKey, runMetricKey, runParamKey, runTagKey } from "./keys.ts";
import type { MetricHead } from "./metric_history.ts";
import { type ExperimentRecord, type RunRecord, toRunInfo } from "./records.ts";
import { edgeTags } from "./datasets.ts";
import { runFromRecord } from "./run_read.ts";

const RUN_NAME_TAG = "mlflow.runName";
const GET_MANY = 10;
const PARALLEL_READS = 8;

/** The keys of run data a query reads. */
export interface Needs {
  metrics: string[];
  params: string[];
  tags: string[];
  datasets: boolean;
}

/** Collects what a filter and an order read. */
export function needsOf(filter: FilterNode | null, order: readonly OrderClause[]): Needs {
  const metrics = new Set<string>(), params = new Set<string>(), tags = new Set<string>();
  let datasets = false;
  const walk = (n: FilterNode | null): void => {
    if (n === null) return;
    switch (n.kind) {
      case "and":
      case "or":
        n.children.forEach(walk);
        return;
      case "not":
        return walk(n.child);
      case "metric":
        metrics.add(n.key);
        return;
      case "param":
        params.add(n.key);
        return;
      case "tag":
        tags.add(n.key);
        return;
      case "string_attribute":
        if (n.key === "run_name") tags.add(RUN_NAME_TAG);
        return;
      case "dataset":
        datasets = true;
        return;
    }
  };
  walk(filter);
  for (const c of order) {
    if (c.kind === "metric") metrics.add(c.key);
    else if (c.kind === "param") params.add(c.key);
    else if (c.kind === "tag") tags.add(c.key);
  }
  return { metrics: [...metrics], params: [...params], tags: [...tags], datasets };
}

async function getValues(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<unknown[]> {
  const chunks: Deno.KvKey[][] = [];
  for (let i = 0; i < keys.length; i += GET_MANY) chunks.push(keys.slice(i, i + GET_MANY));
  return (await mapLimit(chunks, PARALLEL_READS, (c) => kv.getMany(c))).flat().map((e) => e.value);
}

/** Views that are whole runs (read from a whole summary), as `runs/get` would return them. */
const WHOLE = new WeakSet<Run>();

/**
 * True when `view` (from {@linkcode loadViews}) is the whole run, read in one snapshot with the
 * record that verified it: search then returns it as is instead of reading the run again.
 */
export function isWholeView(view: Run): boolean {
  return WHOLE.has(view);
}

/** A field the summary could not answer, to read by key. */
interface Miss {
  view: Run;
  kind: "p" | "t" | "m";
  key: string;
}

/**
 * Loads partial runs for `ids` (in the same order; null for a run that is gone or outside
 * `exps`): one record read per run (none for those in `known`, records an index carried), whose summary answers most fields, then one read per field
 * it cannot (long values, runs too wide to summarise). Lifecycle is derived from the run's
 * experiment as everywhere else.
 */
export async function loadViews(
  kv: Deno.Kv,
  ids: readonly string[],
  needs: Needs,
  exps: ReadonlyMap<string, ExperimentRecord>,
  known: ReadonlyMap<string, RunRecord> = new Map(),
): Promise<(Run | null)[]> {
  const unknown = ids.filter((id) => !known.has(id));
  const read = await getValues(kv, unknown.map((id) => runKey(id))) as (RunRecord | null)[];
  const fetched = new Map(unknown.map((id, i) => [id, read[i]]));
  const records = ids.map((id) => known.get(id) ?? fetched.get(id) ?? null);
  const views: (Run | null)[] = [];
  const misses: Miss[] = [];
  for (const record of records) {
    const exp = record ? exps.get(record.experiment_id) : undefined;
    if (!record || !exp) {
      views.push(null);
      continue;
    }
    const full = runFromRecord(record, exp);
    if (full) {
      WHOLE.add(full);
      views.push(full);
      continue;
    }
    const view: Run = {
      info: toRunInfo(record, exp),
      data: { metrics: [], params: [], tags: [] },
      inputs: { dataset_inputs: [], model_inputs: [] },
      outputs: { model_outputs: [] },
    };
    views.push(view);
    const s = record.s;
    const whole = s !== undefined && !s.over;
    for (const key of needs.params) {
      if (whole && Object.hasOwn(s.p, key)) view.data.params.push({ key, value: s.p[key] });
      else if (!whole || s.long[`p:${key}`]) misses.push({ view, kind: "p", key });
    }
    for (const key of needs.tags) {
      if (whole && Object.hasOwn(s.t, key)) view.data.tags.push({ key, value: s.t[key] });
      else if (!whole || s.long[`t:${key}`]) misses.push({ view, kind: "t", key });
    }
    for (const key of needs.metrics) {
      const m = whole && Object.hasOwn(s.m, key) ? s.m[key] : undefined;
      if (m) view.data.metrics.push({ key, value: m[0], timestamp: m[1], step: m[2] });
      else if (!whole) misses.push({ view, kind: "m", key });
    }
  }
  if (misses.length > 0) {
    const keyOf = ({ view, kind, key }: Miss) => {
      const id = view.info.run_id;
      return kind === "p"
        ? runParamKey(id, key)
        : kind === "t"
        ? runTagKey(id, key)
        : runMetricKey(id, key);
    };
    const values = await getValues(kv, misses.map(keyOf));
    misses.forEach((miss, i) => {
      const v = values[i];
      if (v === null) return;
      if (miss.kind === "m") {
        const { value, timestamp, step } = (v as MetricHead).latest;
        miss.view.data.metrics.push({ key: miss.key, value, timestamp, step });
      } else {
        (miss.kind === "p" ? miss.view.data.params : miss.view.data.tags)
          .push({ key: miss.key, value: v as string });
      }
    });
  }
  if (needs.datasets) {
    const withInputs = views.filter((v, i) => v && (records[i]?.s?.d ?? 0) > 0 || !records[i]?.s);
    await mapLimit(withInputs, PARALLEL_READS, async (v) => {
      if (!v) return;
      const edges = [];
      for await (const e of kv.list({ prefix: runDatasetInputsPrefix(v.info.run_id) })) {
        edges.push({ datasetId: e.key[e.key.length - 1] as string, tags: edgeTags(e.value) });
      }
      v.inputs.dataset_inputs = await loadDatasetInputs(kv, v.info.experiment_id, edges);
    });
  }
  return views;
}

/** A run's sort values under `order` (the keyset position of the run). */
export function sortTuple(run: Run, order: readonly OrderClause[]): SortValue[] {
  return order.map((c) => runSortValue(run, c));
}

/** Compares two keyset positions under `order`. */
export function compareTuples(
  a: readonly SortValue[],
  b: readonly SortValue[],
  order: readonly OrderClause[],
): number {
  for (let i = 0; i < order.length; i++) {
    const c = compareSortValues(a[i], b[i], order[i].ascending);
    if (c !== 0) return c;
  }
  return 0;
}

/** JSON form of a keyset position for page tokens (NaN and absent values have no JSON form). */
export function encodeTuple(t: readonly SortValue[]): unknown[] {
  return t.map((v) =>
    v === undefined
      ? ["u"]
      : typeof v === "number"
      ? (Number.isNaN(v) ? ["x"] : ["n", v])
      : ["s", v]
  );
}

/** Reads a keyset position back; null when the token's content is not one. */
export function decodeTuple(raw: unknown[], length: number): SortValue[] | null {
  if (raw.length !== length) return null;
  const out: SortValue[] = [];
  for (const item of raw) {
    if (!Array.isArray(item)) return null;
    if (item[0] === "u" && item.length === 1) out.push(undefined);
    else if (item[0] === "x" && item.length === 1) out.push(NaN);
    else if (item[0] === "n" && typeof item[1] === "number") out.push(item[1]);
    else if (item[0] === "s" && typeof item[1] === "string") out.push(item[1]);
    else return null;
  }
  return out;
}
