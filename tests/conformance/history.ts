/** Conformance: metric history order, paging, and a 100,000-point history. */
import assert from "node:assert/strict";
import type { Metric, TrackingStore } from "../../store/types.ts";
import { assertMlflowError, metric, newRun, T0 } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

const MISSING_RUN = "0123456789abcdef0123456789abcdef";

function isHistoryOrder(a: Metric, b: Metric): boolean {
  return a.timestamp < b.timestamp ||
    (a.timestamp === b.timestamp && (a.step < b.step || (a.step === b.step && a.value <= b.value)));
}

async function readAll(store: TrackingStore, runId: string, key: string, pageSize: number) {
  const pages: Metric[][] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.getMetricHistory(runId, key, { maxResults: pageSize, pageToken });
    pages.push(page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return pages;
}

/** Registers the metric history tests. */
export function historyConformance(test: Define): void {
  test("getMetricHistory() returns every point sorted by (timestamp, step, value)", async (store) => {
    const { runId } = await newRun(store);
    const expected = [
      metric("m", 5, T0, 0),
      metric("m", 1, T0, 1),
      metric("m", 2, T0, 1),
      metric("m", 0, T0 + 1, -1),
      metric("m", -3, T0 + 1, 0),
      metric("m", Number.MAX_VALUE, T0 + 2, 0),
    ];
    const shuffled = [expected[4], expected[2], expected[5], expected[0], expected[3], expected[1]];
    await store.logBatch(runId, { metrics: shuffled.slice(0, 3) });
    await store.logBatch(runId, { metrics: [...shuffled.slice(3), metric("other", 1)] });
    const page = await store.getMetricHistory(runId, "m");
    assert.deepEqual(page, { items: expected });
  });

  test("getMetricHistory() keeps a point's model and dataset fields", async (store) => {
    const { runId } = await newRun(store);
    const point = { ...metric("m", 1), model_id: "m-1", dataset_name: "ds", dataset_digest: "d" };
    await store.logBatch(runId, { metrics: [point] });
    assert.deepEqual((await store.getMetricHistory(runId, "m")).items, [point]);
    assert.deepEqual((await store.getRun(runId)).data.metrics, [metric("m", 1)]);
  });

  test("getMetricHistory() gives an empty page for an unknown run or key", async (store) => {
    const { runId } = await newRun(store);
    await store.logBatch(runId, { metrics: [metric("m", 1)] });
    assert.deepEqual(await store.getMetricHistory(runId, "nope"), { items: [] });
    assert.deepEqual(await store.getMetricHistory(MISSING_RUN, "m"), { items: [] });
    assert.deepEqual(await store.getMetricHistory(runId, "nope", { maxResults: 10 }), {
      items: [],
    });
  });

  test("getMetricHistory() reads deleted runs too", async (store) => {
    const { runId } = await newRun(store);
    await store.logBatch(runId, { metrics: [metric("m", 1)] });
    await store.deleteRun(runId);
    assert.deepEqual(await store.getMetricHistory(runId, "m"), { items: [metric("m", 1)] });
  });

  test(
    "getMetricHistory() pages by maxResults with a token only when more exist",
    async (store, t) => {
      const { runId } = await newRun(store);
      const points = Array.from({ length: 5 }, (_, i) => metric("m", i, T0 + i, i));
      await store.logBatch(runId, { metrics: points });
      await t.step("pages of 2: 2 + 2 + 1", async () => {
        assert.deepEqual(await readAll(store, runId, "m", 2), [
          points.slice(0, 2),
          points.slice(2, 4),
          points.slice(4),
        ]);
      });
      await t.step("a page that ends exactly at the last point has no token", async () => {
        assert.deepEqual(await store.getMetricHistory(runId, "m", { maxResults: 5 }), {
          items: points,
        });
        assert.deepEqual(await readAll(store, runId, "m", 1), points.map((p) => [p]));
      });
      await t.step("maxResults must be a positive integer", async () => {
        for (const maxResults of [0, -1, 1.5]) {
          await assertMlflowError(
            store.getMetricHistory(runId, "m", { maxResults }),
            "INVALID_PARAMETER_VALUE",
            `Invalid value ${maxResults} for parameter 'max_results' supplied`,
          );
        }
      });
      await t.step("a foreign page token is rejected", async () => {
        await assertMlflowError(
          store.getMetricHistory(runId, "m", { maxResults: 2, pageToken: "not-a-token" }),
          "INVALID_PARAMETER_VALUE",
          "Invalid page token 'not-a-token'",
        );
      });
    },
  );

  test(
    "getMetricHistory() returns 100,000 points logged in 1000-point batches",
    async (store, t) => {
      const { runId } = await newRun(store);
      const total = 100_000;
      // A fixed permutation (7919 is prime to 100,000) so batches arrive out of order.
      for (let b = 0; b < total / 1000; b++) {
        const batch = Array.from({ length: 1000 }, (_, i) => {
          const n = ((b * 1000 + i) * 7919) % total;
          return metric("loss", n / total, T0 + n, n);
        });
        await store.logBatch(runId, { metrics: batch });
      }
      const expectedAt = (n: number) => metric("loss", n / total, T0 + n, n);
      await t.step("in one page when maxResults is absent", async () => {
        const { items, nextPageToken } = await store.getMetricHistory(runId, "loss");
        assert.equal(nextPageToken, undefined);
        assert.equal(items.length, total);
        for (let n = 0; n < total; n++) {
          if (items[n].timestamp !== T0 + n) assert.deepEqual(items[n], expectedAt(n));
        }
        assert.deepEqual(items[total - 1], expectedAt(total - 1));
      });
      await t.step("in pages of 25,000", async () => {
        const pages = await readAll(store, runId, "loss", 25_000);
        assert.deepEqual(pages.map((p) => p.length), [25_000, 25_000, 25_000, 25_000]);
        const all = pages.flat();
        for (let n = 1; n < total; n++) assert.ok(isHistoryOrder(all[n - 1], all[n]));
        assert.equal(new Set(all.map((m) => m.timestamp)).size, total);
      });
      assert.deepEqual((await store.getRun(runId)).data.metrics, [expectedAt(total - 1)]);
    },
  );
}
