import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { MlflowError } from "../errors.ts";
import { type CommitJob, Committer } from "./committer.ts";
import {
  commitLimitsFor,
  isCommitLimitError,
  LOCAL_KV_COMMIT_LIMITS,
  REMOTE_KV_COMMIT_LIMITS,
} from "./commit_limits.ts";

/**
 * A KV on `:memory:` that refuses, as denokv does, any commit with more than `maxChecks` checks;
 * it records the check count of every commit it was sent.
 */
function refusingKv(kv: Deno.Kv, maxChecks: number, sent: number[]): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop !== "atomic") return Reflect.get(target, prop, target);
      return () => {
        const op = target.atomic();
        let checks = 0;
        const wrapper = {
          check(...cs: Deno.AtomicCheck[]) {
            checks += cs.length;
            op.check(...cs);
            return wrapper;
          },
          set(key: Deno.KvKey, value: unknown) {
            op.set(key, value);
            return wrapper;
          },
          delete(key: Deno.KvKey) {
            op.delete(key);
            return wrapper;
          },
          commit() {
            sent.push(checks);
            if (checks > maxChecks) {
              return Promise.reject(new Error("KV Connect failed (status=400): TooManyChecks"));
            }
            return op.commit();
          },
        };
        return wrapper;
      };
    },
  });
}

/** A job that checks `n` keys of its own as absent and writes one key. */
function job(i: number, n = 3): CommitJob {
  return {
    checks: Array.from({ length: n }, (_, c) => ({ key: ["c", i, c], versionstamp: null })),
    mutations: [{ key: ["w", i], value: i }],
  };
}

Deno.test("Committer: a merged commit KV refuses for a limit is split and every job lands", async () => {
  using inner = await Deno.openKv(":memory:");
  const sent: number[] = [];
  // Local limits over a backend that takes 10 checks: merged groups of 30 jobs get refused.
  const committer = new Committer(refusingKv(inner, 10, sent), LOCAL_KV_COMMIT_LIMITS);
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => committer.commit(job(i))));
  ok(results.every((vs) => typeof vs === "string"), "every job committed");
  for (let i = 0; i < 40; i++) strictEqual((await inner.get(["w", i])).value, i);
  ok(sent.some((n) => n > 10), "the test really sent an oversized merged commit");
});

Deno.test("Committer: with remote limits no commit carries more than 10 checks", async () => {
  using inner = await Deno.openKv(":memory:");
  const sent: number[] = [];
  const committer = new Committer(refusingKv(inner, 10, sent), REMOTE_KV_COMMIT_LIMITS);
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => committer.commit(job(i))));
  ok(results.every((vs) => typeof vs === "string"));
  ok(Math.max(...sent) <= 10, `checks per commit: ${sent.join(",")}`);
  ok(sent.length < 40, "jobs still share commits");
});

Deno.test("Committer: a job over the limit on its own gets a 400; the jobs merged with it land", async () => {
  using inner = await Deno.openKv(":memory:");
  const committer = new Committer(refusingKv(inner, 10, []), LOCAL_KV_COMMIT_LIMITS);
  const jobs = Array.from({ length: 12 }, (_, i) => committer.commit(job(i, i === 5 ? 11 : 2)));
  await rejects(jobs[5], (e) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE");
  for (const [i, p] of jobs.entries()) if (i !== 5) ok(typeof await p === "string");
  strictEqual((await inner.get(["w", 5])).value, null);
  strictEqual((await inner.get(["w", 11])).value, 11);
});

Deno.test("Committer: a failed check in a split group still fails only its own job", async () => {
  using inner = await Deno.openKv(":memory:");
  await inner.set(["c", 3, 0], "taken");
  const committer = new Committer(refusingKv(inner, 10, []), LOCAL_KV_COMMIT_LIMITS);
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => committer.commit(job(i))));
  deepStrictEqual(results.map((vs) => vs === null), results.map((_, i) => i === 3));
});

Deno.test("commitLimitsFor(): files and :memory: get Deno's limits; URLs and no path get denokv's", () => {
  strictEqual(commitLimitsFor("./mlruns.kv"), LOCAL_KV_COMMIT_LIMITS);
  strictEqual(commitLimitsFor(":memory:"), LOCAL_KV_COMMIT_LIMITS);
  strictEqual(commitLimitsFor("http://127.0.0.1:4512"), REMOTE_KV_COMMIT_LIMITS);
  strictEqual(commitLimitsFor("https://api.deno.com/databases/x/connect"), REMOTE_KV_COMMIT_LIMITS);
  strictEqual(commitLimitsFor(undefined), REMOTE_KV_COMMIT_LIMITS);
  strictEqual(REMOTE_KV_COMMIT_LIMITS.checks, 10);
});

Deno.test("isCommitLimitError(): knows Deno's and denokv's size refusals, nothing else", async () => {
  using kv = await Deno.openKv(":memory:");
  const op = kv.atomic();
  for (let i = 0; i < 101; i++) op.check({ key: ["k", i], versionstamp: null });
  const err = await op.commit().then(() => null, (e) => e);
  ok(isCommitLimitError(err), String(err));
  ok(isCommitLimitError(new Error("KV Connect failed (status=400 Bad Request): TooManyChecks")));
  ok(!isCommitLimitError(new Error("database is locked")));
  ok(!isCommitLimitError(new Error("connection reset")));
});
