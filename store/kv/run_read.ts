/**
 * Reading whole runs. A run's keys share the prefix `["run_data", runId]`, so one list call that
 * fits in one batch returns the record, head and data as one consistent snapshot. Larger runs
 * (thousands of metric keys) are read in several batches and validated against the head.
 *
 * @module
 */
import type { Metric, ModelOutput, Param, Run, Tag } from "../types.ts";
import { type DatasetEdge, edgeTags, loadDatasetInputs } from "./datasets.ts";
import { type ExperimentLifecycles, lifecycleOf } from "./experiment_lifecycles.ts";
import {
  experimentKey,
  experimentLifecyclesKey,
  lastPart,
  pairOf,
  runDataPrefix,
  runHeadKey,
  runKey,
} from "./keys.ts";
import type { MetricHead } from "./metric_history.ts";
import {
  compareCodePoints,
  type ExperimentLifecycle,
  type ExperimentRecord,
  type RunHead,
  type RunRecord,
  toRunInfo,
} from "./records.ts";
import { batchedReads } from "./read_batcher.ts";
import { isWholeRun } from "./run_summary.ts";
import { runNotFound } from "./run_write.ts";
import { readConsistently } from "./snapshot.ts";
import { rollForward } from "./staged_batch.ts";
import type { KvContext } from "./run_write.ts";

/**
 * Entries one list call returns. Most runs fit (a record, a head and their params, tags and
 * metrics); a run with more is read in validated batches.
 */
const ONE_BATCH = 128;

/** A run's parts, sorted out of its entries. */
export interface RunParts {
  record: RunRecord | null;
  head: Deno.KvEntry<RunHead> | null;
  params: Param[];
  tags: Tag[];
  metrics: Metric[];
  datasetEdges: DatasetEdge[];
  modelIds: string[];
  modelOutputs: ModelOutput[];
}

/** Sorts a run's entries (in key order) into its parts. */
export function splitRunEntries(entries: Deno.KvEntry<unknown>[]): RunParts {
  const parts: RunParts = {
    record: null,
    head: null,
    params: [],
    tags: [],
    metrics: [],
    datasetEdges: [],
    modelIds: [],
    modelOutputs: [],
  };
  for (const e of entries) {
    switch (e.key[2]) {
      case "a":
        parts.record = e.value as RunRecord;
        break;
      case "h":
        parts.head = e as Deno.KvEntry<RunHead>;
        break;
      case "p":
        parts.params.push(pairOf(e));
        break;
      case "t":
        parts.tags.push(pairOf(e));
        break;
      case "m": {
        const { timestamp, step, value } = (e.value as MetricHead).latest;
        parts.metrics.push({ key: lastPart(e.key), value, timestamp, step });
        break;
      }
      case "d":
        parts.datasetEdges.push({ datasetId: lastPart(e.key), tags: edgeTags(e.value) });
        break;
      case "i":
        parts.modelIds.push(lastPart(e.key));
        break;
      case "o": // runModelOutputKey: [..., "o", modelId, step]
        parts.modelOutputs.push({ model_id: e.key[3] as string, step: e.key[4] as number });
        break;
    }
  }
  return parts;
}

/** Builds the wire run from its parts and its experiment. */
export async function assembleRun(
  kv: Deno.Kv,
  parts: RunParts,
  exp: ExperimentLifecycle,
): Promise<Run> {
  const record = parts.record!;
  return {
    info: toRunInfo(record, exp),
    data: { metrics: parts.metrics, params: parts.params, tags: parts.tags },
    inputs: {
      dataset_inputs: parts.datasetEdges.length === 0
        ? []
        : await loadDatasetInputs(kv, record.experiment_id, parts.datasetEdges),
      model_inputs: parts.modelIds.map((model_id) => ({ model_id })),
    },
    outputs: { model_outputs: parts.modelOutputs },
  };
}

async function listRun(kv: Deno.Kv, runId: string, limit?: number) {
  const out: Deno.KvEntry<unknown>[] = [];
  const opts = limit === undefined ? { batchSize: ONE_BATCH } : { limit, batchSize: limit };
  for await (const e of kv.list({ prefix: runDataPrefix(runId) }, opts)) out.push(e);
  return out;
}

/** The full run held by a record whose summary is whole (see `isWholeRun`), else null. */
export function runFromRecord(record: RunRecord, exp: ExperimentLifecycle): Run | null {
  const s = record.s;
  if (!isWholeRun(s)) return null;
  const byKey = (a: { key: string }, b: { key: string }) => compareCodePoints(a.key, b.key);
  return {
    info: toRunInfo(record, exp),
    data: {
      metrics: Object.entries(s.m).map(([key, [value, timestamp, step]]) => ({
        key,
        value,
        timestamp,
        step,
      })).sort(byKey),
      params: Object.entries(s.p).map(([key, value]) => ({ key, value })).sort(byKey),
      tags: Object.entries(s.t).map(([key, value]) => ({ key, value })).sort(byKey),
    },
    inputs: { dataset_inputs: [], model_inputs: [] },
    outputs: { model_outputs: [] },
  };
}

/**
 * Reads a full run as one consistent state; throws `RESOURCE_DOES_NOT_EXIST` for an unknown run.
 * `exp` may be passed when the caller already holds the run's experiment record.
 *
 * Most runs are whole in their record's summary: one `getMany` reads record, head and what the
 * run's stage needs of its experiment: the experiment itself when this process knows which it is,
 * else the experiment lifecycles key (see `experiment_lifecycles.ts`), so a first read in a new
 * process is one round trip too. Other runs are listed under their prefix.
 */
export async function readRun(
  ctx: KvContext,
  runId: string,
  exp?: ExperimentRecord,
): Promise<Run> {
  for (;;) {
    const expId = ctx.runExperiments.get(runId);
    const keys: Deno.KvKey[] = [runKey(runId), runHeadKey(runId)];
    if (exp === undefined || (expId !== undefined && exp.experiment_id !== expId)) {
      keys.push(expId === undefined ? experimentLifecyclesKey() : experimentKey(expId));
    }
    const [rec, head, third] = await batchedReads(ctx.kv).getMany<unknown[]>(keys) as [
      Deno.KvEntryMaybe<RunRecord>,
      Deno.KvEntryMaybe<RunHead>,
      Deno.KvEntryMaybe<unknown> | undefined,
    ];
    if (rec.value === null) throw runNotFound(runId);
    if (head.value?.pending) {
      await rollForward(ctx.kv, runId);
      continue;
    }
    const record = rec.value;
    ctx.runExperiments.remember(runId, record.experiment_id);
    const known: ExperimentLifecycle | null | undefined =
      exp?.experiment_id === record.experiment_id
        ? exp
        : expId === undefined
        ? lifecycleOf(third?.value as ExperimentLifecycles | null, record.experiment_id)
        : third?.value as ExperimentRecord | null;
    if (!isWholeRun(record.s)) return await listedRun(ctx, runId, known ?? undefined);
    const x = known ?? await readLifecycle(ctx.kv, record.experiment_id);
    if (!x) throw runNotFound(runId);
    return runFromRecord(record, x)!;
  }
}

/** What a run's stage needs of experiment `id` (its record), read by key; null when absent. */
async function readLifecycle(kv: Deno.Kv, id: string): Promise<ExperimentLifecycle | null> {
  return (await batchedReads(kv).get<ExperimentRecord>(experimentKey(id))).value;
}

/** {@linkcode readRun} of a run its summary does not hold whole: its prefix, listed. */
async function listedRun(
  ctx: KvContext,
  runId: string,
  known?: ExperimentLifecycle,
): Promise<Run> {
  for (;;) {
    const entries = await listRun(ctx.kv, runId, ONE_BATCH);
    if (entries.length >= ONE_BATCH) return await readLargeRun(ctx, runId);
    const parts = splitRunEntries(entries);
    if (parts.record === null) throw runNotFound(runId);
    if (parts.head?.value.pending) {
      await rollForward(ctx.kv, runId);
      continue;
    }
    const e = known ?? await readLifecycle(ctx.kv, parts.record.experiment_id);
    if (!e) throw runNotFound(runId);
    return await assembleRun(ctx.kv, parts, e);
  }
}

/** A run too large for one list batch: read in batches, validated against its head. */
function readLargeRun(ctx: KvContext, runId: string): Promise<Run> {
  return readConsistently(ctx, runId, async ({ exp }) => {
    const parts = splitRunEntries(await listRun(ctx.kv, runId));
    return await assembleRun(ctx.kv, parts, exp.value);
  });
}
