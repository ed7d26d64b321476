/**
 * Conformance: the model registry (mlflow-rest.md §7) — registered models, versions, tags,
 * aliases, stages, search and paging. Source validation lives in `registry_source.ts`.
 */
import assert from "node:assert/strict";
import type { ModelVersion } from "../../store/registry/types.ts";
import type { TrackingStore } from "../../store/types.ts";
import { assertMlflowError, chars, newRun, tag } from "../fixtures.ts";
import type { Define } from "./_harness.ts";
import { registrySearchConformance } from "./registry_search.ts";
import { registrySourceConformance } from "./registry_source.ts";

/** Lets the millisecond clock move on, so a bumped timestamp is strictly greater. */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

const NOT_FOUND = (name: string) => `Registered Model with name=${name} not found`;
const MV_NOT_FOUND = (name: string, v: string) =>
  `Model Version (name=${name}, version=${v}) not found`;

/** Creates a model with `n` versions registered from one run; returns the run's artifact URI. */
export async function modelWithVersions(
  store: TrackingStore,
  name: string,
  n: number,
): Promise<{ runId: string; artifactUri: string; versions: ModelVersion[] }> {
  const { run, runId } = await newRun(store);
  await store.createRegisteredModel({ name });
  const versions: ModelVersion[] = [];
  for (let i = 0; i < n; i++) {
    versions.push(
      await store.createModelVersion({
        name,
        source: `${run.info.artifact_uri}/model${i}`,
        runId,
      }),
    );
  }
  return { runId, artifactUri: run.info.artifact_uri, versions };
}

/** Registers the registry tests. */
export function registryConformance(test: Define): void {
  test("createRegisteredModel() returns the new model as MLflow does", async (store) => {
    const before = Date.now();
    const rm = await store.createRegisteredModel({ name: "churn" });
    assert.equal(rm.name, "churn");
    assert.ok(rm.creation_timestamp >= before && rm.creation_timestamp <= Date.now());
    assert.equal(rm.last_updated_timestamp, rm.creation_timestamp);
    assert.equal("description" in rm, false, "no description until one is set");
    assert.deepEqual(rm.latest_versions, []);
    assert.deepEqual(rm.aliases, []);
    assert.deepEqual(rm.tags, []);
    assert.deepEqual(await store.getRegisteredModel("churn"), rm);
  });

  test("createRegisteredModel() stores tags (sorted, last value wins) and a description", async (store) => {
    const rm = await store.createRegisteredModel({
      name: "m",
      description: "hello",
      tags: [tag("b", "1"), tag("a", "x"), tag("b", "2")],
    });
    assert.equal(rm.description, "hello");
    const got = await store.getRegisteredModel("m");
    assert.deepEqual(got.tags, [tag("a", "x"), tag("b", "2")]);
    assert.equal(got.description, "hello");
  });

  test("createRegisteredModel() rejects a taken name and bad names", async (store) => {
    await store.createRegisteredModel({ name: "dup" });
    await assertMlflowError(
      store.createRegisteredModel({ name: "dup" }),
      "RESOURCE_ALREADY_EXISTS",
      "Registered Model (name=dup) already exists.",
    );
    await assertMlflowError(
      store.createRegisteredModel({ name: "" }),
      "INVALID_PARAMETER_VALUE",
      /^Missing value for required parameter 'name'/,
    );
    for (const bad of ["a%2Fb", "x%2e%2e", "tab\there", chars(257)]) {
      await assertMlflowError(
        store.createRegisteredModel({ name: bad }),
        "INVALID_PARAMETER_VALUE",
      );
    }
    await store.createRegisteredModel({ name: "ok 100% sure" });
  });

  test("getRegisteredModel() of an unknown name is RESOURCE_DOES_NOT_EXIST", async (store) => {
    await assertMlflowError(
      store.getRegisteredModel("nope"),
      "RESOURCE_DOES_NOT_EXIST",
      NOT_FOUND("nope"),
    );
  });

  test("updateRegisteredModel() sets and clears the description", async (store) => {
    const rm = await store.createRegisteredModel({ name: "m" });
    await tick();
    const up = await store.updateRegisteredModel("m", "new text");
    assert.equal(up.description, "new text");
    assert.ok(up.last_updated_timestamp > rm.last_updated_timestamp);
    const cleared = await store.updateRegisteredModel("m", "");
    assert.equal("description" in cleared, false);
    await assertMlflowError(
      store.updateRegisteredModel("x", "d"),
      "RESOURCE_DOES_NOT_EXIST",
      NOT_FOUND("x"),
    );
  });

  test("renameRegisteredModel() moves versions, tags and aliases", async (store) => {
    const { versions } = await modelWithVersions(store, "old", 2);
    await store.setRegisteredModelTag("old", "team", "ml");
    await store.setRegisteredModelAlias("old", "champion", "2");
    await store.setModelVersionTag("old", "1", "k", "v");
    const renamed = await store.renameRegisteredModel("old", "new");
    assert.equal(renamed.name, "new");
    assert.deepEqual(renamed.tags, [tag("team", "ml")]);
    assert.deepEqual(renamed.aliases, [{ alias: "champion", version: "2" }]);
    assert.equal(renamed.latest_versions[0].name, "new");
    const v1 = await store.getModelVersion("new", "1");
    assert.equal(v1.source, versions[0].source);
    assert.deepEqual(v1.tags, [tag("k", "v")]);
    assert.deepEqual((await store.getModelVersionByAlias("new", "champion")).version, "2");
    await assertMlflowError(store.getRegisteredModel("old"), "RESOURCE_DOES_NOT_EXIST");
    await assertMlflowError(store.getModelVersion("old", "1"), "RESOURCE_DOES_NOT_EXIST");
    // The old name is free again, and new versions continue the renamed model's numbering.
    await store.createRegisteredModel({ name: "old" });
    const v3 = await store.createModelVersion({
      name: "new",
      source: versions[0].source,
      runId: versions[0].run_id,
    });
    assert.equal(v3.version, "3");
  });

  test("renameRegisteredModel() refuses a taken name; the same name is a no-op", async (store) => {
    await store.createRegisteredModel({ name: "a" });
    await store.createRegisteredModel({ name: "b" });
    await assertMlflowError(
      store.renameRegisteredModel("a", "b"),
      "RESOURCE_ALREADY_EXISTS",
      "Registered Model (name=b) already exists.",
    );
    assert.equal((await store.renameRegisteredModel("a", "a")).name, "a");
    await assertMlflowError(
      store.renameRegisteredModel("zz", "c"),
      "RESOURCE_DOES_NOT_EXIST",
      NOT_FOUND("zz"),
    );
    await assertMlflowError(
      store.renameRegisteredModel("a", ""),
      "INVALID_PARAMETER_VALUE",
      /'new_name'/,
    );
  });

  test("deleteRegisteredModel() removes versions, tags and aliases; the name can be reused", async (store) => {
    const { versions } = await modelWithVersions(store, "gone", 3);
    await store.setRegisteredModelTag("gone", "t", "1");
    await store.setModelVersionTag("gone", "2", "t", "2");
    await store.setRegisteredModelAlias("gone", "prod", "3");
    await store.deleteRegisteredModel("gone");
    await assertMlflowError(store.getRegisteredModel("gone"), "RESOURCE_DOES_NOT_EXIST");
    await assertMlflowError(store.getModelVersion("gone", "1"), "RESOURCE_DOES_NOT_EXIST");
    await assertMlflowError(
      store.deleteRegisteredModel("gone"),
      "RESOURCE_DOES_NOT_EXIST",
      NOT_FOUND("gone"),
    );
    const page = await store.searchModelVersions({ filter: `run_id = '${versions[0].run_id}'` });
    assert.deepEqual(page.items, []);
    const again = await store.createRegisteredModel({ name: "gone" });
    assert.deepEqual([again.tags, again.aliases, again.latest_versions], [[], [], []]);
    const v1 = await store.createModelVersion({
      name: "gone",
      source: versions[0].source,
      runId: versions[0].run_id,
    });
    assert.equal(v1.version, "1", "a new model starts at version 1");
    assert.deepEqual(v1.tags, []);
  });

  test(
    "registered model tags: upsert, delete (missing is a no-op) and MLflow's limits",
    async (store, t) => {
      await store.createRegisteredModel({ name: "m" });
      await t.step("upsert and delete", async () => {
        await store.setRegisteredModelTag("m", "k", "1");
        await store.setRegisteredModelTag("m", "k", "2");
        assert.deepEqual((await store.getRegisteredModel("m")).tags, [tag("k", "2")]);
        await store.deleteRegisteredModelTag("m", "k");
        await store.deleteRegisteredModelTag("m", "k");
        assert.deepEqual((await store.getRegisteredModel("m")).tags, []);
      });
      await t.step("values up to 100000 characters round-trip, ASCII or not", async () => {
        const long = chars(100_000);
        const wide = "é😀".repeat(33_333);
        await store.setRegisteredModelTag("m", "long", long);
        await store.setRegisteredModelTag("m", "wide", wide);
        const tags = (await store.getRegisteredModel("m")).tags;
        assert.equal(tags.find((x) => x.key === "long")?.value, long);
        assert.equal(tags.find((x) => x.key === "wide")?.value, wide);
        await store.setRegisteredModelTag("m", "long", "short now");
        assert.equal(
          (await store.getRegisteredModel("m")).tags.find((x) => x.key === "long")?.value,
          "short now",
        );
        await store.deleteRegisteredModelTag("m", "wide");
        assert.deepEqual((await store.getRegisteredModel("m")).tags, [tag("long", "short now")]);
      });
      await t.step("limits and key rules", async () => {
        await assertMlflowError(
          store.setRegisteredModelTag("m", "k", chars(100_001)),
          "INVALID_PARAMETER_VALUE",
          "'value' exceeds the maximum length of 100000 characters",
        );
        await assertMlflowError(
          store.setRegisteredModelTag("m", chars(251), "v"),
          "INVALID_PARAMETER_VALUE",
        );
        await assertMlflowError(
          store.setRegisteredModelTag("m", "../x", "v"),
          "INVALID_PARAMETER_VALUE",
        );
        await assertMlflowError(
          store.setRegisteredModelTag("m", "a#b", "v"),
          "INVALID_PARAMETER_VALUE",
        );
        await assertMlflowError(
          store.setRegisteredModelTag("nope", "k", "v"),
          "RESOURCE_DOES_NOT_EXIST",
          NOT_FOUND("nope"),
        );
      });
    },
  );

  test("createModelVersion() numbers versions per model and returns MLflow's fields", async (store) => {
    const { run, runId } = await newRun(store);
    const rm = await store.createRegisteredModel({ name: "m" });
    await store.createRegisteredModel({ name: "other" });
    await tick();
    const source = `${run.info.artifact_uri}/explicit_model`;
    const v1 = await store.createModelVersion({ name: "m", source, runId });
    assert.deepEqual(Object.keys(v1), [
      "name",
      "version",
      "creation_timestamp",
      "last_updated_timestamp",
      "current_stage",
      "description",
      "source",
      "run_id",
      "status",
      "tags",
      "run_link",
      "aliases",
    ]);
    assert.equal(v1.version, "1");
    assert.equal(v1.current_stage, "None");
    assert.equal(v1.description, "");
    assert.equal(v1.run_link, "");
    assert.equal(v1.status, "READY");
    assert.equal(v1.source, source);
    assert.equal(v1.run_id, runId);
    assert.equal(v1.last_updated_timestamp, v1.creation_timestamp);
    const got = await store.getRegisteredModel("m");
    assert.ok(got.last_updated_timestamp > rm.last_updated_timestamp, "the model's time is bumped");
    assert.equal(got.last_updated_timestamp, v1.creation_timestamp);
    assert.equal((await store.createModelVersion({ name: "m", source, runId })).version, "2");
    assert.equal((await store.createModelVersion({ name: "other", source, runId })).version, "1");
    await store.deleteModelVersion("m", "2");
    assert.equal(
      (await store.createModelVersion({ name: "m", source, runId })).version,
      "3",
      "numbers are never reused",
    );
    await assertMlflowError(
      store.createModelVersion({ name: "nope", source, runId }),
      "RESOURCE_DOES_NOT_EXIST",
      NOT_FOUND("nope"),
    );
  });

  test("createModelVersion() keeps tags, description and run_link", async (store) => {
    const { run, runId } = await newRun(store);
    await store.createRegisteredModel({ name: "m" });
    const mv = await store.createModelVersion({
      name: "m",
      source: `${run.info.artifact_uri}/model`,
      runId,
      tags: [tag("b", "2"), tag("a", "1")],
      description: "first",
      runLink: "https://example.com/runs/1",
    });
    assert.deepEqual(mv.tags, [tag("a", "1"), tag("b", "2")]);
    assert.equal(mv.description, "first");
    assert.equal(mv.run_link, "https://example.com/runs/1");
    assert.deepEqual(await store.getModelVersion("m", "1"), mv);
    await assertMlflowError(
      store.createModelVersion({
        name: "m",
        source: mv.source,
        runId,
        runLink: "javascript:alert(1)",
      }),
      "INVALID_PARAMETER_VALUE",
    );
  });

  test("createModelVersion() hands out distinct numbers to concurrent creates", async (store) => {
    const { run, runId } = await newRun(store);
    await store.createRegisteredModel({ name: "busy" });
    const all = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          store.createModelVersion({
            name: "busy",
            source: `${run.info.artifact_uri}/m${i}`,
            runId,
          }),
      ),
    );
    assert.deepEqual(
      all.map((v) => Number(v.version)).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const page = await store.searchModelVersions({ filter: "name = 'busy'" });
    assert.equal(page.items.length, 20);
  });

  test("getModelVersion() validates the version and reports unknown ones", async (store) => {
    await modelWithVersions(store, "m", 1);
    await assertMlflowError(
      store.getModelVersion("m", "abc"),
      "INVALID_PARAMETER_VALUE",
      "Parameter 'version' must be an integer, got 'abc'.",
    );
    await assertMlflowError(
      store.getModelVersion("m", "7"),
      "RESOURCE_DOES_NOT_EXIST",
      MV_NOT_FOUND("m", "7"),
    );
    await assertMlflowError(
      store.getModelVersion("x", "1"),
      "RESOURCE_DOES_NOT_EXIST",
      NOT_FOUND("x"),
    );
    assert.equal((await store.getModelVersion("m", "01")).version, "1");
  });

  test("updateModelVersion() sets the description and bumps the version's time", async (store) => {
    const { versions } = await modelWithVersions(store, "m", 1);
    await tick();
    const up = await store.updateModelVersion("m", "1", "better");
    assert.equal(up.description, "better");
    assert.ok(up.last_updated_timestamp > versions[0].last_updated_timestamp);
    assert.equal((await store.getModelVersion("m", "1")).description, "better");
    await assertMlflowError(
      store.updateModelVersion("m", "9", "x"),
      "RESOURCE_DOES_NOT_EXIST",
      MV_NOT_FOUND("m", "9"),
    );
  });

  test("model version tags: upsert, delete, limits; versions carry them", async (store) => {
    await modelWithVersions(store, "m", 2);
    await store.setModelVersionTag("m", "1", "k", "v");
    await store.setModelVersionTag("m", "1", "k", "w");
    const big = "x".repeat(40_000) + "ü".repeat(40_000);
    await store.setModelVersionTag("m", "1", "prompt", big);
    const v1 = await store.getModelVersion("m", "1");
    assert.deepEqual(v1.tags, [tag("k", "w"), tag("prompt", big)]);
    assert.deepEqual((await store.getModelVersion("m", "2")).tags, []);
    await store.deleteModelVersionTag("m", "1", "prompt");
    await store.deleteModelVersionTag("m", "1", "missing");
    assert.deepEqual((await store.getModelVersion("m", "1")).tags, [tag("k", "w")]);
    await assertMlflowError(
      store.setModelVersionTag("m", "5", "k", "v"),
      "RESOURCE_DOES_NOT_EXIST",
      MV_NOT_FOUND("m", "5"),
    );
    await assertMlflowError(
      store.setModelVersionTag("m", "1", "k", chars(100_001)),
      "INVALID_PARAMETER_VALUE",
    );
    await assertMlflowError(store.deleteModelVersionTag("m", "x", "k"), "INVALID_PARAMETER_VALUE");
  });

  test("aliases: set, move, get, delete; versions and the model list them", async (store) => {
    await modelWithVersions(store, "m", 3);
    await store.setRegisteredModelAlias("m", "champion", "1");
    await store.setRegisteredModelAlias("m", "challenger", "1");
    const v1 = await store.getModelVersionByAlias("m", "champion");
    assert.equal(v1.version, "1");
    assert.deepEqual(v1.aliases, ["challenger", "champion"]);
    await store.setRegisteredModelAlias("m", "champion", "3");
    assert.equal((await store.getModelVersionByAlias("m", "champion")).version, "3");
    assert.deepEqual((await store.getModelVersion("m", "1")).aliases, ["challenger"]);
    assert.deepEqual((await store.getModelVersion("m", "3")).aliases, ["champion"]);
    assert.deepEqual((await store.getRegisteredModel("m")).aliases, [
      { alias: "challenger", version: "1" },
      { alias: "champion", version: "3" },
    ]);
    await store.deleteRegisteredModelAlias("m", "challenger");
    await store.deleteRegisteredModelAlias("m", "challenger");
    await assertMlflowError(
      store.getModelVersionByAlias("m", "challenger"),
      "INVALID_PARAMETER_VALUE",
      "Registered model alias challenger not found.",
    );
    await assertMlflowError(
      store.setRegisteredModelAlias("m", "a", "9"),
      "RESOURCE_DOES_NOT_EXIST",
      MV_NOT_FOUND("m", "9"),
    );
    await assertMlflowError(
      store.setRegisteredModelAlias("x", "a", "1"),
      "RESOURCE_DOES_NOT_EXIST",
    );
    await assertMlflowError(
      store.deleteRegisteredModelAlias("x", "a"),
      "RESOURCE_DOES_NOT_EXIST",
      NOT_FOUND("x"),
    );
  });

  test("aliases follow MLflow's rules: ^[\\w-]*$, ≤255, not 'latest' nor v<N>", async (store) => {
    await modelWithVersions(store, "m", 1);
    const cases: [string, RegExp | string][] = [
      ["", "Registered model alias name cannot be empty."],
      [
        "a b",
        /^Invalid alias name: 'a b'\. Names may only contain alphanumerics, underscores \(_\), and dashes \(-\)\.$/,
      ],
      ["a/b", /Invalid alias name/],
      ["a.b", /Invalid alias name/],
      ["../x", /Invalid alias name/],
      ["Latest", "'latest' alias name (case insensitive) is reserved."],
      ["v1", "Version alias name 'v1' is reserved."],
      ["V42", "Version alias name 'V42' is reserved."],
      [chars(256), "'Registered model alias name' exceeds the maximum length of 255 characters"],
    ];
    for (const [alias, msg] of cases) {
      await assertMlflowError(
        store.setRegisteredModelAlias("m", alias, "1"),
        "INVALID_PARAMETER_VALUE",
        msg,
      );
    }
    for (const alias of ["v1x", "prod-2", "ünïcode_ok", chars(255)]) {
      await store.setRegisteredModelAlias("m", alias, "1");
    }
  });

  test("deleteModelVersion() removes its aliases and tags and updates latest_versions", async (store) => {
    await modelWithVersions(store, "m", 3);
    await store.setRegisteredModelAlias("m", "best", "3");
    await store.setModelVersionTag("m", "3", "k", "v");
    await store.deleteModelVersion("m", "3");
    await assertMlflowError(
      store.getModelVersion("m", "3"),
      "RESOURCE_DOES_NOT_EXIST",
      MV_NOT_FOUND("m", "3"),
    );
    await assertMlflowError(store.getModelVersionByAlias("m", "best"), "INVALID_PARAMETER_VALUE");
    const rm = await store.getRegisteredModel("m");
    assert.deepEqual(rm.aliases, []);
    assert.deepEqual(rm.latest_versions.map((v) => v.version), ["2"]);
    await assertMlflowError(store.deleteModelVersion("m", "3"), "RESOURCE_DOES_NOT_EXIST");
    await store.deleteModelVersion("m", "1");
    await store.deleteModelVersion("m", "2");
    assert.deepEqual((await store.getRegisteredModel("m")).latest_versions, []);
  });

  test("transitionModelVersionStage() moves stages, case-insensitively", async (store) => {
    await modelWithVersions(store, "m", 3);
    await tick();
    const mv = await store.transitionModelVersionStage("m", "1", "production", false);
    assert.equal(mv.current_stage, "Production");
    assert.ok(mv.last_updated_timestamp > mv.creation_timestamp);
    assert.equal(
      (await store.transitionModelVersionStage("m", "2", "STAGING", false)).current_stage,
      "Staging",
    );
    const rm = await store.getRegisteredModel("m");
    assert.deepEqual(
      rm.latest_versions.map((v) => [v.current_stage, v.version]),
      [["None", "3"], ["Staging", "2"], ["Production", "1"]],
    );
    assert.ok(rm.last_updated_timestamp >= mv.last_updated_timestamp, "transitions bump the model");
    await assertMlflowError(
      store.transitionModelVersionStage("m", "1", "Prod", false),
      "INVALID_PARAMETER_VALUE",
      "Invalid Model Version stage: Prod. Value must be one of None, Staging, Production, Archived.",
    );
    await assertMlflowError(
      store.transitionModelVersionStage("m", "8", "None", false),
      "RESOURCE_DOES_NOT_EXIST",
    );
  });

  test("transitionModelVersionStage() with archive_existing_versions archives the others", async (store) => {
    await modelWithVersions(store, "m", 4);
    await store.transitionModelVersionStage("m", "1", "Production", false);
    await store.transitionModelVersionStage("m", "2", "Production", false);
    await store.transitionModelVersionStage("m", "3", "Staging", false);
    const v4 = await store.transitionModelVersionStage("m", "4", "Production", true);
    assert.equal(v4.current_stage, "Production");
    const stages = await Promise.all(
      ["1", "2", "3", "4"].map(async (v) => (await store.getModelVersion("m", v)).current_stage),
    );
    assert.deepEqual(stages, ["Archived", "Archived", "Staging", "Production"]);
    const latest = (await store.getRegisteredModel("m")).latest_versions;
    assert.deepEqual(latest.map((v) => [v.current_stage, v.version]), [["Staging", "3"], [
      "Production",
      "4",
    ], ["Archived", "2"]]);
    await assertMlflowError(
      store.transitionModelVersionStage("m", "1", "archived", true),
      "INVALID_PARAMETER_VALUE",
      "Model version transition cannot archive existing model versions because 'archived' is " +
        "not an Active stage. Valid stages are ['Staging', 'Production']",
    );
    await assertMlflowError(
      store.transitionModelVersionStage("m", "1", "None", true),
      "INVALID_PARAMETER_VALUE",
    );
  });

  test("getLatestVersions() returns the latest per requested stage", async (store) => {
    await modelWithVersions(store, "m", 4);
    await store.transitionModelVersionStage("m", "1", "Production", false);
    await store.transitionModelVersionStage("m", "2", "Staging", false);
    await store.setRegisteredModelAlias("m", "live", "1");
    const all = await store.getLatestVersions("m");
    assert.deepEqual(all.map((v) => [v.current_stage, v.version]), [
      ["None", "4"],
      ["Staging", "2"],
      ["Production", "1"],
    ]);
    const prod = await store.getLatestVersions("m", ["production"]);
    assert.deepEqual(prod.map((v) => v.version), ["1"]);
    assert.deepEqual(prod[0].aliases, ["live"]);
    assert.deepEqual(await store.getLatestVersions("m", ["Archived"]), []);
    assert.deepEqual(
      (await store.getLatestVersions("m", ["Staging", "None"])).map((v) => v.version),
      ["4", "2"],
    );
    await assertMlflowError(
      store.getLatestVersions("m", ["gold"]),
      "INVALID_PARAMETER_VALUE",
      /Invalid Model Version stage: gold/,
    );
    await assertMlflowError(
      store.getLatestVersions("x"),
      "RESOURCE_DOES_NOT_EXIST",
      NOT_FOUND("x"),
    );
  });

  test("latest_versions carry tags but no aliases, as MLflow's", async (store) => {
    await modelWithVersions(store, "m", 1);
    await store.setRegisteredModelAlias("m", "champion", "1");
    await store.setModelVersionTag("m", "1", "k", "v");
    const [latest] = (await store.getRegisteredModel("m")).latest_versions;
    assert.deepEqual(latest.tags, [tag("k", "v")]);
    assert.deepEqual(latest.aliases, []);
  });

  test("getModelVersionDownloadUri() returns where the files are", async (store) => {
    const { versions, artifactUri, runId } = await modelWithVersions(store, "m", 1);
    assert.equal(await store.getModelVersionDownloadUri("m", "1"), versions[0].source);
    const viaRuns = await store.createModelVersion({
      name: "m",
      source: `runs:/${runId}/sub/model`,
    });
    assert.equal(viaRuns.source, `runs:/${runId}/sub/model`);
    assert.equal(viaRuns.run_id, runId);
    assert.equal(
      await store.getModelVersionDownloadUri("m", viaRuns.version),
      `${artifactUri}/sub/model`,
    );
    await assertMlflowError(
      store.getModelVersionDownloadUri("m", "9"),
      "RESOURCE_DOES_NOT_EXIST",
      MV_NOT_FOUND("m", "9"),
    );
  });

  registrySearchConformance(test);
  registrySourceConformance(test);
}
