/**
 * All-or-nothing writes larger than one KV commit.
 *
 * A write too big for one commit (KV allows 1000 mutations / 800 KiB) is planned as the final
 * value of each key, staged in invisible keys over several commits, then made logically visible by
 * ONE commit that checks the run's head and marks it `pending`. From that instant the batch is
 * committed: every reader and writer of the run first rolls the staged writes forward (idempotent,
 * because each key's final value was planned), and the last roll-forward commit clears the mark.
 * A process killed while staging leaves only unreferenced staged keys (swept later, see
 * {@linkcode sweepAbandonedStagings}); one killed after the flip leaves a batch that the next
 * reader or writer completes.
 *
 * @module
 */
import {
  pendingBatchCountKey,
  pendingBatchesPrefix,
  pendingBatchKey,
  runHeadKey,
  stagedBatchKey,
  stagedBatchPrefix,
  stagingKey,
  stagingsPrefix,
} from "./keys.ts";
import { applyMutations, keyBytes, type Mutation, mutationSize } from "./mutations.ts";
import type { RunHead } from "./records.ts";
import { batchedReads } from "./read_batcher.ts";
import { isLockedError } from "./retry.ts";

const PACK_BYTES = 56_000;
const PACK_MUTATIONS = 400;
/** Key bytes per pack and per commit: KV caps the keys one commit touches at 80 KiB. */
const PACK_KEY_BYTES = 30_000;
const COMMIT_BYTES = 600_000;
const COMMIT_MUTATIONS = 900;
const COMMIT_KEY_BYTES = 64_000;
/**
 * Stagings older than this whose batch never became pending are taken as abandoned by a dead
 * process and swept. A live writer that is merely slower than this loses nothing: its flip
 * checks that its staging is still there, so it fails, discards and stages again. The age is the
 * sweeper's clock minus the writer's (`createdAt`), possibly on different machines: a skew only
 * moves when a staging counts as abandoned, and a live one swept early costs that re-staging.
 */
export const ABANDONED_STAGING_AFTER_MS = 60 * 60 * 1000;

interface StagingRecord {
  runId: string;
  createdAt: number;
  /** Set by a sweeper before it deletes the staged keys: the batch can no longer be flipped. */
  abandoned?: true;
}

async function commitWithLockRetry(op: () => Deno.AtomicOperation): Promise<boolean> {
  return (await commitResultWithLockRetry(op)).ok;
}

async function commitResultWithLockRetry(
  op: () => Deno.AtomicOperation,
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  for (let attempt = 0;; attempt++) {
    try {
      return await op().commit();
    } catch (e) {
      if (!isLockedError(e) || attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, Math.min(100, 2 ** Math.min(attempt, 6))));
    }
  }
}

/** Splits mutations into packs small enough to be one KV value each. */
function pack(mutations: Mutation[]): Mutation[][] {
  const packs: Mutation[][] = [];
  let cur: Mutation[] = [];
  let bytes = 0, keys = 0;
  for (const m of mutations) {
    const s = mutationSize(m);
    const k = keyBytes(m.key);
    if (
      cur.length > 0 &&
      (bytes + s > PACK_BYTES || cur.length >= PACK_MUTATIONS || keys + k > PACK_KEY_BYTES)
    ) {
      packs.push(cur);
      cur = [];
      bytes = 0;
      keys = 0;
    }
    cur.push(m);
    bytes += s;
    keys += k;
  }
  if (cur.length > 0) packs.push(cur);
  return packs;
}

/** Groups items into commits under the mutation, byte and key-byte budgets. */
function groupForCommits<T>(items: T[], size: (t: T) => [number, number, number]): T[][] {
  const groups: T[][] = [];
  let cur: T[] = [];
  let muts = 0, bytes = 0, keys = 0;
  for (const it of items) {
    const [m, b, k] = size(it);
    if (
      cur.length > 0 &&
      (muts + m > COMMIT_MUTATIONS || bytes + b > COMMIT_BYTES || keys + k > COMMIT_KEY_BYTES)
    ) {
      groups.push(cur);
      cur = [];
      muts = 0;
      bytes = 0;
      keys = 0;
    }
    cur.push(it);
    muts += m;
    bytes += b;
    keys += k;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/** A pack's cost when applied: its mutations plus the deletion of its staged key. */
const packSize = (p: Mutation[]): [number, number, number] => [
  p.length + 1,
  p.reduce((s, m) => s + mutationSize(m), 0) + 200,
  p.reduce((s, m) => s + keyBytes(m.key), 0) + 200,
];

/**
 * Commits `mutations` for a run all-or-nothing across as many KV commits as needed. `checks` guard
 * the logical commit (the run head as read while planning, plus anything else the plan relied
 * on). Resolves `false` if a check failed, in which case nothing became visible.
 */
export async function commitStaged(
  kv: Deno.Kv,
  runId: string,
  head: Deno.KvEntryMaybe<RunHead>,
  checks: Deno.AtomicCheck[],
  mutations: Mutation[],
): Promise<boolean> {
  if (!await stageAndFlip(kv, runId, head, checks, mutations)) return false;
  await rollForward(kv, runId);
  return true;
}

/**
 * The first half of {@linkcode commitStaged}: stages the writes and makes the batch logically
 * committed, without applying it. Exported so tests can stop exactly where a crash would.
 */
export async function stageAndFlip(
  kv: Deno.Kv,
  runId: string,
  head: Deno.KvEntryMaybe<RunHead>,
  checks: Deno.AtomicCheck[],
  mutations: Mutation[],
): Promise<boolean> {
  return await flipBatch(kv, await stageBatch(kv, runId, mutations), head, checks);
}

/** A batch staged by {@linkcode stageBatch}, not yet visible. */
export interface StagedBatch {
  runId: string;
  batchId: string;
  /** The staging record as written: the flip requires it unchanged (not taken by a sweeper). */
  staging: Deno.AtomicCheck;
}

/**
 * Writes a batch's packs under invisible keys, after a staging record that lets a sweeper find
 * them should this process die before {@linkcode flipBatch}. Exported so tests can leave exactly
 * what a writer killed while staging leaves.
 */
export async function stageBatch(
  kv: Deno.Kv,
  runId: string,
  mutations: Mutation[],
): Promise<StagedBatch> {
  const batchId = crypto.randomUUID().replaceAll("-", "");
  const record: StagingRecord = { runId, createdAt: Date.now() };
  const staged = await commitResultWithLockRetry(() =>
    kv.atomic().check({ key: stagingKey(batchId), versionstamp: null })
      .set(stagingKey(batchId), record)
  );
  if (!staged.ok) throw new Error(`Batch id ${batchId} collided`);
  const staging = { key: stagingKey(batchId), versionstamp: staged.versionstamp };
  const indexed = pack(mutations).map((p, i) => ({ p, i }));
  for (const group of groupForCommits(indexed, ({ p }) => packSize(p))) {
    // Each pack checks the staging too: once a sweeper has taken it, no pack lands after the
    // sweeper's deletes (where a writer dying next would leave it for good).
    const ok = await commitWithLockRetry(() => {
      const op = kv.atomic().check(staging);
      for (const { p, i } of group) op.set(stagedBatchKey(runId, batchId, i), p);
      return op;
    });
    if (!ok) break; // flipBatch's check of the staging fails too, and discards what landed
  }
  return { runId, batchId, staging };
}

/**
 * Makes a staged batch logically committed in one commit guarded by the run's head, `checks` and
 * the staging record; on failure discards the staging and resolves `false`.
 */
export async function flipBatch(
  kv: Deno.Kv,
  batch: StagedBatch,
  head: Deno.KvEntryMaybe<RunHead>,
  checks: Deno.AtomicCheck[],
): Promise<boolean> {
  const { runId, batchId } = batch;
  const seq = (head.value?.seq ?? 0) + 1;
  const flipped = await commitWithLockRetry(() => {
    const op = kv.atomic().check(head).check(batch.staging);
    for (const c of checks) op.check(c);
    return op.set(runHeadKey(runId), { seq, pending: batchId } satisfies RunHead)
      .set(pendingBatchKey(runId), batchId).sum(pendingBatchCountKey(), 1n);
  });
  if (!flipped) await discardStaging(kv, runId, batchId);
  return flipped;
}

/**
 * Finishes applying a run's committed batch, if it has one. Safe to call from any number of
 * processes at once: each apply commit is guarded by the head that marks the batch pending, so a
 * straggler can never re-apply old values over newer writes.
 */
export async function rollForward(kv: Deno.Kv, runId: string): Promise<void> {
  for (let round = 0; round < 1000; round++) {
    const head = await kv.get<RunHead>(runHeadKey(runId));
    const batchId = head.value?.pending;
    if (!batchId || !head.value) return;
    const packs: { key: Deno.KvKey; value: Mutation[] }[] = [];
    for await (const e of kv.list<Mutation[]>({ prefix: stagedBatchPrefix(runId, batchId) })) {
      packs.push({ key: e.key, value: e.value });
    }
    let lost = false;
    for (const group of groupForCommits(packs, (p) => packSize(p.value))) {
      const ok = await commitWithLockRetry(() => {
        const op = kv.atomic().check(head);
        for (const p of group) {
          applyMutations(op, p.value);
          op.delete(p.key);
        }
        return op;
      });
      if (!ok) {
        lost = true;
        break;
      }
    }
    if (lost) continue;
    const seq = head.value.seq + 1;
    const cleared = await commitWithLockRetry(() =>
      kv.atomic().check(head).set(runHeadKey(runId), { seq } satisfies RunHead)
        .delete(pendingBatchKey(runId)).delete(stagingKey(batchId))
        .sum(pendingBatchCountKey(), MINUS_ONE)
    );
    if (cleared) return;
  }
  throw new Error(`Could not finish applying a batch of run ${runId}`);
}

/** Adding this to a `Deno.KvU64` (which wraps) subtracts one. */
const MINUS_ONE = 0xffff_ffff_ffff_ffffn;

/**
 * Rolls forward every run with a pending batch. When the pending-batch count says there is none,
 * this is one point read, which shares its round trip with reads issued alongside (see
 * `read_batcher.ts`).
 */
export async function rollForwardAll(kv: Deno.Kv): Promise<void> {
  const count = await batchedReads(kv).get<Deno.KvU64>(pendingBatchCountKey());
  if (count.value === null || count.value.value === 0n) return;
  if (await rollForwardListed(kv) > 0) return;
  // None was pending, yet the count is not zero: batches finished by code that did not count
  // (a store written before the count existed). Reset it, unless a batch flipped meanwhile.
  await commitWithLockRetry(() =>
    kv.atomic().check(count).set(pendingBatchCountKey(), new Deno.KvU64(0n))
  );
}

/**
 * Schema migration 3: if the pending-batch count does not exist yet, the store may hold batches
 * flipped before it did, which the count does not tell readers about. Rolls forward every listed
 * one, then starts the count at zero (unless a flip started it meanwhile). Once it exists, this
 * is one point read.
 */
export async function rollForwardUncounted(kv: Deno.Kv): Promise<void> {
  const count = await batchedReads(kv).get<Deno.KvU64>(pendingBatchCountKey());
  if (count.versionstamp !== null) return;
  await rollForwardListed(kv);
  await commitWithLockRetry(() =>
    kv.atomic().check(count).set(pendingBatchCountKey(), new Deno.KvU64(0n))
  );
}

/**
 * Rolls forward every run listed with a pending batch, whatever the count says. Returns how many
 * it found.
 */
export async function rollForwardListed(kv: Deno.Kv): Promise<number> {
  let found = 0;
  for await (const e of kv.list<string>({ prefix: pendingBatchesPrefix() })) {
    found++;
    await rollForward(kv, e.key[1] as string);
  }
  return found;
}

async function discardStaging(kv: Deno.Kv, runId: string, batchId: string): Promise<void> {
  const keys: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix: stagedBatchPrefix(runId, batchId) })) keys.push(e.key);
  for (let i = 0; i < keys.length; i += 500) {
    await commitWithLockRetry(() => {
      const op = kv.atomic();
      for (const k of keys.slice(i, i + 500)) op.delete(k);
      return op;
    });
  }
  await commitWithLockRetry(() => kv.atomic().delete(stagingKey(batchId)));
}

/**
 * Deletes stagings abandoned by processes that died before their batch's logical commit (older
 * than `abandonedAfterMs`). A batch that did become pending is left alone: roll-forward owns it.
 *
 * Safe with any number of processes sweeping at once and writers still staging: a staging is
 * first marked abandoned in one commit that checks both it and the run's head (so it was not
 * flipped meanwhile, and its writer's flip, which checks the staging, can no longer succeed);
 * only then are its keys deleted. A sweeper that dies midway leaves the mark, and the next sweep
 * finishes the job.
 *
 * The list goes out at once; the first write waits for `writable` (the schema check at open: a
 * store of a newer schema is left alone).
 *
 * @returns how many stagings this call removed.
 */
export async function sweepAbandonedStagings(
  kv: Deno.Kv,
  now = Date.now(),
  abandonedAfterMs = ABANDONED_STAGING_AFTER_MS,
  writable?: Promise<unknown>,
): Promise<number> {
  let swept = 0;
  for await (const e of kv.list<StagingRecord>({ prefix: stagingsPrefix() })) {
    const batchId = e.key[1] as string;
    await writable;
    if (!e.value.abandoned) {
      if (now - e.value.createdAt < abandonedAfterMs) continue;
      const head = await kv.get<RunHead>(runHeadKey(e.value.runId));
      if (head.value?.pending === batchId) continue;
      const marked = await commitWithLockRetry(() =>
        kv.atomic().check(e).check(head)
          .set(e.key, { ...e.value, abandoned: true } satisfies StagingRecord)
      );
      // Changed meanwhile: flipped, finished, or taken by another sweeper. Looked at next time.
      if (!marked) continue;
    }
    await discardStaging(kv, e.value.runId, batchId);
    swept++;
  }
  return swept;
}
