/**
 * Conformance: model version `source` validation (mlflow-rest.md §7, §9). Every attack shape of
 * MLflow's registry CVEs is refused with `INVALID_PARAMETER_VALUE`; the shapes clients really send
 * are accepted and resolved.
 */
import assert from "node:assert/strict";
import { assertMlflowError, newRun } from "../fixtures.ts";

const tag = (key: string, value: string) => ({ key, value });
import type { Define } from "./_harness.ts";

/** Registers the source tests. */
export function registrySourceConformance(test: Define): void {
  test(
    "createModelVersion() accepts the sources clients send and resolves them",
    async (store, t) => {
      const { run, runId, experimentId } = await newRun(store);
      const root = run.info.artifact_uri;
      await store.createRegisteredModel({ name: "m" });
      await t.step("the 2.x client's resolved run artifact URI, with run_id", async () => {
        const mv = await store.createModelVersion({
          name: "m",
          source: `${root}/explicit_model`,
          runId,
        });
        assert.equal(
          await store.getModelVersionDownloadUri("m", mv.version),
          `${root}/explicit_model`,
        );
      });
      await t.step("the run's artifact root itself", async () => {
        await store.createModelVersion({ name: "m", source: root, runId });
      });
      await t.step("a location under the server's root without a run", async () => {
        const mv = await store.createModelVersion({
          name: "m",
          source: `mlflow-artifacts:/shared/model`,
        });
        assert.equal(mv.run_id, "", "as MLflow answers a version created without run_id");
      });
      await t.step("runs:/<run_id>/<path>", async () => {
        const mv = await store.createModelVersion({
          name: "m",
          source: `runs:/${runId}/model`,
          runId,
        });
        assert.equal(await store.getModelVersionDownloadUri("m", mv.version), `${root}/model`);
      });
      await t.step(
        "models:/<name>/<version> and models:/<name>@<alias> copy a version",
        async () => {
          await store.setRegisteredModelAlias("m", "champion", "1");
          await store.createRegisteredModel({ name: "copy" });
          const byVersion = await store.createModelVersion({ name: "copy", source: "models:/m/1" });
          assert.equal(byVersion.source, "models:/m/1");
          assert.equal(
            await store.getModelVersionDownloadUri("copy", byVersion.version),
            `${root}/explicit_model`,
          );
          const byAlias = await store.createModelVersion({
            name: "copy",
            source: "models:/m@champion",
          });
          assert.equal(
            await store.getModelVersionDownloadUri("copy", byAlias.version),
            `${root}/explicit_model`,
          );
          await assertMlflowError(
            store.createModelVersion({ name: "copy", source: "models:/m/99" }),
            "INVALID_PARAMETER_VALUE",
            /^Unable to fetch model from model URI source artifact location 'models:\/m\/99'/,
          );
        },
      );
      await t.step("models:/<model_id> resolves to the logged model's artifact_uri", async () => {
        const lm = await store.createLoggedModel({ experimentId, name: "clf", sourceRunId: runId });
        const id = lm.info.model_id;
        const mv = await store.createModelVersion({ name: "m", source: `models:/${id}` });
        assert.equal(mv.source, `models:/${id}`);
        assert.equal(mv.run_id, runId, "run_id defaults to the logged model's source run");
        assert.equal(await store.getModelVersionDownloadUri("m", mv.version), lm.info.artifact_uri);
        const withId = await store.createModelVersion({
          name: "m",
          source: `models:/${id}`,
          runId,
          modelId: id,
        });
        assert.equal(withId.model_id, id);
        const inside = await store.createModelVersion({
          name: "m",
          source: `${lm.info.artifact_uri}/model.pkl`,
          modelId: id,
        });
        assert.equal(
          await store.getModelVersionDownloadUri("m", inside.version),
          `${lm.info.artifact_uri}/model.pkl`,
        );
        await assertMlflowError(
          store.createModelVersion({
            name: "m",
            source: "models:/m-00000000000000000000000000000000",
          }),
          "INVALID_PARAMETER_VALUE",
          /^Unable to fetch model/,
        );
        await assertMlflowError(
          store.createModelVersion({ name: "m", source: `models:/${id}`, modelId: "m-other" }),
          "INVALID_PARAMETER_VALUE",
        );
      });
    },
  );

  test("createModelVersion() refuses every source attack shape", async (store) => {
    const { run, runId } = await newRun(store);
    const other = await newRun(store);
    const root = run.info.artifact_uri;
    await store.createRegisteredModel({ name: "m" });
    const attacks: [string, string | undefined][] = [
      // CVE-2023-1177 / -1176 / -2356 / -2780 / 2024-3573: local files, with and without a run.
      ["file:///etc/passwd", runId],
      ["file:///etc", undefined],
      ["FILE:///etc", undefined],
      ["/etc/passwd", runId],
      ["//proc/self/environ", runId],
      ["etc/passwd", undefined],
      ["C:/Windows/system32", undefined],
      ["c:\\windows", undefined],
      ["..\\..\\etc", runId],
      // Traversal out of the run's directory, plain and encoded (2023-6831, 2024-1560).
      [`${root}/../../../etc`, runId],
      [`${root}/%2e%2e/%2e%2e/x`, runId],
      [`${root}/%252e%252e%252fx`, runId],
      [`${root}/%25252e%25252e/x`, runId],
      [`${root}/..%2f..%2fx`, runId],
      [`${root}/./model`, runId],
      [`${root}//model`, runId],
      ["mlflow-artifacts:/../../etc", undefined],
      ["mlflow-artifacts:///etc/passwd", undefined],
      ["mlflow-artifacts://evil.example.com/1/x", undefined],
      ["mlflow-artifacts:/", undefined],
      // `?`, `#`, `;` tricks (2023-6909, -6753, -6976, -6977; 2024-1483, -2928, -3848, -1593).
      [`${root}/model#frag`, runId],
      [`${root}/model%23frag`, runId],
      [`${root}/model;params`, runId],
      [`${root}/model?x=..`, runId],
      [`${root}/model%3F..`, runId],
      [`${root}/mo\u0000del`, runId],
      [`${root}/mo\ndel`, runId],
      [`${root}/model%00`, runId],
      [`${root}/bad%ff`, runId],
      // SSRF / a foreign artifact server (2023-6974, 2023-6018, 2026-118628).
      ["http://169.254.169.254/latest/meta-data", undefined],
      ["https://internal.example.com/api/2.0/mlflow-artifacts/artifacts/1/x", undefined],
      [
        `http://localhost:5000/api/2.0/mlflow-artifacts/artifacts/${
          root.slice("mlflow-artifacts:/".length)
        }`,
        runId,
      ],
      // Other schemes and other roots.
      ["s3://other-bucket/model", undefined],
      ["dbfs:/databricks/model", undefined],
      ["hdfs://namenode/model", undefined],
      ["ftp://x/model", undefined],
      ["data:text/plain,hi", undefined],
      // Inside the server's root but outside the given run's directory.
      [`${other.run.info.artifact_uri}/model`, runId],
      [`mlflow-artifacts:/shared/model`, runId],
      [`${root}-evil/model`, runId],
      // runs:/ and models:/ with traversal or a host.
      [`runs:/${runId}/../../other`, undefined],
      [`runs:/${runId}/%2e%2e/x`, undefined],
      [`runs://${runId}/model`, undefined],
      [`runs:/${other.runId}/model`, runId],
      ["models:/../m/1", undefined],
      ["models://host/m/1", undefined],
      ["models:/m/latest", undefined],
    ];
    for (const [source, rid] of attacks) {
      await assertMlflowError(
        store.createModelVersion({ name: "m", source, ...(rid && { runId: rid }) }),
        "INVALID_PARAMETER_VALUE",
        undefined,
      ).catch((e) => {
        throw new Error(`source ${JSON.stringify(source)} (run ${rid}): ${e.message}`);
      });
    }
    await assertMlflowError(
      store.createModelVersion({ name: "m", source: "" }),
      "INVALID_PARAMETER_VALUE",
      /^Missing value for required parameter 'source'/,
    );
    await assertMlflowError(
      store.createModelVersion({ name: "m", source: `${root}/model`, runId: "0000aaaa" }),
      "RESOURCE_DOES_NOT_EXIST",
      "Run with id=0000aaaa not found",
    );
    await assertMlflowError(
      store.createModelVersion({ name: "m", source: `${root}/model`, runId: "../x" }),
      "INVALID_PARAMETER_VALUE",
    );
    const msg = await assertMlflowError(
      store.createModelVersion({ name: "m", source: "file:///etc/passwd" }),
      "INVALID_PARAMETER_VALUE",
    );
    assert.match(msg.message, /^Invalid model version source "file:\/\/\/etc\/passwd": file: URIs/);
    assert.deepEqual((await store.searchModelVersions({})).items, [], "nothing was registered");
  });

  test("prompt versions: a label source, kept but never resolved", async (store, t) => {
    const prompt = [{ key: "mlflow.prompt.is_prompt", value: "true" }];
    const text = (v: string) => [...prompt, { key: "mlflow.prompt.text", value: v }];
    await store.createRegisteredModel({
      name: "greeting",
      tags: [...prompt, tag("task", "greet")],
    });
    await store.createRegisteredModel({ name: "model" });

    await t.step("the 3.1.3 client's versions are accepted as sent", async () => {
      const v1 = await store.createModelVersion({
        name: "greeting",
        source: "dummy-source",
        tags: [tag("task", "greet"), ...text("Hello {{name}}!")],
        description: "first",
      });
      assert.equal(v1.version, "1");
      assert.equal(v1.source, "dummy-source");
      assert.equal(v1.run_id ?? "", "");
      const got = await store.getModelVersion("greeting", "1");
      assert.deepEqual(
        got.tags.find((x) => x.key === "mlflow.prompt.text")?.value,
        "Hello {{name}}!",
      );
      const v2 = await store.createModelVersion({
        name: "greeting",
        source: "dummy-source",
        tags: text("Hi {{name}}, welcome!"),
      });
      assert.equal(v2.version, "2");
    });

    await t.step("no download URI, and no way to copy one through models:/", async () => {
      const err = await assertMlflowError(
        store.getModelVersionDownloadUri("greeting", "1"),
        "RESOURCE_DOES_NOT_EXIST",
      );
      assert.match(err.message, /has no files/);
      await assertMlflowError(
        store.createModelVersion({ name: "model", source: "models:/greeting/1" }),
        "INVALID_PARAMETER_VALUE",
      );
    });

    await t.step("the prompt tag is no way around the source rules", async () => {
      for (
        const source of [
          "file:///etc",
          "/etc/passwd",
          "mlflow-artifacts:/1/x",
          "../x",
          "a/b",
          "%2e%2e",
          "s3://b/k",
          ".hidden",
          "",
        ]
      ) {
        await assertMlflowError(
          store.createModelVersion({ name: "greeting", source, tags: text("x") }),
          "INVALID_PARAMETER_VALUE",
        ).catch((e) => {
          throw new Error(`source ${JSON.stringify(source)}: ${e.message}`);
        });
      }
      // Without the prompt tag, a prompt's version is an ordinary one: ordinary rules.
      await assertMlflowError(
        store.createModelVersion({ name: "greeting", source: "file:///etc" }),
        "INVALID_PARAMETER_VALUE",
      );
    });

    await t.step(
      "the prompt tag on a version of a model that is not a prompt is refused",
      async () => {
        const err = await assertMlflowError(
          store.createModelVersion({ name: "model", source: "dummy-source", tags: text("x") }),
          "INVALID_PARAMETER_VALUE",
        );
        assert.match(err.message, /only allowed on versions of a prompt/);
        await assertMlflowError(
          store.createModelVersion({ name: "model", source: "file:///etc", tags: prompt }),
          "INVALID_PARAMETER_VALUE",
        );
      },
    );

    await t.step("prompt-ness is fixed at creation", async () => {
      for (
        const attempt of [
          store.setRegisteredModelTag("model", "mlflow.prompt.is_prompt", "true"),
          store.deleteRegisteredModelTag("greeting", "mlflow.prompt.is_prompt"),
          store.setModelVersionTag("greeting", "1", "mlflow.prompt.is_prompt", "false"),
          store.deleteModelVersionTag("greeting", "1", "mlflow.prompt.is_prompt"),
        ]
      ) {
        const err = await assertMlflowError(attempt, "INVALID_PARAMETER_VALUE");
        assert.match(err.message, /cannot be changed afterwards/);
      }
      // Other tags of a prompt version change as usual.
      await store.setModelVersionTag("greeting", "1", "mlflow.prompt.text", "Hey {{name}}");
      await store.setRegisteredModelTag("greeting", "task", "welcome");
    });

    await t.step("aliases work on prompts; searches list them only when asked", async () => {
      await store.setRegisteredModelAlias("greeting", "production", "2");
      assert.equal((await store.getModelVersionByAlias("greeting", "production")).version, "2");
      const all = await store.searchRegisteredModels({});
      assert.deepEqual(all.items.map((m) => m.name), ["model"]);
      const prompts = await store.searchRegisteredModels({
        filter: "tags.`mlflow.prompt.is_prompt` = 'true'",
      });
      assert.deepEqual(prompts.items.map((m) => m.name), ["greeting"]);
      assert.deepEqual(prompts.items[0].aliases, [{ alias: "production", version: "2" }]);
    });
  });
}
