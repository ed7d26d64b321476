import { applyMutations, keyId, type Mutation, mutationSize } from "./mutations.ts";
import { isLockedError } from "./retry.ts";

/** One self-contained atomic write: its checks and its mutations. */
export interface CommitJob {
  checks: Deno.AtomicCheck[];
  mutations: Mutation[];
}

interface Queued extends CommitJob {
  ids: string[];
  bytes: number;
  resolve: (ok: boolean) => void;
  reject: (e: unknown) => void;
}

/** Group limits, kept under KV's 1000 mutations / 100 checks / 800 KiB per commit with margin. */
const MAX_GROUP_MUTATIONS = 900;
const MAX_GROUP_CHECKS = 90;
const MAX_GROUP_BYTES = 600_000;

/** Whether a job fits in one commit on its own. */
export function fitsOneCommit(job: CommitJob): boolean {
  let bytes = 0;
  for (const m of job.mutations) bytes += mutationSize(m);
  return job.mutations.length <= MAX_GROUP_MUTATIONS && job.checks.length <= MAX_GROUP_CHECKS &&
    bytes <= MAX_GROUP_BYTES;
}

/**
 * Coalesces concurrent independent writes into shared KV commits. On a KV file throughput comes
 * from few large commits (thousands of small commits/s, but hundreds of thousands of keys/s), so
 * jobs that arrive while a commit is in flight go out together in the next one. Jobs touching a
 * common key never share a commit; if a shared commit fails a check, its jobs are re-committed one
 * by one so each learns its own outcome. Atomicity per job is unchanged: a job's checks and writes
 * always travel in one commit.
 */
export class Committer {
  #kv: Deno.Kv;
  #queue: Queued[] = [];
  #draining = false;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Commits the job; resolves `false` when one of its checks failed. */
  commit(job: CommitJob): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const ids = [
        ...job.checks.map((c) => keyId(c.key)),
        ...job.mutations.map((m) => keyId(m.key)),
      ];
      let bytes = 0;
      for (const m of job.mutations) bytes += mutationSize(m);
      this.#queue.push({ ...job, ids, bytes, resolve, reject });
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
    const seen = new Set<string>();
    let muts = 0, checks = 0, bytes = 0;
    for (const job of this.#queue) {
      const fits = group.length === 0 || (
        muts + job.mutations.length <= MAX_GROUP_MUTATIONS &&
        checks + job.checks.length <= MAX_GROUP_CHECKS &&
        bytes + job.bytes <= MAX_GROUP_BYTES &&
        !job.ids.some((id) => seen.has(id))
      );
      if (!fits) {
        rest.push(job);
        continue;
      }
      group.push(job);
      for (const id of job.ids) seen.add(id);
      muts += job.mutations.length;
      checks += job.checks.length;
      bytes += job.bytes;
    }
    this.#queue = rest;
    return group;
  }

  async #commitGroup(group: Queued[]): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.#commitOnce(group);
    } catch (e) {
      for (const job of group) job.reject(e);
      return;
    }
    if (ok) {
      for (const job of group) job.resolve(true);
      return;
    }
    if (group.length === 1) {
      group[0].resolve(false);
      return;
    }
    for (const job of group) {
      try {
        job.resolve(await this.#commitOnce([job]));
      } catch (e) {
        job.reject(e);
      }
    }
  }

  async #commitOnce(group: Queued[]): Promise<boolean> {
    for (let attempt = 0;; attempt++) {
      const op = this.#kv.atomic();
      for (const job of group) {
        for (const c of job.checks) op.check(c);
        applyMutations(op, job.mutations);
      }
      try {
        return (await op.commit()).ok;
      } catch (e) {
        // A lock error means nothing was written; the jobs' own retry loops handle `false`.
        if (isLockedError(e) && attempt < 3) {
          await new Promise((r) => setTimeout(r, 2 + Math.random() * 10));
          continue;
        }
        if (isLockedError(e)) return false;
        throw e;
      }
    }
  }
}
