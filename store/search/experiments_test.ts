import { deepStrictEqual, equal } from "node:assert/strict";
import {
  compareExperiments,
  type ExperimentClause,
  matchesExperimentFilter,
  parseExperimentFilter,
  parseExperimentOrderBy,
} from "./experiments.ts";
import { assertInvalid, makeExperiment } from "./_test_utils.ts";

function plain(clauses: ExperimentClause[]): unknown {
  return JSON.parse(JSON.stringify(clauses, (k, v) => (k === "like" ? undefined : v)));
}

const EXP = makeExperiment("7", {
  name: "Prod-Model",
  creation_time: 100,
  last_update_time: 200,
  tags: { team: "ml", "a.b": "dotted" },
});

function matches(filter: string): boolean {
  return matchesExperimentFilter(parseExperimentFilter(filter), EXP);
}

Deno.test("parseExperimentFilter() returns no clauses for an empty filter", () => {
  for (const f of [undefined, null, "", "  "]) deepStrictEqual(parseExperimentFilter(f), []);
  equal(matchesExperimentFilter([], EXP), true);
});

Deno.test("parseExperimentFilter() builds AND-ed clauses", async (t) => {
  const cases: [string, unknown][] = [
    ["name = 'x'", [{ kind: "name", op: "=", value: "x" }]],
    ["attribute.name LIKE 'x%'", [{ kind: "name", op: "LIKE", value: "x%" }]],
    ["creation_time > 5", [{ kind: "time", key: "creation_time", op: ">", value: 5 }]],
    ["attribute.last_update_time <= 5", [{
      kind: "time",
      key: "last_update_time",
      op: "<=",
      value: 5,
    }]],
    ["tags.team = 'ml'", [{ kind: "tag", key: "team", op: "=", value: "ml" }]],
    ['tag."a b" != "x"', [{ kind: "tag", key: "a b", op: "!=", value: "x" }]],
    ["tags.`a.b` ILIKE 'x'", [{ kind: "tag", key: "a.b", op: "ILIKE", value: "x" }]],
    ["name = 'a' and creation_time = 1", [
      { kind: "name", op: "=", value: "a" },
      { kind: "time", key: "creation_time", op: "=", value: 1 },
    ]],
    ["name = 'a' AND", [{ kind: "name", op: "=", value: "a" }]],
  ];
  for (const [f, want] of cases) {
    await t.step(f, () => deepStrictEqual(plain(parseExperimentFilter(f)), want));
  }
});

Deno.test("matchesExperimentFilter() applies each comparator", async (t) => {
  const cases: [string, boolean][] = [
    ["name = 'Prod-Model'", true],
    ["name = 'prod-model'", false],
    ["name != 'x'", true],
    ["name LIKE 'Prod-%'", true],
    ["name LIKE 'prod-%'", false],
    ["name ILIKE 'prod-%'", true],
    ["creation_time = 100", true],
    ["creation_time != 100", false],
    ["creation_time > 99", true],
    ["creation_time >= 101", false],
    ["last_update_time < 201", true],
    ["last_update_time <= 199", false],
    ["tags.team = 'ml'", true],
    ["tag.team != 'ml'", false],
    ["tags.team LIKE 'm_'", true],
    ["tags.team ILIKE 'ML'", true],
    ["tags.a.b = 'dotted'", true],
    ["tags.missing != 'x'", false],
    ["tags.missing LIKE '%'", false],
    ["name LIKE '%Model' AND tags.team = 'ml' AND creation_time < 1000", true],
    ["name LIKE '%Model' AND tags.team = 'dl'", false],
  ];
  for (const [f, want] of cases) await t.step(f, () => equal(matches(f), want));
});

Deno.test("parseExperimentFilter() rejects what MLflow rejects", async (t) => {
  const cases: [string, ...string[]][] = [
    ["attributes.name = 'x'", "invalid entity type 'attributes'"],
    ["params.a = 'x'", "invalid entity type 'params'"],
    ["experiment_id = '1'", "invalid attribute key 'experiment_id'"],
    ["lifecycle_stage = 'active'", "invalid attribute key 'lifecycle_stage'"],
    ["name = 'a' OR name = 'b'", "OR is not supported"],
    ["(name = 'a')", "expected an identifier", "'('"],
    ["NOT name = 'a'", "expected an identifier", "'NOT'"],
    ["name IN ('a')", "invalid comparator 'IN' for attribute 'name'"],
    ["name > 'a'", "invalid comparator '>' for attribute 'name'"],
    ["tags.t IS NULL", "invalid comparator 'IS NULL' for tag 't'"],
    ["creation_time LIKE '1'", "invalid comparator 'LIKE' for attribute 'creation_time'"],
    ["creation_time > '1'", "expected a number for attribute 'creation_time'"],
    ["name = abc", "expected a quoted string for attribute 'name'"],
    ["tags.t = 1", "expected a quoted string for tag 't'"],
    ["name = 'a' name = 'b'", "expected AND or end of input"],
    ["name = 'a' AND AND name = 'b'", "expected an identifier", "'AND'"],
  ];
  for (const [f, ...fragments] of cases) {
    await t.step(
      f,
      () => assertInvalid(() => parseExperimentFilter(f), `Invalid filter '${f}'`, ...fragments),
    );
  }
});

Deno.test("parseExperimentOrderBy() defaults and appends experiment_id", async (t) => {
  await t.step("default", () => {
    deepStrictEqual(parseExperimentOrderBy(undefined), [
      { key: "creation_time", ascending: false },
      { key: "experiment_id", ascending: true },
    ]);
    deepStrictEqual(parseExperimentOrderBy([]), parseExperimentOrderBy(undefined));
  });
  await t.step("experiment_id DESC appended", () => {
    deepStrictEqual(parseExperimentOrderBy(["name"]), [
      { key: "name", ascending: true },
      { key: "experiment_id", ascending: false },
    ]);
  });
  await t.step("not appended when given", () => {
    deepStrictEqual(
      parseExperimentOrderBy(["attribute.experiment_id ASC", "last_update_time desc"]),
      [
        { key: "experiment_id", ascending: true },
        { key: "last_update_time", ascending: false },
      ],
    );
  });
});

Deno.test("parseExperimentOrderBy() rejects other keys and tags", async (t) => {
  const cases: [string, ...string[]][] = [
    ["tags.team", "cannot be ordered by tags"],
    ["lifecycle_stage", "invalid order_by key 'lifecycle_stage'"],
    ["attributes.name", "invalid entity type 'attributes'"],
    ["name UP", "expected ASC, DESC or end of input"],
    ["", "expected a field"],
  ];
  for (const [clause, ...fragments] of cases) {
    await t.step(clause || "(empty)", () => {
      assertInvalid(
        () => parseExperimentOrderBy([clause]),
        `Invalid order_by clause '${clause}'`,
        ...fragments,
      );
    });
  }
});

Deno.test("compareExperiments() orders ids numerically and names by code point", async (t) => {
  const exps = [
    makeExperiment("10", { name: "b", creation_time: 1 }),
    makeExperiment("9", { name: "B", creation_time: 1 }),
    makeExperiment("100", { name: "a", creation_time: 2 }),
    makeExperiment("0", { name: "Default", creation_time: 0 }),
  ];
  const ids = (clauses: string[]) =>
    [...exps].sort((a, b) => compareExperiments(a, b, parseExperimentOrderBy(clauses)))
      .map((e) => e.experiment_id);
  await t.step("default: creation_time DESC, experiment_id ASC", () => {
    deepStrictEqual(ids([]), ["100", "9", "10", "0"]);
  });
  await t.step(
    "experiment_id ASC",
    () => deepStrictEqual(ids(["experiment_id"]), ["0", "9", "10", "100"]),
  );
  await t.step("name ASC", () => deepStrictEqual(ids(["name"]), ["9", "0", "100", "10"]));
  await t.step("creation_time ASC, then experiment_id DESC", () => {
    deepStrictEqual(ids(["creation_time"]), ["0", "10", "9", "100"]);
  });
});
