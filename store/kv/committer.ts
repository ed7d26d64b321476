import { applyMutations, keyBytes, keyId, type Mutation, mutationSize } from "./mutations.ts";
import { isLockedError } from "./retry.ts";
import { type CommitLimits, isCommitLimitError, tooLargeForOneCommit } from "./commit_limits.ts";

/** One self-contained atomic write: its checks and its mutations. */
export interface CommitJob {
  checks: Deno.AtomicCheck[];
  mutations: Mutation[];
  /** Each mutation's {@linkcode keyId}, in order, when the caller already has them. */
  writeIds?: string[];
  /** The job's {@linkcode measureJob}, when the caller already measured it. */
  size?: JobSize;
}

/** What a job adds to a commit's byte budgets. */
export interface JobSize {
  /** Estimated bytes of its mutations (see `mutationSize`). */
  bytes: number;
  /** Total size of the keys it checks and writes (KV caps a commit's at 80 KiB). */
  keyBytes: number;
}

/** A job's sizes, in one pass over its checks and mutations. */
export function measureJob(job: CommitJob): JobSize {
  let bytes = 0;
  for (const m of job.mutations) bytes += mutationSize(m);
  return { bytes, keyBytes: jobKeyBytes(job) };
}

interface Queued extends CommitJob {
  /** Identity → versionstamp of each checked key. */
  checkIds: Map<string, string | null>;
  writeIds: string[];
  bytes: number;
  /** Total size of the keys it checks and writes (KV caps a commit's at 80 KiB). */
  keyBytes: number;
  resolve: (versionstamp: string | null) => void;
  reject: (e: unknown) => void;
}

/** Total key size of a job's checks and mutations. */
function jobKeyBytes(job: CommitJob): number {
  let n = 0;
  for (const c of job.checks) n += keyBytes(c.key);
  for (const m of job.mutations) n += keyBytes(m.key);
  return n;
}

/** Number of distinct keys a job checks (the committer sends each key once). */
export function distinctChecks(checks: Deno.AtomicCheck[]): number {
  return new Set(checks.map((c) => keyId(c.key))).size;
}

/** Whether a job fits in one commit on its own, within the backend's `limits`. */
export function fitsOneCommit(
  job: CommitJob,
  limits: CommitLimits,
  size: JobSize = job.size ?? measureJob(job),
): boolean {
  return job.mutations.length <= limits.mutations &&
    distinctChecks(job.checks) <= limits.checks &&
    size.bytes <= limits.bytes && size.keyBytes <= limits.keyBytes;
}

/**
 * Coalesces concurrent independent writes into shared KV commits. On a KV file throughput comes
 * from few large commits (thousands of small commits/s, but hundreds of thousands of keys/s), so
 * jobs that arrive while a commit is in flight go out together in the next one. Jobs touching a
 * common key never share a commit, and a group stays within the backend's {@linkcode CommitLimits}
 * (denokv takes only 10 checks per commit). If a shared commit fails a check, its jobs are
 * re-committed one by one so each learns its own outcome; if KV refuses it outright (a limit our
 * estimates missed, or any other error), it is split in halves and retried, so one job's trouble
 * never fails the others. Atomicity per job is unchanged: a job's checks and writes always travel
 * in one commit.
 */
export class Committer {
  #kv: Deno.Kv;
  #limits: CommitLimits;
  #queue: Queued[] = [];
  #draining = false;

  /** Merges commits to `kv` within `limits`, the caps of the backend `kv` is on. */
  constructor(kv: Deno.Kv, limits: CommitLimits) {
    this.#kv = kv;
    this.#limits = limits;
  }

  /**
   * Commits the job; resolves with the commit's versionstamp (which every key the job wrote now
   * carries), or `null` when one of its checks failed.
   */
  commit(job: CommitJob): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const checkIds = new Map(job.checks.map((c) => [keyId(c.key), c.versionstamp]));
      const writeIds = job.writeIds ?? job.mutations.map((m) => keyId(m.key));
      const { bytes, keyBytes } = job.size ?? measureJob(job);
      this.#queue.push({ ...job, checkIds, writeIds, bytes, keyBytes, resolve, reject });
      if (!this.#draining) this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const group = this.#takeGroup();
        await this.#commitGroup(group);
      }
    } finally {
      this.#draining = false;
    }
  }

  #takeGroup(): Queued[] {
    const group: Queued[] = [];
    const rest: Queued[] = [];
    // Jobs may share identical checks (e.g. of their common experiment), but no job may write a
    // key another job in the group writes or checks.
    const written = new Set<string>();
    const checked = new Map<string, string | null>();
    let muts = 0, bytes = 0, keys = 0;
    for (const job of this.#queue) {
      let newChecks = 0;
      for (const id of job.checkIds.keys()) if (!checked.has(id)) newChecks++;
      const fits = group.length === 0 || (
        muts + job.mutations.length <= this.#limits.mutations &&
        checked.size + newChecks <= this.#limits.checks &&
        bytes + job.bytes <= this.#limits.bytes &&
        keys + job.keyBytes <= this.#limits.keyBytes &&
        !job.writeIds.some((id) => written.has(id) || checked.has(id)) &&
        ![...job.checkIds].some(([id, vs]) =>
          written.has(id) || (checked.has(id) && checked.get(id) !== vs)
        )
      );
      if (!fits) {
        rest.push(job);
        continue;
      }
      group.push(job);
      for (const id of job.writeIds) written.add(id);
      for (const [id, vs] of job.checkIds) checked.set(id, vs);
      muts += job.mutations.length;
      bytes += job.bytes;
      keys += job.keyBytes;
    }
    this.#queue = rest;
    return group;
  }

  async #commitGroup(group: Queued[]): Promise<void> {
    let vs: string | null;
    try {
      vs = await this.#commitOnce(group);
    } catch (e) {
      if (group.length === 1) {
        group[0].reject(alone(e));
        return;
      }
      // Not the jobs' own check failure: KV refused the merged commit. Each half may well go
      // through (and a job too large alone ends up alone and gets its own 400).
      const half = Math.ceil(group.length / 2);
      await this.#commitGroup(group.slice(0, half));
      await this.#commitGroup(group.slice(half));
      return;
    }
    if (vs !== null) {
      for (const job of group) job.resolve(vs);
      return;
    }
    if (group.length === 1) {
      group[0].resolve(null);
      return;
    }
    // The jobs touch disjoint keys, so their own commits may all be in flight at once. One after
    // another, a group spoiled by one stale job (common when isolates share runs) cost a round
    // trip per job: 5× less throughput in `deno task bench --only fleet` with 100 jobs.
    await Promise.all(group.map(async (job) => {
      try {
        job.resolve(await this.#commitOnce([job]));
      } catch (e) {
        job.reject(alone(e));
      }
    }));
  }

  /** Commits the group's checks (each key once) and mutations in one atomic write. */
  async #commitOnce(group: Queued[]): Promise<string | null> {
    for (let attempt = 0;; attempt++) {
      const op = this.#kv.atomic();
      const checked = new Set<string>();
      for (const job of group) {
        for (const c of job.checks) {
          const id = keyId(c.key);
          if (checked.has(id)) continue;
          checked.add(id);
          op.check(c);
        }
        applyMutations(op, job.mutations);
      }
      try {
        const res = await op.commit();
        return res.ok ? res.versionstamp : null;
      } catch (e) {
        // A lock error means nothing was written; the jobs' own retry loops handle `false`.
        if (isLockedError(e) && attempt < 3) {
          await new Promise((r) => setTimeout(r, 2 + Math.random() * 10));
          continue;
        }
        if (isLockedError(e)) return null;
        throw e;
      }
    }
  }
}

/** What a job committed on its own gets for `e`: a size refusal is the client's 400, not a 500. */
function alone(e: unknown): unknown {
  return isCommitLimitError(e) ? tooLargeForOneCommit() : e;
}
