import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import { observeRequests } from "./middleware.ts";

Deno.test("observeRequests() echoes the id on a response whose headers are immutable, and logs it", async () => {
  const lines: string[] = [];
  const app = new Hono<AppEnv>()
    .use(observeRequests({ log: { format: "text", sink: (l) => lines.push(l) } }))
    .get("/away", () => Response.redirect("http://example.test/", 302));
  const res = await app.request("/away", { headers: { "x-request-id": "r-1" } });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), "http://example.test/");
  assert.equal(res.headers.get("x-request-id"), "r-1");
  assert.equal(lines.length, 1);
  assert.match(lines[0], / method=GET route=\/away status=302 .* request_id=r-1 user=-$/);
});
