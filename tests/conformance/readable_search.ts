/**
 * Conformance: searches limited to the caller's readable set (the `visible` option, issue 11 §4).
 * Hidden items are left out before paging, so pages are refilled from later items and are short
 * only at the end; tokens resume right after the last item returned.
 */
import assert from "node:assert/strict";
import type { Page } from "../../store/types.ts";
import { newRun } from "../fixtures.ts";
import type { Define } from "./_harness.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

/** Every page of a search, following tokens; checks that only the last page is short. */
async function pagesOf<T>(
  search: (pageToken?: string) => Promise<Page<T>>,
  max: number,
): Promise<T[][]> {
  const pages: T[][] = [];
  let token: string | undefined;
  do {
    const page = await search(token);
    if (page.nextPageToken !== undefined) {
      assert.equal(page.items.length, max, "a page with a token is full");
    } else {
      assert.ok(page.items.length <= max);
    }
    pages.push(page.items);
    token = page.nextPageToken;
    assert.ok(pages.length <= 100, "paging ends");
  } while (token !== undefined);
  return pages;
}

/**
 * Pages through with `max` and checks that the pages are exactly `expected` split in pages of
 * `max` (no duplicates, no omissions, each page refilled), the last one without a token.
 */
async function assertPaged(
  search: (max: number, pageToken?: string) => Promise<Page<string>>,
  expected: string[],
  max: number,
): Promise<void> {
  const pages = await pagesOf((token) => search(max, token), max);
  const want: string[][] = [];
  for (let i = 0; i < expected.length; i += max) want.push(expected.slice(i, i + max));
  if (want.length === 0) want.push([]);
  assert.deepEqual(pages, want, `max_results ${max}`);
}

const names = <T extends { name: string }>(page: Page<T>): Page<string> => ({
  items: page.items.map((x) => x.name),
  ...(page.nextPageToken !== undefined && { nextPageToken: page.nextPageToken }),
});

/** Registers the readable-set search tests. */
export function readableSearchConformance(test: Define): void {
  test("searchExperiments() with visible leaves hidden experiments out and refills pages", async (store) => {
    // As auth traffic §6: five experiments newest first, two of them hidden.
    const ids: string[] = [];
    for (const name of ["e1", "e2", "e3", "e4", "e5"]) {
      // Before each, e1 included: created in the Default experiment's millisecond, e1 would sort
      // before it (ties go by id).
      await tick();
      ids.push(await store.createExperiment({ name }));
    }
    const hidden = new Set([ids[1], ids[3]]); // e2 and e4
    const visible = (id: string) => !hidden.has(id);
    const all = (await store.searchExperiments({ maxResults: 1000 })).items.map((e) => e.name);
    assert.deepEqual(all, ["e5", "e4", "e3", "e2", "e1", "Default"]);
    const expected = ["e5", "e3", "e1", "Default"];
    const search = async (maxResults: number, pageToken?: string) =>
      names(
        await store.searchExperiments({ maxResults, pageToken, visible }),
      );
    const first = await search(2);
    assert.deepEqual(first.items, ["e5", "e3"], "the first page is refilled past e4");
    assert.ok(first.nextPageToken);
    for (const max of [1, 2, 3, 4, 1000]) await assertPaged(search, expected, max);
    // Filter and view still apply, and order_by decides the order visible items come in.
    const filtered = await store.searchExperiments({
      filter: "name LIKE 'e%'",
      orderBy: ["name ASC"],
      visible,
    });
    assert.deepEqual(filtered.items.map((e) => e.name), ["e1", "e3", "e5"]);
    await store.deleteExperiment(ids[2]);
    const deleted = await store.searchExperiments({ viewType: "DELETED_ONLY", visible });
    assert.deepEqual(deleted.items.map((e) => e.name), ["e3"]);
    const none = await store.searchExperiments({ viewType: "DELETED_ONLY", visible: () => false });
    assert.deepEqual(none, { items: [] });
  });

  test("searchExperiments() with visible hiding everything gives an empty page without a token", async (store) => {
    for (const name of ["a", "b", "c"]) await store.createExperiment({ name });
    for (const maxResults of [1, 2, 1000]) {
      assert.deepEqual(await store.searchExperiments({ maxResults, visible: () => false }), {
        items: [],
      });
    }
  });

  test("searchExperiments() with visible: no token when only hidden items follow the page", async (store) => {
    const ids: string[] = [];
    for (const name of ["a", "b", "c"]) {
      ids.push(await store.createExperiment({ name }));
      await tick();
    }
    // Newest first: c, b, a, Default; only c readable.
    const page = await store.searchExperiments({ maxResults: 1, visible: (id) => id === ids[2] });
    assert.deepEqual(page.items.map((e) => e.name), ["c"]);
    assert.equal(page.nextPageToken, undefined);
  });

  test("searchExperiments() with visible: a token resumes right after the last item returned", async (store) => {
    const ids: string[] = [];
    for (const name of ["a", "b", "c", "d", "e"]) {
      ids.push(await store.createExperiment({ name }));
      await tick();
    }
    const byName = new Map(ids.map((id, i) => [id, "abcde"[i]]));
    const hiding = (...hidden: string[]) => (id: string) => !hidden.includes(byName.get(id) ?? "");
    const opts = { filter: "name != 'Default'", orderBy: ["name ASC"], maxResults: 2 };
    const first = await store.searchExperiments({ ...opts, visible: hiding("b") });
    assert.deepEqual(first.items.map((e) => e.name), ["a", "c"]);
    // Access changes between pages: b readable now (before the resume point), d hidden.
    const second = await store.searchExperiments({
      ...opts,
      pageToken: first.nextPageToken,
      visible: hiding("d"),
    });
    assert.deepEqual(second.items.map((e) => e.name), ["e"], "neither b again nor d");
    assert.equal(second.nextPageToken, undefined);
  });

  test("searchRegisteredModels() with visible leaves hidden models out and refills pages", async (store) => {
    for (const name of ["m1", "m2", "m3", "m4", "m5"]) {
      await store.createRegisteredModel({ name });
    }
    const hidden = new Set(["m2", "m4"]);
    const visible = (name: string) => !hidden.has(name);
    const search = async (maxResults: number, pageToken?: string) =>
      names(await store.searchRegisteredModels({ maxResults, pageToken, visible }));
    const first = await search(2);
    assert.deepEqual(first.items, ["m1", "m3"]);
    assert.ok(first.nextPageToken);
    for (const max of [1, 2, 3, 1000]) await assertPaged(search, ["m1", "m3", "m5"], max);
    const one = await store.searchRegisteredModels({ filter: "name = 'm2'", visible });
    assert.deepEqual(one, { items: [] }, "a hidden model is not found by name either");
    for (const maxResults of [1, 1000]) {
      const none = await store.searchRegisteredModels({ maxResults, visible: () => false });
      assert.deepEqual(none, { items: [] });
    }
  });

  test("searchModelVersions() with visible leaves hidden models' versions out and refills pages", async (store) => {
    const { run, runId } = await newRun(store);
    for (const name of ["m1", "m2", "m3", "m4", "m5"]) {
      await store.createRegisteredModel({ name });
      for (const v of [1, 2]) {
        await store.createModelVersion({
          name,
          source: `${run.info.artifact_uri}/${name}-${v}`,
          runId,
        });
      }
    }
    const hidden = new Set(["m2", "m4"]);
    const visible = (name: string) => !hidden.has(name);
    const orderBy = ["name ASC", "version_number ASC"];
    const label = (mv: { name: string; version: string }) => `${mv.name}/${mv.version}`;
    const expected = ["m1/1", "m1/2", "m3/1", "m3/2", "m5/1", "m5/2"];
    // No filter (a full scan) and by run id (the KV backend's indexed plan); by name below.
    for (const filter of [undefined, `run_id = '${runId}'`, `run_id IN ('${runId}', 'x')`]) {
      const search = async (maxResults: number, pageToken?: string) => {
        const page = await store.searchModelVersions({
          filter,
          orderBy,
          maxResults,
          pageToken,
          visible,
        });
        return {
          items: page.items.map(label),
          ...(page.nextPageToken !== undefined && { nextPageToken: page.nextPageToken }),
        };
      };
      for (const max of [1, 2, 3, 4, 1000]) await assertPaged(search, expected, max);
    }
    const byName = await store.searchModelVersions({ filter: "name = 'm2'", visible });
    assert.deepEqual(byName, { items: [] });
    const allowed = await store.searchModelVersions({ filter: "name = 'm3'", orderBy, visible });
    assert.deepEqual(allowed.items.map(label), ["m3/1", "m3/2"]);
    for (const maxResults of [1, 1000]) {
      const none = await store.searchModelVersions({ maxResults, visible: () => false });
      assert.deepEqual(none, { items: [] });
    }
  });
}
