/**
 * A run's search summary, kept inside its record: short params and tags and the latest metric
 * values, so search can check a candidate with one key read instead of one per field (KV reads
 * cost per key; a 100-run page may need thousands of candidates checked).
 *
 * It is derived from the planned writes of each run write (see `writeRun`), so it lands in the
 * same commit as the values it summarises and can never disagree with them. Values longer than
 * {@linkcode SUMMARY_VALUE_CHARS} are only listed by key, and a run whose summary would grow past
 * {@linkcode SUMMARY_MAX_BYTES} (thousands of metrics) stops keeping one; search then reads those
 * fields key by key.
 *
 * @module
 */
import {
  lastPart,
  runDatasetInputsPrefix,
  runMetricsPrefix,
  runModelInputsPrefix,
  runModelOutputsPrefix,
  runParamsPrefix,
  runTagsPrefix,
} from "./keys.ts";
import type { MetricHead } from "./metric_history.ts";
import { estimateSize, keyId, type MutationSet } from "./mutations.ts";

/** Longest param or tag value kept in a summary. */
export const SUMMARY_VALUE_CHARS = 200;
/** Size past which a run stops keeping a summary. */
export const SUMMARY_MAX_BYTES = 24_000;

/** The summary stored in a run record. */
export interface RunSummary {
  /** Params and tags with short values. */
  p: Record<string, string>;
  t: Record<string, string>;
  /** Latest metric values as [value, timestamp, step]. */
  m: Record<string, [number, number, number]>;
  /** Keys of params (`p:`) and tags (`t:`) whose values are too long to keep. */
  long: Record<string, true>;
  /** Set once the run outgrew its summary; the maps are then empty. */
  over?: true;
  /** How many dataset inputs the run has (absent: none), so search lists only runs with some. */
  d?: number;
  /** Set once the run has a model input or output (`runs/get` then lists them from their keys). */
  x?: true;
  /**
   * Set on runs created since the summary also tracks model inputs and outputs (`x`): only then
   * does a summary without long values, datasets or models hold the whole run (see
   * {@linkcode isWholeRun}). Older runs keep being read key by key.
   */
  c?: true;
}

/** The summary of a run with no data yet. */
export function emptySummary(): RunSummary {
  return { p: {}, t: {}, m: {}, long: {} };
}

/** Records a param or tag value (null: deleted) in a summary. */
function put(s: RunSummary, kind: "p" | "t", key: string, value: string | null): void {
  delete s[kind][key];
  delete s.long[`${kind}:${key}`];
  if (value === null) return;
  if (value.length <= SUMMARY_VALUE_CHARS) s[kind][key] = value;
  else s.long[`${kind}:${key}`] = true;
}

/** Applies tags given at run creation; the summary of a new run holds all of it (`c`). */
export function summaryWithTags(tags: Iterable<[string, string]>): RunSummary {
  const s: RunSummary = { ...emptySummary(), c: true };
  for (const [k, v] of tags) put(s, "t", k, v);
  return s;
}

/**
 * The summary after the planned writes in `m` to this run's params, tags and metric heads, or
 * `undefined` when they do not touch it.
 */
export function nextSummary(
  current: RunSummary | undefined,
  runId: string,
  m: MutationSet,
): RunSummary | undefined {
  const params = keyId(runParamsPrefix(runId)).slice(0, -1);
  const tags = keyId(runTagsPrefix(runId)).slice(0, -1);
  const metrics = keyId(runMetricsPrefix(runId)).slice(0, -1);
  const datasets = keyId(runDatasetInputsPrefix(runId)).slice(0, -1);
  const models = [keyId(runModelInputsPrefix(runId)), keyId(runModelOutputsPrefix(runId))]
    .map((id) => id.slice(0, -1));
  let next: RunSummary | undefined;
  // Copied on first change, map by map: a deep clone of the whole summary on every commit cost
  // more than the rest of this function for a log-metric.
  const copied = new Set<"p" | "t" | "m" | "long">();
  const edit = (...maps: ("p" | "t" | "m" | "long")[]) => {
    const s = next ??= { ...(current ?? emptySummary()) };
    for (const k of maps) {
      if (copied.has(k)) continue;
      copied.add(k);
      s[k] = { ...s[k] } as never;
    }
    return s;
  };
  for (const [id, w] of m.entries()) {
    if (id.startsWith(datasets) && w.value !== undefined) {
      const s = edit();
      s.d = (s.d ?? 0) + 1; // edges are only ever added, each once
      continue;
    }
    if (models.some((p) => id.startsWith(p)) && w.value !== undefined) {
      edit().x = true; // model inputs and outputs are only ever added
      continue;
    }
    const kind = id.startsWith(params)
      ? "p"
      : id.startsWith(tags)
      ? "t"
      : id.startsWith(metrics)
      ? "m"
      : null;
    if (kind === null) continue;
    const s = kind === "m" ? edit("m") : edit(kind, "long");
    if (s.over) continue;
    const key = lastPart(w.key);
    if (kind === "m") {
      if (w.value === undefined) delete s.m[key];
      else {
        const { value, timestamp, step } = (w.value as MetricHead).latest;
        s.m[key] = [value, timestamp, step];
      }
    } else {
      put(s, kind, key, (w.value as string | undefined) ?? null);
    }
  }
  if (next && estimateSize(next) > SUMMARY_MAX_BYTES) {
    const over: RunSummary = { p: {}, t: {}, m: {}, long: {}, over: true, d: next.d };
    if (next.x) over.x = true;
    return over;
  }
  return next;
}

/**
 * True when a run's summary holds the whole run: every param, tag and latest metric value, no
 * dataset, model input or output. Its record then answers `runs/get` without a list.
 */
export function isWholeRun(s: RunSummary | undefined): s is RunSummary {
  return s !== undefined && s.c === true && !s.over && !s.d && !s.x &&
    Object.keys(s.long).length === 0;
}
