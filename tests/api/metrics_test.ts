import assert from "node:assert/strict";
import {
  createRun,
  expectError,
  expectJson,
  expectMissing,
  get,
  newApp,
  post,
} from "./_helpers.ts";

async function logPoints(app: ReturnType<typeof newApp>, id: string, n: number) {
  const metrics = Array.from(
    { length: n },
    (_, i) => ({ key: "loss", value: 1 / (i + 1), timestamp: 1000 + i, step: i }),
  );
  await expectJson(post(app, "runs/log-batch", { run_id: id, metrics }), 200);
}

Deno.test("GET metrics/get-history with the client's query returns every point in order", async () => {
  const app = newApp();
  const id = await createRun(app);
  await logPoints(app, id, 5);
  const body = await expectJson(
    get(app, "metrics/get-history", {
      run_uuid: id,
      metric_key: "loss",
      run_id: id,
      max_results: "25000",
    }),
    200,
  );
  assert.equal(body.metrics.length, 5);
  assert.deepEqual(body.metrics[0], { key: "loss", value: 1, timestamp: 1000, step: 0 });
  assert.deepEqual(body.metrics.map((m: { step: number }) => m.step), [0, 1, 2, 3, 4]);
  assert.equal("next_page_token" in body, false);
});

Deno.test("GET metrics/get-history without max_results returns all points", async () => {
  const app = newApp();
  const id = await createRun(app);
  await logPoints(app, id, 30);
  const body = await expectJson(
    get(app, "metrics/get-history", { run_id: id, metric_key: "loss" }),
    200,
  );
  assert.equal(body.metrics.length, 30);
  assert.equal("next_page_token" in body, false);
});

Deno.test("GET metrics/get-history pages with max_results and page_token", async () => {
  const app = newApp();
  const id = await createRun(app);
  await logPoints(app, id, 7);
  const seen: number[] = [];
  let token: string | undefined;
  for (let i = 0; i < 10; i++) {
    const query: Record<string, string> = { run_id: id, metric_key: "loss", max_results: "3" };
    if (token) query.page_token = token;
    const body = await expectJson(get(app, "metrics/get-history", query), 200);
    seen.push(...body.metrics.map((m: { step: number }) => m.step));
    token = body.next_page_token;
    if (!token) break;
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6]);
});

Deno.test("GET metrics/get-history: unknown run or key is {}; missing args are 400", async () => {
  const app = newApp();
  const id = await createRun(app);
  assert.deepEqual(
    await expectJson(get(app, "metrics/get-history", { run_id: id, metric_key: "nope" }), 200),
    {},
  );
  assert.deepEqual(
    await expectJson(
      get(app, "metrics/get-history", { run_id: "c".repeat(32), metric_key: "x" }),
      200,
    ),
    {},
  );
  await expectMissing(get(app, "metrics/get-history", { run_id: id }), "metric_key");
  await expectMissing(get(app, "metrics/get-history", { metric_key: "x" }), "run_id");
  await expectError(
    get(app, "metrics/get-history", { run_id: id, metric_key: "loss", max_results: "many" }),
    400,
    "INVALID_PARAMETER_VALUE",
  );
});

Deno.test('GET metrics/get-history returns NaN as "NaN"', async () => {
  const app = newApp();
  const id = await createRun(app);
  await expectJson(
    post(app, "runs/log-metric", { run_id: id, key: "n", value: "NaN", timestamp: 1 }),
    200,
  );
  const body = await expectJson(
    get(app, "metrics/get-history", { run_id: id, metric_key: "n" }),
    200,
  );
  assert.deepEqual(body.metrics, [{ key: "n", value: "NaN", timestamp: 1, step: 0 }]);
});
