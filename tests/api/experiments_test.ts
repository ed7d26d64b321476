import assert from "node:assert/strict";
import {
  createExperiment,
  expectError,
  expectJson,
  expectMissing,
  get,
  newApp,
  post,
} from "./_helpers.ts";

Deno.test("POST experiments/create returns the id; get and get-by-name return it", async () => {
  const app = newApp();
  const name = "smoke-1795784554-e841e7";
  const { experiment_id } = await expectJson(post(app, "experiments/create", { name }), 200);
  assert.equal(experiment_id, "1");
  const { experiment } = await expectJson(get(app, "experiments/get", { experiment_id }), 200);
  assert.equal(experiment.name, name);
  assert.equal(experiment.artifact_location, "mlflow-artifacts:/1");
  assert.equal(experiment.lifecycle_stage, "active");
  assert.equal(typeof experiment.creation_time, "number");
  assert.equal("tags" in experiment, false, "empty tags are omitted");
  const byName = await expectJson(
    get(app, "experiments/get-by-name", { experiment_name: name }),
    200,
  );
  assert.deepEqual(byName.experiment, experiment);
});

Deno.test("POST experiments/create with tags and artifact_location", async () => {
  const app = newApp();
  const { experiment_id } = await expectJson(
    post(app, "experiments/create", {
      name: "tagged",
      artifact_location: "mlflow-artifacts:/custom",
      tags: [{ key: "owner", value: "peers" }],
    }),
    200,
  );
  const { experiment } = await expectJson(get(app, "experiments/get", { experiment_id }), 200);
  assert.deepEqual(experiment.tags, [{ key: "owner", value: "peers" }]);
});

Deno.test("POST experiments/create error cases", async (t) => {
  const app = newApp();
  await t.step("missing name", async () => {
    await expectMissing(post(app, "experiments/create", {}), "name");
  });
  await t.step("empty name counts as missing", async () => {
    await expectMissing(post(app, "experiments/create", { name: "" }), "name");
  });
  await t.step("wrong type", async () => {
    const msg = await expectError(
      post(app, "experiments/create", { name: 5 }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(
      msg,
      /^Invalid value 5 for parameter 'name' supplied\. Hint: Value was of type 'int'/,
    );
  });
  await t.step("duplicate name is RESOURCE_ALREADY_EXISTS with 400", async () => {
    await createExperiment(app, "dup");
    await expectError(
      post(app, "experiments/create", { name: "dup" }),
      400,
      "RESOURCE_ALREADY_EXISTS",
    );
  });
  await t.step("a deleted experiment's name is still taken", async () => {
    const id = await createExperiment(app, "gone");
    await expectJson(post(app, "experiments/delete", { experiment_id: id }), 200);
    await expectError(
      post(app, "experiments/create", { name: "gone" }),
      400,
      "RESOURCE_ALREADY_EXISTS",
    );
  });
});

Deno.test("GET experiments/get and get-by-name error cases", async (t) => {
  const app = newApp();
  await t.step("unknown id is 404", async () => {
    await expectError(
      get(app, "experiments/get", { experiment_id: "404" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
  await t.step("missing id", async () => {
    await expectMissing(get(app, "experiments/get"), "experiment_id");
  });
  await t.step("unknown name is 404 with MLflow's message", async () => {
    const msg = await expectError(
      get(app, "experiments/get-by-name", { experiment_name: "smoke-x" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    assert.match(msg, /smoke-x/);
  });
  await t.step("missing name", async () => {
    await expectMissing(get(app, "experiments/get-by-name"), "experiment_name");
  });
});

Deno.test("experiments/search: client body, GET form, paging, errors", async (t) => {
  const app = newApp();
  const name = "smoke-1795784554-e841e7";
  await createExperiment(app, name);
  for (let i = 0; i < 3; i++) await createExperiment(app, `other-${i}`);
  await t.step("POST with the client's exact body", async () => {
    const body = await expectJson(
      post(app, "experiments/search", {
        max_results: 1000,
        filter: `name = '${name}'`,
        view_type: "ACTIVE_ONLY",
      }),
      200,
    );
    assert.deepEqual(body.experiments.map((e: { name: string }) => e.name), [name]);
    assert.equal("next_page_token" in body, false);
  });
  await t.step("POST without max_results defaults to 1000", async () => {
    const body = await expectJson(post(app, "experiments/search", {}), 200);
    assert.equal(body.experiments.length, 5);
  });
  await t.step("GET as the web UI sends it, with order_by", async () => {
    const body = await expectJson(
      get(app, "experiments/search", { max_results: "20000", order_by: "name ASC" }),
      200,
    );
    assert.equal(body.experiments[0].name, "Default");
  });
  await t.step("paging with next_page_token", async () => {
    const first = await expectJson(post(app, "experiments/search", { max_results: 2 }), 200);
    assert.equal(first.experiments.length, 2);
    assert.equal(typeof first.next_page_token, "string");
    const rest = await expectJson(
      get(app, "experiments/search", { max_results: "10", page_token: first.next_page_token }),
      200,
    );
    assert.equal(rest.experiments.length, 3);
    assert.equal("next_page_token" in rest, false);
  });
  await t.step("view_type by number", async () => {
    const body = await expectJson(post(app, "experiments/search", { view_type: 2 }), 200);
    assert.equal("experiments" in body, false, "no deleted experiments: empty list omitted");
  });
  await t.step("unknown view_type name", async () => {
    await expectError(
      post(app, "experiments/search", { view_type: "SOME" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("bad filter", async () => {
    await expectError(
      post(app, "experiments/search", { filter: "name ~~ 1" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("max_results of the wrong type", async () => {
    const msg = await expectError(
      post(app, "experiments/search", { max_results: "lots" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(msg, /parameter 'max_results'.*'str'/);
  });
  await t.step("bad page token", async () => {
    await expectError(
      post(app, "experiments/search", { page_token: "garbage!" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
});

Deno.test("experiments/update renames; errors for deleted, duplicate and missing", async (t) => {
  const app = newApp();
  const id = await createExperiment(app, "before");
  await t.step("rename with the client's body", async () => {
    assert.deepEqual(
      await expectJson(
        post(app, "experiments/update", { experiment_id: id, new_name: "tmp2-1795784554-e841e7" }),
        200,
      ),
      {},
    );
    const { experiment } = await expectJson(
      get(app, "experiments/get", { experiment_id: id }),
      200,
    );
    assert.equal(experiment.name, "tmp2-1795784554-e841e7");
  });
  await t.step("duplicate name", async () => {
    await createExperiment(app, "taken");
    const res = await post(app, "experiments/update", { experiment_id: id, new_name: "taken" });
    assert.equal(res.status, 400);
  });
  await t.step("missing new_name", async () => {
    await expectMissing(post(app, "experiments/update", { experiment_id: id }), "new_name");
  });
  await t.step("renaming a deleted experiment is a 400, never a 5xx", async () => {
    await expectJson(post(app, "experiments/delete", { experiment_id: id }), 200);
    const body = await expectJson(
      post(app, "experiments/update", { experiment_id: id, new_name: "x" }),
      400,
    );
    assert.equal(body.error_code, "INVALID_STATE");
  });
  await t.step("unknown experiment", async () => {
    await expectError(
      post(app, "experiments/update", { experiment_id: "999", new_name: "y" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
});

Deno.test("experiments/delete and restore, including their runs", async (t) => {
  const app = newApp();
  const id = await createExperiment(app);
  const run = await expectJson(post(app, "runs/create", { experiment_id: id }), 200);
  const runId = run.run.info.run_id;
  await t.step("delete marks experiment and runs deleted", async () => {
    assert.deepEqual(
      await expectJson(post(app, "experiments/delete", { experiment_id: id }), 200),
      {},
    );
    const { experiment } = await expectJson(
      get(app, "experiments/get", { experiment_id: id }),
      200,
    );
    assert.equal(experiment.lifecycle_stage, "deleted");
    const r = await expectJson(get(app, "runs/get", { run_id: runId }), 200);
    assert.equal(r.run.info.lifecycle_stage, "deleted");
  });
  await t.step("deleting again is 404", async () => {
    await expectError(
      post(app, "experiments/delete", { experiment_id: id }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
  await t.step("restore reactivates experiment and runs", async () => {
    assert.deepEqual(
      await expectJson(post(app, "experiments/restore", { experiment_id: id }), 200),
      {},
    );
    const r = await expectJson(get(app, "runs/get", { run_id: runId }), 200);
    assert.equal(r.run.info.lifecycle_stage, "active");
  });
  await t.step("restoring an active experiment is 404", async () => {
    await expectError(
      post(app, "experiments/restore", { experiment_id: id }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
  await t.step("numeric experiment_id is accepted", async () => {
    await expectJson(post(app, "experiments/delete", { experiment_id: Number(id) }), 200);
  });
  await t.step("missing experiment_id", async () => {
    await expectMissing(post(app, "experiments/restore", {}), "experiment_id");
  });
});

Deno.test("experiment tags: set, delete and their errors", async (t) => {
  const app = newApp();
  const id = await createExperiment(app);
  await t.step("set with the client's body", async () => {
    await expectJson(
      post(app, "experiments/set-experiment-tag", {
        experiment_id: id,
        key: "owner",
        value: "peers",
      }),
      200,
    );
    const { experiment } = await expectJson(
      get(app, "experiments/get", { experiment_id: id }),
      200,
    );
    assert.deepEqual(experiment.tags, [{ key: "owner", value: "peers" }]);
  });
  await t.step("delete", async () => {
    await expectJson(
      post(app, "experiments/delete-experiment-tag", { experiment_id: id, key: "owner" }),
      200,
    );
    const { experiment } = await expectJson(
      get(app, "experiments/get", { experiment_id: id }),
      200,
    );
    assert.equal("tags" in experiment, false);
  });
  await t.step("deleting a missing tag is 404", async () => {
    await expectError(
      post(app, "experiments/delete-experiment-tag", { experiment_id: id, key: "owner" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
  await t.step("missing key", async () => {
    await expectMissing(
      post(app, "experiments/set-experiment-tag", { experiment_id: id, value: "v" }),
      "key",
    );
  });
  await t.step("value over 5000 chars is an error", async () => {
    await expectError(
      post(app, "experiments/set-experiment-tag", {
        experiment_id: id,
        key: "k",
        value: "x".repeat(5001),
      }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });
  await t.step("tag on a deleted experiment is 400", async () => {
    await expectJson(post(app, "experiments/delete", { experiment_id: id }), 200);
    const res = await post(app, "experiments/set-experiment-tag", {
      experiment_id: id,
      key: "k",
      value: "v",
    });
    assert.equal(res.status, 400);
  });
});

Deno.test("GET experiments/list-keys lists the keys of every run of the experiment", async () => {
  const app = newApp();
  const experiment_id = await createExperiment(app);
  const ids: string[] = [];
  for (const name of ["a", "b"]) {
    const { run } = await expectJson(
      post(app, "runs/create", { experiment_id, run_name: name }),
      200,
    );
    ids.push(run.info.run_id);
  }
  await expectJson(
    post(app, "runs/log-batch", {
      run_id: ids[1],
      params: [{ key: "only_b", value: "1" }],
      metrics: [{ key: "loss", value: 0.5, timestamp: 1, step: 0 }],
      tags: [{ key: "team", value: "x" }],
    }),
    200,
  );
  const keys = await expectJson(get(app, "experiments/list-keys", { experiment_id }), 200);
  assert.deepEqual(keys.param_keys, ["only_b"]);
  assert.deepEqual(keys.metric_keys, ["loss"]);
  assert.ok(keys.tag_keys.includes("team") && keys.tag_keys.includes("mlflow.runName"));
  assert.equal(keys.truncated, false);
});

Deno.test("GET experiments/list-keys: bad input is a 4xx with MLflow's error codes", async () => {
  const app = newApp();
  await expectMissing(get(app, "experiments/list-keys"), "experiment_id");
  await expectMissing(get(app, "experiments/list-keys", { experiment_id: "" }), "experiment_id");
  await expectError(
    get(app, "experiments/list-keys", { experiment_id: "424242" }),
    404,
    "RESOURCE_DOES_NOT_EXIST",
  );
  await expectError(
    get(app, "experiments/list-keys", { experiment_id: "9".repeat(3000) }),
    404,
    "RESOURCE_DOES_NOT_EXIST",
  );
});
