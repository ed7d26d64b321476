/** Conformance: log-batch semantics, atomicity, limits, check order and large batches. */
import assert from "node:assert/strict";
import type { Metric, TrackingStore } from "../../store/types.ts";
import { assertMlflowError, chars, metric, newRun, param, T0, tag } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

const RUN_NAME_TAG = "mlflow.runName";
const MISSING_RUN = "0123456789abcdef0123456789abcdef";

function limitMessage(what: string, limit: number, n: number): string {
  return `A batch logging request can contain at most ${limit} ${what}. Got ${n} ${what}. ` +
    `Please split up ${what} across multiple requests and try again.`;
}

function metrics(n: number, prefix = "m"): Metric[] {
  return Array.from({ length: n }, (_, i) => metric(`${prefix}${i}`, i, T0 + i, i));
}

/** Everything observable about a run's data, for before/after comparisons. */
async function snapshot(store: TrackingStore, runId: string) {
  const run = await store.getRun(runId);
  const histories = await Promise.all(
    run.data.metrics.map((m) => store.getMetricHistory(runId, m.key)),
  );
  // Cloned so that a backend leaking internal objects cannot make before and after agree.
  return structuredClone({ run, histories, fresh: await store.getMetricHistory(runId, "fresh") });
}

/** Registers the log-batch tests. */
export function logBatchConformance(test: Define): void {
  test("logBatch() stores params, tags and latest metrics, each sorted by key", async (store) => {
    const { runId } = await newRun(store, { runName: "r" });
    await store.logBatch(runId, {
      metrics: [metric("b", 2), metric("a", 1)],
      params: [param("y", "2"), param("x", "1"), param("empty", "")],
      tags: [tag("t2", "2"), tag("t1", "1")],
    });
    const { data } = await store.getRun(runId);
    assert.deepEqual(data.metrics, [metric("a", 1), metric("b", 2)]);
    assert.deepEqual(data.params, [param("empty", ""), param("x", "1"), param("y", "2")]);
    assert.deepEqual(data.tags, [tag(RUN_NAME_TAG, "r"), tag("t1", "1"), tag("t2", "2")]);
  });

  test("logBatch() accepts an empty batch", async (store) => {
    const { run, runId } = await newRun(store);
    await store.logBatch(runId, {});
    await store.logBatch(runId, { metrics: [], params: [], tags: [] });
    assert.deepEqual(await store.getRun(runId), run);
  });

  test("logBatch() keeps params immutable", async (store) => {
    const { runId } = await newRun(store);
    await store.logBatch(runId, { params: [param("lr", "0.1")] });
    await store.logBatch(runId, { params: [param("lr", "0.1")] });
    await assertMlflowError(
      store.logBatch(runId, { params: [param("lr", "0.2")] }),
      "INVALID_PARAMETER_VALUE",
      "Changing param values is not allowed. Param with key='lr' was already logged with " +
        `value='0.1' for run ID='${runId}'. Attempted logging new value '0.2'.`,
    );
    assert.deepEqual((await store.getRun(runId)).data.params, [param("lr", "0.1")]);
  });

  test("logBatch() rejects duplicate param keys in one batch, even with equal values", async (store) => {
    const { runId } = await newRun(store);
    await assertMlflowError(
      store.logBatch(runId, { params: [param("a", "1"), param("b", "1"), param("a", "1")] }),
      "INVALID_PARAMETER_VALUE",
      "Duplicate parameter keys have been submitted: ['a']. Please ensure the request contains " +
        "only one param value per param key.",
    );
    assert.deepEqual((await store.getRun(runId)).data.params, []);
  });

  test("logBatch() keeps the last value of a repeated tag key", async (store) => {
    const { runId } = await newRun(store, { runName: "r" });
    await store.logBatch(runId, { tags: [tag("k", "1"), tag("k", "2"), tag("k", "3")] });
    assert.deepEqual((await store.getRun(runId)).data.tags, [
      tag("k", "3"),
      tag(RUN_NAME_TAG, "r"),
    ]);
  });

  test("logBatch() tag mlflow.runName renames the run; deleting it keeps run_name", async (store) => {
    const { runId } = await newRun(store, { runName: "old" });
    await store.logBatch(runId, { tags: [tag(RUN_NAME_TAG, "new")] });
    let run = await store.getRun(runId);
    assert.equal(run.info.run_name, "new");
    assert.deepEqual(run.data.tags, [tag(RUN_NAME_TAG, "new")]);
    await store.deleteTag(runId, RUN_NAME_TAG);
    run = await store.getRun(runId);
    assert.equal(run.info.run_name, "new");
    assert.deepEqual(run.data.tags, []);
  });

  test("logBatch() is all-or-nothing when the last item is rejected", async (store, t) => {
    const { runId } = await newRun(store, { runName: "r" });
    await store.logBatch(runId, {
      metrics: [metric("loss", 1, T0, 0), metric("loss", 0.5, T0 + 1, 1), metric("acc", 0.1)],
      params: [param("lr", "0.1"), param("layers", "3")],
      tags: [tag("phase", "train")],
    });
    const before = await snapshot(store, runId);
    const fresh = {
      metrics: [metric("loss", 0.1, T0 + 2, 2), metric("fresh", 1)],
      tags: [tag("phase", "eval"), tag("new", "x"), tag(RUN_NAME_TAG, "renamed")],
    };
    await t.step("a changed param at the end", async () => {
      await assertMlflowError(
        store.logBatch(runId, {
          ...fresh,
          params: [param("new", "1"), param("lr", "0.2")],
        }),
        "INVALID_PARAMETER_VALUE",
        /^Changing param values is not allowed/,
      );
      assert.deepEqual(await snapshot(store, runId), before);
    });
    await t.step("an invalid metric at the end", async () => {
      await assertMlflowError(
        store.logBatch(runId, {
          ...fresh,
          params: [param("new", "1")],
          metrics: [...fresh.metrics, metric("bad//key", 1)],
        }),
        "INVALID_PARAMETER_VALUE",
      );
      assert.deepEqual(await snapshot(store, runId), before);
    });
    await t.step("an invalid tag at the end", async () => {
      await assertMlflowError(
        store.logBatch(runId, { ...fresh, params: [param("new", "1")], tags: [tag("/x", "")] }),
        "INVALID_PARAMETER_VALUE",
      );
      assert.deepEqual(await snapshot(store, runId), before);
    });
  });

  test("logBatch() rejects writes to a deleted or unknown run", async (store) => {
    const { runId } = await newRun(store);
    await store.deleteRun(runId);
    const batch = { metrics: [metric("m", 1)], params: [param("p", "1")], tags: [tag("t", "1")] };
    await assertMlflowError(
      store.logBatch(runId, batch),
      "INVALID_PARAMETER_VALUE",
      `The run ${runId} must be in the 'active' state. Current state is deleted.`,
    );
    await store.restoreRun(runId);
    assert.deepEqual((await store.getRun(runId)).data.metrics, []);
    await assertMlflowError(
      store.logBatch(MISSING_RUN, batch),
      "RESOURCE_DOES_NOT_EXIST",
      `Run with id=${MISSING_RUN} not found`,
    );
  });

  test("logBatch() enforces MLflow's batch limits", async (store, t) => {
    const { runId } = await newRun(store);
    const params = (n: number) => Array.from({ length: n }, (_, i) => param(`p${i}`, "v"));
    const tags = (n: number) => Array.from({ length: n }, (_, i) => tag(`t${i}`, "v"));
    await t.step("1001 metrics", async () => {
      await assertMlflowError(
        store.logBatch(runId, { metrics: metrics(1001) }),
        "INVALID_PARAMETER_VALUE",
        limitMessage("metrics", 1000, 1001),
      );
    });
    await t.step("101 params", async () => {
      await assertMlflowError(
        store.logBatch(runId, { params: params(101) }),
        "INVALID_PARAMETER_VALUE",
        limitMessage("params", 100, 101),
      );
    });
    await t.step("101 tags", async () => {
      await assertMlflowError(
        store.logBatch(runId, { tags: tags(101) }),
        "INVALID_PARAMETER_VALUE",
        limitMessage("tags", 100, 101),
      );
    });
    await t.step("1001 items in total", async () => {
      await assertMlflowError(
        store.logBatch(runId, { metrics: metrics(900), params: params(100), tags: tags(1) }),
        "INVALID_PARAMETER_VALUE",
        limitMessage("metrics, params, and tags", 1000, 1001),
      );
    });
    assert.deepEqual((await store.getRun(runId)).data.metrics, []);
    await t.step("exactly 1000 items are accepted", async () => {
      await store.logBatch(runId, { metrics: metrics(800), params: params(100), tags: tags(100) });
      const { data } = await store.getRun(runId);
      assert.equal(data.metrics.length, 800);
      assert.equal(data.params.length, 100);
      assert.equal(data.tags.length, 101);
    });
  });

  test(
    "logBatch() checks per item, then limits, then duplicate params, then the run",
    async (store, t) => {
      const { runId } = await newRun(store);
      await t.step("run id format comes first", async () => {
        await assertMlflowError(
          store.logBatch("bad id!", { metrics: [metric("", 1)] }),
          "INVALID_PARAMETER_VALUE",
          `Invalid value "bad id!" for parameter 'run_id' supplied`,
        );
      });
      await t.step("an invalid item wins over a count limit", async () => {
        await assertMlflowError(
          store.logBatch(runId, { metrics: [...metrics(1000), metric("a//b", 1)] }),
          "INVALID_PARAMETER_VALUE",
          /^Invalid metric name: 'a\/\/b'/,
        );
      });
      await t.step("a count limit wins over duplicate params", async () => {
        const params = Array.from({ length: 101 }, () => param("same", "v"));
        await assertMlflowError(
          store.logBatch(runId, { params }),
          "INVALID_PARAMETER_VALUE",
          limitMessage("params", 100, 101),
        );
      });
      await t.step("duplicate params win over a deleted run", async () => {
        const { runId: deleted } = await newRun(store);
        await store.deleteRun(deleted);
        await assertMlflowError(
          store.logBatch(deleted, { params: [param("a", "1"), param("a", "1")] }),
          "INVALID_PARAMETER_VALUE",
          /^Duplicate parameter keys have been submitted/,
        );
      });
      await t.step("an invalid item wins over an unknown run", async () => {
        await assertMlflowError(
          store.logBatch(MISSING_RUN, { params: [param("a/", "1")] }),
          "INVALID_PARAMETER_VALUE",
          /^Invalid param name: 'a\/'/,
        );
      });
    },
  );

  test("logBatch() accepts 100 params of 6000 chars and 100 tags of 8000 chars", async (store) => {
    const { runId } = await newRun(store, { runName: "r" });
    const params = Array.from(
      { length: 100 },
      (_, i) => param(`p${i}`, chars(6000, String(i % 10))),
    );
    const tags = Array.from({ length: 100 }, (_, i) => tag(`t${i}`, chars(8000, String(i % 10))));
    await store.logBatch(runId, { params });
    await store.logBatch(runId, { tags });
    const { data } = await store.getRun(runId);
    const byKey = (a: { key: string }, b: { key: string }) => a.key < b.key ? -1 : 1;
    assert.deepEqual(data.params, [...params].sort(byKey));
    assert.deepEqual(data.tags, [tag(RUN_NAME_TAG, "r"), ...tags].sort(byKey));
  });

  test("logBatch() truncates param values over 6000 and tag values over 8000 chars", async (store) => {
    const { runId } = await newRun(store);
    const params = Array.from({ length: 100 }, (_, i) => param(`p${i}`, chars(6001 + i)));
    const tags = Array.from({ length: 100 }, (_, i) => tag(`t${i}`, chars(8001 + i)));
    await store.logBatch(runId, { params, tags });
    const { data } = await store.getRun(runId);
    assert.equal(data.params.length, 100);
    assert.ok(data.params.every((p) => p.value === chars(6000)));
    assert.ok(
      data.tags.filter((x) => x.key !== RUN_NAME_TAG).every((x) => x.value === chars(8000)),
    );
    // Re-logging the long value is the same (truncated) value, so it is not a change.
    await store.logBatch(runId, { params: [param("p0", chars(7000))] });
  });

  test("logBatch() takes 1000 distinct metric keys in one batch", async (store) => {
    const { runId } = await newRun(store);
    await store.logBatch(runId, { metrics: metrics(1000, "k") });
    const { data } = await store.getRun(runId);
    assert.equal(data.metrics.length, 1000);
    assert.deepEqual(
      new Set(data.metrics.map((m) => m.key)),
      new Set(metrics(1000, "k").map((m) => m.key)),
    );
    assert.deepEqual(
      data.metrics.find((m) => m.key === "k999"),
      metric("k999", 999, T0 + 999, 999),
    );
  });

  test("getRun() returns a run with 3000 metric keys, sorted by key", async (store) => {
    const { runId } = await newRun(store);
    for (let b = 0; b < 3; b++) {
      const batch = Array.from({ length: 1000 }, (_, i) => {
        const n = b * 1000 + i;
        return metric(`metric_${String(n).padStart(4, "0")}`, n, T0 + n, 0);
      });
      await store.logBatch(runId, { metrics: batch });
    }
    const { data } = await store.getRun(runId);
    assert.equal(data.metrics.length, 3000);
    data.metrics.forEach((m, n) => {
      assert.deepEqual(m, metric(`metric_${String(n).padStart(4, "0")}`, n, T0 + n, 0));
    });
  });
}
