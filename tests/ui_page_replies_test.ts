/**
 * The chart view's page carries its first cards' bulk reads (ui/page_replies.ts): the same bytes
 * the API gives for the same URL, inert and escaped, at most six of them, the next cards
 * preloaded instead; other pages are not streamed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import { pageHtml } from "./helpers/ui.ts";

/** A key whose URL needs escaping in the element's attribute (`&`, `%`, `+`). */
const ODD = "a b/c:d";

/** An experiment of 3 runs with 8 metrics, `ODD` among them. */
async function chartApp() {
  const store = createMemoryStore();
  const id = await store.createExperiment({ name: "charts" });
  const keys = ["a", "b", "c", "d", "e", "f", "g", ODD];
  for (let r = 0; r < 3; r++) {
    const run = (await store.createRun({ experimentId: id, runName: `run-${r}` })).info.run_id;
    await store.logBatch(run, {
      metrics: keys.flatMap((key, k) =>
        Array.from({ length: 30 }, (_, step) => ({
          key,
          value: k === 4 && step === 7 ? NaN : Math.sin(step + r + k),
          timestamp: 1_700_000_000_000 + step,
          step,
        }))
      ),
      params: [],
      tags: [],
    });
  }
  return { app: createApp({ store }), id };
}

/** The page's reply elements: URL (attribute decoded) and the element's text. */
function replies(page: string): { url: string; text: string }[] {
  const re = /<script type="application\/json" data-reply="([^"]*)">([^<]*)<\/script>/g;
  return [...page.matchAll(re)].map((m) => ({
    url: m[1].replaceAll("&lt;", "<").replaceAll("&quot;", '"').replaceAll("&amp;", "&"),
    text: m[2],
  }));
}

Deno.test("the chart view's page carries its first six cards' replies, byte for byte", async () => {
  const { app, id } = await chartApp();
  for (const encoding of ["identity", "gzip"]) {
    const res = await app.request(`/experiments/${id}?view=charts`, {
      headers: { "Accept-Encoding": encoding },
    });
    assert.equal(res.headers.get("content-encoding") ?? "identity", encoding);
    const page = await pageHtml(
      encoding === "gzip"
        ? new Response(res.body!.pipeThrough(new DecompressionStream("gzip")), res)
        : res,
    );
    assert.ok(page.endsWith("</body></html>"), page.slice(-200));
    const got = replies(page);
    assert.equal(got.length, 6);
    // The reply elements' closing tags besides the island script's, and no other.
    assert.equal(page.match(/<\/script/g)?.length, 7);
    const keys = new Set<string>();
    for (const { url, text } of got) {
      assert.match(url, /^\/ajax-api\/2\.0\/mlflow\/metrics\/get-history-downsampled-bulk\?/);
      const api = await app.request(url);
      assert.equal(api.status, 200);
      // Only `<` is written differently (as \u003c), which JSON reads back the same.
      assert.equal(text.includes("<"), false);
      assert.equal(text.replaceAll("\\u003c", "<"), await api.text());
      const body = JSON.parse(text) as { runs: { run_id: string; x: number[] }[] };
      assert.equal(body.runs.length, 3);
      assert.ok(body.runs.every((r) => r.x.length === 30));
      keys.add(new URL(url, "http://x").searchParams.get("metric_key")!);
    }
    // Cards in name order: the first six came in the page.
    assert.deepEqual([...keys].sort(), ["a", ODD, "b", "c", "d", "e"].sort());
    // The next cards' first requests are preloaded instead.
    const preloads = [...page.matchAll(/<link rel="preload" as="fetch" href="([^"]*)"/g)]
      .map((m) =>
        new URL(m[1].replaceAll("&amp;", "&"), "http://x").searchParams.get("metric_key")
      );
    assert.deepEqual(preloads, ["f", "g"]);
  }
});

Deno.test("the page's replies send non-finite values as the API does", async () => {
  const { app, id } = await chartApp();
  // A search that leaves one card, the one with a NaN.
  const page = await pageHtml(app.request(`/experiments/${id}?view=charts&cq=e`));
  const [only, ...rest] = replies(page);
  assert.equal(rest.length, 0);
  const runs = (JSON.parse(only.text) as { runs: { values: (number | string)[] }[] }).runs;
  // NaN goes out as the wire's string, inside the page as in the API.
  assert.ok(runs.every((r) => r.values.includes("NaN")));
});

Deno.test("pages other than the chart view are sent whole, with no replies", async () => {
  const { app, id } = await chartApp();
  for (const path of [`/experiments/${id}`, "/", `/experiments/${id}?view=all`]) {
    const res = await app.request(path, { headers: { "Accept-Encoding": "identity" } });
    const page = await pageHtml(res);
    assert.equal(replies(page).length, 0, path);
    assert.equal(page.match(/<script\b/g)?.length, 1, path);
  }
});
