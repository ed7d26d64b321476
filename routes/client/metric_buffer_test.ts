import assert from "node:assert/strict";
import { MlflowRestError } from "./http.ts";
import { MetricBuffer } from "./metric_buffer.ts";
import type { MetricPoint } from "./mlflow_client.ts";

const point = (step: number): MetricPoint => ({ key: "m", value: step, timestamp: 0, step });
const NEVER = 3_600_000;

/** A send that records batches; `gate` holds each send until released. */
function recorder() {
  const sent: Array<{ runId: string; steps: number[] }> = [];
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  return {
    sent,
    hold() {
      gate = new Promise((r) => release = r);
    },
    release: () => release(),
    send: async (runId: string, points: MetricPoint[]) => {
      if (gate) await gate;
      sent.push({ runId, steps: points.map((p) => p.step) });
    },
  };
}

Deno.test("MetricBuffer: sends each run's points in logging order, one flush at a time", async () => {
  const r = recorder();
  const buf = new MetricBuffer(r.send, { flushIntervalMs: NEVER, maxBufferedPoints: 3 });
  r.hold();
  for (let i = 0; i < 3; i++) await buf.add("a", [point(i)]); // full: a flush starts, held
  for (let i = 3; i < 8; i++) await buf.add(i % 2 ? "b" : "a", [point(i)]);
  assert.equal(buf.pending, 8);
  r.release();
  await buf.flush();
  assert.equal(buf.pending, 0);
  // Each run's points arrive in the order they were logged (runs may interleave).
  const of = (run: string) => r.sent.filter((s) => s.runId === run).flatMap((s) => s.steps);
  assert.deepEqual(of("a"), [0, 1, 2, 4, 6]);
  assert.deepEqual(of("b"), [3, 5, 7]);
  assert.deepEqual(r.sent[0], { runId: "a", steps: [0, 1, 2] });
});

Deno.test("MetricBuffer: past maxQueuedPoints, add() waits for the flush in flight", async () => {
  const r = recorder();
  const buf = new MetricBuffer(r.send, {
    flushIntervalMs: NEVER,
    maxBufferedPoints: 2,
    maxQueuedPoints: 4,
  });
  r.hold();
  await buf.add("a", [point(0), point(1)]);
  await buf.add("a", [point(2)]);
  let returned = false;
  const blocked = buf.add("a", [point(3)]).then(() => returned = true);
  await new Promise((res) => setTimeout(res, 20));
  assert.equal(returned, false, "the fourth point waits while the server is slow");
  r.release();
  await blocked;
  await buf.flush();
  assert.deepEqual(r.sent.flatMap((s) => s.steps), [0, 1, 2, 3]);
});

Deno.test("MetricBuffer: a transient failure keeps the points ahead of later ones; a refusal drops them", async () => {
  let fail: MlflowRestError | null = new MlflowRestError(503, undefined, "down");
  const sent: number[][] = [];
  const buf = new MetricBuffer((_run, points) => {
    if (fail) return Promise.reject(fail);
    sent.push(points.map((p) => p.step));
    return Promise.resolve();
  }, { flushIntervalMs: NEVER });
  await buf.add("a", [point(0), point(1)]);
  await assert.rejects(buf.flush(), /down/);
  assert.equal(buf.pending, 2);
  await buf.add("a", [point(2)]);
  fail = null;
  await buf.flush();
  assert.deepEqual(sent, [[0, 1, 2]]);

  fail = new MlflowRestError(400, "INVALID_PARAMETER_VALUE", "bad key");
  await buf.add("a", [point(3)]);
  await assert.rejects(buf.flush(), /bad key/);
  assert.equal(buf.pending, 0);
  fail = null;
  await buf.flush(); // the error was reported once
});

Deno.test("MetricBuffer: the timer flushes, and stops retrying a dead server after a few rounds", async () => {
  let attempts = 0;
  const buf = new MetricBuffer(() => {
    attempts++;
    return Promise.reject(new MlflowRestError(0, undefined, "no answer"));
  }, { flushIntervalMs: 0 });
  await buf.add("a", [point(0)]);
  // Rounds are at least 1 s apart; after 3 failed rounds no timer is left (the test would leak one).
  for (let i = 0; i < 60 && attempts < 3; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(attempts, 3);
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(attempts, 3);
  assert.equal(buf.pending, 1);
  await assert.rejects(buf.flush(), /no answer/); // a flush still tries, and reports why not
  assert.equal(attempts, 4);
});

Deno.test("MetricBuffer: a failure partway re-sends only the batches that did not get through", async () => {
  const sent: number[] = [];
  let calls = 0;
  let down = false;
  const buf = new MetricBuffer((_run, points) => {
    if (++calls === 2) down = true;
    if (down) return Promise.reject(new MlflowRestError(0, undefined, "reset"));
    sent.push(...points.map((p) => p.step));
    return Promise.resolve();
  }, { flushIntervalMs: NEVER });
  await buf.add("a", Array.from({ length: 2500 }, (_, i) => point(i)));
  await assert.rejects(buf.flush(), /reset/);
  assert.equal(buf.pending, 1500);
  down = false;
  await buf.flush();
  assert.deepEqual(sent, Array.from({ length: 2500 }, (_, i) => i));
});
