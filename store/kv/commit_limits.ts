/**
 * What one atomic KV commit may hold, per backend. A local KV file (Deno's SQLite backend) takes up
 * to 100 checks; denokv, which serves KV Connect and Deno Deploy's managed KV, refuses more than 10
 * (`TooManyChecks`). Mutation count, mutation bytes and key bytes are capped alike on both (1000,
 * 800 KiB, 80 KiB). Every store path sizes its commits from the limits of the backend in use, and
 * the {@linkcode Committer} merges jobs within them.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";

/** Budgets for one atomic commit; all four must hold. */
export interface CommitLimits {
  /** Distinct keys checked. */
  checks: number;
  /** Sets and deletes. */
  mutations: number;
  /** Estimated bytes of keys plus values written (see `mutationSize`). */
  bytes: number;
  /** Upper bound on the encoded size of every key checked or written (see `keyBytes`). */
  keyBytes: number;
}

/**
 * A local KV file or `:memory:`: under Deno's 100 checks, 1000 mutations, 800 KiB of mutations
 * and 80 KiB of keys, with margin for the size estimates (check and mutation counts are exact,
 * the margin there only leaves room for a job's own growth on retry).
 */
export const LOCAL_KV_COMMIT_LIMITS: Readonly<CommitLimits> = Object.freeze({
  checks: 90,
  mutations: 900,
  bytes: 600_000,
  keyBytes: 72_000,
});

/**
 * Remote KV (KV Connect, Deno Deploy): denokv allows exactly 10 checks per atomic write; the other
 * caps are the same as a file's.
 */
export const REMOTE_KV_COMMIT_LIMITS: Readonly<CommitLimits> = Object.freeze({
  ...LOCAL_KV_COMMIT_LIMITS,
  checks: 10,
});

/**
 * The limits for `Deno.openKv(path)`. `undefined` (no path: the platform's database on Deno
 * Deploy, or wherever `DENO_KV_DEFAULT_PATH` points) and http(s) URLs get the remote limits, the
 * stricter ones, so an unknown backend can never be sent a commit it refuses.
 */
export function commitLimitsFor(path: string | undefined): Readonly<CommitLimits> {
  if (path === undefined || /^https?:/i.test(path)) return REMOTE_KV_COMMIT_LIMITS;
  return LOCAL_KV_COMMIT_LIMITS;
}

/**
 * True for KV's refusals of a commit for its size: Deno's client-side checks (`Too many checks`,
 * `Too many mutations`, `Total mutation size too large`, `Total key size too large`, …) and
 * denokv's (`TooManyChecks`, `TooManyMutations`, …, sent as a 400).
 */
export function isCommitLimitError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return /too many (checks|mutations)|too large|TooMany\w+|\w+TooLarge|\(max \d+/i.test(e.message);
}

/** The 400 a write gets when it cannot fit one commit of this backend, whatever the grouping. */
export function tooLargeForOneCommit(): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    "This change is too large for one atomic write to the store's KV backend; " +
      "send it in several smaller requests",
  );
}
