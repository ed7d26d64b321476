/**
 * HTTP tests of the multi-run and chart reads: `metrics/get-history-bulk-interval`,
 * `metrics/get-history-bulk` (both MLflow web-UI endpoints) and kvflow's
 * `metrics/get-history-downsampled` and `metrics/get-history-downsampled-bulk`. The selection logic itself is covered in
 * store/history_views_test.ts; here: query decoding, the wire shape, the /ajax-api alias, and
 * that every bad request is a 4xx.
 */
/// <reference lib="dom" />
import assert from "node:assert/strict";
import { getHistoryDownsampledBulk } from "../../ui/islands/api.ts";
import {
  createRun,
  expectError,
  expectJson,
  expectMissing,
  get,
  MISSING,
  newApp,
  post,
  type TestApp,
} from "./_helpers.ts";

const T0 = 1_700_000_000_000;
const AJAX = "/ajax-api/2.0/mlflow";

/**
 * Logs steps 0..n-1 of `loss` with value = step (or the given value function). NaN is sent as
 * `"NaN"`, as the Python client does (JSON has no NaN).
 */
async function logSteps(app: TestApp, id: string, n: number, value = (s: number) => s) {
  const metrics = Array.from({ length: n }, (_, step) => {
    const v = value(step);
    return { key: "loss", value: Number.isNaN(v) ? "NaN" : v, timestamp: T0 + step, step };
  });
  await expectJson(post(app, "runs/log-batch", { run_id: id, metrics }), 200);
}

async function twoRuns(app: TestApp) {
  const a = await createRun(app), b = await createRun(app);
  await logSteps(app, a, 100);
  await logSteps(app, b, 3);
  return [a, b];
}

type WireMetric = {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
  run_id: string;
};

// ---------------------------------------------------------------------------------------------
// get-history-bulk-interval

Deno.test("GET get-history-bulk-interval samples steps across runs, under /api and /ajax-api", async () => {
  const app = newApp();
  const [a, b] = await twoRuns(app);
  for (const prefix of ["", `${AJAX}/`]) {
    const body = await expectJson(
      get(app, `${prefix}metrics/get-history-bulk-interval`, {
        run_ids: [a, b],
        metric_key: "loss",
        max_results: "4",
      }),
      200,
    );
    const metrics: WireMetric[] = body.metrics;
    // Pooled steps 0..99: 0, 25, 50, 75 and the last, 99; plus b's min 0 and max 2.
    assert.deepEqual(
      metrics.filter((m) => m.run_id === a).map((m) => m.step),
      [0, 2, 25, 50, 75, 99],
    );
    assert.deepEqual(metrics.filter((m) => m.run_id === b).map((m) => m.step), [0, 2]);
    assert.equal(metrics[0].run_id, a);
    assert.deepEqual(metrics[0], { key: "loss", value: 0, timestamp: T0, step: 0, run_id: a });
  }
});

Deno.test("GET get-history-bulk-interval: one run_ids, a step range, NaN on the wire", async () => {
  const app = newApp();
  const id = await createRun(app);
  await logSteps(app, id, 10, (s) => s === 5 ? NaN : s);
  const body = await expectJson(
    get(app, "metrics/get-history-bulk-interval", {
      run_ids: id,
      metric_key: "loss",
      start_step: "4",
      end_step: "6",
    }),
    200,
  );
  assert.deepEqual(body.metrics.map((m: WireMetric) => m.value), [4, "NaN", 6]);
  // Nothing logged under the key: `{}`, as proto JSON omits an empty list.
  assert.deepEqual(
    await expectJson(
      get(app, "metrics/get-history-bulk-interval", { run_ids: id, metric_key: "nope" }),
      200,
    ),
    {},
  );
});

Deno.test("GET get-history-bulk-interval: bad arguments are 400 INVALID_PARAMETER_VALUE", async () => {
  const app = newApp();
  const id = await createRun(app);
  const bad = async (query: Record<string, string | string[]>, re: RegExp | string) => {
    const msg = await expectError(
      get(app, "metrics/get-history-bulk-interval", query),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    if (typeof re === "string") assert.equal(msg, re);
    else assert.match(msg, re);
  };
  await bad({ metric_key: "loss" }, MISSING("run_ids"));
  await bad({ run_ids: id }, MISSING("metric_key"));
  await bad({ run_ids: id, metric_key: "loss", start_step: "1" }, /both must be specified/);
  await bad(
    { run_ids: id, metric_key: "loss", start_step: "3", end_step: "2" },
    /start_step=3 and end_step=2/,
  );
  await bad({ run_ids: id, metric_key: "loss", start_step: "x", end_step: "2" }, /'start_step'/);
  for (const max of ["0", "2501", "-1"]) {
    await bad({ run_ids: id, metric_key: "loss", max_results: max }, /between 1 and 2500/);
  }
  await bad({ run_ids: id, metric_key: "loss", max_results: "ten" }, /'max_results'/);
  await bad(
    { run_ids: Array.from({ length: 101 }, (_, i) => `r${i}`), metric_key: "loss" },
    /at most 100 run_ids/,
  );
  await bad({ run_ids: "../../etc", metric_key: "loss" }, /run_id/);
});

// ---------------------------------------------------------------------------------------------
// get-history-bulk

Deno.test("GET get-history-bulk returns whole histories by run id, cut at max_results", async () => {
  const app = newApp();
  const [a, b] = await twoRuns(app);
  const [first, second] = [a, b].sort();
  const all = await expectJson(
    get(app, `${AJAX}/metrics/get-history-bulk`, { run_id: [a, b], metric_key: "loss" }),
    200,
  );
  assert.equal(all.metrics.length, 103);
  assert.equal(all.metrics[0].run_id, first);
  assert.equal(all.metrics.at(-1).run_id, second);
  const cut = await expectJson(
    get(app, "metrics/get-history-bulk", { run_id: [a, b], metric_key: "loss", max_results: "5" }),
    200,
  );
  assert.equal(cut.metrics.length, 5);
  // a has 100 points, b 3: the cut may span both runs, depending on which id sorts first.
  const fromFirst = first === a ? 5 : 3;
  assert.deepEqual(
    cut.metrics.map((m: WireMetric) => m.run_id),
    [...Array(fromFirst).fill(first), ...Array(5 - fromFirst).fill(second)],
  );
  // MLflow reads a max_results above 25000 as 25000.
  const big = await expectJson(
    get(app, "metrics/get-history-bulk", { run_id: a, metric_key: "loss", max_results: "99999" }),
    200,
  );
  assert.equal(big.metrics.length, 100);
});

Deno.test("GET get-history-bulk: bad arguments are 400 INVALID_PARAMETER_VALUE", async () => {
  const app = newApp();
  const id = await createRun(app);
  const path = `${AJAX}/metrics/get-history-bulk`;
  await expectMissing(get(app, path, { metric_key: "loss" }), "run_id");
  await expectMissing(get(app, path, { run_id: id }), "metric_key");
  assert.match(
    await expectError(
      get(app, path, { run_id: id, metric_key: "loss", max_results: "0" }),
      400,
      "INVALID_PARAMETER_VALUE",
    ),
    /max_results/,
  );
  assert.match(
    await expectError(
      get(app, path, { run_id: Array.from({ length: 101 }, (_, i) => `r${i}`), metric_key: "l" }),
      400,
      "INVALID_PARAMETER_VALUE",
    ),
    /Received 101 run_ids/,
  );
});

// ---------------------------------------------------------------------------------------------
// get-history-downsampled

Deno.test("GET get-history-downsampled keeps a spike and reports the point count", async () => {
  const app = newApp();
  const id = await createRun(app);
  await logSteps(app, id, 1000, (s) => s === 777 ? 1e6 : s === 300 ? NaN : Math.sin(s));
  const body = await expectJson(
    get(app, `${AJAX}/metrics/get-history-downsampled`, {
      run_id: id,
      metric_key: "loss",
      buckets: "10",
    }),
    200,
  );
  assert.equal(body.total_points, 1000);
  assert.equal(body.nan_points, 1);
  assert.equal(body.exact, false);
  assert.ok(body.metrics.length <= 2 * 10 + 2 + 1, `${body.metrics.length} points`);
  assert.ok(body.metrics.some((m: WireMetric) => m.step === 777 && m.value === 1e6));
  assert.ok(body.metrics.some((m: WireMetric) => m.step === 300 && m.value === "NaN"));
  assert.deepEqual(Object.keys(body.metrics[0]).sort(), ["key", "step", "timestamp", "value"]);

  const ranged = await expectJson(
    get(app, "metrics/get-history-downsampled", {
      run_id: id,
      metric_key: "loss",
      x: "timestamp",
      start: String(T0 + 10),
      end: String(T0 + 12),
    }),
    200,
  );
  assert.deepEqual(ranged.metrics.map((m: WireMetric) => m.step), [10, 11, 12]);
  assert.equal(ranged.exact, true);
  assert.deepEqual(
    await expectJson(
      get(app, "metrics/get-history-downsampled", { run_id: id, metric_key: "nope" }),
      200,
    ),
    { total_points: 0, nan_points: 0, exact: true },
  );
});

Deno.test("GET get-history-downsampled: bad arguments are 400 INVALID_PARAMETER_VALUE", async () => {
  const app = newApp();
  const id = await createRun(app);
  const path = "metrics/get-history-downsampled";
  const bad = (query: Record<string, string>) =>
    expectError(
      get(app, path, { run_id: id, metric_key: "loss", ...query }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  assert.match(await bad({ buckets: "0" }), /between 1 and 10000/);
  assert.match(await bad({ buckets: "10001" }), /between 1 and 10000/);
  assert.match(await bad({ buckets: "many" }), /'buckets'/);
  assert.match(await bad({ x: "value" }), /'x'/);
  assert.match(await bad({ start: "9", end: "1" }), /start=9, end=1/);
  assert.match(await bad({ start: "1.5" }), /'start'/);
  await expectMissing(get(app, path, { metric_key: "loss" }), "run_id");
});

// ---------------------------------------------------------------------------------------------
// get-history-downsampled-bulk

const BULK = "metrics/get-history-downsampled-bulk";

type BulkRun = {
  run_id: string;
  metrics?: WireMetric[];
  total_points: number;
  nan_points: number;
  exact: boolean;
};

Deno.test("GET get-history-downsampled-bulk: each run as get-history-downsampled has it, in the order asked, under /api and /ajax-api", async () => {
  const app = newApp();
  const [a, b] = await twoRuns(app);
  const spiky = await createRun(app);
  await logSteps(app, spiky, 1000, (s) => s === 777 ? 1e6 : s === 300 ? NaN : Math.sin(s));
  const keyless = await createRun(app);
  await expectJson(
    post(app, "runs/log-metric", { run_id: keyless, key: "acc", value: 1, timestamp: T0 }),
    200,
  );
  const unknown = "0".repeat(32);
  for (const prefix of ["", `${AJAX}/`]) {
    const body = await expectJson(
      get(app, `${prefix}${BULK}`, {
        // Duplicates are ignored; unknown runs and runs without the key are left out.
        run_ids: [spiky, unknown, b, keyless, a, b, spiky],
        metric_key: "loss",
        buckets: "10",
      }),
      200,
    );
    const runs: BulkRun[] = body.runs;
    assert.deepEqual(runs.map((r) => r.run_id), [spiky, b, a]);
    for (const r of runs) {
      const { run_id, ...rest } = r;
      const single = await expectJson(
        get(app, "metrics/get-history-downsampled", {
          run_id,
          metric_key: "loss",
          buckets: "10",
        }),
        200,
      );
      assert.deepEqual(rest, single, run_id);
    }
    // The spike and the NaN survive 10 buckets of 1,000 points.
    const s = runs[0];
    assert.equal(s.exact, false);
    assert.equal(s.total_points, 1000);
    assert.equal(s.nan_points, 1);
    assert.ok(s.metrics!.some((m) => m.step === 777 && m.value === 1e6));
    assert.ok(s.metrics!.some((m) => m.step === 300 && m.value === "NaN"));
    assert.deepEqual(runs[1], {
      run_id: b,
      metrics: [0, 1, 2].map((step) => ({ key: "loss", value: step, timestamp: T0 + step, step })),
      total_points: 3,
      nan_points: 0,
      exact: true,
    });
  }
  // No run has the key: no `runs` at all (an empty list is omitted, as everywhere).
  assert.deepEqual(
    await expectJson(get(app, BULK, { run_ids: [a, unknown], metric_key: "nope" }), 200),
    {},
  );
});

Deno.test("GET get-history-downsampled-bulk format=columns and xy: the same runs and points as parallel lists, NaN as a string", async () => {
  const app = newApp();
  const [a, b] = await twoRuns(app);
  const spiky = await createRun(app);
  await logSteps(app, spiky, 1000, (s) => s === 777 ? 1e6 : s === 300 ? NaN : Math.sin(s));
  const query = { run_ids: [spiky, b, a], metric_key: "loss", buckets: "10" };
  const points: BulkRun[] = (await expectJson(get(app, BULK, query), 200)).runs;
  const columns = (await expectJson(get(app, BULK, { ...query, format: "columns" }), 200)).runs;
  assert.deepEqual(
    columns,
    points.map(({ metrics = [], ...rest }) => ({
      ...rest,
      steps: metrics.map((m) => m.step),
      timestamps: metrics.map((m) => m.timestamp),
      values: metrics.map((m) => m.value),
    })),
  );
  const s = columns[0];
  assert.equal(s.values[s.steps.indexOf(300)], "NaN");
  assert.equal(s.values[s.steps.indexOf(777)], 1e6);
  // A run with no point in range lists no columns (empty lists are omitted).
  const empty = await expectJson(
    get(app, BULK, { run_ids: [b], metric_key: "loss", start: "10", end: "12", format: "columns" }),
    200,
  );
  assert.deepEqual(empty.runs, [{ run_id: b, total_points: 0, nan_points: 0, exact: true }]);
  await expectError(get(app, BULK, { ...query, format: "rows" }), 400, "INVALID_PARAMETER_VALUE");
  // format=xy: the x the buckets split (steps, or timestamps with x=timestamp) and the value.
  for (const x of ["step", "timestamp"] as const) {
    const cols = (await expectJson(get(app, BULK, { ...query, x, format: "columns" }), 200)).runs;
    const xy = (await expectJson(get(app, BULK, { ...query, x, format: "xy" }), 200)).runs;
    assert.deepEqual(
      xy,
      cols.map(({ steps, timestamps, ...rest }: typeof cols[number]) => ({
        ...rest,
        x: x === "step" ? steps : timestamps,
      })),
      x,
    );
  }
});

Deno.test("GET get-history-downsampled-bulk: x, start and end as in get-history-downsampled; a run with none in range is listed empty", async () => {
  const app = newApp();
  const [a, b] = await twoRuns(app);
  const body = await expectJson(
    get(app, BULK, { run_ids: [a, b], metric_key: "loss", start: "10", end: "12" }),
    200,
  );
  assert.deepEqual(body.runs, [
    {
      run_id: a,
      metrics: [10, 11, 12].map((step) => ({
        key: "loss",
        value: step,
        timestamp: T0 + step,
        step,
      })),
      total_points: 3,
      nan_points: 0,
      exact: true,
    },
    // b has steps 0..2: it has the key, only not in this range.
    { run_id: b, total_points: 0, nan_points: 0, exact: true },
  ]);
  const byTime = await expectJson(
    get(app, BULK, {
      run_ids: [b, a],
      metric_key: "loss",
      x: "timestamp",
      start: String(T0 + 2),
      end: String(T0 + 3),
    }),
    200,
  );
  assert.deepEqual(
    byTime.runs.map((r: BulkRun) => [r.run_id, r.metrics?.map((m) => m.step)]),
    [[b, [2]], [a, [2, 3]]],
  );
});

Deno.test("GET get-history-downsampled-bulk: 100 runs is the limit, answered in the order asked", async () => {
  const app = newApp();
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) {
    const id = await createRun(app);
    await logSteps(app, id, 1 + (i % 7));
    ids.push(id);
  }
  const body = await expectJson(get(app, BULK, { run_ids: ids, metric_key: "loss" }), 200);
  assert.deepEqual(body.runs.map((r: BulkRun) => r.run_id), ids);
  assert.deepEqual(body.runs.map((r: BulkRun) => r.total_points), ids.map((_, i) => 1 + (i % 7)));
  // 101 names are refused before anything is read, even when some repeat.
  const msg = await expectError(
    get(app, BULK, { run_ids: [...ids, ids[0]], metric_key: "loss" }),
    400,
    "INVALID_PARAMETER_VALUE",
  );
  assert.match(msg, /at most 100 run_ids\. Received 101 run_ids/);
});

Deno.test("GET get-history-downsampled-bulk: bad arguments are 400 INVALID_PARAMETER_VALUE", async () => {
  const app = newApp();
  const id = await createRun(app);
  await logSteps(app, id, 5);
  const bad = (query: Record<string, string | string[]>) =>
    expectError(
      get(app, BULK, { run_ids: id, metric_key: "loss", ...query }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  assert.match(await bad({ buckets: "0" }), /between 1 and 10000/);
  assert.match(await bad({ buckets: "10001" }), /between 1 and 10000/);
  assert.match(await bad({ buckets: "many" }), /'buckets'/);
  assert.match(await bad({ x: "value" }), /'x'/);
  assert.match(await bad({ start: "9", end: "1" }), /start=9, end=1/);
  assert.match(await bad({ start: "1.5" }), /'start'/);
  assert.match(await bad({ end: "soon" }), /'end'/);
  // A malformed run id anywhere in the list is refused up front, not midway through the reply.
  assert.match(await bad({ run_ids: [id, "../../etc"] }), /run_id/);
  assert.match(await bad({ run_ids: [id, ""] }), /run_ids/);
  assert.equal(
    await expectError(get(app, BULK, { metric_key: "loss" }), 400, "INVALID_PARAMETER_VALUE"),
    MISSING("run_ids"),
  );
  assert.equal(
    await expectError(get(app, BULK, { run_ids: id }), 400, "INVALID_PARAMETER_VALUE"),
    MISSING("metric_key"),
  );
});

Deno.test("the islands' getHistoryDownsampledBulk against the server: x and values, and a run with none in a zoomed range gets empty lists", async () => {
  const app = newApp();
  const [a, b] = await twoRuns(app);
  const realFetch = globalThis.fetch;
  // apiCall fetches same-origin paths (`/ajax-api/…`): the app answers them in-process here.
  globalThis.fetch =
    ((url: string, init?: RequestInit) => Promise.resolve(app.request(url, init))) as typeof fetch;
  try {
    const zoomed = await getHistoryDownsampledBulk([b, a], "loss", { start: 10, end: 12 });
    assert.deepEqual(
      zoomed.runs?.map((r) => [r.run_id, r.x, r.values, r.total_points]),
      [[b, [], [], 0], [a, [10, 11, 12], [10, 11, 12], 3]],
    );
    const all = await getHistoryDownsampledBulk([a, b], "loss", { buckets: 5, x: "step" });
    assert.deepEqual(all.runs?.map((r) => [r.run_id, r.exact]), [[a, false], [b, true]]);
    assert.deepEqual(await getHistoryDownsampledBulk([a], "nope"), { runs: undefined });
  } finally {
    globalThis.fetch = realFetch;
  }
});

Deno.test("the bulk and chart reads never answer a malformed query with a 5xx", async () => {
  const app = newApp();
  const id = await createRun(app);
  await logSteps(app, id, 20);
  const junk = [
    "",
    " ",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9007199254740993",
    "[]",
    "%00",
    "x".repeat(300),
  ];
  const paths = [
    "metrics/get-history-bulk-interval",
    "metrics/get-history-bulk",
    "metrics/get-history-downsampled",
    "metrics/get-history-downsampled-bulk",
  ];
  const fields = [
    "run_id",
    "run_ids",
    "metric_key",
    "max_results",
    "start_step",
    "end_step",
    "buckets",
    "x",
    "start",
    "end",
  ];
  for (const path of paths) {
    for (const field of fields) {
      for (const v of junk) {
        const query = { run_id: id, run_ids: id, metric_key: "loss", [field]: v };
        const res = await get(app, path, query);
        await res.body?.cancel();
        assert.ok(res.status < 500, `${path} ${field}=${JSON.stringify(v)} → ${res.status}`);
      }
    }
  }
});
