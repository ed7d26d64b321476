/**
 * The run page (`/runs/:id`): server rendering (tables, 404, escaping of every user-controlled
 * string), the safe Markdown renderer, the chart's data shaping, and — in real Chromium — its
 * islands: charts of a 100k-point metric, description editing, tag add/delete, the artifact
 * browser (lazy folders, text preview, no inline HTML), datasets used, the git commit link, and
 * rename, delete (confirmed) and restore from the page's header. Screenshots, light and dark, land in
 * `$TMPDIR/kvflow-ui-screenshots` like the other UI tests'.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { render } from "preact-render-to-string";
import { h } from "preact";
import type { Metric } from "../store/types.ts";
import { isSafeUrl, renderMarkdown } from "../ui/islands/run_page/markdown.ts";
import { align, smooth, toApiX, toSeries } from "../ui/islands/run_page/chart_data.ts";
import { previewKind } from "../ui/islands/ArtifactBrowser.tsx";
import { gitCommitUrl, gitRepoWebUrl } from "../ui/shared/git.ts";
import { LIVE_POLL_MS } from "../ui/shared/live.ts";
import { prettyJson, sourceSummary } from "../ui/components/RunDatasets.tsx";
import { launchBrowser } from "./helpers/browser.ts";
import {
  appWithArtifacts,
  type ArtifactApp,
  inkedPixels,
  islandProps,
  openPage,
  shoot,
  SHOTS_DIR,
} from "./helpers/ui.ts";

const XSS = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`;

/** Waits until `locator` has focus (islands move focus right after their render). */
async function waitForFocus(locator: Locator) {
  const el = await locator.elementHandle();
  await locator.page().waitForFunction((target) => target === document.activeElement, el);
}

/** Screenshots one part of the page, light and dark, for review. */
async function shootPart(page: Page, selector: string, name: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(150);
    await page.locator(selector).screenshot({ path: `${SHOTS_DIR}/${name}-${colorScheme}.png` });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

const md = (s: string) => render(h("div", null, renderMarkdown(s)));

Deno.test("markdown: blocks and inline", () => {
  assert.equal(
    md("# Title\n\nSome *em* and **strong** and `co<de>`.\n\n- a\n- b\n\n1. one\n2. two"),
    "<div><h3>Title</h3><p>Some <em>em</em> and <strong>strong</strong> and " +
      "<code>co&lt;de></code>.</p><ul><li>a</li><li>b</li></ul><ol><li>one</li><li>two</li>" +
      "</ol></div>",
  );
  assert.equal(
    md("**bold _and em_ inside**"),
    "<div><p><strong>bold <em>and em</em> inside</strong></p></div>",
  );
  assert.equal(
    md("*em **strong** em*"),
    "<div><p><em>em <strong>strong</strong> em</em></p></div>",
  );
  assert.equal(md("```\n<b>x</b>\n```"), "<div><pre><code>&lt;b>x&lt;/b></code></pre></div>");
  assert.equal(md("learning_rate_decay _em_"), "<div><p>learning_rate_decay <em>em</em></p></div>");
});

Deno.test("markdown: raw HTML and script stay text", () => {
  const out = md(`<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> ${XSS}`);
  assert.doesNotMatch(out, /<script|<img/);
  assert.match(out, /&lt;script>alert\(1\)&lt;\/script>/);
});

Deno.test("markdown: only http(s) links become links", () => {
  assert.equal(
    md("[docs](https://mlflow.org/a?b=1&c=2)"),
    `<div><p><a href="https://mlflow.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">docs</a></p></div>`,
  );
  for (
    const bad of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "data:text/html,x",
      "//evil.com",
      "/local",
      "vbscript:x",
    ]
  ) {
    const out = md(`[x](${bad})`);
    assert.doesNotMatch(out, /<a /, bad);
    assert.equal(isSafeUrl(bad), false, bad);
  }
  assert.doesNotMatch(md(`[<b>x</b>](https://a.b/"onmouseover=alert(1))`), /<b>|" onmouseover/);
});

Deno.test("chart data: series, smoothing, alignment, zoom units", () => {
  const pts: Metric[] = [
    { key: "m", value: 1, step: 0, timestamp: 1000 },
    { key: "m", value: "NaN" as unknown as number, step: 1, timestamp: 2000 },
    { key: "m", value: 3, step: 2, timestamp: 3000 },
  ];
  assert.deepEqual(toSeries(pts, "step", 0), { x: [0, 1, 2], y: [1, null, 3] });
  assert.deepEqual(toSeries(pts, "relative", 1000).x, [0, 1, 2]);
  assert.deepEqual(toSeries(pts, "wall", 0).x, [1, 2, 3]);
  assert.deepEqual(smooth([1, null, 1], 0.5), [1, null, 1]);
  assert.deepEqual(align([{ x: [0, 2], y: [1, 2] }, { x: [1, 2], y: [5, 6] }]), [
    [0, 1, 2],
    [1, null, 2],
    [null, 5, 6],
  ]);
  assert.equal(toApiX("relative", 2, 1000), 3000);
  assert.equal(toApiX("wall", 2, 0), 2000);
  assert.equal(previewKind("a/b.json"), "text");
  assert.equal(previewKind("a/b.png"), "image");
  assert.equal(previewKind("a/b.svg"), "none");
  assert.equal(previewKind("a/b.html"), "none");
});

Deno.test("gitCommitUrl() links only http(s) repositories and hex commits", () => {
  const sha = "0123456789abcdef0123456789abcdef01234567";
  assert.equal(
    gitCommitUrl("https://github.com/org/repo.git", sha),
    `https://github.com/org/repo/commit/${sha}`,
  );
  assert.equal(
    gitCommitUrl("https://gitlab.example.com/group/sub/repo/", "ABCDEF1"),
    "https://gitlab.example.com/group/sub/repo/commit/abcdef1",
  );
  // Credentials, query and fragment of a clone URL never reach the link.
  assert.equal(
    gitCommitUrl("https://user:s3cret@github.com/org/repo.git?x=1#y", sha),
    `https://github.com/org/repo/commit/${sha}`,
  );
  assert.equal(gitRepoWebUrl("http://git.local:8080/r"), "http://git.local:8080/r");
  for (
    const bad of [
      "git@github.com:org/repo.git",
      "ssh://git@github.com/org/repo.git",
      "javascript:alert(1)//github.com/a",
      "file:///home/me/repo",
      "data:text/html,x",
      "https://github.com",
      "github.com/org/repo",
      "",
    ]
  ) {
    assert.equal(gitCommitUrl(bad, sha), null, bad);
  }
  for (const badSha of ["", "abc", "0123456g89", "../../evil", `${sha}/x`, "HEAD"]) {
    assert.equal(gitCommitUrl("https://github.com/org/repo", badSha), null, badSha);
  }
});

Deno.test("datasets: JSON pretty-printed, sources summarised, other text kept", () => {
  assert.equal(
    prettyJson(`{"a":[1,{"b":"<i>"}]}`),
    `{\n  "a": [\n    1,\n    {\n      "b": "<i>"\n    }\n  ]\n}`,
  );
  assert.equal(prettyJson("not json {"), "not json {");
  // A spec kept as a JSON string inside the JSON (tensor schemas) is expanded too.
  assert.equal(prettyJson(`{"s":"[1]","t":"[x"}`), `{\n  "s": [\n    1\n  ],\n  "t": "[x"\n}`);
  assert.equal(sourceSummary(`{"uri": "s3://bucket/train.csv"}`), "s3://bucket/train.csv");
  assert.equal(sourceSummary(`{"url": "https://x/y.parquet"}`), "https://x/y.parquet");
  assert.equal(sourceSummary(`{"tags": {"mlflow.user": "me"}}`), `{"tags": {"mlflow.user": "me"}}`);
  assert.equal(sourceSummary("plain"), "plain");
  assert.equal(sourceSummary("null"), "null");
});

interface Fixture extends ArtifactApp {
  runId: string;
  childId: string;
  liveId: string;
  expId: string;
}

async function fixture(): Promise<Fixture> {
  const base = await appWithArtifacts("kvflow-run-page-");
  const { store, rootDir } = base;
  const expId = await store.createExperiment({ name: `exp ${XSS}` });
  const t0 = Date.UTC(2026, 0, 1);
  const run = await store.createRun({
    experimentId: expId,
    runName: `run ${XSS}`,
    startTime: t0,
    tags: [
      { key: "mlflow.note.content", value: `# Notes\n\n**ok** ${XSS} [bad](javascript:alert(1))` },
      { key: "mlflow.source.name", value: "train.py" },
      { key: "mlflow.source.git.commit", value: "0123456789abcdef" },
      { key: "mlflow.source.git.repoURL", value: "https://bot:tok@github.com/org/repo.git" },
      { key: "team", value: XSS },
    ],
  });
  const runId = run.info.run_id;
  // What sklearn autolog logs: the training set, then the evaluation set.
  await store.logInputs(runId, [
    {
      tags: [{ key: "mlflow.data.context", value: "train" }],
      dataset: {
        name: "dataset",
        digest: "3e4f7a1c",
        source_type: "code",
        source: JSON.stringify({ tags: { "mlflow.user": "me", "mlflow.source.name": "train.py" } }),
        schema: JSON.stringify({
          mlflow_tensorspec: { features: JSON.stringify([{ type: "tensor", name: XSS }]) },
        }),
        profile: JSON.stringify({ features_shape: [120, 4], targets_size: 120 }),
      },
    },
    {
      tags: [{ key: "mlflow.data.context", value: "eval" }],
      dataset: {
        name: `eval ${XSS}`,
        digest: "9b8c7d6e",
        source_type: "s3",
        source: JSON.stringify({ uri: "s3://bucket/eval.parquet" }),
        schema: `not json ${XSS}`,
      },
    },
  ]);
  await store.logBatch(runId, {
    params: [{ key: "lr", value: "0.01" }, { key: "xss", value: XSS }],
  });
  // 100k points of "loss" with one spike, and a short "acc".
  for (let b = 0; b < 100; b++) {
    const metrics: Metric[] = [];
    for (let i = 0; i < 1000; i++) {
      const step = b * 1000 + i;
      metrics.push({
        key: "loss",
        value: step === 54_321 ? 50 : 1 / (1 + step / 1000) + Math.sin(step / 50) * 0.02,
        step,
        timestamp: t0 + step * 10,
      });
    }
    await store.logBatch(runId, { metrics });
  }
  await store.logBatch(runId, {
    metrics: Array.from({ length: 50 }, (_, i) => ({
      key: "acc",
      value: 0.5 + i / 110,
      step: i * 2000,
      timestamp: t0 + i * 20_000,
    })),
  });
  await store.logBatch(runId, {
    metrics: [{ key: "learning_rate", value: 0.003, step: 0, timestamp: t0 }],
  });
  await store.updateRun(runId, { status: "FINISHED", endTime: t0 + 1_000_000 });
  const child = await store.createRun({
    experimentId: expId,
    runName: "child-1",
    tags: [
      { key: "mlflow.parentRunId", value: runId },
      { key: "mlflow.source.git.repoURL", value: "javascript:alert(1)//github.com/a/b" },
      { key: "mlflow.source.git.commit", value: "0123456789abcdef" },
    ],
  });
  const live = await store.createRun({ experimentId: expId, runName: "live-run" });
  await store.logBatch(live.info.run_id, {
    metrics: [{ key: "loss", value: 1, step: 0, timestamp: Date.now() }],
  });

  const runRoot = `${rootDir}/${run.info.artifact_uri.replace(/^mlflow-artifacts:\//, "")}`;
  await Deno.mkdir(`${runRoot}/model`, { recursive: true });
  await Deno.writeTextFile(`${runRoot}/model/MLmodel`, `flavors:\n  python_function: {}\n# ${XSS}`);
  await Deno.writeTextFile(`${runRoot}/model/conda.yaml`, "name: env\n");
  await Deno.writeTextFile(`${runRoot}/report.html`, `<h1 id="pwned">pwned</h1>${XSS}`);
  await Deno.writeTextFile(`${runRoot}/${XSS.replaceAll("/", "_")}.txt`, "odd name");
  await Deno.writeTextFile(`${runRoot}/metrics.json`, JSON.stringify({ a: XSS }));

  return { ...base, runId, childId: child.info.run_id, liveId: live.info.run_id, expId };
}

Deno.test("run page SSR: data, links, 404, escaping", async () => {
  const f = await fixture();
  try {
    const res = await f.app.request(`/runs/${f.runId}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.doesNotMatch(html, /<script>alert|<img src=x|<img src="x"/);
    assert.match(html, /run &lt;script>alert\(1\)&lt;\/script>/);
    assert.match(html, /<th scope="row" class="mono">lr<\/th><td class="cell-value">0\.01<\/td>/);
    assert.match(html, /<th scope="row" class="mono">loss<\/th>/);
    assert.match(html, /<th scope="row" class="mono">acc<\/th>/);
    assert.match(html, new RegExp(`href="/experiments/${f.expId}"`));
    assert.match(html, new RegExp(`href="/runs/${f.childId}">child-1<`));
    assert.match(html, /train\.py/);
    assert.match(html, /<h3>Notes<\/h3>/);
    assert.doesNotMatch(html, /href="javascript:/i);
    assert.match(html, /data-island="MetricChart"/);
    assert.match(html, /data-island="RunTags"/);
    assert.match(html, /data-island="ArtifactBrowser"/);
    assert.match(html, /mlflow\.source\.git\.commit/);
    // Latest metric values to 6 significant digits, the full value in the title.
    assert.match(html, /<td class="num" title="0\.9454545454545454">0\.945455<\/td>/);
    assert.match(html, /<summary>System tags \(4, read-only\)<\/summary>/);
    // The git commit, linked without the clone URL's credentials.
    assert.match(
      html,
      /<a href="https:\/\/github\.com\/org\/repo\/commit\/0123456789abcdef" rel="noopener noreferrer nofollow"/,
    );
    assert.doesNotMatch(
      html.replace(/mlflow\.source\.git\.repoURL<\/th><td[^>]*>[^<]*/, ""),
      /tok@/,
    );
    // Datasets used: both inputs, with context, digest, source and schema (pretty, escaped).
    assert.match(html, /id="run-datasets-heading">Datasets used</);
    assert.match(
      html,
      /<h3 class="dataset__name">dataset<\/h3><span class="badge dataset__context">train</,
    );
    assert.match(html, /<h3 class="dataset__name">eval &lt;script>/);
    assert.match(html, /3e4f7a1c/);
    assert.match(html, />s3:\/\/bucket\/eval\.parquet</);
    const q = (text: string) => text.replaceAll('"', "&quot;");
    assert.ok(
      html.includes(q('<pre>{\n  "mlflow_tensorspec": {\n    "features": [\n      {\n')),
      "a tensor spec kept as a JSON string is expanded",
    );
    assert.match(html, /&quot;name&quot;: &quot;&lt;script>alert/);
    assert.ok(html.includes(q('"features_shape": [\n    120,')), "profile pretty-printed");
    assert.match(html, /<pre>not json &lt;script>/);
    const header = islandProps(html, "RunHeader");
    assert.deepEqual(header.may, { rename: true, delete: true });
    assert.equal(header.deleted, false);

    const child = await (await f.app.request(`/runs/${f.childId}`)).text();
    assert.match(child, new RegExp(`Parent run</dt><dd><a href="/runs/${f.runId}">`));
    // A repository that is not http(s) is text, never a link; no datasets, no section.
    assert.doesNotMatch(child, /href="javascript:|data-git-link/);
    assert.match(child, /Git commit<\/dt>/);
    assert.doesNotMatch(child, /run-datasets/);

    const missing = await f.app.request("/runs/does-not-exist");
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /There is no run with ID/);
    const xss404 = await f.app.request(`/runs/${encodeURIComponent(XSS)}`);
    assert.equal(xss404.status, 404);
    assert.doesNotMatch(await xss404.text(), /<script>alert/);
  } finally {
    await Deno.remove(f.rootDir, { recursive: true });
  }
});

Deno.test({
  name: "run page in Chromium: chart, description, tags, artifacts, no console errors",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const f = await fixture();
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, f.app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      const { page, problems } = await openPage(browser, {
        context: { viewport: { width: 1280, height: 900 } },
        timeoutMs: 10_000,
      });

      await t.step("islands hydrate; the 100k-point chart draws quickly", async () => {
        const t0 = performance.now();
        await page.goto(`${base}/runs/${f.runId}`);
        for (const name of ["RunDescription", "RunTags", "ArtifactBrowser", "MetricChart"]) {
          await page.locator(`[data-island='${name}'][data-hydrated]`).waitFor();
        }
        await page.locator(".metric-chart canvas").first().waitFor();
        await page.waitForFunction(() =>
          /100,000 points \(downsampled/.test(
            document.querySelector(".metric-chart__counts")?.textContent ?? "",
          )
        ).catch(async (err) => {
          const text = await page.locator(".metric-chart").innerHTML();
          throw new Error(`chart: ${text.slice(0, 2000)}\n${problems.join("\n")}`, { cause: err });
        });
        const ms = performance.now() - t0;
        assert.ok(ms < 5000, `chart took ${ms.toFixed(0)} ms`);
        // The counts and the zoom hint are apart, not one run-on sentence.
        assert.doesNotMatch(
          await page.locator(".metric-chart__counts").first().innerText(),
          /Drag/,
        );
        await page.locator(".metric-chart__hint", { hasText: "Drag across a chart" }).waitFor();
        assert.ok((await inkedPixels(page, ".metric-chart canvas")) > 100, "canvas is blank");
        assert.equal(await page.locator("img[src='x']").count(), 0);
        assert.equal(await page.locator("main script").count(), 0);
      });

      await t.step(
        "chart options: second metric, log scale, smoothing, x modes, zoom",
        async () => {
          // A card per metric, each with its own y axis; loss-like first, all ticked at first.
          const acc = page.locator(".metric-card[data-key='acc']");
          await acc.locator(".metric-chart__counts", { hasText: "acc: 50 points" }).waitFor();
          assert.deepEqual(
            await page.locator(".metric-card").evaluateAll((els) =>
              els.map((e) => e.getAttribute("data-key"))
            ),
            ["loss", "acc", "learning_rate"],
          );
          assert.ok((await inkedPixels(page, ".metric-card[data-key='acc'] canvas")) > 100);
          // A metric logged once shows its value, not an empty chart.
          const lr = page.locator(".metric-card[data-key='learning_rate']");
          assert.equal(await lr.locator(".metric-card__value").textContent(), "0.003");
          assert.equal(await lr.locator("canvas").count(), 0);
          await page.getByRole("checkbox", { name: "acc" }).uncheck();
          await acc.waitFor({ state: "detached" });
          await page.getByRole("checkbox", { name: "acc" }).check();
          await acc.locator(".metric-chart__counts", { hasText: "acc: 50 points" }).waitFor();
          await page.getByRole("checkbox", { name: "Log scale" }).check();
          await page.getByRole("slider").fill("0.6");
          await page.getByRole("combobox", { name: "X axis" }).selectOption("relative");
          await page.getByRole("combobox", { name: "X axis" }).selectOption("step");
          await page.getByRole("checkbox", { name: "acc" }).uncheck();
          await page.getByRole("checkbox", { name: "Log scale" }).uncheck();
          await page.getByRole("slider").fill("0");
          // Let the chart settle on "loss" alone before dragging on it.
          await page.waitForFunction(() =>
            !/acc:/.test(document.querySelector(".metric-chart__counts")?.textContent ?? "")
          );
          await page.waitForTimeout(300);
          // Drag-select a narrow range: it is re-requested exactly.
          const over = page.locator(".metric-chart .u-over");
          const box = (await over.boundingBox())!;
          await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
          await page.mouse.down();
          await page.mouse.move(box.x + box.width * 0.505, box.y + box.height / 2, { steps: 4 });
          await page.mouse.up();
          await page.getByRole("button", { name: "Reset zoom" }).waitFor();
          await page.waitForFunction(() =>
            /loss: [\d,]+ points(?! \(downsampled)/.test(
              document.querySelector(".metric-chart__counts")?.textContent ?? "",
            )
          );
          assert.ok((await inkedPixels(page, ".metric-chart canvas")) > 50);
          await shootPart(page, ".metric-chart", "run-chart-zoomed");
          await page.getByRole("button", { name: "Reset zoom" }).click();
          await page.waitForFunction(() =>
            /100,000 points/.test(
              document.querySelector(".metric-chart__counts")?.textContent ?? "",
            )
          );
          await page.getByRole("checkbox", { name: "acc" }).check();
          await acc.locator(".metric-chart__counts", { hasText: "acc: 50 points" }).waitFor();
          await lr.locator(".metric-card__value").waitFor();
          // Relative time reads h:mm:ss; a log axis labels its small values, never "0".
          await page.getByRole("combobox", { name: "X axis" }).selectOption("relative");
          await page.getByRole("checkbox", { name: "Log scale" }).check();
          await page.waitForTimeout(300);
          await shootPart(page, ".metric-chart", "run-chart-relative-log");
          await page.getByRole("checkbox", { name: "Log scale" }).uncheck();
          await page.getByRole("combobox", { name: "X axis" }).selectOption("step");
          await page.waitForFunction(() =>
            /100,000 points/.test(
              document.querySelector(".metric-chart__counts")?.textContent ?? "",
            )
          );
          await shoot(page, "run", { settleMs: 150 });
        },
      );

      await t.step("editing the description saves and re-renders safely", async () => {
        await page.getByRole("button", { name: "Edit description" }).click();
        const box = page.getByRole("textbox", { name: "Description (Markdown)" });
        await box.fill(`## Saved\n\n*it* works ${XSS} [x](javascript:alert(1))`);
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await page.locator(".markdown h4", { hasText: "Saved" }).waitFor();
        assert.equal(await page.locator(".markdown em", { hasText: "it" }).count(), 1);
        assert.equal(await page.locator(".markdown a").count(), 0);
        assert.equal(await page.locator("img[src='x']").count(), 0);
        await page.reload();
        await page.locator("[data-island='RunDescription'][data-hydrated]").waitFor();
        await page.locator(".markdown h4", { hasText: "Saved" }).waitFor();
      });

      await t.step("adding, editing and deleting a tag", async () => {
        await page.getByRole("textbox", { name: "New tag key" }).fill("stage");
        await page.getByRole("textbox", { name: "New tag value" }).fill("prod");
        await page.getByRole("button", { name: "Add tag" }).click();
        await page.getByRole("button", { name: "Delete tag stage" }).waitFor();
        await page.getByRole("button", { name: "Edit tag stage" }).click();
        await page.getByRole("textbox", { name: "New value for stage" }).fill("staging");
        // While editing, the row offers Save and Cancel only.
        assert.equal(await page.getByRole("button", { name: "Edit tag stage" }).count(), 0);
        assert.equal(await page.getByRole("button", { name: "Delete tag stage" }).count(), 0);
        // Inputs and selects take the theme's colours (not light grey blocks in dark mode).
        await page.emulateMedia({ colorScheme: "dark" });
        const colours = await page.evaluate(() => {
          const bg = (sel: string) =>
            getComputedStyle(document.querySelector(sel)!).backgroundColor;
          return [bg("#new-tag-key"), bg("#edit-tag-value"), bg(".chart-options select")];
        });
        assert.deepEqual(colours, Array(3).fill("rgb(23, 26, 33)"), "dark --surface");
        await page.locator(".run-tags").screenshot({ path: `${SHOTS_DIR}/run-tag-edit-dark.png` });
        await page.emulateMedia({ colorScheme: "light" });
        await page.locator(".run-tags").screenshot({ path: `${SHOTS_DIR}/run-tag-edit-light.png` });
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await page.locator(".run-tags td", { hasText: "staging" }).waitFor();
        await waitForFocus(page.getByRole("button", { name: "Edit tag stage" }));
        await page.reload();
        await page.locator("[data-island='RunTags'][data-hydrated]").waitFor();
        await page.locator(".run-tags td", { hasText: "staging" }).waitFor();
        await page.getByRole("button", { name: "Delete tag stage" }).click();
        await page.getByRole("button", { name: "Delete tag stage" }).waitFor({ state: "detached" });
        await page.reload();
        await page.locator("[data-island='RunTags'][data-hydrated]").waitFor();
        assert.equal(await page.getByRole("button", { name: "Delete tag stage" }).count(), 0);
        assert.equal(await page.locator(".run-tags td", { hasText: "<script>" }).count(), 1);
      });

      await t.step(
        "artifact tree: folders open lazily, text previews, HTML never inline",
        async () => {
          const tree = page.locator(".artifacts__tree");
          await tree.getByRole("button", { name: "model" }).click();
          await tree.getByRole("button", { name: "MLmodel" }).click();
          const pre = page.locator(".artifacts__text");
          await pre.waitFor();
          assert.match(await pre.textContent() ?? "", /python_function[\s\S]*<script>alert/);
          assert.equal(await page.locator(".artifacts__preview script").count(), 0);
          await tree.getByRole("button", { name: "report.html" }).click();
          await page.getByText("No preview for this file type").waitFor();
          assert.equal(await page.locator("#pwned").count(), 0);
          assert.equal(await page.locator(".artifacts__preview iframe").count(), 0);
          const dl = page.getByRole("link", { name: "Download" });
          assert.match(await dl.getAttribute("href") ?? "", /^\/get-artifact\?run_id=/);
          await tree.getByRole("button", { name: /\.txt$/ }).click();
          await page.locator(".artifacts__text", { hasText: "odd name" }).waitFor();
          await page.locator(".artifacts__path", { hasText: "<script>" }).waitFor();
          assert.equal(await page.locator("img[src='x']").count(), 0);
          await shoot(page, "run-artifacts", { settleMs: 150 });
        },
      );

      await t.step("datasets used and the git commit link", async () => {
        await page.goto(`${base}/runs/${f.runId}`);
        await page.locator("[data-island='RunHeader'][data-hydrated]").waitFor();
        const cards = page.locator("#run-datasets > li");
        assert.equal(await cards.count(), 2);
        const train = cards.filter({ hasText: "train" }).first();
        await train.locator("summary", { hasText: "Schema" }).click();
        await train.locator("summary", { hasText: "Profile" }).click();
        assert.match(await train.locator("pre").first().textContent() ?? "", /<script>alert/);
        await cards.nth(1).locator("summary", { hasText: "Schema" }).click();
        assert.equal(await page.locator("img[src='x']").count(), 0);
        const link = page.locator("[data-git-link]");
        assert.equal(
          await link.getAttribute("href"),
          "https://github.com/org/repo/commit/0123456789abcdef",
        );
        await page.locator("#run-datasets-heading").scrollIntoViewIfNeeded();
        await shoot(page, "run-datasets", { settleMs: 150, fullPage: false });
      });

      await t.step("rename, then delete (confirmed) and restore from the header", async () => {
        const runGet = async () => {
          const res = await fetch(`${base}/api/2.0/mlflow/runs/get?run_id=${f.runId}`);
          return (await res.json()).run.info;
        };
        await page.evaluate(() => scrollTo(0, 0));
        await page.getByRole("button", { name: "Rename" }).click();
        const input = page.getByRole("textbox", { name: "Run name" });
        await input.fill("   ");
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await page.getByRole("alert").filter({ hasText: "Enter a name" }).waitFor();
        await input.fill(`renamed ${XSS}`);
        assert.equal(await page.getByRole("alert").count(), 0, "typing clears the error");
        await shoot(page, "run-rename", { fullPage: false });
        await input.press("Enter");
        await page.getByRole("heading", { level: 1, name: `renamed ${XSS}` }).waitFor();
        assert.equal(await page.locator("img[src='x']").count(), 0);
        assert.equal(
          await page.evaluate(() => document.activeElement?.textContent),
          "Rename",
        );
        assert.equal((await runGet()).run_name, `renamed ${XSS}`);

        // Delete asks first; Cancel keeps the run.
        await page.getByRole("button", { name: "Delete run" }).click();
        await page.getByRole("button", { name: "Cancel" }).click();
        assert.equal((await runGet()).lifecycle_stage, "active");
        await page.getByRole("button", { name: "Delete run" }).click();
        await page.getByText(/Delete run “renamed .*”\? You can restore it later\./).waitFor();
        await shoot(page, "run-delete-confirm", { fullPage: false });
        await page.getByRole("button", { name: "Yes, delete run" }).click();
        await page.getByRole("button", { name: "Restore run" }).waitFor();
        await page.locator(".run-header .badge--deleted").waitFor();
        assert.equal((await runGet()).lifecycle_stage, "deleted");
        // The API renames active runs only, so a deleted one offers Restore alone.
        assert.equal(await page.getByRole("button", { name: "Rename" }).count(), 0);
        await shoot(page, "run-deleted", { fullPage: false });
        await page.reload();
        await page.locator("[data-island='RunHeader'][data-hydrated]").waitFor();
        await page.getByRole("button", { name: "Restore run" }).click();
        await page.getByRole("button", { name: "Delete run" }).waitFor();
        assert.equal(await page.locator(".run-header .badge--deleted").count(), 0);
        assert.equal((await runGet()).lifecycle_stage, "active");
      });

      await t.step("an MLflow run link lands on the run page, with no history entry", async () => {
        await page.goto(`${base}/`);
        const before = await page.evaluate(() => history.length);
        await page.goto(`${base}/#/experiments/${f.expId}/runs/${f.runId}`);
        await page.waitForURL(`${base}/runs/${f.runId}`);
        await page.locator("[data-island='RunDescription'][data-hydrated]").waitFor();
        // The MLflow URL was replaced, not stacked: Back returns to where the user was.
        assert.equal(await page.evaluate(() => history.length), before + 1);
        // A fragment-only change (an MLflow link pasted over a kvflow page) is followed too.
        await page.evaluate((r) => {
          location.hash = `#/experiments/1/runs/${r}/model-metrics`;
        }, f.childId);
        await page.waitForURL(`${base}/runs/${f.childId}#run-charts-heading`);
        await page.locator("h1", { hasText: "child-1" }).waitFor();
        // MLflow's compare link carries JSON lists, which Chromium percent-encodes in the fragment.
        await page.goto(
          `${base}/#/compare-runs?runs=["${f.runId}","${f.childId}"]&experiments=["${f.expId}"]`,
        );
        await page.waitForURL(`${base}/compare?runs=${f.runId},${f.childId}`);
        await page.locator("[data-island='CompareCharts'][data-hydrated]").waitFor();
      });

      await t.step("an MLflow artifact link opens the run page at that file", async () => {
        await page.goto(`${base}/#/experiments/${f.expId}/runs/${f.runId}/artifacts/model/MLmodel`);
        await page.waitForURL(
          `${base}/runs/${f.runId}?artifact=model%2FMLmodel#run-artifacts-heading`,
        );
        const pre = page.locator(".artifacts__text");
        await pre.waitFor();
        assert.match(await pre.textContent() ?? "", /python_function/);
        const tree = page.locator(".artifacts__tree");
        assert.equal(
          await tree.getByRole("button", { name: "MLmodel" }).getAttribute("aria-current"),
          "true",
        );
        // Choosing another file keeps the URL in step (a reload shows it again).
        await tree.getByRole("button", { name: "conda.yaml" }).click();
        await page.locator(".artifacts__text", { hasText: "name: env" }).waitFor();
        assert.equal(new URL(page.url()).searchParams.get("artifact"), "model/conda.yaml");
        await page.reload();
        await page.locator(".artifacts__text", { hasText: "name: env" }).waitFor();
        await shoot(page, "run-artifact-link", { fullPage: false });
        // A path that is not there leaves the tree as it is.
        await page.goto(`${base}/runs/${f.runId}?artifact=model/nope.txt`);
        await page.locator("[data-island='ArtifactBrowser'][data-hydrated]").waitFor();
        await tree.getByRole("button", { name: "conda.yaml" }).waitFor();
        await page.getByText("Select a file to preview it.").waitFor();
      });

      await t.step("a RUNNING run updates live and stops when it ends", async () => {
        // A page of its own whose timers Playwright's clock drives: each poll is a fast-forward
        // past the 5 s interval instead of a real 5 s wait.
        const { page, problems: liveProblems } = await openPage(browser, {
          context: { viewport: { width: 1280, height: 900 } },
          timeoutMs: 10_000,
        });
        await page.clock.install();
        await page.goto(`${base}/runs/${f.liveId}`);
        await page.locator("[data-island='MetricChart'][data-hydrated]").waitFor();
        await page.locator(".metric-chart .badge--running").waitFor();
        // One point so far: its value, then a chart once a second point arrives.
        await page.locator(".metric-card__single", { hasText: "1" }).waitFor();
        // No artifacts: one line, not an empty two-pane browser.
        await page.locator(".artifacts__status", { hasText: "No artifacts." }).waitFor();
        assert.equal(await page.locator(".artifacts").count(), 0);
        // New points and the end of the run arrive by polling, without a reload.
        const api = async (path: string, body: unknown) => {
          const res = await fetch(`${base}/api/2.0/mlflow/${path}`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(body),
          });
          assert.equal(res.status, 200, await res.text());
        };
        await api("runs/log-metric", {
          run_id: f.liveId,
          key: "loss",
          value: 0.5,
          step: 1,
          timestamp: Date.now(),
        });
        await page.clock.fastForward(LIVE_POLL_MS);
        await page.waitForFunction(
          () =>
            /loss: 2 points/.test(
              document.querySelector(".metric-chart__counts")?.textContent ?? "",
            ),
          null,
          { timeout: 5_000 },
        );
        await page.locator(".metric-card[data-key='loss'] canvas").waitFor();
        await api("runs/update", { run_id: f.liveId, status: "FINISHED", end_time: Date.now() });
        await page.clock.fastForward(LIVE_POLL_MS);
        await page.locator(".metric-chart .badge--running").waitFor({
          state: "detached",
          timeout: 15_000,
        });
        await page.close();
        assert.deepEqual(liveProblems, []);
      });

      await t.step("768 px wide", async () => {
        await page.setViewportSize({ width: 768, height: 900 });
        await page.goto(`${base}/runs/${f.runId}`);
        await page.locator("[data-island='MetricChart'][data-hydrated]").waitFor();
        await page.locator(".metric-chart canvas").first().waitFor();
        await shoot(page, "run-768", { settleMs: 150 });
      });

      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(f.rootDir, { recursive: true });
    }
  },
});
