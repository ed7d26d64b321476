/** Conformance: registered-model and model-version search, ordering and paging. */
import assert from "node:assert/strict";
import type { Page } from "../../store/types.ts";
import { assertMlflowError, newRun, tag } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

/** Follows tokens to the end, checking each page's size. */
async function allPages<T>(
  first: (token?: string) => Promise<Page<T>>,
  pageSize: number,
): Promise<T[][]> {
  const pages: T[][] = [];
  let token: string | undefined;
  do {
    const page = await first(token);
    assert.ok(page.items.length <= pageSize);
    if (page.nextPageToken) {
      assert.equal(page.items.length, pageSize, "only full pages have tokens");
    }
    pages.push(page.items);
    token = page.nextPageToken;
  } while (token);
  return pages;
}

/** Registers the search tests. */
export function registrySearchConformance(test: Define): void {
  test("searchRegisteredModels() filters by name (= != LIKE ILIKE) and tags", async (store) => {
    for (const name of ["alpha", "Alpha-2", "beta", "gamma"]) {
      await store.createRegisteredModel({
        name,
        tags: name.startsWith("a") ? [tag("team", "ml")] : [],
      });
    }
    await store.setRegisteredModelTag("beta", "team", "ops");
    const names = async (filter?: string) =>
      (await store.searchRegisteredModels({ filter })).items.map((m) => m.name);
    assert.deepEqual(await names(), ["Alpha-2", "alpha", "beta", "gamma"], "name ASC by default");
    assert.deepEqual(await names("name = 'beta'"), ["beta"]);
    assert.deepEqual(await names("name != 'beta'"), ["Alpha-2", "alpha", "gamma"]);
    assert.deepEqual(await names("name LIKE 'a%'"), ["alpha"]);
    assert.deepEqual(await names("name ILIKE 'a%'"), ["Alpha-2", "alpha"]);
    assert.deepEqual(await names("tags.team = 'ml'"), ["alpha"]);
    assert.deepEqual(await names("tags.team != 'ml'"), ["beta"], "!= needs the tag to exist");
    assert.deepEqual(await names("tags.`team` LIKE '%' AND name ILIKE '%A%'"), ["alpha", "beta"]);
    assert.deepEqual(await names("name = 'nope'"), []);
  });

  test("searchModelVersions() with omitTags returns versions without tags, filtering on them still", async (store) => {
    await store.createRegisteredModel({ name: "m" });
    const { run, runId } = await newRun(store);
    for (const team of ["ml", "ops"]) {
      await store.createModelVersion({
        name: "m",
        source: `${run.info.artifact_uri}/model`,
        runId,
        tags: [tag("team", team)],
      });
    }
    for (const filter of ["name = 'm'", `run_id = '${runId}'`, "tags.team = 'ops'"]) {
      const full = await store.searchModelVersions({ filter, orderBy: ["version_number ASC"] });
      const bare = await store.searchModelVersions({
        filter,
        orderBy: ["version_number ASC"],
        omitTags: true,
      });
      assert.ok(full.items.every((v) => v.tags.length === 1), filter);
      assert.deepEqual(bare.items, full.items.map((v) => ({ ...v, tags: [] })), filter);
    }
  });

  test("searchRegisteredModels() rejects bad filters, order_by and max_results", async (store) => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ filter: "name = 'a' OR name = 'b'" }, /OR is not supported/],
      [{ filter: "run_id = 'x'" }, /invalid attribute key 'run_id'/],
      [{ filter: "name > 'a'" }, /invalid comparator '>'/],
      [{ filter: "name = a" }, /expected a quoted string/],
      [{ filter: "metrics.x = 1" }, /invalid entity type 'metrics'/],
      [{ orderBy: ["version_number"] }, /invalid order_by key/],
      [{ orderBy: ["name", "name DESC"] }, /already ordered on/],
      [{ orderBy: ["name SIDEWAYS"] }, /expected ASC, DESC/],
      [{ maxResults: 0 }, /It must be a positive integer, but got value 0/],
      [{ maxResults: 1001 }, /It must be at most 1000, but got value 1001/],
      [{ pageToken: "garbage!" }, /Invalid page token/],
    ];
    for (const [opts, msg] of bad) {
      await assertMlflowError(store.searchRegisteredModels(opts), "INVALID_PARAMETER_VALUE", msg);
    }
  });

  test("searchRegisteredModels() orders and pages over several pages", async (store) => {
    const names = Array.from({ length: 23 }, (_, i) => `m-${String(i).padStart(2, "0")}`);
    for (const name of [...names].reverse()) {
      await store.createRegisteredModel({ name });
      await tick();
    }
    const run = (orderBy?: string[]) =>
      allPages(
        (token) => store.searchRegisteredModels({ orderBy, maxResults: 5, pageToken: token }),
        5,
      );
    const byName = await run();
    assert.equal(byName.length, 5);
    assert.deepEqual(byName.flat().map((m) => m.name), names);
    assert.deepEqual((await run(["name DESC"])).flat().map((m) => m.name), [...names].reverse());
    assert.deepEqual(
      (await run(["creation_timestamp ASC"])).flat().map((m) => m.name),
      [...names].reverse(),
    );
    assert.deepEqual((await run(["last_updated_timestamp DESC"])).flat().map((m) => m.name), names);
    assert.deepEqual((await run(["timestamp DESC"])).flat().map((m) => m.name), names);
    await store.updateRegisteredModel("m-10", "bumped");
    const first = await store.searchRegisteredModels({
      orderBy: ["last_updated_timestamp DESC"],
      maxResults: 1,
    });
    assert.equal(first.items[0].name, "m-10");
    const exact = await store.searchRegisteredModels({ maxResults: 23 });
    assert.equal(exact.items.length, 23);
    assert.equal(exact.nextPageToken, undefined, "no token when nothing is left");
    const page1 = await store.searchRegisteredModels({ maxResults: 5 });
    await assertMlflowError(
      store.searchRegisteredModels({
        maxResults: 5,
        filter: "name LIKE 'm%'",
        pageToken: page1.nextPageToken,
      }),
      "INVALID_PARAMETER_VALUE",
      /does not belong to this query/,
    );
    assert.equal((await store.searchRegisteredModels({})).items.length, 23, "default page is 100");
  });

  test("registry searches hide MLflow 3 prompts unless asked for", async (store) => {
    const { run, runId } = await newRun(store);
    await store.createRegisteredModel({ name: "model" });
    await store.createRegisteredModel({
      name: "prompt",
      tags: [tag("mlflow.prompt.is_prompt", "true")],
    });
    await store.createModelVersion({ name: "model", source: `${run.info.artifact_uri}/m`, runId });
    await store.createModelVersion({
      name: "prompt",
      source: "dummy-source",
      runId,
      tags: [tag("mlflow.prompt.is_prompt", "true")],
    });
    const rms = async (filter?: string) =>
      (await store.searchRegisteredModels({ filter })).items.map((m) => m.name);
    assert.deepEqual(await rms(), ["model"]);
    assert.deepEqual(await rms("tags.`mlflow.prompt.is_prompt` != 'true'"), ["model"]);
    assert.deepEqual(await rms("tags.`mlflow.prompt.is_prompt` = 'true'"), ["prompt"]);
    const mvs = async (filter?: string) =>
      (await store.searchModelVersions({ filter })).items.map((m) => m.name);
    assert.deepEqual(await mvs(), ["model"]);
    assert.deepEqual(await mvs(`run_id = '${runId}'`), ["model"]);
    assert.deepEqual(await mvs("tags.`mlflow.prompt.is_prompt` = 'true'"), ["prompt"]);
  });

  test("searchModelVersions() filters by name, run_id, source_path, version_number and tags", async (store) => {
    const a = await newRun(store);
    const b = await newRun(store);
    await store.createRegisteredModel({ name: "m1" });
    await store.createRegisteredModel({ name: "m2" });
    const src = (r: typeof a, p: string) => `${r.run.info.artifact_uri}/${p}`;
    await store.createModelVersion({ name: "m1", source: src(a, "x"), runId: a.runId });
    await store.createModelVersion({
      name: "m1",
      source: src(b, "y"),
      runId: b.runId,
      tags: [tag("k", "1")],
    });
    await store.createModelVersion({ name: "m2", source: src(a, "z"), runId: a.runId });
    await store.createModelVersion({ name: "m2", source: `runs:/${b.runId}/w` });
    await store.setRegisteredModelAlias("m1", "champion", "1");
    const ids = async (filter?: string) =>
      (await store.searchModelVersions({ filter, orderBy: ["name", "version_number"] })).items
        .map((v) => `${v.name}/${v.version}`);
    assert.deepEqual(await ids(), ["m1/1", "m1/2", "m2/1", "m2/2"]);
    assert.deepEqual(await ids("name = 'm1'"), ["m1/1", "m1/2"]);
    assert.deepEqual(await ids("name LIKE 'm%' AND version_number >= 2"), ["m1/2", "m2/2"]);
    assert.deepEqual(await ids(`run_id = '${a.runId}'`), ["m1/1", "m2/1"]);
    assert.deepEqual(
      await ids(`run_id='${b.runId}'`),
      ["m1/2", "m2/2"],
      "the UI's form, no spaces",
    );
    assert.deepEqual(await ids(`run_id IN ('${a.runId}', '${b.runId}') AND name = 'm2'`), [
      "m2/1",
      "m2/2",
    ]);
    assert.deepEqual(await ids(`run_id != '${a.runId}'`), ["m1/2", "m2/2"]);
    assert.deepEqual(await ids(`source_path = '${src(a, "z")}'`), ["m2/1"]);
    assert.deepEqual(await ids("source_path LIKE 'runs:/%'"), ["m2/2"]);
    assert.deepEqual(await ids("tags.k = '1'"), ["m1/2"]);
    assert.deepEqual(await ids("version_number = 1 AND name = 'm2'"), ["m2/1"]);
    assert.deepEqual(await ids("name = 'nope'"), []);
    assert.deepEqual(await ids("run_id = 'nope'"), []);
    const [v] =
      (await store.searchModelVersions({ filter: "name = 'm1' AND version_number = 1" })).items;
    assert.deepEqual(v.aliases, [], "search results carry no aliases, as MLflow's");
    assert.equal(v.description, "");
    assert.equal(v.run_link, "");
  });

  test("searchModelVersions() orders (default last_updated DESC) and pages", async (store) => {
    const { run, runId } = await newRun(store);
    await store.createRegisteredModel({ name: "p" });
    for (let i = 0; i < 12; i++) {
      await store.createModelVersion({
        name: "p",
        source: `${run.info.artifact_uri}/v${i}`,
        runId,
      });
      await tick();
    }
    const pages = await allPages(
      (token) => store.searchModelVersions({ filter: "name='p'", maxResults: 5, pageToken: token }),
      5,
    );
    assert.equal(pages.length, 3);
    assert.deepEqual(
      pages.flat().map((v) => v.version),
      Array.from({ length: 12 }, (_, i) => String(12 - i)),
    );
    const asc = await allPages(
      (token) =>
        store.searchModelVersions({
          orderBy: ["version_number ASC"],
          maxResults: 4,
          pageToken: token,
        }),
      4,
    );
    assert.deepEqual(
      asc.flat().map((v) => v.version),
      Array.from({ length: 12 }, (_, i) => String(i + 1)),
    );
    await store.updateModelVersion("p", "3", "touched");
    assert.equal((await store.searchModelVersions({ maxResults: 1 })).items[0].version, "3");
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ maxResults: 200_001 }, /at most 200000/],
      [{ maxResults: -1 }, /positive integer/],
      [{ filter: "name IN ('p')" }, /invalid comparator 'IN'/],
      [{ filter: "run_id LIKE 'x%'" }, /invalid comparator 'LIKE'/],
      [{ filter: "version_number = 'abc'" }, /expected an integer/],
      [{ filter: "stage = 'None'" }, /invalid attribute key 'stage'/],
      [{ filter: "run_id IN ()" }, /must not be empty/],
      [{ orderBy: ["tags.k"] }, /cannot be ordered/],
    ];
    for (const [opts, msg] of bad) {
      await assertMlflowError(store.searchModelVersions(opts), "INVALID_PARAMETER_VALUE", msg);
    }
  });
}
