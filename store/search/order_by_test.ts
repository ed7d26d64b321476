import { deepStrictEqual, equal } from "node:assert/strict";
import {
  compareRuns,
  compareSortValues,
  type OrderClause,
  parseRunOrderBy,
  runComparator,
  sortRuns,
} from "./order_by.ts";
import { assertInvalid, makeRun, type RunSpec } from "./_test_utils.ts";
import type { Run } from "../types.ts";

const START_DESC: OrderClause = { kind: "numeric_attribute", key: "start_time", ascending: false };
const RUN_ID_ASC: OrderClause = { kind: "string_attribute", key: "run_id", ascending: true };

function runs(specs: (RunSpec & { id: string })[]): Run[] {
  return specs.map((s) => makeRun(s));
}

function order(clauses: string[], rs: Run[]): string[] {
  return sortRuns(rs, parseRunOrderBy(clauses)).map((r) => r.info.run_id);
}

Deno.test("parseRunOrderBy() defaults to start_time DESC, run_id ASC", () => {
  deepStrictEqual(parseRunOrderBy(undefined), [START_DESC, RUN_ID_ASC]);
  deepStrictEqual(parseRunOrderBy([]), [START_DESC, RUN_ID_ASC]);
});

Deno.test("parseRunOrderBy() parses identifiers and directions", async (t) => {
  const cases: [string, OrderClause][] = [
    ["metrics.rmse DESC", { kind: "metric", key: "rmse", ascending: false }],
    ["metrics.rmse", { kind: "metric", key: "rmse", ascending: true }],
    ["metric.rmse asc", { kind: "metric", key: "rmse", ascending: true }],
    ["params.`lr` desc", { kind: "param", key: "lr", ascending: false }],
    ['params."learning rate" Desc', { kind: "param", key: "learning rate", ascending: false }],
    ["`tags`.`a.b`", { kind: "tag", key: "a.b", ascending: true }],
    ["tags.mlflow.runName", { kind: "tag", key: "mlflow.runName", ascending: true }],
    ["attributes.status", { kind: "string_attribute", key: "status", ascending: true }],
    ["user_id DESC", { kind: "string_attribute", key: "user_id", ascending: false }],
    ["run_name", { kind: "string_attribute", key: "run_name", ascending: true }],
    ["`Run Name`", { kind: "string_attribute", key: "run_name", ascending: true }],
    ["artifact_uri", { kind: "string_attribute", key: "artifact_uri", ascending: true }],
    ["end_time DESC", { kind: "numeric_attribute", key: "end_time", ascending: false }],
  ];
  for (const [clause, want] of cases) {
    await t.step(clause, () => deepStrictEqual(parseRunOrderBy([clause])[0], want));
  }
});

Deno.test("parseRunOrderBy() maps timestamp and created to start_time", async (t) => {
  for (
    const clause of [
      "timestamp",
      "timestamp ASC",
      "created",
      "Created",
      "start_time",
      "attr.start_time",
    ]
  ) {
    await t.step(clause, () => {
      const parsed = parseRunOrderBy([clause]);
      deepStrictEqual(parsed, [{ ...START_DESC, ascending: true }, RUN_ID_ASC]);
    });
  }
  await t.step("timestamp DESC", () => {
    deepStrictEqual(parseRunOrderBy(["timestamp DESC"]), [START_DESC, RUN_ID_ASC]);
  });
});

Deno.test("parseRunOrderBy() appends only the missing tiebreaks", () => {
  deepStrictEqual(parseRunOrderBy(["metrics.m"]), [
    { kind: "metric", key: "m", ascending: true },
    START_DESC,
    RUN_ID_ASC,
  ]);
  deepStrictEqual(parseRunOrderBy(["run_id DESC"]), [
    { ...RUN_ID_ASC, ascending: false },
    START_DESC,
  ]);
  deepStrictEqual(parseRunOrderBy(["run_id", "start_time"]), [
    RUN_ID_ASC,
    { ...START_DESC, ascending: true },
  ]);
});

Deno.test("parseRunOrderBy() rejects invalid clauses", async (t) => {
  const cases: [string[], ...string[]][] = [
    [
      ["metrics.m", "metrics.m DESC"],
      "Invalid order_by clause 'metrics.m DESC'",
      "already ordered",
    ],
    [["created", "start_time"], "Invalid order_by clause 'start_time'", "already ordered"],
    [["timestamp", "attributes.start_time"], "already ordered"],
    [["`Run Name`", "run_name"], "already ordered"],
    [["metrics.m UP"], "expected ASC, DESC or end of input", "'UP'"],
    [["metrics.m ASC DESC"], "expected ASC, DESC or end of input", "'DESC'"],
    [["metrics.m, params.p"], "expected ASC, DESC or end of input", "','"],
    [[""], "expected a field", "end of input"],
    [["   "], "expected a field"],
    [["'metrics.m'"], "expected a field", "string 'metrics.m'"],
    [["bogus"], "invalid attribute key 'bogus'"],
    [["foo.bar"], "invalid entity type 'foo'"],
    [["datasets.name"], "cannot be ordered by datasets"],
  ];
  for (const [clauses, ...fragments] of cases) {
    await t.step(clauses.join(" | ") || "(empty)", () => {
      assertInvalid(() => parseRunOrderBy(clauses), ...fragments);
    });
  }
});

Deno.test("compareSortValues() puts missing last and NaN after numbers in both directions", async (t) => {
  const values = [3, undefined, NaN, -1, 10];
  const sorted = (asc: boolean) => [...values].sort((a, b) => compareSortValues(a, b, asc));
  await t.step("ASC", () => deepStrictEqual(sorted(true), [-1, 3, 10, NaN, undefined]));
  await t.step("DESC", () => deepStrictEqual(sorted(false), [10, 3, -1, NaN, undefined]));
  await t.step("strings by code point", () => {
    const s = ["b", "B", "a", "\uFF21", "\u{1F600}", undefined, ""];
    deepStrictEqual(
      [...s].sort((a, b) => compareSortValues(a, b, true)),
      ["", "B", "a", "b", "\uFF21", "\u{1F600}", undefined],
    );
  });
});

Deno.test("sortRuns() orders metrics as numbers, then NaN, then missing", async (t) => {
  const rs = runs([
    { id: "a", metrics: { m: 2 } },
    { id: "b" },
    { id: "c", metrics: { m: NaN } },
    { id: "d", metrics: { m: -5 } },
    { id: "e", metrics: { m: Number.MAX_VALUE } },
  ]);
  await t.step(
    "ASC",
    () => deepStrictEqual(order(["metrics.m ASC"], rs), ["d", "a", "e", "c", "b"]),
  );
  await t.step(
    "DESC",
    () => deepStrictEqual(order(["metrics.m DESC"], rs), ["e", "a", "d", "c", "b"]),
  );
});

Deno.test("sortRuns() puts runs without a param, tag or end_time last in both directions", async (t) => {
  const rs = runs([
    { id: "a", params: { p: "x" }, tags: { t: "2" }, end: 5 },
    { id: "b" },
    { id: "c", params: { p: "y" }, tags: { t: "10" }, end: 7 },
  ]);
  for (const dir of ["ASC", "DESC"]) {
    await t.step(`params ${dir}`, () => {
      deepStrictEqual(
        order([`params.p ${dir}`], rs),
        dir === "ASC" ? ["a", "c", "b"] : ["c", "a", "b"],
      );
    });
    await t.step(`tags ${dir} (compared as strings)`, () => {
      deepStrictEqual(
        order([`tags.t ${dir}`], rs),
        dir === "ASC" ? ["c", "a", "b"] : ["a", "c", "b"],
      );
    });
    await t.step(`end_time ${dir}`, () => {
      deepStrictEqual(
        order([`end_time ${dir}`], rs),
        dir === "ASC" ? ["a", "c", "b"] : ["c", "a", "b"],
      );
    });
  }
});

Deno.test("sortRuns() breaks ties by start_time DESC, then run_id ASC", async (t) => {
  const rs = runs([
    { id: "r3", start: 10, params: { p: "same" } },
    { id: "r1", start: 10, params: { p: "same" } },
    { id: "r2", start: 20, params: { p: "same" } },
    { id: "r0", start: 5, params: { p: "other" } },
  ]);
  await t.step("default order", () => deepStrictEqual(order([], rs), ["r2", "r1", "r3", "r0"]));
  await t.step("after a user clause", () => {
    deepStrictEqual(order(["params.p DESC"], rs), ["r2", "r1", "r3", "r0"]);
  });
  await t.step("a given start_time direction replaces the tiebreak", () => {
    deepStrictEqual(order(["start_time ASC"], rs), ["r0", "r1", "r3", "r2"]);
  });
});

Deno.test("sortRuns() orders string attributes", () => {
  const rs = runs([
    { id: "1", status: "RUNNING", user: "bob", name: "b" },
    { id: "2", status: "FAILED", user: "Alice", name: "a" },
    { id: "3", status: "KILLED", user: "alice", name: "c" },
  ]);
  deepStrictEqual(order(["status"], rs), ["2", "3", "1"]);
  deepStrictEqual(order(["user_id DESC"], rs), ["1", "3", "2"]);
  deepStrictEqual(order(["attributes.run_name"], rs), ["2", "1", "3"]);
});

Deno.test("compareRuns() agrees with sortRuns() and leaves the input alone", () => {
  const rs = runs(
    Array.from({ length: 40 }, (_, i) => ({
      id: `id${String(i).padStart(2, "0")}`,
      start: i % 3,
      ...(i % 4 !== 0 && { metrics: { m: i % 5 === 0 ? NaN : (i * 7) % 11 } }),
    })),
  );
  const before = rs.map((r) => r.info.run_id);
  const o = parseRunOrderBy(["metrics.m DESC"]);
  const viaSort = sortRuns(rs, o).map((r) => r.info.run_id);
  deepStrictEqual(rs.map((r) => r.info.run_id), before);
  deepStrictEqual([...rs].sort(runComparator(o)).map((r) => r.info.run_id), viaSort);
  equal(compareRuns(rs[0], rs[0], o), 0);
});
