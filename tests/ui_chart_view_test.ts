/**
 * The experiment page's chart view, its pure parts: grouping (mean, min and max of runs logged at
 * different steps), run colours, and the view's URL state. The browser side is driven in
 * tests/ui_runs_table_test.ts.
 *
 * @module
 */
/// <reference lib="dom" />
import assert from "node:assert/strict";
import { groupLines, groupValue, NO_VALUE, resample } from "../ui/islands/charts/group.ts";
import { runColorSlot, withAlpha } from "../ui/islands/charts/run_color.ts";
import {
  appendChartState,
  cardKeys,
  chartBuckets,
  chartRequests,
  emptyChartState,
  moveCard,
  parseChartState,
} from "../ui/islands/runs_table/chart_state.ts";
import { parseRunsState, runsStateQuery } from "../ui/islands/runs_table/state.ts";

Deno.test("resample() interpolates between a run's points and never extrapolates", () => {
  const s = { x: [0, 10, 20], y: [0, 10, null] };
  assert.deepEqual(resample(s, [-5, 0, 5, 10, 15, 20, 25]), [null, 0, 5, 10, null, null, null]);
  assert.deepEqual(resample({ x: [], y: [] }, [1, 2]), [null, null]);
  // Two points at one x (a bucket's min and max): the last one is the value there.
  assert.deepEqual(resample({ x: [0, 5, 5, 10], y: [1, 2, 3, 4] }, [5]), [3]);
});

Deno.test("groupLines() averages each group's runs point by point, with min and max", () => {
  const lines = groupLines([
    { group: "sgd", x: [0, 1, 2], y: [1, 2, 3] },
    { group: "sgd", x: [0, 2], y: [3, 5] }, // logged every other step: 4 at step 1
    { group: "adam", x: [1, 2, 3], y: [10, null, 30] },
    { group: "adam", x: [], y: [] }, // no points: not counted
  ]);
  assert.deepEqual(lines.map((l) => [l.value, l.runs]), [["adam", 1], ["sgd", 2]]);
  const sgd = lines[1];
  assert.deepEqual(sgd.x, [0, 1, 2]);
  assert.deepEqual(sgd.mean, [2, 3, 4]);
  assert.deepEqual(sgd.min, [1, 2, 3]);
  assert.deepEqual(sgd.max, [3, 4, 5]);
  const adam = lines[0];
  assert.deepEqual(adam.x, [1, 2, 3]);
  // A NaN point is a gap in the mean, not a zero.
  assert.deepEqual(adam.mean, [10, null, 30]);
});

Deno.test("groupLines() orders numeric group values as numbers", () => {
  const run = (group: string) => ({ group, x: [0], y: [1] });
  const values = groupLines(["10", "9", "0.1", NO_VALUE].map(run)).map((l) => l.value);
  assert.deepEqual(values, ["(not set)", "0.1", "9", "10"]);
});

Deno.test("groupValue() reads a param or tag, or says it is not set", () => {
  const data = { params: [{ key: "opt", value: "adam" }], tags: [{ key: "team", value: "nlp" }] };
  assert.equal(groupValue(data, "params.opt"), "adam");
  assert.equal(groupValue(data, "tags.team"), "nlp");
  assert.equal(groupValue(data, "params.lr"), NO_VALUE);
});

Deno.test("runColorSlot() gives a run one of the 20 colours, the same every time", () => {
  const ids = Array.from({ length: 400 }, (_, i) => `01a2486dde${i.toString(16).padStart(6, "0")}`);
  const slots = ids.map(runColorSlot);
  assert.deepEqual(ids.map(runColorSlot), slots);
  assert.ok(slots.every((s) => Number.isInteger(s) && s >= 0 && s < 20));
  // Time-ordered ids (a shared prefix) still spread over every colour.
  assert.equal(new Set(slots).size, 20);
  const counts = new Array(20).fill(0);
  for (const s of slots) counts[s]++;
  assert.ok(Math.max(...counts) < 40, `uneven: ${counts}`);
  assert.equal(withAlpha("#2563eb", 0.5), "rgba(37, 99, 235, 0.5)");
  assert.equal(withAlpha("#fff", 1), "rgba(255, 255, 255, 1)");
  assert.equal(withAlpha("red", 0.5), "red");
});

Deno.test("chart view state: URL round trip, beside the table's lifecycle view", () => {
  const charts = {
    hidden: ["r1"],
    pinned: ["r2", "r3"],
    group: "params.opt",
    order: ["loss", "acc"],
    search: "lo",
    x: "relative" as const,
    log: ["loss"],
    smooth: 0.6,
  };
  const state = { filter: "", order: "", view: "deleted" as const, cols: [], sel: [], charts };
  const qs = runsStateQuery(state);
  assert.match(qs, /view=deleted&view=charts/);
  assert.deepEqual(parseRunsState(new URLSearchParams(qs)), state);
  // Without ?view=charts there is no chart state; with it alone, the defaults.
  assert.equal(parseChartState(new URLSearchParams("view=all&hide=r1")), null);
  assert.deepEqual(parseChartState(new URLSearchParams("view=charts")), emptyChartState());
  assert.equal(parseRunsState(new URLSearchParams("view=charts")).view, "active");
  // Junk is ignored rather than trusted.
  const bad = parseChartState(new URLSearchParams("view=charts&group=metrics.x&x=z&smooth=7"))!;
  assert.deepEqual([bad.group, bad.x, bad.smooth], ["", "step", 0.99]);
  const out = new URLSearchParams();
  appendChartState(out, emptyChartState());
  assert.equal(String(out), "view=charts");
});

Deno.test("cardKeys() and moveCard(): the user's order first, search, moves among shown", () => {
  const keys = ["acc", "loss", "lr", "val_loss"];
  assert.deepEqual(cardKeys(keys, [], ""), ["acc", "loss", "lr", "val_loss"]);
  assert.deepEqual(cardKeys(keys, ["val_loss", "gone"], ""), ["val_loss", "acc", "loss", "lr"]);
  assert.deepEqual(cardKeys(keys, ["val_loss"], "LOSS"), ["val_loss", "loss"]);
  const all = cardKeys(keys, [], "");
  assert.deepEqual(moveCard(all, all, "loss", -1), ["loss", "acc", "lr", "val_loss"]);
  assert.deepEqual(moveCard(all, all, "acc", -1), all);
  // With the search showing loss and val_loss only, "later" swaps those two.
  assert.deepEqual(moveCard(all, ["loss", "val_loss"], "loss", 1), [
    "acc",
    "val_loss",
    "lr",
    "loss",
  ]);
});

Deno.test("chartBuckets() shares about 5,000 buckets among a card's runs, 50 to 500 each", () => {
  assert.deepEqual([1, 10, 20, 100].map(chartBuckets), [500, 500, 250, 50]);
});

Deno.test("chartRequests() names each card's first bulk request, unless a pin is missing", () => {
  const run = (id: string, keys: string[]) => ({
    info: { run_id: id },
    data: { metrics: keys.map((key) => ({ key })) },
  });
  const runs = [run("a", ["loss", "acc"]), run("b", ["loss"]), run("c", ["acc"])];
  const state = { ...emptyChartState(), pinned: ["c"], search: "lo" };
  const [req, ...rest] = chartRequests(runs, state);
  assert.equal(rest.length, 0);
  assert.deepEqual([req.key, req.runIds, req.buckets, req.x], ["loss", ["a", "b"], 500, "step"]);
  const u = new URL(req.url, "http://x");
  assert.equal(u.pathname, "/ajax-api/2.0/mlflow/metrics/get-history-downsampled-bulk");
  assert.deepEqual(u.searchParams.getAll("run_ids"), ["a", "b"]);
  assert.equal(u.searchParams.get("metric_key"), "loss");
  assert.equal(u.searchParams.get("buckets"), "500");
  assert.equal(u.searchParams.get("x"), "step");
  // The pinned run comes first in its cards.
  const acc = new URL(chartRequests(runs, { ...state, search: "" })[0].url, "http://x");
  assert.deepEqual(acc.searchParams.getAll("run_ids"), ["c", "a"]);
  assert.deepEqual(chartRequests(runs, { ...state, pinned: ["gone"] }), []);
});
