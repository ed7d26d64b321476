/** Conformance: run tag deletion, latest-metric rules, metric dedupe and log-model. */
import assert from "node:assert/strict";
import { assertMlflowError, metric, modelJson, newRun, T0, tag } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

const MODEL_HISTORY_TAG = "mlflow.log-model.history";
const MISSING_RUN = "0123456789abcdef0123456789abcdef";

/** Registers the run-data tests other than log-batch itself. */
export function runDataConformance(test: Define): void {
  test("deleteTag() removes a run tag; a missing tag is RESOURCE_DOES_NOT_EXIST", async (store) => {
    const { runId } = await newRun(store, { runName: "r", tags: [tag("a", "1"), tag("b", "2")] });
    await store.deleteTag(runId, "a");
    assert.deepEqual((await store.getRun(runId)).data.tags, [
      tag("b", "2"),
      tag("mlflow.runName", "r"),
    ]);
    await assertMlflowError(
      store.deleteTag(runId, "a"),
      "RESOURCE_DOES_NOT_EXIST",
      `No tag with name: a in run with id ${runId}`,
    );
  });

  test("deleteTag() rejects a deleted or unknown run", async (store) => {
    const { runId } = await newRun(store, { tags: [tag("a", "1")] });
    await store.deleteRun(runId);
    await assertMlflowError(
      store.deleteTag(runId, "a"),
      "INVALID_PARAMETER_VALUE",
      `The run ${runId} must be in the 'active' state. Current state is deleted.`,
    );
    await assertMlflowError(store.deleteTag(MISSING_RUN, "a"), "RESOURCE_DOES_NOT_EXIST");
  });

  test(
    "logBatch() keeps as latest the max (step, timestamp, value), NaN read as 0",
    async (store, t) => {
      const { runId } = await newRun(store);
      const latest = async (key: string) =>
        (await store.getRun(runId)).data.metrics.find((m) => m.key === key);
      await t.step("step wins over timestamp", async () => {
        await store.logBatch(runId, {
          metrics: [metric("s", 1, T0 + 100, 1), metric("s", 2, T0, 2)],
        });
        await store.logBatch(runId, { metrics: [metric("s", 3, T0 + 200, 1)] });
        assert.deepEqual(await latest("s"), metric("s", 2, T0, 2));
      });
      await t.step("timestamp breaks a step tie", async () => {
        await store.logBatch(runId, {
          metrics: [metric("t", 5, T0 + 1, 0), metric("t", 9, T0, 0)],
        });
        assert.deepEqual(await latest("t"), metric("t", 5, T0 + 1, 0));
      });
      await t.step("value breaks a (step, timestamp) tie", async () => {
        await store.logBatch(runId, {
          metrics: [metric("v", 2, T0), metric("v", 7, T0), metric("v", 3, T0)],
        });
        assert.deepEqual(await latest("v"), metric("v", 7, T0));
      });
      await t.step("NaN compares as 0", async () => {
        await store.logBatch(runId, { metrics: [metric("n", -1, T0), metric("n", NaN, T0)] });
        assert.ok(Number.isNaN((await latest("n"))!.value), "NaN (as 0) beats -1");
        await store.logBatch(runId, { metrics: [metric("n", 0.5, T0)] });
        assert.equal((await latest("n"))!.value, 0.5, "0.5 beats NaN (as 0)");
      });
      await t.step("an equal (step, timestamp, value) keeps the earlier point", async () => {
        await store.logBatch(runId, { metrics: [metric("tie", 0, T0)] });
        await store.logBatch(runId, { metrics: [metric("tie", NaN, T0)] });
        assert.deepEqual(await latest("tie"), metric("tie", 0, T0), "NaN (as 0) ties with 0");
      });
      await t.step("an older point does not replace the latest", async () => {
        await store.logBatch(runId, { metrics: [metric("s", 100, T0 - 1, 0)] });
        assert.deepEqual(await latest("s"), metric("s", 2, T0, 2));
      });
    },
  );

  test("logBatch() ignores a point identical in (key, timestamp, step, value)", async (store) => {
    const { runId } = await newRun(store);
    const points = [metric("m", 1, T0, 0), metric("m", NaN, T0, 0), metric("m", 1, T0, 1)];
    await store.logBatch(runId, { metrics: [...points, metric("m", 1, T0, 0)] });
    await store.logBatch(runId, { metrics: points });
    await store.logBatch(runId, { metrics: [metric("m", NaN, T0, 0)] });
    const { items } = await store.getMetricHistory(runId, "m");
    // History order reads NaN as 0, so it comes before 1 at the same (timestamp, step).
    assert.equal(items.length, 3);
    assert.ok(Number.isNaN(items[0].value));
    assert.deepEqual(items[1], metric("m", 1, T0, 0));
    assert.deepEqual(items[2], metric("m", 1, T0, 1));
  });

  test("logModel() appends each model to the mlflow.log-model.history tag", async (store) => {
    const { runId } = await newRun(store);
    await store.logModel(runId, modelJson(runId, "model"));
    await store.logModel(runId, modelJson(runId, "model2"));
    const value = (await store.getRun(runId)).data.tags.find((x) => x.key === MODEL_HISTORY_TAG)
      ?.value;
    assert.ok(value !== undefined);
    const history = JSON.parse(value);
    assert.deepEqual(history, [
      JSON.parse(modelJson(runId, "model")),
      JSON.parse(modelJson(runId, "model2")),
    ]);
  });

  test("logModel() rejects JSON that is not a model", async (store, t) => {
    const { runId } = await newRun(store);
    await t.step("invalid JSON", async () => {
      await assertMlflowError(store.logModel(runId, "{not json"), "INVALID_PARAMETER_VALUE");
    });
    await t.step("not an object", async () => {
      for (const text of ["[]", "1", "null", '"s"']) {
        await assertMlflowError(
          store.logModel(runId, text),
          "INVALID_PARAMETER_VALUE",
          "Model json must be a JSON object",
        );
      }
    });
    await t.step("missing mandatory fields", async () => {
      await assertMlflowError(
        store.logModel(runId, JSON.stringify({ artifact_path: "m", run_id: runId })),
        "INVALID_PARAMETER_VALUE",
        "Model json is missing mandatory fields: 'flavors', 'utc_time_created'",
      );
    });
    assert.equal(
      (await store.getRun(runId)).data.tags.some((x) => x.key === MODEL_HISTORY_TAG),
      false,
    );
  });

  test("logModel() rejects a deleted or unknown run", async (store) => {
    const { runId } = await newRun(store);
    await store.deleteRun(runId);
    await assertMlflowError(
      store.logModel(runId, modelJson(runId)),
      "INVALID_PARAMETER_VALUE",
      `The run ${runId} must be in the 'active' state. Current state is deleted.`,
    );
    await assertMlflowError(
      store.logModel(MISSING_RUN, modelJson(MISSING_RUN)),
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
}
