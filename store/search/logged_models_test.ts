import assert from "node:assert/strict";
import { MlflowError } from "../errors.ts";
import {
  parseLoggedModelFilter,
  parseLoggedModelOrderBy,
  parseLoggedModelQuery,
  requiredName,
} from "./logged_models.ts";

Deno.test("parseLoggedModelFilter() builds one clause per comparison, aliases resolved", () => {
  const clauses = parseLoggedModelFilter(
    "attributes.name = 'a' and creation_time > 5 AND metrics.`my acc` >= 0.5 AND " +
      "params.lr IN ('0.1', \"0.2\") AND tags.t ILIKE 'X%' AND status != 'READY'",
  );
  assert.deepEqual(clauses.map((c) => [c.kind, c.key, c.op]), [
    ["attribute", "name", "="],
    ["time", "creation_timestamp_ms", ">"],
    ["metric", "my acc", ">="],
    ["param", "lr", "IN"],
    ["tag", "t", "ILIKE"],
    ["attribute", "status", "!="],
  ]);
  assert.deepEqual(clauses[3], { kind: "param", key: "lr", op: "IN", values: ["0.1", "0.2"] });
  assert.deepEqual(clauses[5], {
    kind: "attribute",
    key: "status",
    op: "!=",
    value: "LOGGED_MODEL_READY",
  });
  assert.deepEqual(parseLoggedModelFilter("  "), []);
  assert.equal(requiredName(clauses), "a");
  assert.equal(requiredName(parseLoggedModelFilter("name LIKE 'a%'")), undefined);
});

Deno.test("parseLoggedModelFilter() points at the offending token", () => {
  assert.throws(
    () => parseLoggedModelFilter("name = 'a' OR name = 'b'"),
    (e) =>
      e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE" &&
      /OR is not supported when searching logged models; .*\(at position 11\)$/.test(e.message),
  );
  assert.throws(
    () => parseLoggedModelFilter("metrics.acc LIKE 'x'"),
    /invalid comparator 'LIKE' for metric 'acc'/,
  );
  assert.throws(() => parseLoggedModelFilter("run_id = 'x'"), /invalid attribute key 'run_id'/);
});

Deno.test("parseLoggedModelOrderBy() appends creation time DESC and model_id ASC", () => {
  assert.deepEqual(parseLoggedModelOrderBy(undefined), [
    { kind: "time", key: "creation_timestamp_ms", ascending: false },
    { kind: "attribute", key: "model_id", ascending: true },
  ]);
  assert.deepEqual(
    parseLoggedModelOrderBy([
      { field_name: " creation_time ", ascending: true },
      { field_name: "metrics.acc", ascending: false, dataset_name: "eval" },
    ]),
    [
      { kind: "time", key: "creation_timestamp_ms", ascending: true },
      { kind: "metric", key: "acc", ascending: false, dataset_name: "eval" },
      { kind: "attribute", key: "model_id", ascending: true },
    ],
  );
});

Deno.test("parseLoggedModelQuery() fingerprints the query but not the page size", () => {
  const a = parseLoggedModelQuery({ experimentIds: ["2", "1"], filter: "name = 'x'" });
  const b = parseLoggedModelQuery({
    experimentIds: ["1", "2", "1"],
    filter: " name = 'x' ",
    maxResults: 7,
  });
  const c = parseLoggedModelQuery({ experimentIds: ["1", "2"], filter: "name = 'y'" });
  assert.equal(a.fingerprint, b.fingerprint);
  assert.notEqual(a.fingerprint, c.fingerprint);
  assert.equal(a.maxResults, 50);
  assert.equal(b.maxResults, 7);
});
