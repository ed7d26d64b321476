/**
 * The one way to change a run: read its head, plan every key's final value, commit under a check.
 *
 * Every write to a run bumps its head under a `check`, so writes to one run serialise across
 * processes and isolates, and whatever a plan read (params already logged, a metric's latest value,
 * the run's status) is still true when its commit lands. Writes to one run queued in this process
 * are planned together into one commit (see {@linkcode writeRun}), and small writes to different
 * runs share commits through the {@linkcode Committer}; a write too large for one commit takes the
 * staged path, which is just as all-or-nothing. Repeated writes from one process plan from the
 * {@linkcode RunCache}, which the same head check keeps honest.
 *
 * @module
 */
import type { HistoryCache } from "./history_cache.ts";
import { MlflowError } from "../errors.ts";
import type { LifecycleStage } from "../types.ts";
import { type CommitJob, type Committer, fitsOneCommit, measureJob } from "./committer.ts";
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
import { keyBytes, keyId, MutationSet } from "./mutations.ts";
import { PENDING_VERSIONSTAMP, pendingReads, PlanConflict } from "./pending_reads.ts";
import { type ExperimentRecord, type RunHead, type RunRecord, runStage } from "./records.ts";
import { isLockedError, RETRY, withRetry } from "./retry.ts";
import type { CachedRunState, RunCache } from "./run_cache.ts";
import { nextSummary, SUMMARY_MAX_BYTES } from "./run_summary.ts";
import { indexRunRecord } from "./run_index.ts";
import { commitStaged, rollForward } from "./staged_batch.ts";
import type { StoreObserver } from "./observer.ts";

/** What the backend modules share: the KV handle, the commit coalescer and the run cache. */
export interface KvContext {
  kv: Deno.Kv;
  committer: Committer;
  /** What one commit may hold on the backend in use; every write path sizes its commits by it. */
  limits: CommitLimits;
  runCache: RunCache;
  /** Whole metric histories (as columns) this process read, by run-head versionstamp. */
  historyCache: HistoryCache;
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
  /** Each run's in-process queue of writes waiting to be planned (see {@linkcode writeRun}). */
  runQueues: Map<string, QueuedRunWrite[]>;
  /** Root for new experiments' artifact locations, e.g. `mlflow-artifacts:/`. */
  defaultArtifactRoot: string;
  /**
   * The time written into entities (creation, update, deletion times); only an import sets it,
   * so recorded times survive. Retries, leases and sweeps keep `Date.now()`.
   */
  now: () => number;
  /** Told of each staged batch (`KvStoreOptions.observer`). */
  observer?: StoreObserver;
  /** Evaluation time one run search may spend before its 400 (store/search/budget.ts). */
  searchTimeBudgetMs: number;
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
  /**
   * KV for the plan's own reads, with the writes planned earlier in the same commit group laid
   * over it (pending_reads.ts). Typed as the handle the plan helpers take, but only `get`,
   * `getMany` and `list` work.
   */
  kv: Deno.Kv;
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
    // A key planned meanwhile (by an earlier plan of the same group) keeps its planned value.
    missing.forEach((k, i) => known.has(k) || known.set(k, values[i]));
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

/** A run write's plan: reads what it needs through `state`, records each key's final value in `m`. */
export type RunPlan = (state: RunWriteState, m: MutationSet) => Promise<void> | void;

/** A write waiting in its run's in-process queue (see {@linkcode writeRun}). */
export interface QueuedRunWrite {
  what: string;
  plan: RunPlan;
  reads?: WriteReads;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Most queued writes to one run that are planned together and share one commit. Larger groups
 * save little more (the commit's cost grows with its keys) and hold back the first write's reply.
 */
export const MAX_RUN_WRITE_GROUP = 64;

/**
 * Room a group keeps in its commit for what is added after its plans: the run head, the run
 * record with its summary (≤ {@linkcode SUMMARY_MAX_BYTES} plus the record's own fields) and the
 * record's copy in the experiment's run index. A single write is sized exactly instead.
 */
const GROUP_RESERVE = { mutations: 8, bytes: 4 * SUMMARY_MAX_BYTES, keyBytes: 4_096 };

/**
 * Plans and commits one all-or-nothing write to a run. `plan` may read KV (through `state.kv`)
 * and throw `MlflowError` (then nothing of it is written); it records each key's final value in
 * `m`. A plan that writes nothing is a no-op. Lost races re-run the plan against fresh state.
 * `reads` names the params, metrics and tags the plan will look up, so a fresh read fetches them
 * with the run.
 *
 * Writes to one run from this process wait in one queue. The ones waiting when the previous
 * commit is done are planned one after another against one state, each seeing the writes planned
 * before it, and go out in one commit with one head bump and one summary update: 16 clients
 * logging to one run wait on one commit instead of 16 in a row. Each write keeps its own outcome:
 * a plan that throws fails alone and none of its writes are kept; a write is acknowledged only
 * once the commit that holds it succeeded. The queue is not what makes writes correct (the head
 * check does, across processes too); it stops writers in one process from all planning against
 * the same head and all but one losing the race.
 */
export function writeRun(
  ctx: KvContext,
  runId: string,
  what: string,
  plan: RunPlan,
  reads?: WriteReads,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const write: QueuedRunWrite = { what, plan, reads, resolve, reject };
    const queue = ctx.runQueues.get(runId);
    if (queue) {
      queue.push(write);
      return;
    }
    const fresh = [write];
    ctx.runQueues.set(runId, fresh);
    drainRunQueue(ctx, runId, fresh);
  });
}

async function drainRunQueue(ctx: KvContext, runId: string, queue: QueuedRunWrite[]) {
  // Writes issued together (one task's Promise.all) form one group rather than one and the rest.
  await Promise.resolve();
  while (queue.length > 0) {
    const group = queue.splice(0, MAX_RUN_WRITE_GROUP);
    let left: QueuedRunWrite[];
    try {
      left = await writeGroup(ctx, runId, group);
    } catch (e) {
      // writeGroup settles its writes itself; this only keeps a bug from stalling the run's queue.
      for (const w of group) w.reject(e);
      left = [];
    }
    queue.unshift(...left);
  }
  ctx.runQueues.delete(runId);
}

/** The keys every write of a group will read, for the group's fresh read. */
function groupReads(group: QueuedRunWrite[]): WriteReads {
  if (group.length === 1) return group[0].reads ?? {};
  const all = { params: [] as string[], metrics: [] as string[], tags: [] as string[] };
  for (const { reads } of group) {
    if (reads?.params) all.params.push(...reads.params);
    if (reads?.metrics) all.metrics.push(...reads.metrics);
    if (reads?.tags) all.tags.push(...reads.tags);
  }
  return all;
}

/** A plan that went through; anything else in an outcome list is the error its plan threw. */
const PLANNED: unique symbol = Symbol("planned");

/**
 * Plans a prefix of `group` into one commit and commits it, then settles each of those writes;
 * returns the writes it left for the next group (cut for size, or by a read it could not merge).
 */
async function writeGroup(
  ctx: KvContext,
  runId: string,
  group: QueuedRunWrite[],
): Promise<QueuedRunWrite[]> {
  // How many writes an attempt may plan: halved when KV refuses a group's commit.
  let bound = group.length;
  // How many writes the last attempt planned, and their outcomes.
  let planned = 0;
  let outcomes: unknown[] = [];
  // The read lease this write has been waiting on: which head carried it, and until when on this
  // process's monotonic clock. Never compared with a time another machine wrote (snapshot.ts).
  let lease: { versionstamp: string | null; until: number } | undefined;
  const runKeyId = keyId(runKey(runId));
  const paramsId = keyId(runParamsPrefix(runId)).slice(0, -1);
  const metricsId = keyId(runMetricsPrefix(runId)).slice(0, -1);
  const tagsId = keyId(runTagsPrefix(runId)).slice(0, -1);
  try {
    await withRetry(group[0].what, async () => {
      planned = 0;
      const cached = ctx.runCache.get(runId);
      const c = cached ?? await freshState(ctx, runId, groupReads(group.slice(0, bound)));
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
      const m = new MutationSet();
      const reader = pendingReads(ctx.kv, m) as Deno.Kv;
      const headCheck = { key: runHeadKey(runId), versionstamp: c.headVersionstamp };
      const checks = new Map<string, Deno.AtomicCheck>([
        [keyId(headCheck.key), headCheck],
        [
          keyId(experimentKey(c.run.experiment_id)),
          { key: experimentKey(c.run.experiment_id), versionstamp: c.expVersionstamp },
        ],
      ]);
      let run = c.run;
      let bytes = 0, keys = 0, measured = false;
      const results: unknown[] = [];
      let n = 0;
      for (; n < Math.min(bound, group.length); n++) {
        const state = planState(ctx, runId, c, run, m.size === 0 ? ctx.kv : reader);
        const child = new MutationSet();
        try {
          await group[n].plan(state, child);
        } catch (e) {
          if (e instanceof PlanConflict || isLockedError(e)) break;
          results.push(e);
          continue;
        }
        // A check of what was only planned could never pass: plan it after that commit instead.
        if (state.checks.some((x) => x.versionstamp === PENDING_VERSIONSTAMP)) break;
        if (m.size > 0) {
          // Sized only once a second plan joins: a write alone is measured exactly below.
          if (!measured) {
            ({ bytes, keyBytes: keys } = measureJob({ checks: [], mutations: m.list() }));
            for (const x of checks.values()) keys += keyBytes(x.key);
            measured = true;
          }
          const size = measureJob({ checks: state.checks, mutations: child.list() });
          let newChecks = 0;
          for (const x of state.checks) if (!checks.has(keyId(x.key))) newChecks++;
          const l = ctx.limits;
          if (
            m.size + child.size + GROUP_RESERVE.mutations > l.mutations ||
            checks.size + newChecks > l.checks ||
            bytes + size.bytes + GROUP_RESERVE.bytes > l.bytes ||
            keys + size.keyBytes + GROUP_RESERVE.keyBytes > l.keyBytes
          ) break;
          bytes += size.bytes;
          keys += size.keyBytes;
        }
        m.merge(child);
        for (const x of state.checks) {
          const id = keyId(x.key);
          if (!checks.has(id)) checks.set(id, x);
        }
        // What the next plan reads: the state with this plan's writes.
        for (const [id, w] of child.entries()) {
          if (id === runKeyId) run = w.value as RunRecord;
          else if (id.startsWith(paramsId)) {
            c.params.set(lastPart(w.key), (w.value as string | undefined) ?? null);
          } else if (id.startsWith(metricsId)) {
            c.metrics.set(lastPart(w.key), (w.value as MetricHead | undefined) ?? null);
          } else if (id.startsWith(tagsId)) {
            c.tags.set(lastPart(w.key), (w.value as string | undefined) ?? null);
          }
        }
        results.push(PLANNED);
      }
      if (n === 0) return RETRY; // the first plan hit a lock error
      // A rejection or a no-op is only believed when planned from state that a commit's check
      // confirmed, or from fresh reads: the cache may predate a write by another process (a
      // restore, say) that makes this write valid.
      if (m.size === 0 && cached) return RETRY;
      if (m.size === 0) {
        ctx.runCache.set(runId, c);
        planned = n;
        outcomes = results;
        return true;
      }
      const head: RunHead = { seq: (c.head?.seq ?? 0) + 1 };
      m.set(runHeadKey(runId), head);
      const summary = nextSummary(run.s, runId, m);
      if (summary) m.set(runKey(runId), { ...run, s: summary } satisfies RunRecord);
      const record = m.get(runKey(runId))?.value as RunRecord | undefined;
      if (record) indexRunRecord(m, record);
      const mutations = m.list();
      const job: CommitJob = { checks: [...checks.values()], mutations };
      job.size = measureJob(job);
      if (fitsOneCommit(job, ctx.limits)) {
        job.writeIds = [...m.keyIds()];
        planned = n;
        let vs: string | null;
        try {
          vs = await ctx.committer.commit(job);
        } catch (e) {
          // KV refused the commit for something our estimates missed: smaller groups, down to
          // a write alone, whose refusal is its own.
          if (n === 1) throw e;
          bound = Math.ceil(n / 2);
          return RETRY;
        }
        if (vs === null) return RETRY;
        ctx.runCache.set(runId, { ...c, run: record ?? c.run, head, headVersionstamp: vs });
        outcomes = results;
        return true;
      }
      if (n > 1) {
        bound = Math.ceil(n / 2);
        return RETRY;
      }
      planned = 1;
      // The staged path's flip checks all of these plus its staging record, in one commit.
      if (checks.size + 1 > ctx.limits.checks) throw tooLargeForOneCommit();
      const headId = keyId(runHeadKey(runId));
      const withoutHead = job.mutations.filter((x) => keyId(x.key) !== headId);
      const stored = {
        key: headCheck.key,
        value: c.head,
        versionstamp: c.headVersionstamp,
      } as Deno.KvEntryMaybe<RunHead>;
      const otherChecks = job.checks.filter((x) => keyId(x.key) !== headId);
      if (!await commitStaged(ctx.kv, runId, stored, otherChecks, withoutHead)) return RETRY;
      ctx.observer?.onStagedBatch();
      outcomes = results;
      return true;
    });
  } catch (e) {
    // Nothing was written: the writes this attempt planned fail with it (all of them when it
    // failed before planning, e.g. an unknown run), the others wait for the next group.
    const failed = planned === 0 ? group.length : planned;
    for (const w of group.slice(0, failed)) w.reject(e);
    return group.slice(failed);
  }
  outcomes.forEach((o, i) => o === PLANNED ? group[i].resolve() : group[i].reject(o));
  return group.slice(planned);
}

/** What one plan of a group reads: the group's state so far, and KV through `kv`. */
function planState(
  ctx: KvContext,
  runId: string,
  c: CachedRunState,
  run: RunRecord,
  kv: Deno.Kv,
): RunWriteState {
  return {
    run,
    exp: c.exp,
    stage: runStage(run, c.exp),
    checks: [],
    kv,
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
}
