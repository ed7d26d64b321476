/**
 * The CPU-time guard (issue 10): a search whose filter makes every run expensive to check keeps
 * the server answering `/health` while it works, and is refused with a 400 once it has spent
 * its budget, on both backends, over real HTTP on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createKvStore } from "../../store/kv/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import { MAX_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERNS_TOTAL } from "../../store/search/limits.ts";
import { SEARCH_TIME_BUDGET_MS, TOO_MUCH_WORK, tooMuchWork } from "../../store/search/budget.ts";
import type { TrackingStore } from "../../store/types.ts";

/**
 * The stores' budget here: a fifth of the default, so each backend's over-budget search takes
 * 2 s of the suite instead of 10; the guard's code path is the same.
 */
const BUDGET_MS = SEARCH_TIME_BUDGET_MS / 5;

const BACKENDS: [string, () => Promise<{ store: TrackingStore; close(): void }>][] = [
  ["memory", () =>
    Promise.resolve({
      store: createMemoryStore({ searchTimeBudgetMs: BUDGET_MS }),
      close() {},
    })],
  ["kv", async () => {
    const kv = await Deno.openKv(":memory:");
    return {
      store: await createKvStore(kv, { searchTimeBudgetMs: BUDGET_MS }),
      close: () => kv.close(),
    };
  }],
];

Deno.test("the default budget's message names its 10 s", () => {
  assert.match(TOO_MUCH_WORK, /over 10 s of evaluation/);
  assert.equal(tooMuchWork(2000), TOO_MUCH_WORK.replace("over 10 s", "over 2 s"));
});

/**
 * An OR of as many maximal LIKE patterns as a filter may hold, none of which matches: each is
 * O(value × pattern) against an 8,000-character tag, so every run costs a lot to check.
 */
function expensiveFilter(): string {
  const pattern = "%" + "a_".repeat((MAX_LIKE_PATTERN_LENGTH - 3) / 2) + "b%";
  const clause = `tags.t LIKE '${pattern}'`;
  const n = Math.floor(MAX_LIKE_PATTERNS_TOTAL / pattern.length);
  return Array.from({ length: n }, () => clause).join(" OR ");
}

for (const [backend, open] of BACKENDS) {
  Deno.test(
    `regression: an over-budget search keeps /health under 1 s and ends in a 400 (issue 10 guard) [${backend}]`,
    async () => {
      const { store, close } = await open();
      const ac = new AbortController();
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
        createApp({ store }).fetch,
      );
      const base = `http://127.0.0.1:${server.addr.port}`;
      try {
        const exp = await store.createExperiment({ name: "e" });
        for (let i = 0; i < 1000; i++) {
          const run = await store.createRun({ experimentId: exp });
          await store.logBatch(run.info.run_id, { tags: [{ key: "t", value: "a".repeat(8000) }] });
        }
        const t0 = performance.now();
        const search = fetch(`${base}/api/2.0/mlflow/runs/search`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ experiment_ids: [exp], filter: expensiveFilter() }),
        });
        let done = false;
        const finished = search.finally(() => done = true);
        let slowest = 0;
        let checks = 0;
        await new Promise((r) => setTimeout(r, 200));
        while (!done) {
          const h0 = performance.now();
          const h = await fetch(`${base}/health`);
          await h.text();
          slowest = Math.max(slowest, performance.now() - h0);
          checks++;
          await new Promise((r) => setTimeout(r, 100));
        }
        const res = await finished;
        const took = performance.now() - t0;
        const body = await res.json();
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.deepEqual(body, {
          error_code: "INVALID_PARAMETER_VALUE",
          message: tooMuchWork(BUDGET_MS),
        });
        assert.ok(took >= BUDGET_MS, `refused after ${took.toFixed(0)} ms`);
        assert.ok(checks >= 5, `${checks} health checks`);
        assert.ok(slowest < 1000, `/health took up to ${slowest.toFixed(0)} ms`);
      } finally {
        ac.abort();
        await server.finished;
        close();
      }
    },
  );
}
