/**
 * The one way to change a run: read its head, plan every key's final value, commit under a check.
 *
 * Every write to a run bumps its head under a `check`, so writes to one run serialise across
 * processes and isolates, and whatever a plan read (params already logged, a metric's latest value,
 * the run's status) is still true when its commit lands. Small writes share commits through the
 * {@linkcode Committer}; writes too large for one commit take the staged path, which is just as
 * all-or-nothing. Repeated writes from one process plan from the {@linkcode RunCache}, which the
 * same head check keeps honest.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import type { LifecycleStage } from "../types.ts";
import { type Committer, distinctChecks, fitsOneCommit } from "./committer.ts";
import { type CommitLimits, tooLargeForOneCommit } from "./commit_limits.ts";
import {
  experimentKey,
  lastPart,
  runHeadKey,
  runKey,
  runMetricKey,
  runMetricsPrefix,
  runParamKey,
  runParamsPrefix,
  runTagKey,
  runTagsPrefix,
} from "./keys.ts";
import type { MetricHead } from "./metric_history.ts";
import { keyId, MutationSet } from "./mutations.ts";
import { type ExperimentRecord, type RunHead, type RunRecord, runStage } from "./records.ts";
import { RETRY, withRetry } from "./retry.ts";
import type { CachedRunState, RunCache } from "./run_cache.ts";
import { nextSummary } from "./run_summary.ts";
import { indexRunRecord } from "./run_index.ts";
import { commitStaged, rollForward } from "./staged_batch.ts";

/** What the backend modules share: the KV handle, the commit coalescer and the run cache. */
export interface KvContext {
  kv: Deno.Kv;
  committer: Committer;
  /** What one commit may hold on the backend in use; every write path sizes its commits by it. */
  limits: CommitLimits;
  runCache: RunCache;
  /**
   * Experiments as last read by this process, for `runs/create`; every use is checked in the
   * commit, so a stale entry costs a retry, never a wrong result.
   */
  expCache: Map<string, Deno.KvEntry<ExperimentRecord>>;
  /**
   * Each run's experiment id, as this process has seen it: it never changes, so `runs/get` can
   * read the experiment in the same round trip as the run (see `run_read.ts`).
   */
  runExperiments: RunExperiments;
  /** Tail of each run's in-process write queue (see {@linkcode writeRun}). */
  runQueues: Map<string, Promise<unknown>>;
  /** Root for new experiments' artifact locations, e.g. `mlflow-artifacts:/`. */
  defaultArtifactRoot: string;
}

/** Most run → experiment ids {@linkcode RunExperiments} remembers before it starts over. */
export const RUN_EXPERIMENTS_CAPACITY = 100_000;

/** Run id → experiment id: immutable facts, so no entry can go stale in any process. */
export class RunExperiments {
  #ids = new Map<string, string>();

  /** The run's experiment id, when this process has seen the run. */
  get(runId: string): string | undefined {
    return this.#ids.get(runId);
  }

  /** Remembers a run's experiment (the map is cleared when full: a miss costs one read). */
  remember(runId: string, experimentId: string): void {
    if (this.#ids.size >= RUN_EXPERIMENTS_CAPACITY) this.#ids.clear();
    this.#ids.set(runId, experimentId);
  }
}

/** The state a run write plans against. */
export interface RunWriteState {
  run: RunRecord;
  exp: ExperimentRecord;
  stage: LifecycleStage;
  /** Extra checks the plan relies on (e.g. a unique index it reads), added to the commit. */
  checks: Deno.AtomicCheck[];
  /** Stored values of these params (null = absent), from the cache when it knows them. */
  params(keys: string[]): Promise<(string | null)[]>;
  /** Heads of these metrics (null = new metric), from the cache when it knows them. */
  metricHeads(keys: string[]): Promise<(MetricHead | null)[]>;
  /** Stored values of these tags (null = absent), from the cache when it knows them. */
  tags(keys: string[]): Promise<(string | null)[]>;
}

/** The error MLflow returns for an unknown run id. */
export function runNotFound(runId: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `Run with id=${runId} not found`);
}

/** Throws MLflow's error for writes to a run that is not active. */
export function requireActive(state: RunWriteState): void {
  if (state.stage !== "active") {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `The run ${state.run.run_id} must be in the 'active' state. Current state is ${state.stage}.`,
    );
  }
}

/** Reads a run with its experiment, finishing any batch it has pending first. */
export async function readRunState(
  ctx: KvContext,
  runId: string,
): Promise<
  {
    run: Deno.KvEntry<RunRecord>;
    head: Deno.KvEntryMaybe<RunHead>;
    exp: Deno.KvEntry<ExperimentRecord>;
  }
> {
  for (;;) {
    const [run, head] = await ctx.kv.getMany<[RunRecord, RunHead]>([
      runKey(runId),
      runHeadKey(runId),
    ]);
    if (run.value === null) throw runNotFound(runId);
    if (head.value?.pending) {
      await rollForward(ctx.kv, runId);
      continue;
    }
    const exp = await ctx.kv.get<ExperimentRecord>(experimentKey(run.value.experiment_id));
    if (exp.value === null) throw runNotFound(runId);
    return {
      run: run as Deno.KvEntry<RunRecord>,
      head,
      exp: exp as Deno.KvEntry<ExperimentRecord>,
    };
  }
}

/** The most keys one `getMany` takes. */
const MAX_GET_MANY = 10;

/** `getMany` takes at most 10 keys; this takes any number. */
export async function getManyValues<T>(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<(T | null)[]> {
  const parts: Promise<Deno.KvEntryMaybe<T>[]>[] = [];
  for (let i = 0; i < keys.length; i += 10) parts.push(kv.getMany<T[]>(keys.slice(i, i + 10)));
  return (await Promise.all(parts)).flat().map((e) => e.value);
}

/** Looks keys up in a cache map, reading (and remembering) only the unknown ones. */
async function lookThrough<T>(
  known: Map<string, T | null>,
  complete: boolean,
  keys: string[],
  read: (missing: string[]) => Promise<(T | null)[]>,
): Promise<(T | null)[]> {
  const missing = complete ? [] : [...new Set(keys.filter((k) => !known.has(k)))];
  if (missing.length > 0) {
    const values = await read(missing);
    missing.forEach((k, i) => known.set(k, values[i]));
  }
  return keys.map((k) => known.get(k) ?? null);
}

/** Keys a write will read, so that a fresh read fetches them with the run (see `writeRun`). */
export interface WriteReads {
  params?: readonly string[];
  metrics?: readonly string[];
  tags?: readonly string[];
}

/**
 * The run's write state read fresh: record, head, experiment (when this process knows which) and
 * as many of the keys the write will read as fit, in one `getMany`, so one snapshot; else the
 * experiment in a second read. What does not fit is read by the plan as usual.
 */
async function freshState(
  ctx: KvContext,
  runId: string,
  reads: WriteReads = {},
): Promise<CachedRunState> {
  for (;;) {
    const expId = ctx.runExperiments.get(runId);
    const keys: Deno.KvKey[] = [runKey(runId), runHeadKey(runId)];
    if (expId !== undefined) keys.push(experimentKey(expId));
    const base = keys.length;
    const extra: { kind: "params" | "metrics" | "tags"; key: string }[] = [];
    const want = (kind: "params" | "metrics" | "tags", list: readonly string[] = []) => {
      for (const key of new Set(list)) {
        if (base + extra.length < MAX_GET_MANY) extra.push({ kind, key });
      }
    };
    want("params", reads.params);
    want("metrics", reads.metrics);
    want("tags", reads.tags);
    for (const { kind, key } of extra) {
      keys.push(
        kind === "params"
          ? runParamKey(runId, key)
          : kind === "metrics"
          ? runMetricKey(runId, key)
          : runTagKey(runId, key),
      );
    }
    const entries = await ctx.kv.getMany<unknown[]>(keys);
    const run = entries[0] as Deno.KvEntryMaybe<RunRecord>;
    const head = entries[1] as Deno.KvEntryMaybe<RunHead>;
    if (run.value === null) throw runNotFound(runId);
    if (head.value?.pending) {
      await rollForward(ctx.kv, runId);
      continue;
    }
    ctx.runExperiments.remember(runId, run.value.experiment_id);
    const exp = expId === run.value.experiment_id
      ? entries[2] as Deno.KvEntryMaybe<ExperimentRecord>
      : await ctx.kv.get<ExperimentRecord>(experimentKey(run.value.experiment_id));
    if (exp.value === null) throw runNotFound(runId);
    const state: CachedRunState = {
      run: run.value,
      head: head.value,
      headVersionstamp: head.versionstamp,
      exp: exp.value,
      expVersionstamp: exp.versionstamp,
      params: new Map(),
      paramsComplete: false,
      metrics: new Map(),
      metricsComplete: false,
      tags: new Map(),
      tagsComplete: false,
    };
    extra.forEach(({ kind, key }, i) => {
      const value = entries[base + i].value;
      if (kind === "metrics") state.metrics.set(key, value as MetricHead | null);
      else state[kind].set(key, value as string | null);
    });
    return state;
  }
}

/** The cached state after a successful commit of `m` at versionstamp `vs`. */
function advance(c: CachedRunState, runId: string, m: MutationSet, vs: string): CachedRunState {
  const next: CachedRunState = {
    ...c,
    headVersionstamp: vs,
    head: m.get(runHeadKey(runId))?.value as RunHead,
  };
  const run = m.get(runKey(runId));
  if (run?.value !== undefined) next.run = run.value as RunRecord;
  const params = keyId(runParamsPrefix(runId)).slice(0, -1);
  const metrics = keyId(runMetricsPrefix(runId)).slice(0, -1);
  const tags = keyId(runTagsPrefix(runId)).slice(0, -1);
  for (const w of m.list()) {
    const id = keyId(w.key);
    if (id.startsWith(params)) {
      c.params.set(lastPart(w.key), (w.value as string | undefined) ?? null);
    } else if (id.startsWith(metrics)) {
      c.metrics.set(lastPart(w.key), (w.value as MetricHead | undefined) ?? null);
    } else if (id.startsWith(tags)) {
      c.tags.set(lastPart(w.key), (w.value as string | undefined) ?? null);
    }
  }
  return next;
}

/**
 * Plans and commits one all-or-nothing write to a run. `plan` may read KV and throw
 * `MlflowError` (then nothing is written); it records each key's final value in `m`. A plan that
 * writes nothing is a no-op. Lost races re-run the plan against fresh state. `reads` names the
 * params, metrics and tags the plan will look up, so a fresh read fetches them with the run.
 */
export function writeRun(
  ctx: KvContext,
  runId: string,
  what: string,
  plan: (state: RunWriteState, m: MutationSet) => Promise<void> | void,
  reads?: WriteReads,
): Promise<void> {
  // Writes to one run from this process go one after another. This is not what makes them
  // correct (the head check does, across processes too); it stops concurrent writers in one
  // process from all planning against the same head and all but one losing the race.
  const prev = ctx.runQueues.get(runId) ?? Promise.resolve();
  const mine = prev.then(() => writeRunNow(ctx, runId, what, plan, reads));
  const tail = mine.catch(() => {});
  ctx.runQueues.set(runId, tail);
  tail.then(() => {
    if (ctx.runQueues.get(runId) === tail) ctx.runQueues.delete(runId);
  });
  return mine;
}

function writeRunNow(
  ctx: KvContext,
  runId: string,
  what: string,
  plan: (state: RunWriteState, m: MutationSet) => Promise<void> | void,
  reads?: WriteReads,
): Promise<void> {
  // The read lease this write has been waiting on: which head carried it, and until when on this
  // process's monotonic clock. Never compared with a time another machine wrote (snapshot.ts).
  let lease: { versionstamp: string | null; until: number } | undefined;
  return withRetry(what, async () => {
    const cached = ctx.runCache.get(runId);
    const c = cached ?? await freshState(ctx, runId, reads);
    // Drop it now: a failed or rejected plan must not leave a half-updated entry behind.
    ctx.runCache.delete(runId);
    const leaseMs = c.head?.leaseMs ?? 0;
    if (leaseMs > 0) {
      if (lease?.versionstamp !== c.headVersionstamp) {
        lease = { versionstamp: c.headVersionstamp, until: performance.now() + leaseMs };
      }
      if (performance.now() < lease.until) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
        return RETRY;
      }
    }
    const state: RunWriteState = {
      run: c.run,
      exp: c.exp,
      stage: runStage(c.run, c.exp),
      checks: [],
      params: (keys) =>
        lookThrough(
          c.params,
          c.paramsComplete,
          keys,
          (ks) => getManyValues<string>(ctx.kv, ks.map((k) => runParamKey(runId, k))),
        ),
      metricHeads: (keys) =>
        lookThrough(
          c.metrics,
          c.metricsComplete,
          keys,
          (ks) => getManyValues<MetricHead>(ctx.kv, ks.map((k) => runMetricKey(runId, k))),
        ),
      tags: (keys) =>
        lookThrough(
          c.tags,
          c.tagsComplete,
          keys,
          (ks) => getManyValues<string>(ctx.kv, ks.map((k) => runTagKey(runId, k))),
        ),
    };
    const m = new MutationSet();
    try {
      await plan(state, m);
    } catch (e) {
      // A rejection is only believed when planned from fresh reads: the cache may predate a
      // write by another process (a restore, say) that makes this write valid.
      if (cached) return RETRY;
      throw e;
    }
    // Likewise a no-op: with nothing to commit, no check would catch a stale cache.
    if (m.size === 0 && cached) return RETRY;
    if (m.size === 0) {
      ctx.runCache.set(runId, c);
      return true;
    }
    const headCheck = { key: runHeadKey(runId), versionstamp: c.headVersionstamp };
    const checks: Deno.AtomicCheck[] = [
      headCheck,
      { key: experimentKey(c.run.experiment_id), versionstamp: c.expVersionstamp },
      ...state.checks,
    ];
    m.set(runHeadKey(runId), { seq: (c.head?.seq ?? 0) + 1 } satisfies RunHead);
    const planned = m.get(runKey(runId))?.value as RunRecord | undefined;
    const base = planned ?? c.run;
    const summary = nextSummary(base.s, runId, m);
    if (summary) m.set(runKey(runId), { ...base, s: summary } satisfies RunRecord);
    const record = m.get(runKey(runId))?.value as RunRecord | undefined;
    if (record) indexRunRecord(m, record);
    const job = { checks, mutations: m.list() };
    if (fitsOneCommit(job, ctx.limits)) {
      const vs = await ctx.committer.commit(job);
      if (vs === null) return RETRY;
      ctx.runCache.set(runId, advance(c, runId, m, vs));
      return true;
    }
    // The staged path's flip checks all of these plus its staging record, in one commit.
    if (distinctChecks(checks) + 1 > ctx.limits.checks) throw tooLargeForOneCommit();
    const headId = keyId(runHeadKey(runId));
    const withoutHead = job.mutations.filter((x) => keyId(x.key) !== headId);
    const head = {
      key: headCheck.key,
      value: c.head,
      versionstamp: c.headVersionstamp,
    } as Deno.KvEntryMaybe<RunHead>;
    return await commitStaged(ctx.kv, runId, head, checks.slice(1), withoutHead) ? true : RETRY;
  }).then(() => undefined);
}
