import { deepStrictEqual, equal, ok } from "node:assert/strict";
import {
  parseExperimentFilter,
  parseRunFilter,
  parseRunOrderBy,
  runsQueryFingerprint,
  searchExperimentsIn,
  searchRunsIn,
} from "./mod.ts";
import { assertInvalid, makeExperiment, makeRun } from "./_test_utils.ts";
import { decodePageToken, encodePageToken } from "../page_token.ts";
import type { Experiment, Run, SearchExperimentsOptions, SearchRunsOptions } from "../types.ts";

function ids(runs: Run[]): string[] {
  return runs.map((r) => r.info.run_id);
}

/** Pages through a whole result, returning every item and the number of pages. */
function pageAll<T>(fetch: (token?: string) => { items: T[]; nextPageToken?: string }) {
  const all: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = fetch(token);
    pages++;
    ok(page.items.length > 0, "no empty pages");
    all.push(...page.items);
    token = page.nextPageToken;
  } while (token !== undefined);
  return { all, pages };
}

const RUNS = [
  makeRun({ id: "a1", exp: "1", start: 30, metrics: { acc: 0.9 } }),
  makeRun({ id: "a2", exp: "1", start: 20, metrics: { acc: 0.5 }, stage: "deleted" }),
  makeRun({ id: "b1", exp: "2", start: 10, metrics: { acc: 0.7 } }),
  makeRun({ id: "c1", exp: "3", start: 40 }),
];

Deno.test("searchRunsIn() scopes to the given experiments", async (t) => {
  await t.step(
    "one",
    () => deepStrictEqual(ids(searchRunsIn(RUNS, { experimentIds: ["1"] }).items), ["a1"]),
  );
  await t.step("several", () => {
    deepStrictEqual(ids(searchRunsIn(RUNS, { experimentIds: ["2", "1"] }).items), ["a1", "b1"]);
  });
  await t.step("an empty list returns nothing", () => {
    deepStrictEqual(searchRunsIn(RUNS, { experimentIds: [] }), { items: [] });
  });
});

Deno.test("searchRunsIn() applies runViewType to the run's lifecycle", async (t) => {
  const q = (runViewType?: SearchRunsOptions["runViewType"]) =>
    ids(searchRunsIn(RUNS, { experimentIds: ["1"], runViewType }).items);
  await t.step("default ACTIVE_ONLY", () => deepStrictEqual(q(), ["a1"]));
  await t.step("ACTIVE_ONLY", () => deepStrictEqual(q("ACTIVE_ONLY"), ["a1"]));
  await t.step("DELETED_ONLY", () => deepStrictEqual(q("DELETED_ONLY"), ["a2"]));
  await t.step("ALL", () => deepStrictEqual(q("ALL"), ["a1", "a2"]));
  await t.step("unknown", () => {
    assertInvalid(
      () => q("SOME" as SearchRunsOptions["runViewType"]),
      "Invalid view type 'SOME'",
    );
  });
});

Deno.test("searchRunsIn() filters and orders", () => {
  const page = searchRunsIn(RUNS, {
    experimentIds: ["1", "2", "3"],
    runViewType: "ALL",
    filter: "metrics.acc >= 0.5",
    orderBy: ["metrics.acc ASC"],
  });
  deepStrictEqual(ids(page.items), ["a2", "b1", "a1"]);
  equal(page.nextPageToken, undefined);
});

Deno.test("searchRunsIn() validates max_results", async (t) => {
  const run = (maxResults: number) => () =>
    searchRunsIn(RUNS, { experimentIds: ["1"], maxResults });
  await t.step("too large", () => {
    assertInvalid(
      run(50001),
      "Invalid value 50001 for parameter 'max_results' supplied",
      "at most 50000",
    );
  });
  await t.step("zero", () => assertInvalid(run(0), "Invalid value 0", "at least 1"));
  await t.step("negative", () => assertInvalid(run(-5), "at least 1"));
  await t.step("fraction", () => assertInvalid(run(1.5), "an integer"));
  await t.step("NaN", () => assertInvalid(run(NaN), "an integer"));
  await t.step("the bounds are allowed", () => {
    equal(run(1)().items.length, 1);
    equal(run(50000)().items.length, 1);
  });
});

Deno.test("searchRunsIn() returns 1000 runs by default", () => {
  const many = Array.from({ length: 1001 }, (_, i) => makeRun({ start: i }));
  const page = searchRunsIn(many, { experimentIds: ["1"] });
  equal(page.items.length, 1000);
  ok(page.nextPageToken);
  equal(
    searchRunsIn(many, { experimentIds: ["1"], pageToken: page.nextPageToken }).items.length,
    1,
  );
});

Deno.test("searchRunsIn() pages through every run exactly once", async (t) => {
  // Many equal start times, so the run_id tiebreak decides most of the order.
  const many = Array.from(
    { length: 257 },
    (_, i) => makeRun({ start: i % 7, metrics: i % 3 ? { m: i % 5 } : {} }),
  );
  for (const orderBy of [undefined, ["metrics.m DESC"], ["start_time ASC"]]) {
    await t.step(JSON.stringify(orderBy ?? "default"), () => {
      const opts = { experimentIds: ["1"], orderBy, maxResults: 10 };
      const { all, pages } = pageAll((pageToken) => searchRunsIn(many, { ...opts, pageToken }));
      equal(pages, 26);
      equal(all.length, 257);
      equal(new Set(ids(all)).size, 257);
      deepStrictEqual(ids(all), ids(searchRunsIn(many, { ...opts, maxResults: 1000 }).items));
    });
  }
});

Deno.test("searchRunsIn() returns no token when the page ends the result", async (t) => {
  const twenty = Array.from({ length: 20 }, () => makeRun());
  await t.step("exactly full", () => {
    equal(searchRunsIn(twenty, { experimentIds: ["1"], maxResults: 20 }).nextPageToken, undefined);
  });
  await t.step("last of two pages", () => {
    const first = searchRunsIn(twenty, { experimentIds: ["1"], maxResults: 10 });
    const second = searchRunsIn(twenty, {
      experimentIds: ["1"],
      maxResults: 10,
      pageToken: first.nextPageToken,
    });
    equal(second.items.length, 10);
    equal(second.nextPageToken, undefined);
  });
  await t.step("empty result", () => {
    deepStrictEqual(searchRunsIn([], { experimentIds: ["1"] }), { items: [] });
  });
});

Deno.test("searchRunsIn() accepts a different page size on later pages", () => {
  const many = Array.from({ length: 30 }, (_, i) => makeRun({ start: i }));
  const first = searchRunsIn(many, { experimentIds: ["1"], maxResults: 10 });
  const rest = searchRunsIn(many, {
    experimentIds: ["1"],
    maxResults: 50,
    pageToken: first.nextPageToken,
  });
  equal(rest.items.length, 20);
  equal(new Set([...ids(first.items), ...ids(rest.items)]).size, 30);
});

Deno.test("searchRunsIn() rejects a token from a different query", async (t) => {
  const many = Array.from({ length: 30 }, () => makeRun({ exp: "1", metrics: { m: 1 } }));
  const base: SearchRunsOptions = {
    experimentIds: ["1", "2"],
    filter: "metrics.m > 0",
    maxResults: 5,
  };
  const token = searchRunsIn(many, base).nextPageToken!;
  await t.step("same query (ids in any order) resumes", () => {
    equal(
      searchRunsIn(many, { ...base, experimentIds: ["2", "1"], pageToken: token }).items.length,
      5,
    );
  });
  const others: [string, SearchRunsOptions][] = [
    ["filter", { ...base, filter: "metrics.m > 1" }],
    ["no filter", { ...base, filter: undefined }],
    ["order", { ...base, orderBy: ["metrics.m"] }],
    ["view", { ...base, runViewType: "ALL" }],
    ["experiments", { ...base, experimentIds: ["1"] }],
  ];
  for (const [what, opts] of others) {
    await t.step(what, () => {
      assertInvalid(
        () => searchRunsIn(many, { ...opts, pageToken: token }),
        "Invalid page token",
        "this query",
      );
    });
  }
  await t.step("an experiments token", () => {
    const exps = Array.from({ length: 5 }, (_, i) => makeExperiment(String(i)));
    const expToken = searchExperimentsIn(exps, { maxResults: 1 }).nextPageToken;
    assertInvalid(() => searchRunsIn(many, { ...base, pageToken: expToken }), "Invalid page token");
  });
  await t.step("a token without a fingerprint", () => {
    assertInvalid(
      () => searchRunsIn(many, { ...base, pageToken: encodePageToken({ offset: 5 }) }),
      "Invalid page token",
    );
  });
  await t.step("garbage", () => {
    assertInvalid(
      () => searchRunsIn(many, { ...base, pageToken: "not a token!" }),
      "Invalid page token",
    );
  });
  await t.step("the token carries the offset and fingerprint", () => {
    deepStrictEqual(decodePageToken(token), { offset: 5, q: runsQueryFingerprint(base) });
  });
});

Deno.test("searchRunsIn() validates every argument before reading runs", async (t) => {
  const untouchable: Iterable<Run> = {
    [Symbol.iterator]() {
      throw new Error("runs were read");
    },
  };
  const bad: [string, SearchRunsOptions][] = [
    ["filter", { experimentIds: ["1"], filter: "params.a > 1" }],
    ["order", { experimentIds: ["1"], orderBy: ["bogus"] }],
    ["max_results", { experimentIds: ["1"], maxResults: 0 }],
    ["token", { experimentIds: ["1"], pageToken: "x" }],
    ["token with empty scope", { experimentIds: [], pageToken: "x" }],
  ];
  for (const [what, opts] of bad) {
    await t.step(what, () => assertInvalid(() => searchRunsIn(untouchable, opts)));
  }
});

Deno.test("parse functions are exported for validation before I/O", () => {
  ok(parseRunFilter("metrics.a > 1"));
  equal(parseRunOrderBy(["metrics.a"]).length, 3);
  equal(parseExperimentFilter("name = 'x'").length, 1);
});

const EXPS: Experiment[] = [
  makeExperiment("0", { name: "Default", creation_time: 0 }),
  makeExperiment("1", { name: "alpha", creation_time: 10, tags: { team: "ml" } }),
  makeExperiment("2", { name: "beta", creation_time: 20, lifecycle_stage: "deleted" }),
  makeExperiment("3", { name: "gamma", creation_time: 20, tags: { team: "ml" } }),
];

Deno.test("searchExperimentsIn() applies the view type", async (t) => {
  const q = (viewType?: SearchExperimentsOptions["viewType"]) =>
    searchExperimentsIn(EXPS, { viewType }).items.map((e) => e.experiment_id);
  await t.step("default ACTIVE_ONLY, newest first", () => deepStrictEqual(q(), ["3", "1", "0"]));
  await t.step("DELETED_ONLY", () => deepStrictEqual(q("DELETED_ONLY"), ["2"]));
  await t.step("ALL", () => deepStrictEqual(q("ALL"), ["2", "3", "1", "0"]));
});

Deno.test("searchExperimentsIn() filters and orders", () => {
  const page = searchExperimentsIn(EXPS, { filter: "tags.team = 'ml'", orderBy: ["name DESC"] });
  deepStrictEqual(page.items.map((e) => e.name), ["gamma", "alpha"]);
});

Deno.test("searchExperimentsIn() pages exactly once and rejects foreign tokens", async (t) => {
  const many = Array.from(
    { length: 57 },
    (_, i) => makeExperiment(String(i), { creation_time: i % 4 }),
  );
  await t.step("exactly once", () => {
    const { all, pages } = pageAll((pageToken) =>
      searchExperimentsIn(many, { maxResults: 10, pageToken })
    );
    equal(pages, 6);
    equal(new Set(all.map((e) => e.experiment_id)).size, 57);
  });
  await t.step("foreign token", () => {
    const token = searchExperimentsIn(many, { maxResults: 10 }).nextPageToken;
    assertInvalid(
      () =>
        searchExperimentsIn(many, { maxResults: 10, filter: "name LIKE '1%'", pageToken: token }),
      "Invalid page token",
    );
  });
  await t.step("max_results", () => {
    assertInvalid(() => searchExperimentsIn(many, { maxResults: 50001 }), "at most 50000");
    equal(searchExperimentsIn(many, {}).items.length, 57);
  });
});
