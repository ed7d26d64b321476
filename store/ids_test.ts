import assert from "node:assert/strict";
import { newRunId } from "./ids.ts";

Deno.test("run ids keep MLflow's shape: 32 lowercase hex, unique", () => {
  const ids = Array.from({ length: 5_000 }, () => newRunId());
  for (const id of ids.slice(0, 100)) assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(new Set(ids).size, ids.length);
});

// Time-ordered ids put a new run's keys next to the previous run's in KV (issue 12: creation
// slowed down as an experiment grew while uuid4 ids scattered every run over the whole store).
Deno.test("run ids grow in creation order, within a millisecond too", () => {
  const ids = Array.from({ length: 5_000 }, () => newRunId());
  ids.forEach((id, i) => {
    if (i > 0) assert.ok(ids[i - 1] < id, `${ids[i - 1]} then ${id}`);
  });
});

Deno.test("run ids start with the creation time in milliseconds (UUID version 7)", () => {
  const before = Date.now();
  const id = newRunId();
  const ms = parseInt(id.slice(0, 12), 16);
  assert.ok(ms >= before && ms <= Date.now() + 1, `${ms} not within [${before}, now]`);
  assert.equal(id[12], "7");
  assert.ok("89ab".includes(id[16]));
});
