import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { type FilterNode, matchesRunFilter, parseRunFilter, topLevelClauses } from "./filter.ts";
import { assertInvalid, makeRun, type RunSpec } from "./_test_utils.ts";

function matches(filter: string, spec: RunSpec): boolean {
  return matchesRunFilter(parseRunFilter(filter), makeRun(spec));
}

/** Drops compiled LIKE matchers so ASTs compare as plain data. */
function plain(node: FilterNode | null): unknown {
  return JSON.parse(JSON.stringify(node, (k, v) => (k === "like" ? undefined : v)));
}

Deno.test("parseRunFilter() returns null for an empty filter", () => {
  for (const f of [undefined, null, "", "   ", "\n\t"]) equal(parseRunFilter(f), null);
  ok(matchesRunFilter(null, makeRun()));
});

Deno.test("parseRunFilter() builds one clause per comparison type", async (t) => {
  const cases: [string, unknown][] = [
    ["metrics.acc > 0.9", { kind: "metric", key: "acc", op: ">", value: 0.9 }],
    ["params.lr = '0.1'", { kind: "param", key: "lr", op: "=", value: "0.1" }],
    ["tags.t LIKE 'a%'", { kind: "tag", key: "t", op: "LIKE", value: "a%" }],
    ["params.p IS NULL", { kind: "param", key: "p", op: "IS NULL" }],
    ["tags.t IS NOT NULL", { kind: "tag", key: "t", op: "IS NOT NULL" }],
    ["status = 'FAILED'", { kind: "string_attribute", key: "status", op: "=", value: "FAILED" }],
    ["run_id IN ('a','b')", {
      kind: "string_attribute",
      key: "run_id",
      op: "IN",
      values: ["a", "b"],
    }],
    ["end_time <= 5", { kind: "numeric_attribute", key: "end_time", op: "<=", value: 5 }],
    ["datasets.digest NOT IN ('x')", {
      kind: "dataset",
      key: "digest",
      op: "NOT IN",
      values: ["x"],
    }],
  ];
  for (const [f, want] of cases) {
    await t.step(f, () => deepStrictEqual(plain(parseRunFilter(f)), want));
  }
});

Deno.test("parseRunFilter() reads IN lists of quoted strings", async (t) => {
  const values = (f: string) => (parseRunFilter(f) as { values: string[] }).values;
  await t.step(
    "either quote kind",
    () => deepStrictEqual(values(`run_id IN ('a', "b")`), ["a", "b"]),
  );
  await t.step("one element", () => deepStrictEqual(values("run_id IN ('a')"), ["a"]));
  await t.step("a trailing comma", () => deepStrictEqual(values("run_id IN ('a',)"), ["a"]));
  await t.step("no spaces", () => deepStrictEqual(values("params.p NOT IN('a','b')"), ["a", "b"]));
});

Deno.test("parseRunFilter() resolves every entity type alias", async (t) => {
  const cases: [string, string][] = [
    ["metric.m > 1", "metric"],
    ["metrics.m > 1", "metric"],
    ["param.p = 'x'", "param"],
    ["params.p = 'x'", "param"],
    ["parameter.p = 'x'", "param"],
    ["parameters.p = 'x'", "param"],
    ["tag.t = 'x'", "tag"],
    ["tags.t = 'x'", "tag"],
    ["attribute.status = 'x'", "string_attribute"],
    ["attributes.status = 'x'", "string_attribute"],
    ["attr.status = 'x'", "string_attribute"],
    ["run.status = 'x'", "string_attribute"],
    ["status = 'x'", "string_attribute"],
    ["dataset.name = 'x'", "dataset"],
    ["datasets.name = 'x'", "dataset"],
    ["`metrics`.m > 1", "metric"],
    ["`params`.`p` = 'x'", "param"],
  ];
  for (const [f, kind] of cases) {
    await t.step(f, () => equal((parseRunFilter(f) as { kind: string }).kind, kind));
  }
});

Deno.test("parseRunFilter() resolves attribute aliases to canonical keys", async (t) => {
  const cases: [string, string][] = [
    ["created > 1", "start_time"],
    ["Created > 1", "start_time"],
    ["attributes.created > 1", "start_time"],
    ["\"run name\" = 'x'", "run_name"],
    ["`Run name` = 'x'", "run_name"],
    ["attributes.\"Run Name\" = 'x'", "run_name"],
    ["attributes.run_name = 'x'", "run_name"],
    ["run_id = 'x'", "run_id"],
    ["user_id = 'x'", "user_id"],
    ["artifact_uri = 'x'", "artifact_uri"],
    ["start_time > 1", "start_time"],
    ["end_time > 1", "end_time"],
  ];
  for (const [f, key] of cases) {
    await t.step(f, () => equal((parseRunFilter(f) as { key: string }).key, key));
  }
});

Deno.test("parseRunFilter() splits at the first dot and unquotes keys", async (t) => {
  const cases: [string, string][] = [
    ["tags.mlflow.runName = 'x'", "mlflow.runName"],
    ["params.\"model-type\" = 'x'", "model-type"],
    ["metrics.`error rate` > 1", "error rate"],
    ['metrics."2019-04-02 error rate" > 1', "2019-04-02 error rate"],
    ["`tags`.`a.b` = 'x'", "a.b"],
    ["metrics.'prediction accuracy' > 1", "prediction accuracy"],
    ["params.a.b.c = 'x'", "a.b.c"],
    ["metrics.1st > 1", "1st"],
    ["params.ключ = 'x'", "ключ"],
  ];
  for (const [f, key] of cases) {
    await t.step(f, () => equal((parseRunFilter(f) as { key: string }).key, key));
  }
});

Deno.test("parseRunFilter() reads keywords in any case", async (t) => {
  const cases = [
    "params.a like 'x' and params.b ilike 'y'",
    "params.a Like 'x' AnD params.b ILike 'y'",
    "run_id in ('a') and run_id not in ('b')",
    "params.a is null or params.b is not null",
    "not params.a = 'x'",
  ];
  for (const f of cases) await t.step(f, () => ok(parseRunFilter(f) !== null));
});

Deno.test("parseRunFilter() reads quoted strings and numbers", async (t) => {
  const value = (f: string) => (parseRunFilter(f) as { value: unknown }).value;
  await t.step("single and double quotes", () => {
    equal(value("params.a = 'x y'"), "x y");
    equal(value('params.a = "x y"'), "x y");
  });
  await t.step("doubled or backslashed quote embeds it", () => {
    equal(value("params.a = 'it''s'"), "it's");
    equal(value("params.a = 'it\\'s'"), "it's");
    equal(value('params.a = "say ""hi"""'), 'say "hi"');
  });
  await t.step("other backslashes are literal", () => equal(value("params.a = 'C:\\x'"), "C:\\x"));
  await t.step("the other quote kind is literal", () => equal(value(`params.a = "it's"`), "it's"));
  await t.step("number forms", () => {
    equal(value("metrics.m = 42"), 42);
    equal(value("metrics.m = -1.5"), -1.5);
    equal(value("metrics.m = .5"), 0.5);
    equal(value("metrics.m = 1."), 1);
    equal(value("metrics.m = 1e3"), 1000);
    equal(value("metrics.m = 2E-2"), 0.02);
    equal(value("metrics.m>-3"), -3);
  });
});

Deno.test("matchesRunFilter() compares metrics against the latest value", async (t) => {
  const spec = { metrics: { acc: 0.5 } };
  const cases: [string, boolean][] = [
    ["metrics.acc = 0.5", true],
    ["metrics.acc != 0.5", false],
    ["metrics.acc != 0.4", true],
    ["metrics.acc > 0.4", true],
    ["metrics.acc > 0.5", false],
    ["metrics.acc >= 0.5", true],
    ["metrics.acc < 0.6", true],
    ["metrics.acc < 0.5", false],
    ["metrics.acc <= 0.5", true],
  ];
  for (const [f, want] of cases) await t.step(f, () => equal(matches(f, spec), want));
});

Deno.test("matchesRunFilter() never matches a run without the metric", async (t) => {
  for (const op of ["=", "!=", ">", ">=", "<", "<="]) {
    await t.step(op, () => equal(matches(`metrics.other ${op} 0`, { metrics: { acc: 1 } }), false));
  }
});

Deno.test("matchesRunFilter() treats a NaN metric as 0", async (t) => {
  const spec = { metrics: { m: NaN } };
  const cases: [string, boolean][] = [
    ["metrics.m = 0", true],
    ["metrics.m < 1", true],
    ["metrics.m > -1", true],
    ["metrics.m != 0", false],
    ["metrics.m > 0", false],
    ["metrics.m >= 0", true],
  ];
  for (const [f, want] of cases) await t.step(f, () => equal(matches(f, spec), want));
});

Deno.test("matchesRunFilter() compares params and tags as strings", async (t) => {
  for (const kind of ["params", "tags"]) {
    const spec = kind === "params" ? { params: { a: "Adam" } } : { tags: { a: "Adam" } };
    const cases: [string, boolean][] = [
      [`${kind}.a = 'Adam'`, true],
      [`${kind}.a = 'adam'`, false],
      [`${kind}.a != 'adam'`, true],
      [`${kind}.a != 'Adam'`, false],
      [`${kind}.missing != 'x'`, false],
      [`${kind}.missing = 'x'`, false],
      [`${kind}.a LIKE 'Ad%'`, true],
      [`${kind}.a LIKE 'ad%'`, false],
      [`${kind}.a ILIKE 'ad%'`, true],
      [`${kind}.missing LIKE '%'`, false],
      [`${kind}.a IS NULL`, false],
      [`${kind}.missing IS NULL`, true],
      [`${kind}.a IS NOT NULL`, true],
      [`${kind}.missing IS NOT NULL`, false],
      [`${kind}.a IN ('SGD', 'Adam')`, true],
      [`${kind}.a IN ('adam')`, false],
      [`${kind}.a NOT IN ('SGD')`, true],
      [`${kind}.a NOT IN ('Adam')`, false],
      [`${kind}.missing NOT IN ('x')`, false],
    ];
    for (const [f, want] of cases) await t.step(f, () => equal(matches(f, spec), want));
  }
});

Deno.test("matchesRunFilter() compares string attributes", async (t) => {
  const spec: RunSpec = {
    id: "abc123",
    name: "bold-cat-7",
    status: "FAILED",
    user: "Bob",
    artifactUri: "s3://b/1/abc123/artifacts",
  };
  const cases: [string, boolean][] = [
    ["run_id = 'abc123'", true],
    ["attributes.run_id != 'abc123'", false],
    ["run_id IN ('x', 'abc123')", true],
    ["run_id NOT IN ('abc123')", false],
    ["run_name = 'bold-cat-7'", true],
    ["\"run name\" LIKE 'bold-%'", true],
    ["`Run Name` ILIKE 'BOLD%'", true],
    ["status = 'FAILED'", true],
    ["status = 'failed'", false],
    ["status ILIKE 'failed'", true],
    ["status IN ('FINISHED', 'FAILED')", true],
    ["status NOT IN ('FINISHED')", true],
    ["user_id = 'Bob'", true],
    ["user_id LIKE 'b%'", false],
    ["artifact_uri LIKE 's3://%'", true],
    ["run.artifact_uri != 'x'", true],
  ];
  for (const [f, want] of cases) await t.step(f, () => equal(matches(f, spec), want));
});

Deno.test("matchesRunFilter() reads run_name from the mlflow.runName tag", async (t) => {
  await t.step("the tag wins", () => {
    const spec = { name: "info-name", tags: { "mlflow.runName": "tag-name" } };
    equal(matches("run_name = 'tag-name'", spec), true);
    equal(matches("run_name = 'info-name'", spec), false);
  });
  await t.step("info.run_name stands in when the tag is gone", () => {
    equal(matches("run_name = 'n'", { name: "n", nameTag: false }), true);
  });
});

Deno.test("matchesRunFilter() compares numeric attributes", async (t) => {
  const spec = { start: 100, end: 200 };
  const cases: [string, boolean][] = [
    ["start_time = 100", true],
    ["attributes.start_time > 99.5", true],
    ["created >= 100", true],
    ["Created < 100", false],
    ["end_time != 100", true],
    ["end_time <= 200", true],
  ];
  for (const [f, want] of cases) await t.step(f, () => equal(matches(f, spec), want));
  await t.step("a run without end_time matches no end_time comparison", () => {
    for (const op of ["=", "!=", ">", ">=", "<", "<="]) {
      equal(matches(`end_time ${op} 0`, { start: 100 }), false);
    }
  });
});

Deno.test("matchesRunFilter() matches datasets when any input matches", async (t) => {
  const spec: RunSpec = {
    datasets: [
      { name: "train-set", digest: "d1", context: "training" },
      { name: "eval-set", digest: "d2" },
    ],
  };
  const cases: [string, boolean][] = [
    ["datasets.name = 'eval-set'", true],
    ["datasets.name != 'eval-set'", true],
    ["datasets.name LIKE '%-set'", true],
    ["datasets.name ILIKE 'TRAIN%'", true],
    ["datasets.name = 'other'", false],
    ["datasets.digest IN ('d9', 'd2')", true],
    ["datasets.digest NOT IN ('d1', 'd2')", false],
    ["datasets.context = 'training'", true],
    ["datasets.context != 'training'", false],
    ["datasets.context IN ('eval')", false],
    ["dataset.context LIKE 'train%'", true],
  ];
  for (const [f, want] of cases) await t.step(f, () => equal(matches(f, spec), want));
  await t.step("a run without datasets never matches", () => {
    equal(matches("datasets.name != 'x'", {}), false);
    equal(matches("datasets.name NOT IN ('x')", {}), false);
  });
});

Deno.test("matchesRunFilter() applies LIKE wildcards literally otherwise", async (t) => {
  const like = (value: string, pattern: string, op = "LIKE") =>
    matches(`params.p ${op} '${pattern}'`, { params: { p: value } });
  await t.step("% matches any run, including none", () => {
    ok(like("abc", "%"));
    ok(like("", "%"));
    ok(like("abc", "a%c"));
    ok(like("ac", "a%c"));
    ok(!like("abd", "a%c"));
  });
  await t.step("_ matches exactly one character", () => {
    ok(like("abc", "a_c"));
    ok(!like("ac", "a_c"));
    ok(like("aéc", "a_c"));
    ok(like("a😀c", "a_c"));
  });
  await t.step("without wildcards it is whole-string equality", () => {
    ok(like("abc", "abc"));
    ok(!like("abcd", "abc"));
    ok(!like("xabc", "abc"));
  });
  await t.step("regex metacharacters are literal", () => {
    ok(like("a.c", "a.c"));
    ok(!like("abc", "a.c"));
    ok(like("(x)+[y]*?{2}$^|\\/", "(x)+[y]*?{2}$^|\\/"));
    ok(!like("xxx", "x*"));
  });
  await t.step("% spans newlines", () => ok(like("a\nb", "a%b")));
  await t.step("LIKE is case-sensitive, ILIKE is not", () => {
    ok(!like("ABC", "abc"));
    ok(like("ABC", "abc", "ILIKE"));
    ok(like("Ärger", "är%", "ILIKE"));
  });
});

Deno.test("matchesRunFilter() evaluates OR, NOT and parentheses with NOT > AND > OR", async (t) => {
  const spec = { params: { a: "1", b: "2" } };
  const cases: [string, boolean][] = [
    ["params.a = '1' OR params.a = '9'", true],
    ["params.a = '9' OR params.b = '9'", false],
    ["params.a = '9' AND params.b = '9' OR params.a = '1'", true],
    ["params.a = '9' AND (params.b = '9' OR params.a = '1')", false],
    ["params.a = '1' OR params.b = '9' AND params.a = '9'", true],
    ["(params.a = '1' OR params.b = '9') AND params.a = '9'", false],
    ["NOT params.a = '9'", true],
    ["NOT params.a = '1' OR params.b = '2'", true],
    ["NOT (params.a = '1' OR params.b = '2')", false],
    ["NOT NOT params.a = '1'", true],
    ["NOT params.missing = 'x'", true],
    ["((params.a = '1'))", true],
  ];
  for (const [f, want] of cases) await t.step(f, () => equal(matches(f, spec), want));
  await t.step("AND and OR chains are flattened", () => {
    const n = parseRunFilter("params.a='1' AND params.b='2' AND (params.c='3' AND params.d='4')");
    equal(n?.kind, "and");
    equal((n as { children: unknown[] }).children.length, 4);
    const o = parseRunFilter("params.a='1' OR params.b='2' OR params.c='3'");
    equal((o as { children: unknown[] }).children.length, 3);
  });
});

Deno.test("parseRunFilter() accepts a trailing AND as MLflow does", () => {
  deepStrictEqual(
    plain(parseRunFilter("metrics.a > 1 AND ")),
    plain(parseRunFilter("metrics.a > 1")),
  );
  deepStrictEqual(
    plain(parseRunFilter("metrics.a > 1 and")),
    plain(parseRunFilter("metrics.a > 1")),
  );
});

Deno.test("parseRunFilter() rejects invalid filters with a pointed message", async (t) => {
  const cases: [string, ...string[]][] = [
    ["foo.bar = 'x'", "invalid entity type 'foo'", "position 0"],
    ["METRICS.a > 1", "invalid entity type 'METRICS'"],
    ["bogus = 'x'", "invalid attribute key 'bogus'"],
    ["experiment_id = '1'", "invalid attribute key 'experiment_id'"],
    ["lifecycle_stage = 'active'", "invalid attribute key 'lifecycle_stage'"],
    ["datasets.source = 'x'", "invalid dataset key 'source'"],
    ["metrics.a LIKE '1'", "invalid comparator 'LIKE' for metric 'a'", "position 10"],
    ["metrics.a IN (1)", "invalid comparator 'IN' for metric 'a'"],
    ["metrics.a IS NULL", "invalid comparator 'IS NULL' for metric 'a'"],
    ["params.a > '1'", "invalid comparator '>' for param 'a'"],
    ["tags.a <= '1'", "invalid comparator '<=' for tag 'a'"],
    ["status > 'x'", "invalid comparator '>' for attribute 'status'"],
    ["status IS NULL", "invalid comparator 'IS NULL' for attribute 'status'"],
    ["start_time LIKE '1'", "invalid comparator 'LIKE' for attribute 'start_time'"],
    ["end_time IN ('1')", "invalid comparator 'IN' for attribute 'end_time'"],
    ["datasets.name < 'x'", "invalid comparator '<' for dataset 'name'"],
    ["params.a == 'x'", "invalid comparator '=='"],
    ["params.a <> 'x'", "invalid comparator '<>'"],
    ["metrics.a > '1'", "expected a number for metric 'a'", "string '1'"],
    ["metrics.a > abc", "expected a number for metric 'a'", "'abc'"],
    ["start_time > '1'", "expected a number for attribute 'start_time'"],
    ["params.a = 1", "expected a quoted string for param 'a'", "'1'"],
    ["params.a = abc", "expected a quoted string for param 'a'"],
    ["tags.a = `x`", "expected a quoted string for tag 'a'"],
    ["status = FAILED", "expected a quoted string for attribute 'status'"],
    ["datasets.name = 5", "expected a quoted string for dataset 'name'"],
    ["run_id IN ()", "must not be empty"],
    ["run_id IN ('a', 1)", "expected a quoted string in the list", "'1'"],
    ["run_id IN ('a' 'b')", "expected ',' or ')'"],
    ["run_id IN 'a'", "expected a list"],
    ["run_id IN ('a'", "expected ',' or ')' in the list but found end of input"],
    ["params.a = 'x' params.b = 'y'", "expected AND, OR or end of input", "'params.b'"],
    ["params.a = 'x' AND AND params.b = 'y'", "expected an identifier", "'AND'"],
    ["AND params.a = 'x'", "expected an identifier", "'AND'"],
    ["params.a = 'x' OR", "expected an identifier", "end of input"],
    ["(params.a = 'x'", "expected ')' to close the '(' at position 0"],
    ["params.a = 'x')", "unbalanced ')'"],
    ["params.a = 'x'; params.b = 'y'", "unexpected character ';'"],
    ["params.a = 'x", "unterminated string"],
    ["params.a", "expected a comparator after param 'a' but found end of input"],
    ["params.a = ", "expected a quoted string for param 'a'", "end of input"],
    ["params.a IS 'x'", "expected NULL after 'IS'"],
    ["params.a IS NOT 'x'", "expected NULL after 'IS NOT'"],
    ["params.a.\"b\" = 'x'", "quote the whole key"],
    ["params. = 'x'", "expected a name after '.'"],
    ["metrics.a > 1x", "invalid number"],
    ["'params.a' = 'x'", "expected an identifier", "string 'params.a'"],
    [`${"(".repeat(65)}params.a = 'x'${")".repeat(65)}`, "nest deeper than 64"],
    [`${"NOT ".repeat(100)}params.a = 'x'`, "nest deeper than 64"],
  ];
  for (const [f, ...fragments] of cases) {
    await t.step(
      f,
      () =>
        assertInvalid(() => parseRunFilter(f), `Invalid filter '${f.slice(0, 150)}`, ...fragments),
    );
  }
});

Deno.test("topLevelClauses() returns the conjuncts a planner may use", () => {
  deepStrictEqual(topLevelClauses(null), []);
  const single = parseRunFilter("params.a = 'x'");
  deepStrictEqual(topLevelClauses(single), [single]);
  const and = parseRunFilter(
    "params.a = 'x' AND metrics.m > 0.5 AND (tags.t = 'a' OR tags.t = 'b')",
  );
  deepStrictEqual(
    topLevelClauses(and).map((c) => c.kind),
    ["param", "metric", "or"],
  );
  const or = parseRunFilter("params.a = 'x' OR metrics.m > 0.5");
  equal(topLevelClauses(or).length, 1);
});

Deno.test("parseRunFilter() quotes at most a few hundred characters of a huge token", () => {
  const huge = `'${"x".repeat(60_000)}'`;
  for (const filter of [`${huge} = 'a'`, `metrics.a > 1 AND ${huge}`]) {
    let message = "";
    try {
      parseRunFilter(filter);
    } catch (e) {
      message = (e as Error).message;
    }
    ok(message.length > 0 && message.length < 1_000, `message of ${message.length} characters`);
  }
});
