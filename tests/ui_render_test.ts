/**
 * The web UI without a browser: pages render through `createApp`, carry island markers and the
 * client script only when they need it, escape every piece of user text, send a strict CSP, and
 * serve their static files with the right types and cache headers. The API stays unshadowed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { TrackingStore } from "../store/types.ts";
import { buildBundle } from "../ui/bundle.ts";
import { ISLANDS } from "../ui/islands/registry.ts";
import { islandProps, pageHtml } from "./helpers/ui.ts";

const XSS = [
  "<script>alert(1)</script>",
  `"><img src=x onerror=alert(1)>`,
];

async function appWith(seed?: (store: TrackingStore) => Promise<void>) {
  const store = createMemoryStore();
  await seed?.(store);
  return { app: createApp({ store }), store };
}

/** Asserts that no payload appears unescaped and no tag the payloads would create exists. */
function assertNoRawPayload(page: string) {
  for (const payload of XSS) assert.equal(page.includes(payload), false, `raw ${payload}`);
  assert.equal(/<img\b/i.test(page), false, "an <img> element was injected");
  assert.equal((page.match(/<script\b/gi) ?? []).length <= 1, true, "an extra <script> element");
  assert.equal(/<script>alert/i.test(page), false);
}

Deno.test("GET / renders the experiments page with its island and the client script", async () => {
  const { app } = await appWith(async (s) => {
    await s.createExperiment({ name: "alpha", tags: [{ key: "team", value: "nlp" }] });
  });
  const res = await app.request("/");
  const page = await pageHtml(res);
  assert.match(page, /^<!DOCTYPE html><html lang="en">/);
  assert.match(page, /<meta name="color-scheme" content="light dark">/);
  assert.match(page, /<link rel="stylesheet" href="\/static\/styles\.[0-9a-f]{10}\.css">/);
  assert.match(page, /<script type="module" src="\/static\/client\.[0-9a-f]{10}\.js"><\/script>/);
  assert.match(page, /<h1>Experiments<\/h1>/);
  const props = islandProps(page, "ExperimentsList");
  assert.deepEqual(
    (props.experiments as { name: string }[]).map((e) => e.name),
    ["alpha", "Default"],
  );
  // Server-rendered rows: the first paint needs no JavaScript.
  assert.match(page, /<a href="\/experiments\/1">alpha<\/a>/);
  // The server refuses to delete Default, so the page offers no button for it.
  assert.match(page, /aria-label="Delete alpha"/);
  assert.doesNotMatch(page, /aria-label="Delete Default"/);
});

Deno.test("UI pages send a strict Content-Security-Policy and no-cache", async () => {
  const { app } = await appWith();
  for (const path of ["/", "/experiments/0", "/experiments/404"]) {
    const res = await app.request(path);
    await res.body?.cancel();
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.match(csp, /object-src 'none'/, path);
    assert.match(csp, /frame-ancestors 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.equal(res.headers.get("cache-control"), "no-cache", path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
  }
});

Deno.test("UI pages are gzipped for clients that accept it; HEAD still has no body", async () => {
  const { app } = await appWith(async (s) => {
    const exp = await s.createExperiment({ name: "gz" });
    // Finished runs: a running run's elapsed time could differ between the two renders.
    for (let i = 0; i < 30; i++) {
      const run = await s.createRun({ experimentId: exp, runName: `run-${i}`, startTime: 1000 });
      await s.updateRun(run.info.run_id, { status: "FINISHED", endTime: 2000 });
    }
  });
  const plain = await pageHtml(app.request("/experiments/1"));
  const res = await app.request("/experiments/1", { headers: { "accept-encoding": "gzip" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-encoding"), "gzip");
  const zipped = new Uint8Array(await res.arrayBuffer());
  const unzipped = await new Response(
    new Blob([zipped]).stream().pipeThrough(new DecompressionStream("gzip")),
  ).text();
  assert.equal(unzipped, plain);
  assert.ok(zipped.length * 3 < plain.length, `${zipped.length} of ${plain.length} bytes`);
  const head = await app.request("/experiments/1", {
    method: "HEAD",
    headers: { "accept-encoding": "gzip" },
  });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
});

Deno.test("GET /experiments/:id renders runs server-side in the RunsTable island", async () => {
  let id = "";
  const { app } = await appWith(async (s) => {
    id = await s.createExperiment({ name: "with-runs" });
    for (const name of ["r1", "r2"]) await s.createRun({ experimentId: id, runName: name });
  });
  const page = await pageHtml(app.request(`/experiments/${id}`));
  assert.match(page, /<h1>with-runs<\/h1>/);
  assert.match(page, />r1</);
  assert.match(page, />r2</);
  assert.match(page, /badge--running/);
  assert.equal((page.match(/<script\b/g) ?? []).length, 1);
  assert.match(page, /data-island="RunsTable"/);
  assert.match(page, /<a href="\/">Experiments<\/a>/);
});

Deno.test("GET /experiments/:id is a 404 page for an unknown experiment", async () => {
  const { app } = await appWith();
  const page = await pageHtml(app.request("/experiments/12345"), 404);
  assert.match(page, /Not found/);
  assert.match(page, /12345/);
  assert.equal(page.includes("<script"), false);
});

Deno.test("script payloads in names, tags and run names render as text", async (t) => {
  let id = "";
  const { app } = await appWith(async (s) => {
    for (const payload of XSS) {
      id = await s.createExperiment({
        name: `exp ${payload}`,
        tags: [{ key: "note", value: payload }, { key: "mlflow.note.content", value: payload }],
      });
      await s.createRun({ experimentId: id, runName: `run ${payload}` });
    }
  });
  await t.step("experiments list", async () => {
    const page = await pageHtml(app.request("/"));
    assertNoRawPayload(page);
    assert.match(page, /exp &lt;script>alert\(1\)&lt;\/script>/);
    // The island gets the exact strings back from its props.
    const names = (islandProps(page, "ExperimentsList").experiments as { name: string }[])
      .map((e) => e.name);
    assert.deepEqual(names.slice(0, 2), XSS.map((p) => `exp ${p}`).reverse());
  });
  await t.step("experiment page (name, note, tags, run names)", async () => {
    const page = await pageHtml(app.request(`/experiments/${id}`));
    assertNoRawPayload(page);
    assert.match(page, /<title>exp &quot;>&lt;img src=x onerror=alert\(1\)> · kvflow<\/title>/);
  });
  await t.step("a search for the payload echoes it escaped", async () => {
    const page = await pageHtml(app.request(`/?filter=${encodeURIComponent(XSS[1])}`));
    assertNoRawPayload(page);
  });
});

Deno.test("GET /?filter= searches on the server; a bad filter shows the API's message", async (t) => {
  const { app } = await appWith(async (s) => {
    await s.createExperiment({ name: "bert-base", tags: [{ key: "team", value: "nlp" }] });
    await s.createExperiment({ name: "resnet", tags: [{ key: "team", value: "vision" }] });
  });
  const names = (page: string) =>
    (islandProps(page, "ExperimentsList").experiments as { name: string }[]).map((e) => e.name);
  await t.step("plain words match names, case-insensitively", async () => {
    assert.deepEqual(names(await pageHtml(app.request("/?filter=BERT"))), ["bert-base"]);
  });
  await t.step("the filter grammar passes through", async () => {
    const page = await pageHtml(
      app.request(`/?filter=${encodeURIComponent("tags.team = 'vision'")}`),
    );
    assert.deepEqual(names(page), ["resnet"]);
  });
  await t.step("a bad filter is reported by the search box", async () => {
    const page = await pageHtml(app.request(`/?filter=${encodeURIComponent("name =")}`));
    assert.match(
      page,
      /<p id="experiment-search-error" class="field-error" role="alert">Invalid filter/,
    );
    assert.deepEqual(names(page), []);
  });
  await t.step("?view=deleted lists deleted experiments", async () => {
    const id =
      await (await app.request("/api/2.0/mlflow/experiments/get-by-name?experiment_name=resnet"))
        .json();
    await app.request("/api/2.0/mlflow/experiments/delete", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ experiment_id: id.experiment.experiment_id }),
    });
    assert.deepEqual(names(await pageHtml(app.request("/?view=deleted"))), ["resnet"]);
    assert.deepEqual(names(await pageHtml(app.request("/?view=all"))).length, 3);
  });
});

Deno.test("static files have their content types and cache headers", async (t) => {
  const { app } = await appWith();
  const page = await pageHtml(app.request("/"));
  const url = (re: RegExp) => re.exec(page)?.[1] ?? assert.fail(`no ${re}`);
  const css = url(/href="(\/static\/styles\.[0-9a-f]+\.css)"/);
  const js = url(/src="(\/static\/client\.[0-9a-f]+\.js)"/);
  const icon = url(/href="(\/static\/favicon\.[0-9a-f]+\.svg)"/);
  for (
    const [path, type] of [
      [css, "text/css; charset=utf-8"],
      [js, "text/javascript; charset=utf-8"],
      [icon, "image/svg+xml"],
    ]
  ) {
    await t.step(`${path} is ${type}, immutable`, async () => {
      const res = await app.request(path);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), type);
      assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assert.ok((await res.arrayBuffer()).byteLength > 100);
      const etag = res.headers.get("etag") ?? assert.fail("no ETag");
      const again = await app.request(path, { headers: { "If-None-Match": etag } });
      assert.equal(again.status, 304);
    });
  }
  await t.step("text files are sent gzipped to clients that accept it", async () => {
    const plain = await (await app.request(js)).arrayBuffer();
    const res = await app.request(js, { headers: { "Accept-Encoding": "gzip, br" } });
    assert.equal(res.headers.get("content-encoding"), "gzip");
    assert.equal(res.headers.get("vary"), "Accept-Encoding");
    const unzipped = await new Response(
      res.body!.pipeThrough(new DecompressionStream("gzip")),
    ).arrayBuffer();
    assert.deepEqual(new Uint8Array(unzipped), new Uint8Array(plain));
    assert.ok(Number(res.headers.get("content-length")) < plain.byteLength / 2);
  });
  await t.step("plain names revalidate", async () => {
    const res = await app.request("/static/styles.css");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.match(await res.text(), /prefers-color-scheme: dark/);
  });
  await t.step("anything else is 404", async () => {
    for (
      const path of ["/static/nope.js", "/static/styles.0000000000.css", "/static/..%2Fmod.ts"]
    ) {
      const res = await app.request(path);
      await res.body?.cancel();
      assert.equal(res.status, 404, path);
    }
  });
});

Deno.test("the UI does not shadow the API", async () => {
  const { app } = await appWith();
  for (const path of ["/health", "/version", "/openapi.json"]) {
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    assert.doesNotMatch(res.headers.get("content-type") ?? "", /text\/html/, path);
    await res.body?.cancel();
  }
  for (const prefix of ["/api", "/ajax-api"]) {
    const res = await app.request(`${prefix}/2.0/mlflow/experiments/search?max_results=5`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).experiments[0].name, "Default");
  }
  const unknown = await app.request("/ajax-api/2.0/mlflow/nope");
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error_code, "ENDPOINT_NOT_FOUND");
  const doc = await (await app.request("/openapi.json")).json();
  assert.equal(Object.keys(doc.paths).some((p) => p === "/" || p.startsWith("/static")), false);
});

Deno.test("every island in ui/islands/ is in the registry", async () => {
  const dir = new URL("../ui/islands/", import.meta.url);
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && /^[A-Z]\w*\.tsx$/.test(e.name)) files.push(e.name.replace(/\.tsx$/, ""));
  }
  assert.deepEqual(files.sort(), Object.keys(ISLANDS).sort());
});

Deno.test("the island bundle is small and keeps its JSX as runtime calls", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = new URL(`file://${dir}/client.js`);
    await buildBundle(out);
    const bytes = await Deno.readFile(fileURLToPath(out));
    const gz = await new Response(
      new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    assert.ok(gz.byteLength <= 100 * 1024, `${gz.byteLength} bytes gzipped`);
    // Root `"jsx": "precompile"` would turn island JSX into HTML template strings (dead
    // handlers); react-jsx keeps elements as `jsx("section", …)` calls.
    const code = new TextDecoder().decode(bytes);
    assert.equal(/<(section|button|table)[ >]/.test(code), false, "precompiled JSX in the bundle");
    assert.match(code, /"section"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("UI routes answer GET and HEAD only", async () => {
  const { app } = await appWith();
  const head = await app.request("/", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
  const post = await app.request("/", { method: "POST" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  assert.equal((await post.json()).error_code, "ENDPOINT_NOT_FOUND");
});
