/**
 * Consistent reads of a run whose parts live under several prefixes.
 *
 * KV has no multi-range snapshot, so a reader validates instead: it reads a guard key (the run's
 * head, which every write bumps, or a metric's head), reads the parts, and reads the guard again;
 * if a write landed in between it starts over. When writes keep overtaking it, the reader takes a
 * short read lease on the run head (an atomic mark that makes writers wait), so a reader always
 * finishes and never returns part of a batch.
 *
 * The lease is a duration, never an instant: the reader and the writers may run on machines whose
 * clocks disagree, and an instant written by one and compared by another would make writers wait
 * for the skew too (minutes, if a reader dies holding it) or ignore the lease. Each writer times it
 * on its own monotonic clock from when it first sees it (`run_write.ts`). Correctness never
 * rests on the lease: the guard reads decide, the lease only lets a reader finish.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import { runHeadKey } from "./keys.ts";
import type { RunHead } from "./records.ts";
import { isLockedError } from "./retry.ts";
import { type KvContext, readRunState } from "./run_write.ts";

const OPTIMISTIC_ATTEMPTS = 4;
const MAX_ELAPSED_MS = 30_000;

type RunState = Awaited<ReturnType<typeof readRunState>>;

async function commitIgnoringLocks(op: Deno.AtomicOperation): Promise<Deno.KvCommitResult | null> {
  try {
    const res = await op.commit();
    return res.ok ? res : null;
  } catch (e) {
    if (isLockedError(e)) return null;
    throw e;
  }
}

/**
 * Runs `read` against a run so that its result reflects one state of the run: no write to the run
 * (its head) and none to `guardKey`, if given, may land while it reads. Throws
 * `RESOURCE_DOES_NOT_EXIST` for an unknown run.
 */
export async function readConsistently<T>(
  ctx: KvContext,
  runId: string,
  read: (state: RunState) => Promise<T>,
  guardKey?: Deno.KvKey,
): Promise<T> {
  let leaseMs = 0;
  const started = Date.now();
  for (let attempt = 0; Date.now() - started < MAX_ELAPSED_MS; attempt++) {
    const state = await readRunState(ctx, runId);
    let leased: Deno.KvEntry<RunHead> | null = null;
    if (attempt >= OPTIMISTIC_ATTEMPTS) {
      leaseMs = Math.min(60_000, leaseMs ? leaseMs * 2 : 2_000);
      const value: RunHead = {
        ...(state.head.value ?? { seq: 0 }),
        leaseMs,
      };
      const res = await commitIgnoringLocks(
        ctx.kv.atomic().check(state.head).set(runHeadKey(runId), value),
      );
      if (!res) {
        // Lost to a writer or to another process holding SQLite's lock: back off, then retry.
        await new Promise((r) => setTimeout(r, Math.min(50, 2 ** Math.min(attempt, 6))));
        continue;
      }
      leased = { key: runHeadKey(runId), value, versionstamp: res.versionstamp };
    }
    // The run head is always part of the guard, and must show no pending batch: a batch that
    // flips after readRunState is applied in several commits that leave the head untouched, so
    // an unchanged head alone would not reveal a read taken mid-apply.
    const keys = guardKey === undefined ? [runHeadKey(runId)] : [runHeadKey(runId), guardKey];
    const guard = await ctx.kv.getMany<unknown[]>(keys);
    if ((guard[0].value as RunHead | null)?.pending) continue;
    const result = await read(state);
    const again = await ctx.kv.getMany<unknown[]>(keys);
    if (again.some((e, i) => e.versionstamp !== guard[i].versionstamp)) continue;
    if (leased) {
      const { leaseMs: _, ...rest } = leased.value;
      // Best effort: if it fails, the lease simply lapses.
      await commitIgnoringLocks(ctx.kv.atomic().check(leased).set(leased.key, rest));
    }
    return result;
  }
  throw new MlflowError(
    "TEMPORARILY_UNAVAILABLE",
    `Run ${runId} is changing too fast to read; retry later`,
  );
}
