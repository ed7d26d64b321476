import { strictEqual } from "node:assert/strict";
import { Hono } from "hono";
import { decodeRequest } from "./decode.ts";

Deno.test("decodeRequest() hands readers of the JSON body the decoded args, not a re-parse of them", async () => {
  const app = new Hono();
  app.use("*", decodeRequest());
  app.post("/runs/log-batch", async (c) => {
    const args = await c.req.json();
    // The very object the decoder cached: Hono's json() used to stringify it and parse it again.
    strictEqual(args, await c.req.bodyCache.json);
    return c.json({ runId: args.run_id, metrics: args.metrics.length });
  });
  const res = await app.request("/runs/log-batch", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ runId: "r", metrics: [{ key: "m", value: 1, timestamp: 1 }] }),
  });
  strictEqual(res.status, 200, await res.clone().text());
  const body = await res.json();
  strictEqual(body.runId, "r");
  strictEqual(body.metrics, 1);
});
