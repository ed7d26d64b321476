/**
 * The metric charts' axis helpers (ui/islands/charts/axes.ts): whole-step ticks, `h:mm:ss`
 * relative time, and value labels that never call a small number `0`. Pure, no browser.
 *
 * @module
 */
/// <reference lib="dom" />
import assert from "node:assert/strict";
import {
  DURATION_INCRS,
  formatElapsed,
  formatValueTick,
  sparseLogSplits,
  STEP_INCRS,
  xAxisLabel,
  xSeries,
  xTicks,
  yTicks,
} from "../ui/islands/charts/axes.ts";

Deno.test("xTicks() gives the step axis whole-step increments only", () => {
  const { incrs, values } = xTicks("step");
  assert.ok(incrs && incrs.length > 10);
  for (const i of incrs) assert.ok(Number.isInteger(i) && i >= 1, String(i));
  assert.deepEqual(incrs.slice(0, 4), [1, 2, 5, 10]);
  assert.ok(incrs.at(-1)! >= 1e15);
  assert.equal(STEP_INCRS, incrs);
  assert.deepEqual(values!(null, [152, 153, 12000]), ["152", "153", "12,000"]);
});

Deno.test("formatElapsed() writes seconds as h:mm:ss", () => {
  assert.equal(formatElapsed(10680), "2:58:00");
  assert.equal(formatElapsed(0), "0:00");
  assert.equal(formatElapsed(75), "1:15");
  assert.equal(formatElapsed(3600), "1:00:00");
  assert.equal(formatElapsed(90061), "25:01:01");
  assert.equal(formatElapsed(-30), "-0:30");
  assert.equal(formatElapsed(0.25), "0:00.25");
  assert.equal(formatElapsed(NaN), "");
});

Deno.test("xTicks() labels relative time as h:mm:ss at round durations", () => {
  const { incrs, values } = xTicks("relative");
  assert.equal(incrs, DURATION_INCRS);
  for (const m of [60, 300, 900, 3600, 10800, 86400]) assert.ok(incrs!.includes(m), String(m));
  assert.deepEqual(values!(null, [0, 3600, 10680]), ["0:00", "1:00:00", "2:58:00"]);
  assert.deepEqual(xTicks("wall"), {}, "wall time keeps uPlot's date ticks");
  assert.equal(xSeries("relative").value!(null, 10680), "2:58:00");
  assert.equal(xSeries("step").value, undefined);
  assert.match(xAxisLabel("relative"), /h:mm:ss/);
});

Deno.test("yTicks() never labels a non-zero value 0 (the log axis floor)", () => {
  const { values } = yTicks();
  assert.deepEqual(values!(null, [0.0001, 0.001, 0.01, 1, 10]), [
    "1e-4",
    "0.001",
    "0.01",
    "1",
    "10",
  ]);
  assert.deepEqual(values!(null, [0.00025, 0.0005]), ["2.5e-4", "5e-4"]);
  for (const v of [1e-12, 3e-7, 0.0004, 0.0009]) assert.notEqual(formatValueTick(v), "0");
  assert.equal(formatValueTick(0), "0");
});

Deno.test("sparseLogSplits() thins a log axis's grid to the powers of ten", () => {
  const decades = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];
  const splits = decades.slice(0, -1).flatMap((d) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => m * d));
  splits.push(1);
  const kept = sparseLogSplits(splits, true);
  assert.equal(kept.length, splits.length);
  assert.deepEqual(kept.filter((v) => v !== null), decades);
  // A short log axis keeps every line; a linear one is never thinned.
  assert.deepEqual(sparseLogSplits([1, 2, 3, 4, 5], true), [1, 2, 3, 4, 5]);
  assert.deepEqual(sparseLogSplits(splits, false), splits);
});
