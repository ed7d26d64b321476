/** Conformance smoke tests: the store wires searchRuns/searchExperiments to the search engine. */
import assert from "node:assert/strict";
import type { Experiment, Run, TrackingStore } from "../../store/types.ts";
import {
  assertMlflowError,
  metric,
  newRun,
  param,
  randomExperimentName,
  T0,
  tag,
} from "../fixtures.ts";
import type { Define } from "./_harness.ts";

function ids(runs: Run[]): string[] {
  return runs.map((r) => r.info.run_id);
}

async function allRunPages(store: TrackingStore, experimentIds: string[], maxResults: number) {
  const pages: Run[][] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({ experimentIds, maxResults, pageToken });
    pages.push(page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return pages;
}

/** Registers the search smoke tests. */
export function searchConformance(test: Define): void {
  test("searchRuns() orders by start_time DESC, run_id ASC by default", async (store) => {
    const experimentId = await store.createExperiment({ name: randomExperimentName() });
    const starts = [T0 + 1, T0 + 3, T0 + 3, T0 + 2, T0 + 3];
    const runs = [];
    for (const startTime of starts) runs.push(await store.createRun({ experimentId, startTime }));
    const expected = [...runs].sort((a, b) =>
      b.info.start_time - a.info.start_time || (a.info.run_id < b.info.run_id ? -1 : 1)
    );
    const page = await store.searchRuns({ experimentIds: [experimentId] });
    assert.deepEqual(ids(page.items), ids(expected));
    assert.equal(page.nextPageToken, undefined);
    assert.deepEqual(page.items[0], await store.getRun(page.items[0].info.run_id), "full runs");
  });

  test("searchRuns() compares metrics with -0 as 0 and NaN as 0", async (store) => {
    const experimentId = await store.createExperiment({ name: randomExperimentName() });
    const byValue = new Map<string, string>();
    for (
      const [label, value] of [["0", 0], ["-0", -0], ["NaN", NaN], ["-1", -1], ["1", 1]] as const
    ) {
      const run = await store.createRun({ experimentId, startTime: T0 });
      await store.logBatch(run.info.run_id, { metrics: [metric("m", value, T0, 0)] });
      byValue.set(run.info.run_id, label);
    }
    const labels = async (filter: string) =>
      ids((await store.searchRuns({ experimentIds: [experimentId], filter })).items)
        .map((id) => byValue.get(id)).sort();
    assert.deepEqual(await labels("metrics.m <= -0"), ["-0", "-1", "0", "NaN"]);
    assert.deepEqual(await labels("metrics.m >= -0.0"), ["-0", "0", "1", "NaN"]);
    assert.deepEqual(await labels("metrics.m = -0"), ["-0", "0", "NaN"]);
    assert.deepEqual(await labels("metrics.m < 0"), ["-1"]);
  });

  test("searchRuns() pages return every run exactly once", async (store) => {
    const experimentId = await store.createExperiment({ name: randomExperimentName() });
    const created = [];
    for (let i = 0; i < 7; i++) {
      created.push((await store.createRun({ experimentId, startTime: T0 + (i % 3) })).info.run_id);
    }
    const pages = await allRunPages(store, [experimentId], 3);
    assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
    const seen = ids(pages.flat());
    assert.equal(new Set(seen).size, 7);
    assert.deepEqual([...seen].sort(), [...created].sort());
    assert.deepEqual((await allRunPages(store, [experimentId], 7)).map((p) => p.length), [7]);
  });

  test("searchRuns() scopes by experiment ids and run view type", async (store) => {
    const { experimentId, runId: live } = await newRun(store);
    const { runId: gone } = await newRun(store, { experimentId, startTime: T0 - 1 });
    const { experimentId: otherExp, runId: other } = await newRun(store);
    await store.deleteRun(gone);
    const search = async (
      experimentIds: string[],
      runViewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL",
    ) => ids((await store.searchRuns({ experimentIds, runViewType })).items);
    assert.deepEqual(await search([experimentId]), [live]);
    assert.deepEqual(await search([experimentId], "DELETED_ONLY"), [gone]);
    assert.deepEqual(await search([experimentId], "ALL"), [live, gone]);
    assert.deepEqual((await search([experimentId, otherExp])).sort(), [live, other].sort());
    assert.deepEqual(await search([]), []);
    assert.deepEqual(await search(["999"]), []);
  });

  test("searchRuns() applies filters to latest metrics, params, tags and attributes", async (store) => {
    const experimentId = await store.createExperiment({ name: randomExperimentName() });
    const a = await store.createRun({ experimentId, runName: "a", startTime: T0 });
    const b = await store.createRun({ experimentId, runName: "b", startTime: T0 + 1 });
    await store.logBatch(a.info.run_id, {
      metrics: [metric("loss", 0.9, T0, 0), metric("loss", 0.2, T0, 1)],
      params: [param("lr", "0.1")],
      tags: [tag("team", "x")],
    });
    await store.logBatch(b.info.run_id, {
      metrics: [metric("loss", 0.7)],
      params: [param("lr", "0.2")],
    });
    await store.updateRun(b.info.run_id, { status: "FINISHED" });
    const search = async (filter: string) =>
      ids((await store.searchRuns({ experimentIds: [experimentId], filter })).items);
    assert.deepEqual(await search("metrics.loss < 0.5"), [a.info.run_id]);
    assert.deepEqual(await search("params.lr = '0.2'"), [b.info.run_id]);
    assert.deepEqual(await search("tags.team = 'x'"), [a.info.run_id]);
    assert.deepEqual(await search("attributes.status = 'FINISHED'"), [b.info.run_id]);
    assert.deepEqual(await search("attributes.run_name = 'a'"), [a.info.run_id]);
    assert.deepEqual(await search(""), [b.info.run_id, a.info.run_id]);
  });

  test("searchRuns() rejects an invalid filter", async (store) => {
    await assertMlflowError(
      store.searchRuns({ experimentIds: ["0"], filter: "metrics.loss <" }),
      "INVALID_PARAMETER_VALUE",
    );
  });

  test("searchExperiments() orders by creation_time DESC, experiment_id ASC by default", async (store) => {
    for (let i = 0; i < 4; i++) await store.createExperiment({ name: randomExperimentName() });
    const { items, nextPageToken } = await store.searchExperiments({});
    assert.equal(nextPageToken, undefined);
    assert.equal(items.length, 5);
    const expected = [...items].sort((a: Experiment, b: Experiment) =>
      b.creation_time - a.creation_time || Number(a.experiment_id) - Number(b.experiment_id)
    );
    assert.deepEqual(items, expected);
    assert.deepEqual(items.find((e) => e.experiment_id === "0"), await store.getExperiment("0"));
  });

  test("searchExperiments() filters by name and view type, and pages", async (store) => {
    const keep = randomExperimentName("keep");
    const keepId = await store.createExperiment({ name: keep });
    const goneId = await store.createExperiment({ name: randomExperimentName("gone") });
    await store.deleteExperiment(goneId);
    const names = async (o: Parameters<TrackingStore["searchExperiments"]>[0]) =>
      (await store.searchExperiments(o)).items.map((e) => e.experiment_id).sort();
    assert.deepEqual(await names({ filter: `name = '${keep}'` }), [keepId]);
    assert.deepEqual(await names({ filter: "name LIKE 'keep%'" }), [keepId]);
    assert.deepEqual(await names({}), ["0", keepId].sort());
    assert.deepEqual(await names({ viewType: "DELETED_ONLY" }), [goneId]);
    assert.deepEqual(await names({ viewType: "ALL" }), ["0", keepId, goneId].sort());
    const first = await store.searchExperiments({ viewType: "ALL", maxResults: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.nextPageToken);
    const second = await store.searchExperiments({
      viewType: "ALL",
      maxResults: 2,
      pageToken: first.nextPageToken,
    });
    assert.equal(second.items.length, 1);
    assert.equal(second.nextPageToken, undefined);
    const seen = [...first.items, ...second.items].map((e) => e.experiment_id).sort();
    assert.deepEqual(seen, ["0", keepId, goneId].sort());
  });

  test("searchExperiments() rejects an invalid filter", async (store) => {
    await assertMlflowError(
      store.searchExperiments({ filter: "name =" }),
      "INVALID_PARAMETER_VALUE",
    );
  });
}
