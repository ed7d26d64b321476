/** Conformance: MLflow's stateless input rules (keys, values, names, locations, limits). */
import assert from "node:assert/strict";
import { withValidation } from "../../store/validation.ts";
import {
  assertMlflowError,
  chars,
  dataset,
  datasetInput,
  metric,
  newRun,
  param,
  randomExperimentName,
  T0,
  tag,
} from "../fixtures.ts";
import type { Define } from "./_harness.ts";

const GOOD_KEYS = [
  "a",
  "a/b",
  "a.b",
  "a-b_c d:e",
  "x..y",
  ".hidden",
  "ünïcødé/指标",
  "数字٣",
  chars(250),
];
const BAD_CHAR_KEYS = ["a\\b", "a#b", "a$b", "tab\tkey", "a?b", "emoji😀"];
/** Keys that path normalisation changes, with what they would resolve to. */
const PATH_KEYS: [string, string][] = [
  ["", "."],
  ["/a", "/a"],
  ["a/", "a"],
  ["a//b", "a/b"],
  ["./a", "a"],
  ["a/./b", "a/b"],
  ["a/../b", "b"],
  ["..", ".."],
  ["../a", "../a"],
  ["..a", "..a"],
  [".", "."],
];
const BAD_CHARS =
  "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), " +
  "spaces ( ), colon(:) and slashes (/).";

/** Registers the stateless validation tests. */
export function validationConformance(test: Define): void {
  test("logBatch() accepts MLflow-valid metric, param and tag keys (Unicode \\w)", async (store) => {
    const { runId } = await newRun(store);
    await store.logBatch(runId, {
      metrics: GOOD_KEYS.map((k) => metric(k, 1)),
      params: GOOD_KEYS.map((k) => param(k, "v")),
      tags: GOOD_KEYS.map((k) => tag(k, "v")),
    });
    const { data } = await store.getRun(runId);
    for (const k of GOOD_KEYS) {
      assert.ok(data.metrics.some((m) => m.key === k), `metric ${k}`);
      assert.ok(data.params.some((p) => p.key === k), `param ${k}`);
      assert.ok(data.tags.some((x) => x.key === k), `tag ${k}`);
    }
  });

  test("logBatch() rejects keys with characters outside [/\\w.\\- :]", async (store, t) => {
    const { runId } = await newRun(store);
    for (const k of BAD_CHAR_KEYS) {
      await t.step(JSON.stringify(k), async () => {
        await assertMlflowError(
          store.logBatch(runId, { metrics: [metric(k, 1)] }),
          "INVALID_PARAMETER_VALUE",
          `Invalid metric name: '${k}'. ${BAD_CHARS}`,
        );
        await assertMlflowError(
          store.logBatch(runId, { params: [param(k, "v")] }),
          "INVALID_PARAMETER_VALUE",
          `Invalid param name: '${k}'. ${BAD_CHARS}`,
        );
        await assertMlflowError(
          store.logBatch(runId, { tags: [tag(k, "v")] }),
          "INVALID_PARAMETER_VALUE",
          `Invalid tag name: '${k}'. ${BAD_CHARS}`,
        );
      });
    }
  });

  test("logBatch() rejects keys that path normalisation would change", async (store, t) => {
    const { runId } = await newRun(store);
    for (const [k, norm] of PATH_KEYS) {
      await t.step(JSON.stringify(k), async () => {
        const msg = (kind: string) =>
          `Invalid ${kind} name: '${k}'. Names may be treated as files in certain cases, and must ` +
          `not resolve to other names when treated as such. This name would resolve to '${norm}'`;
        await assertMlflowError(
          store.logBatch(runId, { metrics: [metric(k, 1)] }),
          "INVALID_PARAMETER_VALUE",
          msg("metric"),
        );
        await assertMlflowError(
          store.logBatch(runId, { params: [param(k, "v")] }),
          "INVALID_PARAMETER_VALUE",
          msg("param"),
        );
        await assertMlflowError(
          store.logBatch(runId, { tags: [tag(k, "v")] }),
          "INVALID_PARAMETER_VALUE",
          msg("tag"),
        );
      });
    }
  });

  test("logBatch() rejects keys longer than 250 characters", async (store) => {
    const { runId } = await newRun(store);
    const k = chars(251);
    const msg = (what: string) =>
      `${what} '${chars(100)}...' had length 251, which exceeded length limit of 250`;
    await assertMlflowError(
      store.logBatch(runId, { metrics: [metric(k, 1)] }),
      "INVALID_PARAMETER_VALUE",
      msg("Metric name"),
    );
    await assertMlflowError(
      store.logBatch(runId, { params: [param(k, "v")] }),
      "INVALID_PARAMETER_VALUE",
      msg("Param key"),
    );
    await assertMlflowError(
      store.logBatch(runId, { tags: [tag(k, "v")] }),
      "INVALID_PARAMETER_VALUE",
      msg("Tag key"),
    );
  });

  test("logBatch() checks metric values, timestamps and steps", async (store, t) => {
    const { runId } = await newRun(store);
    await t.step("NaN, ±Infinity and negative steps are accepted", async () => {
      await store.logBatch(runId, {
        metrics: [
          metric("nan", NaN),
          metric("inf", Infinity),
          metric("ninf", -Infinity),
          metric("neg", 1, T0, -5),
          metric("zero", 0, 0, 0),
        ],
      });
      const { data } = await store.getRun(runId);
      const value = (k: string) => data.metrics.find((m) => m.key === k)?.value;
      assert.ok(Number.isNaN(value("nan")));
      assert.equal(value("inf"), Number.MAX_VALUE, "+Infinity is stored as the largest double");
      assert.equal(value("ninf"), -Number.MAX_VALUE);
      assert.equal(data.metrics.find((m) => m.key === "neg")?.step, -5);
      assert.equal(data.metrics.find((m) => m.key === "zero")?.timestamp, 0);
    });
    await t.step("a non-number value is rejected", async () => {
      await assertMlflowError(
        store.logBatch(runId, { metrics: [metric("m", "1.5" as unknown as number)] }),
        "INVALID_PARAMETER_VALUE",
        `Got invalid value 1.5 for metric 'm' (timestamp=${T0}). ` +
          "Please specify value as a valid double (64-bit floating point)",
      );
      await assertMlflowError(
        store.logBatch(runId, { metrics: [metric("m", true as unknown as number)] }),
        "INVALID_PARAMETER_VALUE",
      );
    });
    await t.step("a negative or fractional timestamp is rejected", async () => {
      for (const ts of [-1, 1.5]) {
        await assertMlflowError(
          store.logBatch(runId, { metrics: [metric("m", 1, ts)] }),
          "INVALID_PARAMETER_VALUE",
          `Got invalid timestamp ${ts} for metric 'm' (value=1). ` +
            "Timestamp must be a nonnegative long (64-bit integer)",
        );
      }
    });
    await t.step("a fractional step is rejected", async () => {
      await assertMlflowError(
        store.logBatch(runId, { metrics: [metric("m", 1, T0, 0.5)] }),
        "INVALID_PARAMETER_VALUE",
        "Got invalid step 0.5 for metric 'm' (value=1). Step must be a valid long (64-bit integer)",
      );
    });
  });

  test("logBatch() counts lengths in code points when truncating", async (store) => {
    const { runId } = await newRun(store);
    const emoji = "😀".repeat(6001);
    await store.logBatch(runId, {
      params: [param("e", emoji)],
      tags: [tag("short", "😀".repeat(8000))],
    });
    const { data } = await store.getRun(runId);
    assert.equal(data.params[0].value, "😀".repeat(6000));
    assert.equal(data.tags.find((x) => x.key === "short")?.value, "😀".repeat(8000));
  });

  test("logBatch() rejects long values when truncation is off", async (store) => {
    const strict = withValidation(store, { truncateLongValues: false });
    const { runId } = await newRun(strict);
    await assertMlflowError(
      strict.logBatch(runId, { params: [param("p", chars(6001))] }),
      "INVALID_PARAMETER_VALUE",
      `Param value '${chars(100)}...' had length 6001, which exceeded length limit of 6000`,
    );
    await assertMlflowError(
      strict.logBatch(runId, { tags: [tag("t", chars(8001))] }),
      "INVALID_PARAMETER_VALUE",
      `Tag value '${chars(100)}...' had length 8001, which exceeded length limit of 8000`,
    );
    await strict.logBatch(runId, {
      params: [param("p", chars(6000))],
      tags: [tag("t", chars(8000))],
    });
  });

  test("createExperiment() validates the name", async (store) => {
    await assertMlflowError(
      store.createExperiment({ name: "" }),
      "INVALID_PARAMETER_VALUE",
      "Invalid experiment name: ''",
    );
    await assertMlflowError(
      store.createExperiment({ name: chars(501) }),
      "INVALID_PARAMETER_VALUE",
      `Experiment name '${chars(100)}...' had length 501, which exceeded length limit of 500`,
    );
    const id = await store.createExperiment({ name: chars(500) });
    assert.equal((await store.getExperiment(id)).name, chars(500));
  });

  test("createExperiment() rejects unsafe artifact locations", async (store, t) => {
    const bad = [
      "runs:/abc/model",
      "s3://bucket/path#frag",
      "https://host/path;params",
      "s3://bucket/../etc",
      "mlflow-artifacts:/../../etc",
      "s3://bucket/%2e%2e/etc",
      "s3://bucket/%252e%252e%252fetc",
      "s3://bucket/x?y=..",
      "s3://bucket/%23frag",
      "s3://bucket/%2e%2e/%zz",
      `s3://bucket/${chars(2049 - "s3://bucket/".length)}`,
    ];
    for (const artifactLocation of bad) {
      await t.step(artifactLocation.slice(0, 40), async () => {
        await assertMlflowError(
          store.createExperiment({ name: randomExperimentName(), artifactLocation }),
          "INVALID_PARAMETER_VALUE",
        );
      });
    }
    await t.step("safe locations up to 2048 characters are kept", async () => {
      const root = "mlflow-artifacts:/";
      for (const loc of [`${root}a..b/c`, `${root}${chars(2048 - root.length)}`]) {
        const id = await store.createExperiment({
          name: randomExperimentName(),
          artifactLocation: loc,
        });
        assert.equal((await store.getExperiment(id)).artifact_location, loc);
      }
    });
  });

  test(
    "createExperiment() accepts artifact locations only under the server's root",
    async (store, t) => {
      const outside = [
        "file:///etc",
        "/etc",
        "./local/dir",
        "http://127.0.0.1:5000/x",
        "https://169.254.169.254/latest/meta-data",
        "s3://other-bucket/x",
        "dbfs:/x",
        "mlflow-artifacts://evil.example:80/x",
        "mlflow-artifactsX:/x",
      ];
      for (const artifactLocation of outside) {
        await t.step(artifactLocation, async () => {
          await assertMlflowError(
            store.createExperiment({ name: randomExperimentName(), artifactLocation }),
            "INVALID_PARAMETER_VALUE",
          );
        });
      }
    },
  );

  test("setExperimentTag() checks keys and rejects values over 5000 without truncating", async (store) => {
    const id = await store.createExperiment({ name: randomExperimentName() });
    await store.setExperimentTag(id, "ok", chars(5000));
    await assertMlflowError(
      store.setExperimentTag(id, "long", chars(5001)),
      "INVALID_PARAMETER_VALUE",
      `Tag value '${chars(100)}...' had length 5001, which exceeded length limit of 5000`,
    );
    await assertMlflowError(
      store.setExperimentTag(id, chars(251), "v"),
      "INVALID_PARAMETER_VALUE",
      `Tag key '${chars(100)}...' had length 251, which exceeded length limit of 250`,
    );
    await assertMlflowError(
      store.setExperimentTag(id, "a//b", "v"),
      "INVALID_PARAMETER_VALUE",
      /^Invalid tag name: 'a\/\/b'/,
    );
    await assertMlflowError(
      store.createExperiment({ name: randomExperimentName(), tags: [tag("t", chars(5001))] }),
      "INVALID_PARAMETER_VALUE",
    );
    assert.deepEqual((await store.getExperiment(id)).tags, [tag("ok", chars(5000))]);
  });

  test("every run-id method rejects a malformed run id", async (store) => {
    const bad = "-starts-with-dash";
    const msg = `Invalid value "${bad}" for parameter 'run_id' supplied`;
    const calls = [
      () => store.getRun(bad),
      () => store.updateRun(bad, {}),
      () => store.deleteRun(bad),
      () => store.restoreRun(bad),
      () => store.logBatch(bad, {}),
      () => store.deleteTag(bad, "k"),
      () => store.logModel(bad, "{}"),
      () => store.logInputs(bad, []),
      () => store.getMetricHistory(bad, "m"),
    ];
    for (const call of calls) await assertMlflowError(call(), "INVALID_PARAMETER_VALUE", msg);
  });

  test("regression: over-long keys in deleteTag/deleteExperimentTag/getMetricHistory are 400 (issue 10 #5)", async (store) => {
    const { experimentId, runId } = await newRun(store);
    const key = chars(3000, "k");
    const msg = /had length 3000, which exceeded length limit of 250/;
    await assertMlflowError(store.deleteTag(runId, key), "INVALID_PARAMETER_VALUE", msg);
    await assertMlflowError(
      store.deleteExperimentTag(experimentId, key),
      "INVALID_PARAMETER_VALUE",
      msg,
    );
    await assertMlflowError(store.getMetricHistory(runId, key), "INVALID_PARAMETER_VALUE", msg);
    // At the limit it is an ordinary key: no such tag, an empty history.
    await assertMlflowError(store.deleteTag(runId, chars(250, "k")), "RESOURCE_DOES_NOT_EXIST");
    assert.deepEqual((await store.getMetricHistory(runId, chars(250, "k"))).items, []);
  });

  test("regression: runs/search filter and order_by keys over 250 characters are 400 (issue 10 #5)", async (store) => {
    const { experimentId } = await newRun(store);
    const key = chars(3000, "k");
    for (
      const filter of [`metrics.\`${key}\` > 1`, `params.\`${key}\` = 'a'`, `tags.\`${key}\` = 'a'`]
    ) {
      await assertMlflowError(
        store.searchRuns({ experimentIds: [experimentId], filter }),
        "INVALID_PARAMETER_VALUE",
        /keys have at most 250 characters/,
      );
    }
    // A 300-char key keeps the clause under the order_by clause cap, so the key check answers.
    const orderKey = chars(300, "k");
    for (
      const order of [
        `metrics.\`${orderKey}\``,
        `params.\`${orderKey}\` DESC`,
        `tags.\`${orderKey}\``,
      ]
    ) {
      await assertMlflowError(
        store.searchRuns({ experimentIds: [experimentId], orderBy: [order] }),
        "INVALID_PARAMETER_VALUE",
        /keys have at most 250 characters/,
      );
    }
    const k250 = chars(250, "k");
    const page = await store.searchRuns({
      experimentIds: [experimentId],
      filter: `metrics.\`${k250}\` > 1`,
      orderBy: [`params.\`${k250}\``],
    });
    assert.deepEqual(page.items, []);
  });

  test("regression: run_name follows the mlflow.runName tag rule in createRun and updateRun (issue 10 #5)", async (store) => {
    const long = chars(100_000, "r");
    const { runId, run } = await newRun(store, { runName: long });
    assert.equal(run.info.run_name, chars(8000, "r"));
    assert.equal(run.data.tags.find((t) => t.key === "mlflow.runName")?.value, chars(8000, "r"));
    const info = await store.updateRun(runId, { runName: chars(60_000, "u") });
    assert.equal(info.run_name, chars(8000, "u"));
    const { data } = await store.getRun(runId);
    assert.equal(data.tags.find((t) => t.key === "mlflow.runName")?.value, chars(8000, "u"));
    // Code points, as for tags: 8000 emoji are kept whole.
    const emoji = (await newRun(store, { runName: "😀".repeat(9000) })).run.info.run_name;
    assert.equal(emoji, "😀".repeat(8000));
    const strict = withValidation(store, { truncateLongValues: false });
    const tooLong = /Tag value '.*' had length 60000, which exceeded length limit of 8000/;
    await assertMlflowError(
      strict.createRun({ experimentId: "0", runName: chars(60_000) }),
      "INVALID_PARAMETER_VALUE",
      tooLong,
    );
    await assertMlflowError(
      strict.updateRun(runId, { runName: chars(60_000) }),
      "INVALID_PARAMETER_VALUE",
      tooLong,
    );
  });

  test("regression: a user_id over 256 characters is 400 (issue 10 #5)", async (store) => {
    await assertMlflowError(
      newRun(store, { userId: chars(100_000, "u") }),
      "INVALID_PARAMETER_VALUE",
      /User ID '.*' had length 100000, which exceeded length limit of 256/,
    );
    const { run } = await newRun(store, { userId: "😀".repeat(256) });
    assert.equal(run.info.user_id, "😀".repeat(256));
  });

  test("regression: logInputs rejects a 1 MB model_id and a 500-emoji dataset name (issue 10 #5)", async (store) => {
    const { runId } = await newRun(store);
    await assertMlflowError(
      store.logInputs(runId, [], [{ model_id: chars(1_000_000, "m") }]),
      "INVALID_PARAMETER_VALUE",
      /models\[0\]\.model_id/,
    );
    await assertMlflowError(
      store.logInputs(runId, [datasetInput("😀".repeat(500), chars(36, "d"))]),
      "INVALID_PARAMETER_VALUE",
      /Dataset name '.*' is 2000 bytes long in UTF-8, which exceeds the limit of 1500 bytes/,
    );
    await assertMlflowError(
      store.logBatch(runId, {
        metrics: [{ ...metric("m", 1), dataset_name: "😀".repeat(500), dataset_digest: "d" }],
      }),
      "INVALID_PARAMETER_VALUE",
      /exceeds the limit of 1500 bytes/,
    );
    await assertMlflowError(
      store.logInputs(runId, [{
        tags: [],
        dataset: dataset("n", "d", { source_type: chars(257) }),
      }]),
      "INVALID_PARAMETER_VALUE",
      /Dataset source type '.*' had length 257, which exceeded length limit of 256/,
    );
    const manyTags = Array.from({ length: 100 }, (_, i) => tag(`k${i}`, chars(500)));
    await assertMlflowError(
      store.logInputs(runId, [datasetInput("n", "d", manyTags)]),
      "INVALID_PARAMETER_VALUE",
      /have 50\d\d\d characters in all, which exceeds the limit of 16000/,
    );
    // Three long fields, each under a piece but together over one KV value, are stored whole.
    const wide = dataset("wide", "d", {
      source: "€".repeat(16_000),
      schema: "€".repeat(16_000),
      profile: "€".repeat(16_000),
    });
    await store.logInputs(runId, [{ tags: [], dataset: wide }]);
    const wideRun = await store.getRun(runId);
    assert.deepEqual(wideRun.inputs.dataset_inputs[0].dataset, wide);
    // 500 characters of the Basic Multilingual Plane (3 bytes each) with a full digest fit.
    await store.logInputs(runId, [datasetInput("指".repeat(500), chars(36, "d"))]);
    const { inputs } = await store.getRun(runId);
    assert.ok(inputs.dataset_inputs.some((d) => d.dataset.name === "指".repeat(500)));
  });

  test("regression: searchModelVersions refuses a run_id or name longer than any can be (issue 10 #5)", async (store) => {
    const long = chars(3000, "k");
    for (const filter of [`run_id = '${long}'`, `run_id IN ('a', '${long}')`, `name = '${long}'`]) {
      await assertMlflowError(
        store.searchModelVersions({ filter }),
        "INVALID_PARAMETER_VALUE",
        /is longer than 256 characters/,
      );
    }
    assert.deepEqual(
      (await store.searchModelVersions({ filter: `run_id = '${chars(256)}'` })).items,
      [],
    );
  });

  test("regression: a registry description of 20000 emoji or a 3000-char model_id is 400, not a database error (issue 10 #5)", async (store) => {
    await store.createRegisteredModel({ name: "desc-model" });
    await assertMlflowError(
      store.createModelVersion({
        name: "desc-model",
        source: "mlflow-artifacts:/x",
        description: "😀".repeat(20_000),
      }),
      "INVALID_PARAMETER_VALUE",
      "'description' exceeds the maximum length of 20000 characters",
    );
    await assertMlflowError(
      store.createModelVersion({
        name: "desc-model",
        source: "mlflow-artifacts:/x",
        modelId: chars(3000, "m"),
      }),
      "INVALID_PARAMETER_VALUE",
      /a model id has at most 256 characters/,
    );
    await store.updateRegisteredModel("desc-model", "😀".repeat(10_000));
    assert.equal((await store.getRegisteredModel("desc-model")).description, "😀".repeat(10_000));
  });

  test("regression: log-model history of emoji model_json is refused at the same size on both backends, never a KV error (issue 10 #5)", async (store) => {
    const { runId } = await newRun(store);
    const model = JSON.stringify({
      artifact_path: "m",
      flavors: { x: "😀".repeat(2500) },
      utc_time_created: "t",
      run_id: runId,
    });
    let logged = 0;
    for (; logged < 20; logged++) {
      try {
        await store.logModel(runId, model);
      } catch (e) {
        await assertMlflowError(
          Promise.reject(e),
          "INVALID_PARAMETER_VALUE",
          /too long to log another model .* at most 32000 characters/,
        );
        break;
      }
    }
    // 5000 UTF-16 units and a little JSON per model: six fit in 32000, the seventh does not.
    assert.equal(logged, 6);
  });
}
