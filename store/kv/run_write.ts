/**
 * The one way to change a run: read its head, plan every key's final value, commit under a check.
 *
 * Every write to a run bumps its head under a `check`, so writes to one run serialise across
 * processes and isolates, and whatever a plan read (params already logged, a metric's latest value,
 * the run's status) is still true when its commit lands. Small writes share commits through the
 * {@linkcode Committer}; writes too large for one commit take the staged path, which is just as
 * all-or-nothing.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import type { LifecycleStage } from "../types.ts";
import { type Committer, fitsOneCommit } from "./committer.ts";
import { experimentKey, runHeadKey, runKey } from "./keys.ts";
import { MutationSet } from "./mutations.ts";
import { type ExperimentRecord, type RunHead, type RunRecord, runStage } from "./records.ts";
import { RETRY, withRetry } from "./retry.ts";
import { commitStaged, rollForward } from "./staged_batch.ts";

/** What the backend modules share: the KV handle and the commit coalescer. */
export interface KvContext {
  kv: Deno.Kv;
  committer: Committer;
  /** Root for new experiments' artifact locations, e.g. `mlflow-artifacts:/`. */
  defaultArtifactRoot: string;
}

/** The state a run write plans against. */
export interface RunWriteState {
  run: RunRecord;
  exp: ExperimentRecord;
  stage: LifecycleStage;
  /** Extra checks the plan relies on (e.g. a unique index it reads), added to the commit. */
  checks: Deno.AtomicCheck[];
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

/**
 * Plans and commits one all-or-nothing write to a run. `plan` may read KV and throw
 * `MlflowError` (then nothing is written); it records each key's final value in `m`. A plan that
 * writes nothing is a no-op. Lost races re-run the plan against fresh state.
 */
export function writeRun(
  ctx: KvContext,
  runId: string,
  what: string,
  plan: (state: RunWriteState, m: MutationSet) => Promise<void> | void,
): Promise<void> {
  return withRetry(what, async () => {
    const { run, head, exp } = await readRunState(ctx, runId);
    if ((head.value?.readLease ?? 0) > Date.now()) {
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      return RETRY;
    }
    const state: RunWriteState = {
      run: run.value,
      exp: exp.value,
      stage: runStage(run.value, exp.value),
      checks: [],
    };
    const m = new MutationSet();
    await plan(state, m);
    if (m.size === 0) return true;
    const checks: Deno.AtomicCheck[] = [
      { key: runHeadKey(runId), versionstamp: head.versionstamp },
      { key: exp.key, versionstamp: exp.versionstamp },
      ...state.checks,
    ];
    m.set(runHeadKey(runId), { seq: (head.value?.seq ?? 0) + 1 } satisfies RunHead);
    // The lease was checked above; a lapsed one is dropped by writing the head without it.
    const job = { checks, mutations: m.list() };
    if (fitsOneCommit(job)) return await ctx.committer.commit(job) ? true : RETRY;
    const withoutHead = job.mutations.filter((x) => x.key[0] !== runHeadKey(runId)[0]);
    const ok = await commitStaged(ctx.kv, runId, head, checks.slice(1), withoutHead);
    return ok ? true : RETRY;
  }).then(() => undefined);
}
