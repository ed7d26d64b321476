/**
 * Metric logging over HTTP on the KV backend, where histories are packed into chunks: every
 * arrival order of valid points must be accepted (200) and read back in history order.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createKvStore } from "../../store/kv/mod.ts";
import { createRun, expectJson, get, post } from "./_helpers.ts";

const T0 = 1_700_000_000_000;

const point = (step: number) => ({ key: "m", value: step / 10, timestamp: T0 + step, step });

Deno.test("regression: log-metric below the first packed chunk is accepted (issue 10 #1)", async () => {
  using kv = await Deno.openKv(":memory:");
  const app = createApp({ store: await createKvStore(kv) });
  const id = await createRun(app);
  // Steps 100–399 in two batches of 150: both pass COMPACT_AT, so they end up in one chunk.
  for (const from of [100, 250]) {
    const metrics = Array.from({ length: 150 }, (_, i) => point(from + i));
    await expectJson(post(app, "runs/log-batch", { run_id: id, metrics }), 200);
  }
  await expectJson(post(app, "runs/log-metric", { run_id: id, ...point(5) }), 200);

  const body = await expectJson(
    get(app, "metrics/get-history", { run_id: id, metric_key: "m" }),
    200,
  );
  const steps = body.metrics.map((m: { step: number }) => m.step);
  assert.deepEqual(steps, [5, ...Array.from({ length: 300 }, (_, i) => 100 + i)]);
  const run = await expectJson(get(app, "runs/get", { run_id: id }), 200);
  assert.deepEqual(run.run.data.metrics, [{
    key: "m",
    value: 39.9,
    timestamp: T0 + 399,
    step: 399,
  }]);
});
