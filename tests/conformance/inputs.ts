/** Conformance: log-inputs (datasets deduplicated per experiment, per-edge tags, models). */
import assert from "node:assert/strict";
import { assertMlflowError, chars, dataset, datasetInput, newRun, tag } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

const CONTEXT = "mlflow.data.context";

/** Registers the log-inputs tests. */
export function inputsConformance(test: Define): void {
  test("logInputs() records datasets with their input tags, sorted by name and digest", async (store) => {
    const { runId } = await newRun(store);
    const b = {
      tags: [tag(CONTEXT, "eval")],
      dataset: dataset("b", "d1", { schema: "{}", profile: "{}" }),
    };
    const a2 = datasetInput("a", "d2", [tag(CONTEXT, "train")]);
    const a1 = datasetInput("a", "d1");
    await store.logInputs(runId, [b, a2, a1]);
    assert.deepEqual((await store.getRun(runId)).inputs, {
      dataset_inputs: [a1, a2, b],
      model_inputs: [],
    });
  });

  test("logInputs() re-logging a dataset on the same run is a no-op", async (store) => {
    const { runId } = await newRun(store);
    const first = datasetInput("ds", "d", [tag(CONTEXT, "train")]);
    await store.logInputs(runId, [first]);
    await store.logInputs(runId, [first, first]);
    await store.logInputs(runId, [datasetInput("ds", "d", [tag(CONTEXT, "eval")])]);
    assert.deepEqual((await store.getRun(runId)).inputs.dataset_inputs, [first]);
  });

  test("logInputs() deduplicates datasets per experiment; input tags belong to the edge", async (store) => {
    const { experimentId, runId: r1 } = await newRun(store);
    const { runId: r2 } = await newRun(store, { experimentId });
    const { runId: other } = await newRun(store);
    await store.logInputs(r1, [datasetInput("ds", "d", [tag(CONTEXT, "train")])]);
    const relogged = {
      tags: [tag(CONTEXT, "eval")],
      dataset: dataset("ds", "d", { source: "s3://elsewhere" }),
    };
    await store.logInputs(r2, [relogged]);
    await store.logInputs(other, [relogged]);
    const inputsOf = async (id: string) => (await store.getRun(id)).inputs.dataset_inputs;
    assert.deepEqual(await inputsOf(r1), [datasetInput("ds", "d", [tag(CONTEXT, "train")])]);
    // Same experiment: the dataset first logged there is reused; the edge keeps r2's tags.
    assert.deepEqual(await inputsOf(r2), [{
      tags: [tag(CONTEXT, "eval")],
      dataset: dataset("ds", "d"),
    }]);
    // Another experiment has its own dataset.
    assert.deepEqual(await inputsOf(other), [relogged]);
  });

  test("logInputs() records model inputs once each", async (store) => {
    const { runId } = await newRun(store);
    await store.logInputs(runId, [], [{ model_id: "m-b" }, { model_id: "m-a" }]);
    await store.logInputs(runId, [], [{ model_id: "m-a" }]);
    assert.deepEqual((await store.getRun(runId)).inputs, {
      dataset_inputs: [],
      model_inputs: [{ model_id: "m-a" }, { model_id: "m-b" }],
    });
  });

  test("logInputs() validates datasets and input tags", async (store, t) => {
    const { runId } = await newRun(store);
    const withDataset = (extra: Record<string, string | undefined>) => [{
      tags: [],
      dataset: { ...dataset("ds", "d"), ...extra } as ReturnType<typeof dataset>,
    }];
    const cases: [string, Parameters<typeof store.logInputs>[1], string | RegExp][] = [
      [
        "missing name",
        withDataset({ name: "" }),
        "Missing value for required parameter 'datasets[0].dataset.name'. " +
        "See the API docs for more information about request parameters.",
      ],
      ["missing digest", withDataset({ digest: undefined }), /'datasets\[0\]\.dataset\.digest'/],
      [
        "missing source_type",
        withDataset({ source_type: "" }),
        /'datasets\[0\]\.dataset\.source_type'/,
      ],
      ["missing source", withDataset({ source: undefined }), /'datasets\[0\]\.dataset\.source'/],
      ["name over 500", withDataset({ name: chars(501) }), /^Dataset name '.*' had length 501/],
      ["digest over 36", withDataset({ digest: chars(37) }), /^Dataset digest '.*' had length 37/],
      [
        "source over 65535",
        withDataset({ source: chars(65536) }),
        /^Dataset source '.*' had length 65536/,
      ],
      [
        "schema over 1048575",
        withDataset({ schema: chars(1048576) }),
        /^Dataset schema '.*' had length/,
      ],
      [
        "input tag key over 255",
        [datasetInput("ds", "d", [tag(chars(256), "v")])],
        /^Input tag key '.*' had length 256/,
      ],
      [
        "input tag value over 500",
        [datasetInput("ds", "d", [tag("k", chars(501))])],
        /^Input tag value '.*' had length 501/,
      ],
      [
        "missing input tag key",
        [datasetInput("ds", "d", [tag("", "v")])],
        /'datasets\[0\]\.tags\[0\]\.key'/,
      ],
    ];
    for (const [name, datasets, msg] of cases) {
      await t.step(name, async () => {
        await assertMlflowError(store.logInputs(runId, datasets), "INVALID_PARAMETER_VALUE", msg);
      });
    }
    await t.step("a model input without model_id", async () => {
      await assertMlflowError(
        store.logInputs(runId, [], [{ model_id: "" }]),
        "INVALID_PARAMETER_VALUE",
        /'models\[0\]\.model_id'/,
      );
    });
    await t.step("values at the limits are accepted", async () => {
      const big = {
        tags: [tag(chars(255), chars(500))],
        dataset: dataset(chars(500), chars(36), { source: chars(65535) }),
      };
      await store.logInputs(runId, [big]);
      assert.deepEqual((await store.getRun(runId)).inputs.dataset_inputs, [big]);
    });
  });

  test("logInputs() rejects a deleted or unknown run", async (store) => {
    const { runId } = await newRun(store);
    await store.deleteRun(runId);
    await assertMlflowError(
      store.logInputs(runId, [datasetInput("ds", "d")]),
      "INVALID_PARAMETER_VALUE",
      `The run ${runId} must be in the 'active' state. Current state is deleted.`,
    );
    await assertMlflowError(
      store.logInputs("0123456789abcdef0123456789abcdef", [datasetInput("ds", "d")]),
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
}
