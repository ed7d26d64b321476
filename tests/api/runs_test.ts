import assert from "node:assert/strict";
import { BODY_LIMITS } from "../../routes/decode.ts";
import {
  clientCreateRunBody,
  createExperiment,
  createRun,
  expectError,
  expectJson,
  expectMissing,
  get,
  newApp,
  post,
} from "./_helpers.ts";

Deno.test("POST runs/create with the client's body returns {run} with info, data, inputs", async () => {
  const app = newApp();
  const exp = await createExperiment(app);
  const body = await expectJson(post(app, "runs/create", clientCreateRunBody(exp)), 200);
  assert.deepEqual(Object.keys(body), ["run"]);
  assert.deepEqual(Object.keys(body.run).sort(), ["data", "info", "inputs"]);
  const { info, data, inputs } = body.run;
  assert.match(info.run_id, /^[0-9a-f]{32}$/);
  assert.equal(info.run_uuid, info.run_id);
  assert.equal(info.run_name, "parent");
  assert.equal(info.user_id, "root");
  assert.equal(info.status, "RUNNING");
  assert.equal(info.start_time, 1795784555638);
  assert.equal("end_time" in info, false);
  assert.equal(info.artifact_uri, `mlflow-artifacts:/${exp}/${info.run_id}/artifacts`);
  assert.equal(data.tags.length, 4);
  assert.deepEqual(inputs, {});
});

Deno.test('POST runs/create without experiment_id uses Default and emits user_id ""', async () => {
  const app = newApp();
  const body = await expectJson(post(app, "runs/create", {}), 200);
  assert.equal(body.run.info.experiment_id, "0");
  assert.equal(body.run.info.user_id, "");
  assert.deepEqual(body.run.inputs, {});
  assert.equal(typeof body.run.data, "object");
});

Deno.test("POST runs/create error cases", async (t) => {
  const app = newApp();
  await t.step("unknown experiment is 404", async () => {
    await expectError(
      post(app, "runs/create", { experiment_id: "404" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
  await t.step("deleted experiment is 400", async () => {
    const exp = await createExperiment(app);
    await expectJson(post(app, "experiments/delete", { experiment_id: exp }), 200);
    await expectError(
      post(app, "runs/create", { experiment_id: exp }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("run_name disagreeing with the mlflow.runName tag", async () => {
    await expectError(
      post(app, "runs/create", { run_name: "a", tags: [{ key: "mlflow.runName", value: "b" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("start_time of the wrong type", async () => {
    const msg = await expectError(
      post(app, "runs/create", { start_time: "soon" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(msg, /parameter 'start_time'/);
  });
  await t.step("tags that are not a list of tags", async () => {
    await expectError(
      post(app, "runs/create", { tags: [{ value: "x" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(post(app, "runs/create", { tags: 7 }), 400, "INVALID_PARAMETER_VALUE");
  });
});

Deno.test("GET runs/get with run_uuid and run_id, as the client sends it; outputs included", async () => {
  const app = newApp();
  const id = await createRun(app);
  const body = await expectJson(get(app, "runs/get", { run_uuid: id, run_id: id }), 200);
  assert.equal(body.run.info.run_id, id);
  assert.deepEqual(Object.keys(body.run).sort(), ["data", "info", "inputs", "outputs"]);
  assert.deepEqual(body.run.outputs, {});
  // run_uuid alone still works; run_id wins when both differ.
  assert.equal((await expectJson(get(app, "runs/get", { run_uuid: id }), 200)).run.info.run_id, id);
  await expectJson(get(app, "runs/get", { run_id: id, run_uuid: "ffff" }), 200);
});

Deno.test("GET runs/get error cases", async (t) => {
  const app = newApp();
  await t.step("unknown run is 404 with MLflow's message", async () => {
    const msg = await expectError(
      get(app, "runs/get", { run_id: "0".repeat(32) }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    assert.match(msg, /0{32}/);
  });
  await t.step("missing run_id", async () => {
    await expectMissing(get(app, "runs/get"), "run_id");
  });
  await t.step("empty run_id counts as missing", async () => {
    await expectMissing(get(app, "runs/get", { run_id: "" }), "run_id");
  });
});

Deno.test("POST runs/update returns {run_info}; status by name or number", async (t) => {
  const app = newApp();
  const id = await createRun(app);
  await t.step("the client's end_run body", async () => {
    const body = await expectJson(
      post(app, "runs/update", {
        run_uuid: id,
        status: "FINISHED",
        end_time: 1795784555798,
        run_id: id,
      }),
      200,
    );
    assert.deepEqual(Object.keys(body), ["run_info"]);
    assert.equal(body.run_info.status, "FINISHED");
    assert.equal(body.run_info.end_time, 1795784555798);
  });
  await t.step("status as an enum number, end_time as a string", async () => {
    const body = await expectJson(
      post(app, "runs/update", { run_id: id, status: 4, end_time: "1795784555999" }),
      200,
    );
    assert.equal(body.run_info.status, "FAILED");
    assert.equal(body.run_info.end_time, 1795784555999);
  });
  await t.step("rename via run_name", async () => {
    const body = await expectJson(
      post(app, "runs/update", { run_id: id, run_name: "renamed" }),
      200,
    );
    assert.equal(body.run_info.run_name, "renamed");
  });
  await t.step("unknown status name is 400", async () => {
    await expectError(
      post(app, "runs/update", { run_id: id, status: "DONE" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("unknown run is 404", async () => {
    await expectError(
      post(app, "runs/update", { run_id: "f".repeat(32), status: "FINISHED" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
  await t.step("deleted run is 400", async () => {
    await expectJson(post(app, "runs/delete", { run_id: id }), 200);
    await expectError(
      post(app, "runs/update", { run_id: id, status: "RUNNING" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
});

Deno.test("runs/delete and runs/restore are idempotent; unknown id is 404", async () => {
  const app = newApp();
  const id = await createRun(app);
  for (const path of ["runs/delete", "runs/delete"]) {
    assert.deepEqual(await expectJson(post(app, path, { run_id: id }), 200), {});
  }
  const deleted = await expectJson(get(app, "runs/get", { run_id: id }), 200);
  assert.equal(deleted.run.info.lifecycle_stage, "deleted");
  for (const path of ["runs/restore", "runs/restore"]) {
    assert.deepEqual(await expectJson(post(app, path, { run_id: id }), 200), {});
  }
  await expectError(
    post(app, "runs/delete", { run_id: "a".repeat(32) }),
    404,
    "RESOURCE_DOES_NOT_EXIST",
  );
  await expectError(
    post(app, "runs/restore", { run_id: "a".repeat(32) }),
    404,
    "RESOURCE_DOES_NOT_EXIST",
  );
  await expectMissing(post(app, "runs/delete", {}), "run_id");
});

Deno.test("POST runs/log-metric with run_uuid and run_id; NaN and Inf round trip", async (t) => {
  const app = newApp();
  const id = await createRun(app);
  await t.step("the client's exact body", async () => {
    const body = {
      run_uuid: id,
      key: "loss",
      value: 1.0,
      timestamp: 1795784556683,
      step: 0,
      run_id: id,
    };
    assert.deepEqual(await expectJson(post(app, "runs/log-metric", body), 200), {});
  });
  await t.step("NaN, Infinity and -Infinity as strings", async () => {
    for (const [key, value] of [["nan", "NaN"], ["pinf", "Infinity"], ["ninf", "-Infinity"]]) {
      await expectJson(
        post(app, "runs/log-metric", { run_id: id, key, value, timestamp: 1, step: 0 }),
        200,
      );
    }
    const { run } = await expectJson(get(app, "runs/get", { run_id: id }), 200);
    const byKey = Object.fromEntries(
      run.data.metrics.map((m: { key: string; value: unknown }) => [m.key, m.value]),
    );
    assert.equal(byKey.nan, "NaN");
    assert.equal(byKey.pinf, Number.MAX_VALUE);
    assert.equal(byKey.ninf, -Number.MAX_VALUE);
    assert.equal(byKey.loss, 1);
  });
  await t.step("numeric strings for value, timestamp and step", async () => {
    await expectJson(
      post(app, "runs/log-metric", {
        run_id: id,
        key: "s",
        value: "1.5",
        timestamp: "10",
        step: "2",
      }),
      200,
    );
    const hist = await expectJson(
      get(app, "metrics/get-history", { run_id: id, metric_key: "s" }),
      200,
    );
    assert.deepEqual(hist.metrics, [{ key: "s", value: 1.5, timestamp: 10, step: 2 }]);
  });
  await t.step("camelCase field names", async () => {
    await expectJson(
      post(app, "runs/log-metric", { runId: id, key: "c", value: 2, timestamp: 5 }),
      200,
    );
  });
  await t.step("a boolean value is rejected", async () => {
    const msg = await expectError(
      post(app, "runs/log-metric", { run_id: id, key: "b", value: true, timestamp: 1 }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.equal(
      msg,
      "Invalid value True for parameter 'value' supplied. Hint: Value was of type 'bool'. See the API docs for more information about request parameters.",
    );
  });
  await t.step("missing fields", async () => {
    await expectMissing(
      post(app, "runs/log-metric", { run_id: id, key: "m", timestamp: 1 }),
      "value",
    );
    await expectMissing(
      post(app, "runs/log-metric", { run_id: id, key: "m", value: 1 }),
      "timestamp",
    );
    await expectMissing(
      post(app, "runs/log-metric", { key: "m", value: 1, timestamp: 1 }),
      "run_id",
    );
  });
  await t.step("negative timestamp is rejected, negative step accepted", async () => {
    await expectError(
      post(app, "runs/log-metric", { run_id: id, key: "m", value: 1, timestamp: -1 }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectJson(
      post(app, "runs/log-metric", { run_id: id, key: "m", value: 1, timestamp: 1, step: -3 }),
      200,
    );
  });
  await t.step("unknown run is 404", async () => {
    await expectError(
      post(app, "runs/log-metric", { run_id: "b".repeat(32), key: "m", value: 1, timestamp: 1 }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
});

Deno.test("POST runs/log-parameter: client body, same value no-op, change rejected", async () => {
  const app = newApp();
  const id = await createRun(app);
  const body = { run_uuid: id, key: "child_param", value: "c", run_id: id };
  await expectJson(post(app, "runs/log-parameter", body), 200);
  await expectJson(post(app, "runs/log-parameter", body), 200);
  const msg = await expectError(
    post(app, "runs/log-parameter", { ...body, value: "d" }),
    400,
    "INVALID_PARAMETER_VALUE",
  );
  assert.match(msg, /Changing param values is not allowed/);
  await expectJson(post(app, "runs/log-parameter", { run_id: id, key: "novalue" }), 200);
  const { run } = await expectJson(get(app, "runs/get", { run_id: id }), 200);
  assert.deepEqual(
    run.data.params.find((p: { key: string }) => p.key === "novalue"),
    { key: "novalue", value: "" },
  );
  await expectMissing(post(app, "runs/log-parameter", { run_id: id, value: "v" }), "key");
});

Deno.test("runs/set-tag and runs/delete-tag", async (t) => {
  const app = newApp();
  const id = await createRun(app);
  await t.step("the client's set-tag body", async () => {
    await expectJson(
      post(app, "runs/set-tag", { run_uuid: id, key: "team", value: "peers", run_id: id }),
      200,
    );
  });
  await t.step("mlflow.runName renames the run", async () => {
    await expectJson(
      post(app, "runs/set-tag", { run_id: id, key: "mlflow.runName", value: "new-name" }),
      200,
    );
    const { run } = await expectJson(get(app, "runs/get", { run_id: id }), 200);
    assert.equal(run.info.run_name, "new-name");
  });
  await t.step("delete-tag with the client's body", async () => {
    await expectJson(post(app, "runs/delete-tag", { run_id: id, key: "team" }), 200);
    await expectError(
      post(app, "runs/delete-tag", { run_id: id, key: "team" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
  await t.step("bad tag key", async () => {
    await expectError(
      post(app, "runs/set-tag", { run_id: id, key: "../x", value: "v" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("writes to a deleted run are 400", async () => {
    await expectJson(post(app, "runs/delete", { run_id: id }), 200);
    await expectError(
      post(app, "runs/set-tag", { run_id: id, key: "k", value: "v" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      post(app, "runs/log-parameter", { run_id: id, key: "k", value: "v" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      post(app, "runs/log-metric", { run_id: id, key: "k", value: 1, timestamp: 1 }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      post(app, "runs/log-batch", { run_id: id, params: [{ key: "k", value: "v" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    await expectError(
      post(app, "runs/delete-tag", { run_id: id, key: "mlflow.user" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
});

Deno.test("POST runs/log-batch: client body, all parts, limits and errors", async (t) => {
  const app = newApp();
  const id = await createRun(app);
  await t.step("the client's params body", async () => {
    const body = {
      run_id: id,
      params: [{ key: "batch", value: "32" }, { key: "optimizer", value: "adam" }],
    };
    assert.deepEqual(await expectJson(post(app, "runs/log-batch", body), 200), {});
  });
  await t.step("metrics, params and tags together; latest metric in run data", async () => {
    await expectJson(
      post(app, "runs/log-batch", {
        run_id: id,
        metrics: [
          { key: "acc", value: 0.5, timestamp: 1, step: 0 },
          { key: "acc", value: 0.9, timestamp: 2, step: 1 },
        ],
        params: [{ key: "lr", value: "0.01" }],
        tags: [{ key: "t", value: "1" }],
      }),
      200,
    );
    const { run } = await expectJson(get(app, "runs/get", { run_id: id }), 200);
    assert.deepEqual(run.data.metrics, [{ key: "acc", value: 0.9, timestamp: 2, step: 1 }]);
  });
  await t.step("item fields must be present", async () => {
    await expectMissing(
      post(app, "runs/log-batch", { run_id: id, metrics: [{ key: "a", value: 1 }] }),
      "metrics[0].timestamp",
    );
    await expectMissing(
      post(app, "runs/log-batch", { run_id: id, params: [{ value: "v" }] }),
      "params[0].key",
    );
  });
  await t.step("more than 1000 metrics", async () => {
    const metrics = Array.from(
      { length: 1001 },
      (_, i) => ({ key: "m", value: i, timestamp: i, step: i }),
    );
    const msg = await expectError(
      post(app, "runs/log-batch", { run_id: id, metrics }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(msg, /at most 1000 metrics/);
  });
  await t.step("more than 100 params", async () => {
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "v" }));
    await expectError(
      post(app, "runs/log-batch", { run_id: id, params }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("duplicate param keys", async () => {
    const params = [{ key: "d", value: "v" }, { key: "d", value: "v" }];
    await expectError(
      post(app, "runs/log-batch", { run_id: id, params }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("changing a param", async () => {
    await expectError(
      post(app, "runs/log-batch", { run_id: id, params: [{ key: "lr", value: "0.1" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("an over-sized body is a clean 413", async () => {
    const big = "x".repeat(BODY_LIMITS["/runs/log-batch"] + 1);
    await expectError(
      post(app, "runs/log-batch", { run_id: id, tags: [{ key: "k", value: big }] }),
      413,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("long params and tags are truncated, not rejected", async () => {
    await expectJson(
      post(app, "runs/log-batch", {
        run_id: id,
        params: [{ key: "long", value: "p".repeat(7000) }],
      }),
      200,
    );
    const { run } = await expectJson(get(app, "runs/get", { run_id: id }), 200);
    assert.equal(run.data.params.find((p: { key: string }) => p.key === "long").value.length, 6000);
  });
});

Deno.test("POST runs/log-model with the client's body; invalid model_json", async () => {
  const app = newApp();
  const id = await createRun(app);
  const modelJson = JSON.stringify({
    run_id: id,
    artifact_path: "model",
    utc_time_created: "2026-11-27 13:02:42.351894",
    model_uuid: "d6b1dbd1486a46fca79d76030f68a609",
    flavors: { python_function: { model_path: "model.pkl", loader_module: "mlflow.sklearn" } },
  });
  await expectJson(post(app, "runs/log-model", { run_id: id, model_json: modelJson }), 200);
  const { run } = await expectJson(get(app, "runs/get", { run_id: id }), 200);
  const history = run.data.tags.find((t: { key: string }) => t.key === "mlflow.log-model.history");
  assert.equal(JSON.parse(history.value)[0].artifact_path, "model");
  assert.match(
    await expectError(
      post(app, "runs/log-model", { run_id: id, model_json: "{}" }),
      400,
      "INVALID_PARAMETER_VALUE",
    ),
    /missing mandatory fields/,
  );
  assert.match(
    await expectError(
      post(app, "runs/log-model", { run_id: id, model_json: "not json" }),
      400,
      "INVALID_PARAMETER_VALUE",
    ),
    /Malformed model info/,
  );
  await expectMissing(post(app, "runs/log-model", { run_id: id }), "model_json");
});

Deno.test("POST runs/log-inputs with the client's dataset body", async () => {
  const app = newApp();
  const id = await createRun(app);
  const body = {
    run_id: id,
    datasets: [{
      tags: [{ key: "mlflow.data.context", value: "train" }],
      dataset: {
        name: "dataset",
        digest: "ea9bb374",
        source_type: "code",
        source: '{"tags": {"mlflow.user": "root"}}',
        schema: '{"mlflow_tensorspec": {}}',
        profile: '{"features_shape": [6, 2]}',
      },
    }],
  };
  await expectJson(post(app, "runs/log-inputs", body), 200);
  await expectJson(post(app, "runs/log-inputs", body), 200);
  const { run } = await expectJson(get(app, "runs/get", { run_id: id }), 200);
  assert.equal(run.inputs.dataset_inputs.length, 1);
  assert.equal(run.inputs.dataset_inputs[0].dataset.digest, "ea9bb374");
  const bad = {
    run_id: id,
    datasets: [{ dataset: { name: "d", digest: "x", source_type: "code" } }],
  };
  await expectMissing(post(app, "runs/log-inputs", bad), "datasets[0].dataset.source");
});

Deno.test("POST runs/search: client body, paging, filters and errors", async (t) => {
  const app = newApp();
  const exp = await createExperiment(app);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const id = await createRun(app, exp);
    ids.push(id);
    await expectJson(
      post(app, "runs/log-batch", {
        run_id: id,
        metrics: [{ key: "acc", value: 0.5 + i * 0.2, timestamp: 1, step: 0 }],
        params: [{ key: "lr", value: "0.01" }],
      }),
      200,
    );
  }
  await t.step("the client's exact body", async () => {
    const body = await expectJson(
      post(app, "runs/search", {
        experiment_ids: [exp],
        run_view_type: "ACTIVE_ONLY",
        filter: "metrics.acc > 0.6 and params.lr = '0.01'",
        max_results: 10000,
        order_by: ["metrics.acc DESC"],
      }),
      200,
    );
    assert.deepEqual(body.runs.map((r: { info: { run_id: string } }) => r.info.run_id), [
      ids[2],
      ids[1],
    ]);
    assert.equal("outputs" in body.runs[0], false);
    assert.deepEqual(Object.keys(body.runs[0]).sort(), ["data", "info", "inputs"]);
  });
  await t.step("the web UI's body (ajax-api)", async () => {
    const body = await expectJson(
      post(app, "/ajax-api/2.0/mlflow/runs/search", {
        experiment_ids: [exp],
        run_view_type: "ACTIVE_ONLY",
        max_results: 100,
        order_by: ["attributes.start_time DESC"],
      }),
      200,
    );
    assert.equal(body.runs.length, 3);
  });
  await t.step("paging", async () => {
    const first = await expectJson(
      post(app, "runs/search", { experiment_ids: [exp], max_results: 2 }),
      200,
    );
    assert.equal(first.runs.length, 2);
    const second = await expectJson(
      post(app, "runs/search", {
        experiment_ids: [exp],
        max_results: 2,
        page_token: first.next_page_token,
      }),
      200,
    );
    assert.equal(second.runs.length, 1);
    assert.equal("next_page_token" in second, false);
  });
  await t.step("no experiment ids gives {}", async () => {
    assert.deepEqual(await expectJson(post(app, "runs/search", {}), 200), {});
  });
  await t.step("numeric experiment ids", async () => {
    const body = await expectJson(post(app, "runs/search", { experiment_ids: [Number(exp)] }), 200);
    assert.equal(body.runs.length, 3);
  });
  await t.step("invalid filter", async () => {
    await expectError(
      post(app, "runs/search", { experiment_ids: [exp], filter: "metrics.acc >" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("max_results above 50000", async () => {
    await expectError(
      post(app, "runs/search", { experiment_ids: [exp], max_results: 50001 }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("order_by must be a list of strings", async () => {
    await expectError(
      post(app, "runs/search", { experiment_ids: [exp], order_by: [1] }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
});
