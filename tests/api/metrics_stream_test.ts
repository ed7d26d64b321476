/**
 * `metrics/get-history` of a long history is streamed page by page (issue 10 #6): the body is
 * exact, memory stays flat, and the server keeps answering while it is written.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createKvStore } from "../../store/kv/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import { HISTORY_PAGE } from "../../store/history_views.ts";
import type { TrackingStore } from "../../store/types.ts";

const POINTS = 300_000;
const API = "/api/2.0/mlflow";

const BACKENDS: [string, () => Promise<{ store: TrackingStore; close(): void }>][] = [
  ["memory", () => Promise.resolve({ store: createMemoryStore(), close() {} })],
  ["kv", async () => {
    const kv = await Deno.openKv(":memory:");
    return { store: await createKvStore(kv), close: () => kv.close() };
  }],
];

/** A run with `POINTS` points of `loss`, logged through the store in packed batches. */
async function longHistory(store: TrackingStore): Promise<string> {
  const id = (await store.createRun({ experimentId: "0" })).info.run_id;
  for (let b = 0; b < POINTS / 1000; b++) {
    await store.logBatch(id, {
      metrics: Array.from({ length: 1000 }, (_, i) => {
        const step = b * 1000 + i;
        return { key: "loss", value: step % 7 === 0 ? NaN : step, timestamp: 1_000 + step, step };
      }),
    });
  }
  return id;
}

/** Reads a body chunk by chunk; returns its text, the chunk count and the largest chunk. */
async function readChunks(res: Response): Promise<{ text: string; chunks: number; max: number }> {
  const parts: Uint8Array[] = [];
  let max = 0;
  for await (const c of res.body!) {
    parts.push(c);
    max = Math.max(max, c.length);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return { text: new TextDecoder().decode(all), chunks: parts.length, max };
}

function checkSteps(metrics: { step: number; value: number | string }[], from: number) {
  for (let i = 0; i < metrics.length; i++) {
    const step = from + i;
    if (metrics[i].step !== step || metrics[i].value !== (step % 7 === 0 ? "NaN" : step)) {
      assert.fail(`point ${i}: ${JSON.stringify(metrics[i])}, want step ${step}`);
    }
  }
}

for (const [backend, open] of BACKENDS) {
  Deno.test(
    `regression: get-history without max_results streams a ${POINTS}-point history in pages (issue 10 #6) [${backend}]`,
    async () => {
      const { store, close } = await open();
      try {
        const id = await longHistory(store);
        const app = createApp({ store });
        const url = `${API}/metrics/get-history?run_id=${id}&metric_key=loss`;

        const whole = await readChunks(await app.request(url));
        // Sent as many pieces (one per store page), none near the whole body's size.
        assert.ok(whole.chunks >= POINTS / HISTORY_PAGE, `${whole.chunks} chunks`);
        assert.ok(whole.max < whole.text.length / 4, `largest chunk ${whole.max} bytes`);
        const body = JSON.parse(whole.text);
        assert.deepEqual(Object.keys(body), ["metrics"]);
        assert.equal(body.metrics.length, POINTS);
        checkSteps(body.metrics, 0);
        assert.deepEqual(body.metrics[1], { key: "loss", value: 1, timestamp: 1001, step: 1 });

        // A max_results above one page is streamed too, and ends with a token that resumes.
        const part = JSON.parse(
          (await readChunks(await app.request(`${url}&max_results=100000`))).text,
        );
        assert.equal(part.metrics.length, 100_000);
        checkSteps(part.metrics, 0);
        assert.equal(typeof part.next_page_token, "string");
        const rest = JSON.parse(
          (await readChunks(
            await app.request(`${url}&page_token=${encodeURIComponent(part.next_page_token)}`),
          )).text,
        );
        assert.equal(rest.metrics.length, POINTS - 100_000);
        checkSteps(rest.metrics, 100_000);
        assert.equal(rest.next_page_token, undefined);

        // Small and empty reads keep their one-piece replies.
        const small = await (await app.request(`${url}&max_results=3`)).json();
        assert.equal(small.metrics.length, 3);
        assert.equal(typeof small.next_page_token, "string");
        const none = await app.request(`${API}/metrics/get-history?run_id=${id}&metric_key=x`);
        assert.deepEqual(await none.json(), {});
      } finally {
        close();
      }
    },
  );
}

Deno.test(
  "regression: /health answers within 1 s while a long get-history is streamed, and memory stays bounded (issue 10 #6)",
  async () => {
    const store = createMemoryStore();
    const id = await longHistory(store);
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      createApp({ store }).fetch,
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    try {
      const rss0 = Deno.memoryUsage().rss;
      let peak = rss0;
      const res = await fetch(`${base}${API}/metrics/get-history?run_id=${id}&metric_key=loss`);
      assert.equal(res.status, 200);
      let bytes = 0;
      let healthChecks = 0;
      let slowest = 0;
      for await (const chunk of res.body!) {
        bytes += chunk.length;
        peak = Math.max(peak, Deno.memoryUsage().rss);
        if (healthChecks < 5) {
          const t0 = performance.now();
          const h = await fetch(`${base}/health`);
          await h.text();
          slowest = Math.max(slowest, performance.now() - t0);
          assert.equal(h.status, 200);
          healthChecks++;
        }
      }
      assert.ok(bytes > 10_000_000, `${bytes} bytes`);
      assert.equal(healthChecks, 5);
      assert.ok(slowest < 1000, `/health took ${slowest.toFixed(0)} ms`);
      // Generous: the whole history as objects plus its JSON text would be several times this.
      const grew = (peak - rss0) / 1e6;
      assert.ok(grew < 400, `RSS grew ${grew.toFixed(0)} MB`);
    } finally {
      ac.abort();
      await server.finished;
    }
  },
);

for (const [backend, open] of BACKENDS) {
  Deno.test(
    `regression: get-history-bulk-interval is written run by run, not as one string (issue 10 #6) [${backend}]`,
    async () => {
      const { store, close } = await open();
      try {
        const ids: string[] = [];
        for (let r = 0; r < 20; r++) {
          const id = (await store.createRun({ experimentId: "0" })).info.run_id;
          await store.logBatch(id, {
            metrics: Array.from({ length: 50 }, (_, i) => ({
              key: "m",
              value: r * 1000 + i,
              timestamp: 1000 + i,
              step: i,
            })),
          });
          ids.push(id);
        }
        const app = createApp({ store });
        const qs = ids.map((id) => `run_ids=${id}`).join("&");
        const got = await readChunks(
          await app.request(`${API}/metrics/get-history-bulk-interval?${qs}&metric_key=m`),
        );
        assert.ok(got.chunks >= 3, `${got.chunks} chunks`);
        const body = JSON.parse(got.text);
        assert.equal(body.metrics.length, 20 * 50);
        body.metrics.forEach((m: { run_id: string; step: number; value: number }, i: number) => {
          const r = Math.floor(i / 50);
          assert.deepEqual([m.run_id, m.step, m.value], [ids[r], i % 50, r * 1000 + (i % 50)]);
        });
        const none = await app.request(
          `${API}/metrics/get-history-bulk-interval?run_ids=${ids[0]}&metric_key=nope`,
        );
        assert.deepEqual(await none.json(), {});
      } finally {
        close();
      }
    },
  );
}
