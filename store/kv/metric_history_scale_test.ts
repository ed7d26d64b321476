import { strictEqual } from "node:assert/strict";
import { createKvStore } from "./mod.ts";

Deno.test("getMetricHistory() serves a 1,000,000-point history whole and in 25,000-point pages", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = await createKvStore(kv);
  const id = (await store.createRun({ experimentId: "0" })).info.run_id;
  for (let b = 0; b < 1000; b++) {
    await store.logBatch(id, {
      metrics: Array.from({ length: 1000 }, (_, i) => {
        const step = b * 1000 + i;
        return { key: "loss", value: 1 / (step + 1), timestamp: 1_700_000_000_000 + step, step };
      }),
    });
  }
  const all = await store.getMetricHistory(id, "loss");
  strictEqual(all.items.length, 1_000_000);
  strictEqual(all.nextPageToken, undefined);
  strictEqual(all.items[999_999].step, 999_999);
  let pages = 0, seen = 0, token: string | undefined, last = -1;
  do {
    const page = await store.getMetricHistory(id, "loss", { maxResults: 25_000, pageToken: token });
    for (const p of page.items) {
      strictEqual(p.step, last + 1);
      last = p.step;
    }
    seen += page.items.length;
    token = page.nextPageToken;
    pages++;
  } while (token);
  strictEqual(seen, 1_000_000);
  strictEqual(pages, 40);
  strictEqual((await store.getRun(id)).data.metrics[0].step, 999_999);
});
