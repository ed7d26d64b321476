import assert from "node:assert/strict";
import { MlflowError } from "../errors.ts";
import { runYielding, SEARCH_SLICE_MS, type Steps, tooMuchWork, WorkBudget } from "./budget.ts";
import { searchExperimentsIn, searchRunsIn } from "./mod.ts";
import { makeRun } from "./_test_utils.ts";

function busy(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin */ }
}

Deno.test("WorkBudget.tick() asks for a pause once a slice has run SEARCH_SLICE_MS", () => {
  const b = new WorkBudget();
  assert.equal(b.tick(), false);
  busy(SEARCH_SLICE_MS + 5);
  let asked = false;
  for (let i = 0; i < 10_000 && !asked; i++) asked = b.tick();
  assert.ok(asked);
});

Deno.test("WorkBudget.tick() throws INVALID_PARAMETER_VALUE once the budget is spent", () => {
  const b = new WorkBudget(20);
  assert.throws(
    () => {
      for (;;) {
        b.tick();
        busy(1);
      }
    },
    (e) =>
      e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE" &&
      e.message === tooMuchWork(20),
  );
});

Deno.test("WorkBudget does not count pauses and awaited I/O as work", async () => {
  const b = new WorkBudget(30);
  await b.wait(new Promise((r) => setTimeout(r, 60)));
  await b.pause();
  b.tick(); // would throw if the 60 ms wait had been counted
});

Deno.test("runYielding() lets timers run at every pause", async () => {
  const b = new WorkBudget();
  let fired = 0;
  function* steps(): Steps<number> {
    for (let i = 0; i < 3; i++) {
      setTimeout(() => fired++, 0);
      yield;
    }
    return fired;
  }
  assert.equal(await runYielding(steps(), b), 3);
});

Deno.test("the reference searches give up with tooMuchWork() when over budget", () => {
  const runs = [makeRun(), makeRun()];
  const opts = { experimentIds: [runs[0].info.experiment_id] };
  assert.equal(searchRunsIn(runs, opts).items.length, 2);
  assert.throws(() => searchRunsIn(runs, opts, new WorkBudget(-1)), {
    message: tooMuchWork(-1),
  });
});

Deno.test("paging past hidden items counts against the budget too", () => {
  const experiments = Array.from({ length: 5000 }, (_, i) => ({
    experiment_id: String(i + 1),
    name: `e${i}`,
    artifact_location: `mlflow-artifacts:/${i + 1}`,
    lifecycle_stage: "active" as const,
    creation_time: i,
    last_update_time: i,
    tags: [],
  }));
  // Filtering is cheap; only the readable-set predicate is slow (~100 ms in all), and it hides
  // everything, so the page is refilled past all 5000.
  const visible = () => {
    busy(0.02);
    return false;
  };
  assert.deepEqual(searchExperimentsIn(experiments, { visible }), { items: [] });
  assert.throws(() => searchExperimentsIn(experiments, { visible }, new WorkBudget(10)), {
    message: tooMuchWork(10),
  });
});
