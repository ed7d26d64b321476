/**
 * Conformance: MLflow 3 logged models (mlflow-rest.md §4.4, §6.5) — create, get, finalize,
 * delete, tags, params, search, `runs/outputs`, and metrics logged with a `model_id`.
 */
import assert from "node:assert/strict";
import type { LoggedModel, SearchLoggedModelsOptions } from "../../store/logged_models/types.ts";
import type { Metric, TrackingStore } from "../../store/types.ts";
import {
  assertMlflowError,
  chars,
  metric,
  newRun,
  param,
  randomExperimentName,
  T0,
  tag,
} from "../fixtures.ts";
import type { Define } from "./_harness.ts";

const UNKNOWN = "m-0123456789abcdef0123456789abcdef";
const notFound = (id: string) => `Logged model with ID '${id}' not found.`;

async function newExperiment(store: TrackingStore): Promise<string> {
  return await store.createExperiment({ name: randomExperimentName("lm") });
}

/** Creates a model in `experimentId` (a fresh experiment when absent). */
async function newModel(
  store: TrackingStore,
  opts: Partial<Parameters<TrackingStore["createLoggedModel"]>[0]> = {},
): Promise<LoggedModel> {
  const experimentId = opts.experimentId ?? await newExperiment(store);
  return await store.createLoggedModel({ ...opts, experimentId });
}

/** A metric point attached to a model (and optionally a dataset). */
function modelMetric(
  modelId: string,
  key: string,
  value: number,
  step = 0,
  timestamp = T0,
  dataset?: [string, string],
): Metric {
  const m: Metric = { ...metric(key, value, timestamp, step), model_id: modelId };
  if (dataset) {
    m.dataset_name = dataset[0];
    m.dataset_digest = dataset[1];
  }
  return m;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function searchNames(store: TrackingStore, opts: SearchLoggedModelsOptions) {
  return (await store.searchLoggedModels(opts)).items.map((m) => m.info.name);
}

/** Registers the logged model tests. */
export function loggedModelConformance(test: Define): void {
  test("createLoggedModel() creates a PENDING model that getLoggedModel() returns", async (store) => {
    const { experimentId, runId } = await newRun(store);
    const exp = await store.getExperiment(experimentId);
    const before = Date.now();
    const model = await store.createLoggedModel({
      experimentId,
      name: "model",
      modelType: "agent",
      sourceRunId: runId,
      params: [param("max_iter", "50"), param("C", "1.0")],
      tags: [tag("mlflow.user", "root"), tag("mlflow.source.name", "x.py")],
    });
    const id = model.info.model_id;
    assert.match(id, /^m-[0-9a-f]{32}$/);
    assert.ok(model.info.creation_timestamp_ms >= before);
    assert.deepEqual(model, {
      info: {
        model_id: id,
        experiment_id: experimentId,
        name: "model",
        creation_timestamp_ms: model.info.creation_timestamp_ms,
        last_updated_timestamp_ms: model.info.creation_timestamp_ms,
        artifact_uri: `${exp.artifact_location}/models/${id}/artifacts`,
        status: "LOGGED_MODEL_PENDING",
        model_type: "agent",
        source_run_id: runId,
        tags: [tag("mlflow.source.name", "x.py"), tag("mlflow.user", "root")],
      },
      data: { params: [param("C", "1.0"), param("max_iter", "50")], metrics: [] },
    });
    assert.deepEqual(await store.getLoggedModel(id), model);
  });

  test('createLoggedModel() picks a random name; model_type defaults to ""', async (store) => {
    const a = await newModel(store);
    const b = await newModel(store, { name: "" });
    for (const m of [a, b]) {
      assert.match(m.info.name, /^[a-z]+-[a-z]+-\d+$/);
      assert.equal(m.info.model_type, "");
      assert.equal("source_run_id" in m.info, false);
      assert.deepEqual(m.info.tags, []);
    }
    assert.notEqual(a.info.model_id, b.info.model_id);
  });

  test("createLoggedModel() needs an existing, active experiment", async (store) => {
    await assertMlflowError(
      store.createLoggedModel({ experimentId: "424242" }),
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=424242 exists",
    );
    await assertMlflowError(
      store.createLoggedModel({ experimentId: "" }),
      "INVALID_PARAMETER_VALUE",
      /Missing value for required parameter 'experiment_id'/,
    );
    const experimentId = await newExperiment(store);
    await store.deleteExperiment(experimentId);
    await assertMlflowError(
      store.createLoggedModel({ experimentId }),
      "INVALID_PARAMETER_VALUE",
      `The experiment ${experimentId} must be in the 'active' state. Current state is deleted.`,
    );
  });

  test("createLoggedModel() validates the name, params and tags", async (store, t) => {
    const experimentId = await newExperiment(store);
    for (const bad of ["a/b", "a:b", "a.b", "a%b", 'a"b', "a'b"]) {
      await t.step(`name ${bad}`, async () => {
        await assertMlflowError(
          store.createLoggedModel({ experimentId, name: bad }),
          "INVALID_PARAMETER_VALUE",
          /^Invalid model name \(.*\) provided\. Model name must be a non-empty string and cannot contain/,
        );
      });
    }
    await assertMlflowError(
      store.createLoggedModel({
        experimentId,
        params: Array.from({ length: 101 }, (_, i) => param(`p${i}`, "v")),
      }),
      "INVALID_PARAMETER_VALUE",
      /at most 100 params\. Got 101 params/,
    );
    await assertMlflowError(
      store.createLoggedModel({ experimentId, params: [param("a", "1"), param("a", "2")] }),
      "INVALID_PARAMETER_VALUE",
      /^Duplicate parameter keys have been submitted: \['a'\]/,
    );
    await assertMlflowError(
      store.createLoggedModel({ experimentId, tags: [tag("../x", "v")] }),
      "INVALID_PARAMETER_VALUE",
      /^Invalid tag name: '\.\.\/x'/,
    );
    await assertMlflowError(
      store.createLoggedModel({ experimentId, params: [param("a b!", "v")] }),
      "INVALID_PARAMETER_VALUE",
      /^Invalid param name/,
    );
    await assertMlflowError(
      store.createLoggedModel({ experimentId, sourceRunId: "not a run id!" }),
      "INVALID_PARAMETER_VALUE",
      /parameter 'source_run_id'/,
    );
    const long = await store.createLoggedModel({
      experimentId,
      params: [param("p", chars(7000))],
      tags: [tag("t", chars(9000)), tag("t", "last")],
    });
    assert.equal(long.data.params[0].value.length, 6000);
    assert.deepEqual(long.info.tags, [tag("t", "last")]);
  });

  test("getLoggedModel() answers unknown and malformed ids with MLflow's 404", async (store) => {
    for (const id of [UNKNOWN, "nope", "", chars(5000)]) {
      await assertMlflowError(
        store.getLoggedModel(id),
        "RESOURCE_DOES_NOT_EXIST",
        /^Logged model with ID '.*' not found\.$/,
      );
    }
    await assertMlflowError(
      store.getLoggedModel(UNKNOWN),
      "RESOURCE_DOES_NOT_EXIST",
      notFound(UNKNOWN),
    );
  });

  test("finalizeLoggedModel() sets READY or UPLOAD_FAILED and bumps last_updated", async (store) => {
    const model = await newModel(store, { name: "m" });
    const id = model.info.model_id;
    await sleep(2);
    const ready = await store.finalizeLoggedModel(id, "LOGGED_MODEL_READY");
    assert.equal(ready.info.status, "LOGGED_MODEL_READY");
    assert.ok(ready.info.last_updated_timestamp_ms > model.info.last_updated_timestamp_ms);
    assert.equal(ready.info.creation_timestamp_ms, model.info.creation_timestamp_ms);
    assert.deepEqual(await store.getLoggedModel(id), ready);
    const failed = await store.finalizeLoggedModel(id, "LOGGED_MODEL_UPLOAD_FAILED");
    assert.equal(failed.info.status, "LOGGED_MODEL_UPLOAD_FAILED");
    await assertMlflowError(
      store.finalizeLoggedModel(id, "LOGGED_MODEL_PENDING"),
      "INVALID_PARAMETER_VALUE",
      /'status'/,
    );
    await assertMlflowError(
      store.finalizeLoggedModel(UNKNOWN, "LOGGED_MODEL_READY"),
      "RESOURCE_DOES_NOT_EXIST",
      notFound(UNKNOWN),
    );
  });

  test("deleteLoggedModel() hides the model from every method", async (store) => {
    const model = await newModel(store, { name: "gone", tags: [tag("k", "v")] });
    const id = model.info.model_id;
    const { runId } = await newRun(store);
    await store.deleteLoggedModel(id);
    const err = notFound(id);
    await assertMlflowError(store.getLoggedModel(id), "RESOURCE_DOES_NOT_EXIST", err);
    await assertMlflowError(store.deleteLoggedModel(id), "RESOURCE_DOES_NOT_EXIST", err);
    await assertMlflowError(
      store.finalizeLoggedModel(id, "LOGGED_MODEL_READY"),
      "RESOURCE_DOES_NOT_EXIST",
      err,
    );
    await assertMlflowError(
      store.setLoggedModelTags(id, [tag("a", "b")]),
      "RESOURCE_DOES_NOT_EXIST",
      err,
    );
    await assertMlflowError(store.deleteLoggedModelTag(id, "k"), "RESOURCE_DOES_NOT_EXIST", err);
    await assertMlflowError(
      store.logLoggedModelParams(id, [param("a", "b")]),
      "RESOURCE_DOES_NOT_EXIST",
      err,
    );
    // Runs may still name it (MLflow accepts such references); the model stays hidden.
    await store.logOutputs(runId, [{ model_id: id, step: 0 }]);
    await store.logBatch(runId, { metrics: [modelMetric(id, "acc", 1)] });
    await assertMlflowError(store.getLoggedModel(id), "RESOURCE_DOES_NOT_EXIST", err);
    const page = await store.searchLoggedModels({ experimentIds: [model.info.experiment_id] });
    assert.deepEqual(page.items, []);
    const byName = await store.searchLoggedModels({
      experimentIds: [model.info.experiment_id],
      filter: "name = 'gone'",
    });
    assert.deepEqual(byName.items, []);
  });

  test("setLoggedModelTags() upserts; deleteLoggedModelTag() removes or 404s", async (store) => {
    const model = await newModel(store, { tags: [tag("a", "1")] });
    const id = model.info.model_id;
    await store.setLoggedModelTags(id, [tag("b", "2"), tag("a", "x"), tag("a", "3")]);
    assert.deepEqual((await store.getLoggedModel(id)).info.tags, [tag("a", "3"), tag("b", "2")]);
    await store.deleteLoggedModelTag(id, "a");
    assert.deepEqual((await store.getLoggedModel(id)).info.tags, [tag("b", "2")]);
    await assertMlflowError(
      store.deleteLoggedModelTag(id, "a"),
      "RESOURCE_DOES_NOT_EXIST",
      `No tag with key 'a' found for model with ID '${id}'.`,
    );
    await assertMlflowError(
      store.setLoggedModelTags(id, Array.from({ length: 101 }, (_, i) => tag(`t${i}`, "v"))),
      "INVALID_PARAMETER_VALUE",
      /at most 100 tags/,
    );
    await assertMlflowError(
      store.setLoggedModelTags(id, [tag("/abs", "v")]),
      "INVALID_PARAMETER_VALUE",
      /^Invalid tag name/,
    );
    await assertMlflowError(
      store.setLoggedModelTags(UNKNOWN, [tag("a", "v")]),
      "RESOURCE_DOES_NOT_EXIST",
      notFound(UNKNOWN),
    );
    assert.deepEqual((await store.getLoggedModel(id)).info.tags, [tag("b", "2")]);
  });

  test("logLoggedModelParams() adds params; changing one is rejected and writes nothing", async (store) => {
    const model = await newModel(store, { params: [param("a", "1")] });
    const id = model.info.model_id;
    await store.logLoggedModelParams(id, [param("b", "2"), param("a", "1")]);
    await assertMlflowError(
      store.logLoggedModelParams(id, [param("c", "3"), param("a", "9")]),
      "INVALID_PARAMETER_VALUE",
      `Changing param values is not allowed. Param with key='a' was already logged with ` +
        `value='1' for logged model ID='${id}'. Attempted logging new value '9'.`,
    );
    assert.deepEqual((await store.getLoggedModel(id)).data.params, [
      param("a", "1"),
      param("b", "2"),
    ]);
    await assertMlflowError(
      store.logLoggedModelParams(id, Array.from({ length: 101 }, (_, i) => param(`p${i}`, "v"))),
      "INVALID_PARAMETER_VALUE",
      /at most 100 params/,
    );
    await assertMlflowError(
      store.logLoggedModelParams(UNKNOWN, [param("a", "1")]),
      "RESOURCE_DOES_NOT_EXIST",
      notFound(UNKNOWN),
    );
  });

  test("logOutputs() records outputs on the run, once per (model, step), in order", async (store) => {
    const { experimentId, runId } = await newRun(store);
    const a = (await newModel(store, { experimentId })).info.model_id;
    const b = (await newModel(store, { experimentId })).info.model_id;
    const [first, second] = a < b ? [a, b] : [b, a];
    assert.deepEqual((await store.getRun(runId)).outputs, { model_outputs: [] });
    await store.logOutputs(runId, [{ model_id: second, step: 3 }, { model_id: first, step: 0 }]);
    await store.logOutputs(runId, [{ model_id: first, step: 0 }, { model_id: second, step: 1 }]);
    assert.deepEqual((await store.getRun(runId)).outputs, {
      model_outputs: [
        { model_id: first, step: 0 },
        { model_id: second, step: 1 },
        { model_id: second, step: 3 },
      ],
    });
  });

  test("logOutputs() checks the run and its arguments, not the models", async (store) => {
    const { experimentId, runId } = await newRun(store);
    const id = (await newModel(store, { experimentId })).info.model_id;
    // As log-inputs' models (and MLflow), outputs may name models this store does not hold.
    await store.logOutputs(runId, [{ model_id: UNKNOWN, step: 0 }, { model_id: "m-1", step: 2 }]);
    assert.deepEqual((await store.getRun(runId)).outputs.model_outputs, [
      { model_id: UNKNOWN, step: 0 },
      { model_id: "m-1", step: 2 },
    ]);
    await assertMlflowError(
      store.logOutputs(runId, [{ model_id: id, step: 0 }, { model_id: chars(300), step: 0 }]),
      "INVALID_PARAMETER_VALUE",
      /'models\[1\]\.model_id'/,
    );
    await assertMlflowError(
      store.logOutputs(runId, [{ model_id: id, step: 1.5 }]),
      "INVALID_PARAMETER_VALUE",
      /'models\[0\]\.step'/,
    );
    assert.equal((await store.getRun(runId)).outputs.model_outputs.length, 2, "nothing written");
    await assertMlflowError(
      store.logOutputs(runId, []),
      "INVALID_PARAMETER_VALUE",
      /Missing value for required parameter 'models'/,
    );
    await assertMlflowError(
      store.logOutputs(runId, [{ model_id: "", step: 0 }]),
      "INVALID_PARAMETER_VALUE",
      /'models\[0\]\.model_id'/,
    );
    await assertMlflowError(
      store.logOutputs("0123456789abcdef0123456789abcdef", [{ model_id: id, step: 0 }]),
      "RESOURCE_DOES_NOT_EXIST",
      /^Run with id=0123456789abcdef0123456789abcdef not found$/,
    );
    await store.deleteRun(runId);
    await assertMlflowError(
      store.logOutputs(runId, [{ model_id: id, step: 0 }]),
      "INVALID_PARAMETER_VALUE",
      `The run ${runId} must be in the 'active' state. Current state is deleted.`,
    );
  });

  test("logBatch() with model_id keeps the latest value per key and dataset on the model", async (store) => {
    const { experimentId, runId: r1 } = await newRun(store);
    const { runId: r2 } = await newRun(store, { experimentId });
    const id = (await newModel(store, { experimentId })).info.model_id;
    const ds: [string, string] = ["eval", "d1"];
    await store.logBatch(r1, {
      metrics: [
        modelMetric(id, "acc", 0.5, 0, T0),
        modelMetric(id, "acc", 0.7, 2, T0 + 1),
        modelMetric(id, "acc", 0.6, 1, T0 + 9),
        modelMetric(id, "acc", 0.2, 0, T0, ds),
        metric("loss", 1), // no model: stays on the run only
      ],
    });
    await store.logBatch(r2, {
      metrics: [modelMetric(id, "acc", 0.9, 2, T0 + 5), modelMetric(id, "f1", NaN, 0, T0, ds)],
    });
    // Single-point logging (log-metric) attaches too.
    await store.logBatch(r1, { metrics: [modelMetric(id, "acc", 0.3, 1, T0 + 1, ds)] });
    const model = await store.getLoggedModel(id);
    assert.deepEqual(model.data.metrics, [
      { ...metric("acc", 0.9, T0 + 5, 2), model_id: id, run_id: r2 },
      {
        ...metric("acc", 0.3, T0 + 1, 1),
        dataset_name: "eval",
        dataset_digest: "d1",
        model_id: id,
        run_id: r1,
      },
      {
        ...metric("f1", NaN, T0, 0),
        dataset_name: "eval",
        dataset_digest: "d1",
        model_id: id,
        run_id: r2,
      },
    ]);
    // The runs keep their own latest values and history.
    const run1 = await store.getRun(r1);
    assert.deepEqual(
      run1.data.metrics.map((m) => [m.key, m.value, m.step]),
      [["acc", 0.7, 2], ["loss", 1, 0]],
    );
    assert.equal((await store.getMetricHistory(r1, "acc")).items.length, 5);
  });

  test("logBatch() with a model_id naming no model logs to the run only", async (store) => {
    const { experimentId, runId } = await newRun(store);
    const id = (await newModel(store, { experimentId })).info.model_id;
    await store.logBatch(runId, {
      metrics: [
        modelMetric(UNKNOWN, "acc", 1),
        modelMetric("m-1", "f1", 2),
        modelMetric(id, "r", 3),
      ],
    });
    const run = await store.getRun(runId);
    assert.deepEqual(run.data.metrics.map((m) => m.key), ["acc", "f1", "r"]);
    assert.deepEqual((await store.getMetricHistory(runId, "acc")).items, [
      modelMetric(UNKNOWN, "acc", 1),
    ]);
    assert.deepEqual((await store.getLoggedModel(id)).data.metrics.map((m) => m.key), ["r"]);
    // An id too long to be stored is refused, and the batch writes nothing.
    await assertMlflowError(
      store.logBatch(runId, { metrics: [metric("z", 1), modelMetric(chars(300), "y", 1)] }),
      "INVALID_PARAMETER_VALUE",
      /'metrics\[1\]\.model_id'/,
    );
    assert.equal((await store.getRun(runId)).data.metrics.length, 3);
  });

  test("searchLoggedModels() filters on attributes, metrics, params and tags", async (store, t) => {
    const experimentId = await newExperiment(store);
    const { runId } = await newRun(store, { experimentId });
    const a = await newModel(store, {
      experimentId,
      name: "alpha",
      modelType: "clf",
      sourceRunId: runId,
      params: [param("lr", "0.1")],
      tags: [tag("team", "ml")],
    });
    await sleep(2);
    const b = await newModel(store, {
      experimentId,
      name: "Beta",
      params: [param("lr", "0.2")],
      tags: [tag("team", "data")],
    });
    await sleep(2);
    const c = await newModel(store, { experimentId, name: "gamma", modelType: "agent" });
    await sleep(2);
    await store.finalizeLoggedModel(b.info.model_id, "LOGGED_MODEL_READY");
    await store.logBatch(runId, {
      metrics: [
        modelMetric(a.info.model_id, "acc", 0.9),
        modelMetric(b.info.model_id, "acc", 0.5),
        modelMetric(c.info.model_id, "acc", NaN),
      ],
    });
    const cases: [string, string[]][] = [
      ["", ["gamma", "Beta", "alpha"]],
      ["name = 'alpha'", ["alpha"]],
      ["attributes.name != 'alpha'", ["gamma", "Beta"]],
      ["name LIKE '%a'", ["gamma", "Beta", "alpha"]],
      ["name LIKE 'b%'", []],
      ["name ILIKE 'b%'", ["Beta"]],
      ["name IN ('alpha', 'gamma')", ["gamma", "alpha"]],
      ["name NOT IN ('alpha')", ["gamma", "Beta"]],
      [`model_id = '${b.info.model_id}'`, ["Beta"]],
      ["model_type = 'clf'", ["alpha"]],
      ["model_type = ''", ["Beta"]],
      ["status = 'LOGGED_MODEL_READY'", ["Beta"]],
      ["status = 'READY'", ["Beta"]],
      ["status IN ('PENDING')", ["gamma", "alpha"]],
      ["status LIKE '%PENDING'", ["gamma", "alpha"]],
      [`source_run_id = '${runId}'`, ["alpha"]],
      ["source_run_id != 'x'", ["alpha"]],
      [`creation_time >= ${b.info.creation_timestamp_ms}`, ["gamma", "Beta"]],
      [`creation_timestamp < ${b.info.creation_timestamp_ms}`, ["alpha"]],
      [`last_updated_timestamp > ${c.info.last_updated_timestamp_ms}`, ["Beta"]],
      ["metrics.acc > 0.6", ["alpha"]],
      ["metrics.acc <= 0.5", ["gamma", "Beta"]], // NaN compares as 0
      ["metrics.missing > 0", []],
      ["params.lr = '0.1'", ["alpha"]],
      ["params.lr != '0.1'", ["Beta"]],
      ["params.lr LIKE '0.%' AND tags.team = 'data'", ["Beta"]],
      ["tags.team ILIKE 'ML'", ["alpha"]],
      ["tags.team IN ('ml', 'data') and metrics.acc >= 0.5 and name != 'alpha'", ["Beta"]],
      ["name = 'alpha' AND", ["alpha"]],
    ];
    for (const [filter, expected] of cases) {
      await t.step(filter || "(empty)", async () => {
        assert.deepEqual(
          await searchNames(store, { experimentIds: [experimentId], filter }),
          expected,
        );
      });
    }
    const bad = [
      "name = 'a' OR name = 'b'",
      "(name = 'a')",
      "NOT name = 'a'",
      "foo = 'a'",
      "datasets.name = 'x'",
      "metrics.acc LIKE '1'",
      "metrics.acc = 'x'",
      "params.lr > 1",
      "name = alpha",
      "creation_time = 'x'",
      "name IN ()",
      "tags.team IS NULL",
      "name == 'a'",
      "name = 'unterminated",
    ];
    for (const filter of bad) {
      await t.step(`rejects ${filter}`, async () => {
        await assertMlflowError(
          store.searchLoggedModels({ experimentIds: [experimentId], filter }),
          "INVALID_PARAMETER_VALUE",
        );
      });
    }
  });

  test("searchLoggedModels() restricts metrics to the given datasets", async (store) => {
    const experimentId = await newExperiment(store);
    const { runId } = await newRun(store, { experimentId });
    const names = ["no-ds", "eval-only", "train-only", "both"];
    const ids: Record<string, string> = {};
    for (const name of names) {
      ids[name] = (await newModel(store, { experimentId, name })).info.model_id;
    }
    await store.logBatch(runId, {
      metrics: [
        modelMetric(ids["no-ds"], "acc", 0.9),
        modelMetric(ids["eval-only"], "acc", 0.9, 0, T0, ["eval", "e1"]),
        modelMetric(ids["train-only"], "acc", 0.9, 0, T0, ["train", "t1"]),
        modelMetric(ids["both"], "acc", 0.2, 0, T0, ["eval", "e2"]),
        modelMetric(ids["both"], "acc", 0.9, 0, T0, ["train", "t1"]),
      ],
    });
    const search = (opts: Partial<SearchLoggedModelsOptions>) =>
      searchNames(store, { experimentIds: [experimentId], ...opts }).then((n) => n.sort());
    assert.deepEqual(await search({ filter: "metrics.acc > 0.5" }), [
      "both",
      "eval-only",
      "no-ds",
      "train-only",
    ]);
    assert.deepEqual(
      await search({ filter: "metrics.acc > 0.5", datasets: [{ dataset_name: "eval" }] }),
      ["eval-only"],
    );
    assert.deepEqual(
      await search({
        filter: "metrics.acc < 0.5",
        datasets: [{ dataset_name: "eval", dataset_digest: "e2" }],
      }),
      ["both"],
    );
    assert.deepEqual(
      await search({
        filter: "metrics.acc > 0.5",
        datasets: [{ dataset_name: "eval", dataset_digest: "e2" }],
      }),
      [],
    );
    // Without a metric filter, datasets keep the models with any metric on them.
    assert.deepEqual(
      await search({ datasets: [{ dataset_name: "eval" }, { dataset_name: "train" }] }),
      ["both", "eval-only", "train-only"],
    );
    await assertMlflowError(
      store.searchLoggedModels({
        experimentIds: [experimentId],
        datasets: [{ dataset_digest: "x" }],
      }),
      "INVALID_PARAMETER_VALUE",
      "`dataset_name` in the `datasets` clause must be specified.",
    );
  });

  test("searchLoggedModels() orders by attributes and metrics, nulls last", async (store, t) => {
    const experimentId = await newExperiment(store);
    const { runId } = await newRun(store, { experimentId });
    const models: LoggedModel[] = [];
    for (const name of ["b", "d", "a", "c", "e"]) {
      models.push(await newModel(store, { experimentId, name }));
      await sleep(2);
    }
    const id = (name: string) => models.find((m) => m.info.name === name)!.info.model_id;
    await store.logBatch(runId, {
      metrics: [
        modelMetric(id("a"), "acc", 0.3),
        modelMetric(id("b"), "acc", 0.9),
        modelMetric(id("c"), "acc", NaN),
        modelMetric(id("d"), "acc", 0.1, 0, T0, ["eval", "x"]),
        modelMetric(id("d"), "acc", 0.95, 0, T0, ["train", "y"]),
      ],
    });
    const cases: [SearchLoggedModelsOptions["orderBy"], string[]][] = [
      [undefined, ["e", "c", "a", "d", "b"]],
      [[{ field_name: "name" }], ["a", "b", "c", "d", "e"]],
      [[{ field_name: "name", ascending: false }], ["e", "d", "c", "b", "a"]],
      [[{ field_name: "creation_time", ascending: true }], ["b", "d", "a", "c", "e"]],
      [[{ field_name: "creation_timestamp", ascending: false }], ["e", "c", "a", "d", "b"]],
      [[{ field_name: "metrics.acc" }], ["a", "b", "d", "c", "e"]],
      [[{ field_name: "metrics.acc", ascending: false }], ["d", "b", "a", "c", "e"]],
      [[{ field_name: "metrics.acc", ascending: false, dataset_name: "eval" }], [
        "d",
        "e",
        "c",
        "a",
        "b",
      ]],
      [[{ field_name: "metrics.acc", dataset_name: "train", dataset_digest: "y" }], [
        "d",
        "e",
        "c",
        "a",
        "b",
      ]],
      [[{ field_name: "model_type" }, { field_name: "name", ascending: false }], [
        "e",
        "d",
        "c",
        "b",
        "a",
      ]],
    ];
    for (const [orderBy, expected] of cases) {
      await t.step(JSON.stringify(orderBy ?? "default"), async () => {
        assert.deepEqual(
          await searchNames(store, { experimentIds: [experimentId], orderBy }),
          expected,
        );
      });
    }
    const bad: [SearchLoggedModelsOptions["orderBy"], string | RegExp][] = [
      [[{}], "`field_name` in the `order_by` clause must be specified."],
      [
        [{ field_name: "params.x" }],
        "Invalid order by field name: params, only `metrics.<name>` is allowed.",
      ],
      [[{ field_name: "bogus" }], "Invalid order by field name: bogus."],
      [
        [{ field_name: "metrics.acc", dataset_digest: "x" }],
        "`dataset_digest` can only be specified if `dataset_name` is also specified.",
      ],
    ];
    for (const [orderBy, message] of bad) {
      await assertMlflowError(
        store.searchLoggedModels({ experimentIds: [experimentId], orderBy }),
        "INVALID_PARAMETER_VALUE",
        message,
      );
    }
  });

  test("searchLoggedModels() pages with tokens bound to the query", async (store) => {
    const experimentId = await newExperiment(store);
    const other = await newExperiment(store);
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      const name = `m${i}`;
      await newModel(store, { experimentId: i % 3 === 2 ? other : experimentId, name });
      names.push(name);
    }
    const opts = { experimentIds: [experimentId, other], orderBy: [{ field_name: "name" }] };
    const pages: string[][] = [];
    let pageToken: string | undefined;
    do {
      const page = await store.searchLoggedModels({ ...opts, maxResults: 3, pageToken });
      pages.push(page.items.map((m) => m.info.name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    assert.deepEqual(pages, [["m0", "m1", "m2"], ["m3", "m4", "m5"], ["m6"]]);
    // A page that ends exactly at the last model carries no token.
    const exact = await store.searchLoggedModels({ ...opts, maxResults: 7 });
    assert.equal(exact.items.length, 7);
    assert.equal(exact.nextPageToken, undefined);
    // The default page size is 50.
    assert.equal(
      (await store.searchLoggedModels({ experimentIds: [experimentId] })).items.length,
      5,
    );
    const first = await store.searchLoggedModels({ ...opts, maxResults: 2 });
    await assertMlflowError(
      store.searchLoggedModels({
        experimentIds: [experimentId],
        orderBy: [{ field_name: "name" }],
        pageToken: first.nextPageToken,
      }),
      "INVALID_PARAMETER_VALUE",
      /does not belong to this query/,
    );
    await assertMlflowError(
      store.searchLoggedModels({ ...opts, pageToken: "garbage!" }),
      "INVALID_PARAMETER_VALUE",
      /^Invalid page token/,
    );
    for (const maxResults of [0, -1, 1.5, 50001]) {
      await assertMlflowError(
        store.searchLoggedModels({ ...opts, maxResults }),
        "INVALID_PARAMETER_VALUE",
        /max_results/,
      );
    }
    await assertMlflowError(
      store.searchLoggedModels({ experimentIds: [] }),
      "INVALID_PARAMETER_VALUE",
      /Missing value for required parameter 'experiment_ids'/,
    );
    // Unknown experiments simply hold no models.
    assert.deepEqual(
      (await store.searchLoggedModels({ experimentIds: ["999999", "x"] })).items,
      [],
    );
  });
}
