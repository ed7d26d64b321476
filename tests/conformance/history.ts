/** Conformance: metric history order, paging, and a 100,000-point history. */
import assert from "node:assert/strict";
import type { Metric, MetricColumnsPage, TrackingStore } from "../../store/types.ts";
import { toColumns } from "../../store/metric_columns.ts";
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
      await t.step("as columns, in one page and in pages", async () => {
        const { items } = await store.getMetricHistory(runId, "loss");
        assert.deepEqual(await store.getMetricHistoryColumns(runId, "loss"), toColumns(items));
        const pages = await readAllColumns(store, runId, "loss", 30_000);
        assert.deepEqual(pages.map((p) => p.values.length), [30_000, 30_000, 30_000, 10_000]);
        assert.deepEqual(joined(pages), toColumns(items));
      });
      assert.deepEqual((await store.getRun(runId)).data.metrics, [expectedAt(total - 1)]);
    },
  );

  test(
    "getMetricHistoryColumns() has getMetricHistory()'s points, order and interchangeable pages",
    async (store, t) => {
      const { runId } = await newRun(store);
      const inOrder = (key: string, from: number, n: number) =>
        Array.from(
          { length: n },
          (_, i) => metric(key, Math.sin(from + i), T0 + from + i, from + i),
        );
      // Loose points only; chunks and loose points; chunks with late points waiting beside
      // them; NaN, ±Infinity and repeats.
      await store.logBatch(runId, { metrics: inOrder("few", 0, 5) });
      for (let b = 0; b < 3; b++) {
        await store.logBatch(runId, { metrics: inOrder("many", b * 900, 900) });
        await store.logBatch(runId, { metrics: inOrder("late", b * 900, 900) });
      }
      await store.logBatch(runId, {
        metrics: inOrder("late", 10, 40).map((m) => ({
          ...m,
          timestamp: m.timestamp - 5,
          value: -m.value,
        })),
      });
      await store.logBatch(runId, {
        metrics: [NaN, Infinity, -Infinity, 0, NaN].map((v, i) =>
          metric("odd", v, T0 + (i % 3), i)
        ),
      });
      for (const key of ["few", "many", "late", "odd", "absent"]) {
        await t.step(key, async () => {
          const { items } = await store.getMetricHistory(runId, key);
          assert.deepEqual(await store.getMetricHistoryColumns(runId, key), toColumns(items));
          // Small pages only over short histories: over KV Connect each page is a round trip.
          for (const size of [1, 7, 333, 1000, 5000]) {
            if (size < 100 && items.length > 100) continue;
            const pages = await readAllColumns(store, runId, key, size);
            assert.deepEqual(joined(pages), toColumns(items), `pages of ${size}`);
          }
          // A columns page's token continues a points read, and the other way round.
          if (items.length > 3) {
            const first = await store.getMetricHistoryColumns(runId, key, { maxResults: 3 });
            const rest = await store.getMetricHistory(runId, key, {
              pageToken: first.nextPageToken,
            });
            assert.deepEqual(rest.items, items.slice(3));
            const head = await store.getMetricHistory(runId, key, { maxResults: 2 });
            const tail = await store.getMetricHistoryColumns(runId, key, {
              pageToken: head.nextPageToken,
            });
            assert.deepEqual(tail, toColumns(items.slice(2)));
          }
        });
      }
      assert.deepEqual(
        await store.getMetricHistoryColumns(MISSING_RUN, "few"),
        toColumns([]),
      );
      await assertMlflowError(
        store.getMetricHistoryColumns(runId, "few", { maxResults: 0 }),
        "INVALID_PARAMETER_VALUE",
        "Invalid value 0 for parameter 'max_results' supplied",
      );
    },
  );
}

async function readAllColumns(store: TrackingStore, runId: string, key: string, size: number) {
  const pages: MetricColumnsPage[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.getMetricHistoryColumns(runId, key, { maxResults: size, pageToken });
    pages.push(page);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return pages;
}

/** Pages of columns as one page without a token. */
function joined(pages: MetricColumnsPage[]): MetricColumnsPage {
  const cat = (get: (p: MetricColumnsPage) => Float64Array) =>
    Float64Array.from(pages.flatMap((p) => [...get(p)]));
  return {
    timestamps: cat((p) => p.timestamps),
    steps: cat((p) => p.steps),
    values: cat((p) => p.values),
  };
}
