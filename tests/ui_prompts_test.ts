/**
 * The prompt pages (MLflow 3's prompt registry): `/prompts` (search, paging, empty state),
 * `/prompts/:name` (tags, aliases, versions with their templates, a diff of two templates), the
 * redirects from `/models/<prompt>` and its versions, and `/models` leaving prompts out. Server
 * rendering (status codes, 404s, access, escaping of every user-controlled string, names with
 * `/`) and, in real Chromium, a template holding markup shown as text with nothing executed, and
 * screenshots (`$TMPDIR/kvflow-ui-screenshots/prompts-*.png`, light and dark).
 *
 * @module
 */
import assert from "node:assert/strict";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { TrackingStore } from "../store/types.ts";
import {
  latestOf,
  modelsOnlyFilter,
  oneLine,
  promptDiffHref,
  promptHref,
  PROMPTS_FILTER,
  promptsHref,
  promptTags,
  toPromptFilter,
} from "../ui/shared/prompts.ts";
import { createAuthWorld, USER_OF } from "./helpers/auth_world.ts";
import { launchBrowser } from "./helpers/browser.ts";
import { openPage, pageHtml, shoot } from "./helpers/ui.ts";

const XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>";
const IS_PROMPT = { key: "mlflow.prompt.is_prompt", value: "true" };
const text = (value: string) => ({ key: "mlflow.prompt.text", value });
const NAME = "team/greeting";
const V1 = "Hello {{name}}!\n  Indented line\n\nBye.";
const V2 = `Hello {{name}}, welcome!\n  Indented line\n${XSS}\n\nBye.`;

/** No payload survives as markup: no injected `<img>`, no inline or extra `<script>`. */
function assertNoMarkup(page: string) {
  assert.doesNotMatch(page, /<script>alert/i);
  assert.doesNotMatch(page, /<img\b/i, "an <img> element was injected");
  assert.ok((page.match(/<script\b/gi) ?? []).length <= 1, "an extra <script> element");
}

/** A prompt with `templates` as its versions 1, 2…, each with a commit message. */
async function createPrompt(
  store: TrackingStore,
  name: string,
  templates: string[],
  opts: { tags?: { key: string; value: string }[]; description?: string; value?: string } = {},
) {
  const flag = { ...IS_PROMPT, value: opts.value ?? "true" };
  await store.createRegisteredModel({
    name,
    tags: [flag, ...(opts.tags ?? [])],
    description: opts.description,
  });
  for (const [i, t] of templates.entries()) {
    await store.createModelVersion({
      name,
      source: "dummy-source",
      tags: [flag, text(t), ...(i === 1 ? [{ key: "lang", value: XSS }] : [])],
      description: i === 0 ? "first" : `commit ${i + 1}: ${XSS}`,
    });
  }
}

/** An app with one model, the prompt {@linkcode NAME} (2 versions, alias) and a few more. */
async function fixture() {
  const store = createMemoryStore();
  const app = createApp({ store });
  await store.createRegisteredModel({ name: "churn", description: "a model" });
  await createPrompt(store, NAME, [V1, V2], {
    tags: [{ key: "task", value: XSS }],
    description: `Greets ${XSS}`,
  });
  await store.setRegisteredModelAlias(NAME, "production", "2");
  await store.setRegisteredModelAlias(NAME, "staging", "1");
  await createPrompt(store, `prompt ${XSS}`, ["x"]);
  // Only `true` itself makes a prompt: a model tagged `True` is an ordinary model everywhere.
  await store.createRegisteredModel({
    name: "Capitalised",
    tags: [{ ...IS_PROMPT, value: "True" }],
  });
  await createPrompt(store, "empty-prompt", []);
  return { store, app };
}

Deno.test("prompt helpers: hrefs, filters, tags, excerpts", () => {
  assert.equal(promptHref("team/greeting"), "/prompts/team%2Fgreeting");
  assert.equal(promptHref("a b", "2"), "/prompts/a%20b#version-2");
  assert.equal(promptDiffHref("a/b", "1", "2"), "/prompts/a%2Fb?diff=1&to=2#prompt-diff");
  assert.equal(promptsHref(" greet "), "/prompts?q=greet");
  assert.equal(promptsHref("", "t/k"), "/prompts?page_token=t%2Fk");
  assert.equal(promptsHref(""), "/prompts");
  assert.equal(toPromptFilter(""), PROMPTS_FILTER);
  assert.equal(toPromptFilter("o'h"), `${PROMPTS_FILTER} AND name ILIKE '%o''h%'`);
  assert.equal(toPromptFilter("tags.t = 'x'"), `${PROMPTS_FILTER} AND tags.t = 'x'`);
  assert.equal(modelsOnlyFilter("name LIKE 'a%'"), "name LIKE 'a%'");
  assert.equal(modelsOnlyFilter(""), "");
  assert.match(
    modelsOnlyFilter("tags.`mlflow.prompt.is_prompt` = 'true'"),
    /^tags\.`mlflow\.prompt\.is_prompt` != 'true' AND /,
  );
  assert.deepEqual(promptTags([IS_PROMPT, text("x"), { key: "a", value: "1" }]), [
    { key: "a", value: "1" },
  ]);
  assert.equal(oneLine("Fix\n\n  **typo**"), "Fix **typo**");
  assert.equal(oneLine("x".repeat(200), 10), `${"x".repeat(9)}…`);
  assert.equal(latestOf([{ version: "9" }, { version: "10" }, { version: "2" }])?.version, "10");
  assert.equal(latestOf([]), undefined);
});

Deno.test("prompts SSR: /models leaves prompts out, whatever the search", async (t) => {
  const { app } = await fixture();
  const queries = [
    "",
    "greet",
    "tags.`mlflow.prompt.is_prompt` = 'true'",
    "tags.`mlflow.prompt.is_prompt` != 'false'",
    "name LIKE '%'",
    "Capitalised",
  ];
  for (const q of queries) {
    await t.step(`/models?q=${q}`, async () => {
      const page = await pageHtml(app.request(`/models?q=${encodeURIComponent(q)}`));
      const names = [...page.matchAll(/<td class="cell-name"><a [^>]*>([^<]+)</g)].map((m) => m[1]);
      assert.deepEqual(
        names,
        q === "greet" ? [] : q === "Capitalised" ? ["Capitalised"] : ["Capitalised", "churn"],
      );
    });
  }
  await t.step("the header has a Prompts item after Models", async () => {
    const page = await pageHtml(app.request("/models"));
    assert.match(page, /Models<\/a><\/li><li><a href="\/prompts">Prompts<\/a>/);
  });
});

Deno.test("prompts SSR: the list, search, paging, empty state", async (t) => {
  const { app, store } = await fixture();
  await t.step("/prompts lists prompts only, with latest version, aliases, message", async () => {
    const page = await pageHtml(app.request("/prompts"));
    assertNoMarkup(page);
    assert.match(page, /<title>Prompts · kvflow<\/title>/);
    assert.match(page, /<a href="\/prompts" aria-current="page">Prompts<\/a>/);
    assert.doesNotMatch(page, /churn/);
    const names = [...page.matchAll(/<td class="cell-name"><a href="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(names, [
      "/prompts/empty-prompt",
      `/prompts/${encodeURIComponent(`prompt ${XSS}`)}`,
      "/prompts/team%2Fgreeting",
    ]);
    assert.match(page, /href="\/prompts\/team%2Fgreeting#version-2">Version 2<\/a>/);
    assert.match(
      page,
      /href="\/prompts\/team%2Fgreeting#version-2"><span class="alias">@production<\/span>/,
    );
    assert.match(page, /commit 2: &lt;script>alert\(1\)&lt;\/script>&lt;img src=x/);
    assert.match(page, /prompt &lt;script>alert\(1\)/);
    assert.match(page, /3 prompts/);
  });
  await t.step("?q= searches names; the filter grammar passes through", async () => {
    const page = await pageHtml(app.request("/prompts?q=GREET"));
    assert.match(page, /team\/greeting/);
    assert.doesNotMatch(page, /Capitalised/);
    assert.match(page, /value="GREET"/);
    const byTag = await pageHtml(
      app.request(`/prompts?q=${encodeURIComponent("tags.task LIKE '%script%'")}`),
    );
    assert.match(byTag, /1 prompt</);
    const churn = await pageHtml(app.request("/prompts?q=churn"));
    assert.match(churn, /No prompts match “churn”/);
    const echoed = await pageHtml(app.request(`/prompts?q=${encodeURIComponent(XSS)}`));
    assertNoMarkup(echoed);
    const bad = await pageHtml(app.request(`/prompts?q=${encodeURIComponent("name =")}`));
    assert.match(bad, /<p id="prompt-search-error" class="field-error" role="alert">/);
    const token = await pageHtml(app.request("/prompts?page_token=garbage"));
    assert.match(token, /field-error/);
  });
  await t.step("100 per page, with page tokens", async () => {
    for (let i = 0; i < 100; i++) await createPrompt(store, `p-${String(i).padStart(3, "0")}`, []);
    const first = await pageHtml(app.request("/prompts"));
    const next = /<a class="button" href="([^"]+)" rel="next">Next page<\/a>/.exec(first);
    assert.ok(next, "no Next page link");
    const second = await pageHtml(app.request(next[1].replaceAll("&amp;", "&")));
    assert.match(second, /3 prompts on this page/);
    assert.match(second, /team\/greeting/);
    assert.match(second, /<a class="button" href="\/prompts">First page<\/a>/);
  });
  await t.step("no prompts: how to register one", async () => {
    const empty = createApp({ store: createMemoryStore() });
    const page = await pageHtml(empty.request("http://localhost:5000/prompts"));
    assert.match(page, /No prompts yet/);
    assert.match(page, /mlflow\.genai\.register_prompt\(/);
    assert.doesNotMatch(page, /<table/);
  });
});

Deno.test("prompts SSR: a prompt's page, its diff, 404s and redirects", async (t) => {
  const { app, store } = await fixture();
  await t.step("tags, aliases, versions newest first with templates", async () => {
    const page = await pageHtml(app.request(promptHref(NAME)));
    assertNoMarkup(page);
    assert.match(page, /<title>team\/greeting · kvflow<\/title>/);
    assert.match(page, /<h1>team\/greeting<\/h1>/);
    assert.match(page, /<a href="\/prompts" aria-current="page">Prompts<\/a>/);
    assert.match(page, /Greets &lt;script>/, "the description, escaped");
    // Tags without the prompt tag.
    assert.match(page, /<th scope="row" class="mono">task<\/th><td class="cell-value">&lt;script>/);
    assert.doesNotMatch(page, /mlflow\.prompt\./);
    assert.ok(page.indexOf('id="version-2"') < page.indexOf('id="version-1"'), "newest first");
    // The template whole, white space kept, markup as text.
    assert.ok(
      page.includes(
        '<pre class="code-block prompt-template"><code>Hello {{name}}, welcome!\n  Indented line\n' +
          "&lt;script>alert(1)&lt;/script>&lt;img src=x onerror=alert(2)>\n\nBye.</code></pre>",
      ),
    );
    assert.match(page, /<p class="prompt-version__message">commit 2: &lt;script>/);
    assert.match(page, /<p class="prompt-version__message">first<\/p>/);
    assert.match(page, /<span class="tag__key">lang<\/span><span class="tag__value">&lt;script>/);
    assert.match(
      page,
      /<h3 id="prompt-version-2-heading">Version 2<\/h3><ul class="aliases"><li ><span class="alias">@production/,
    );
    assert.match(
      page,
      /href="\/prompts\/team%2Fgreeting\?diff=1&amp;to=2#prompt-diff">Compare with version 1/,
    );
    // The compare form: newest as "to", the one before as "from".
    assert.match(
      page,
      /<form class="toolbar prompt-compare" method="get" action="\/prompts\/team%2Fgreeting#prompt-diff">/,
    );
    assert.match(page, /name="diff">[^]*?<option\s+value="1" selected>/);
    assert.match(page, /name="to"><option\s+value="2" selected>/);
    assert.equal((page.match(/<script\b/gi) ?? []).length, 0, "no islands: no script");
    // A raw slash reaches the same page.
    const raw = await pageHtml(app.request("/prompts/team/greeting"));
    assert.match(raw, /<h1>team\/greeting<\/h1>/);
  });

  await t.step("?diff=1&to=2: a line diff with words marked", async () => {
    const page = await pageHtml(app.request(promptDiffHref(NAME, "1", "2")));
    assertNoMarkup(page);
    assert.match(page, /<title>team\/greeting: v1 → v2 · kvflow<\/title>/);
    assert.match(page, /<span class="muted">1 line removed, 2 added<\/span>/);
    const rows = [
      ...page.matchAll(
        /text-diff__line--(\w+)"><td class="text-diff__no">(\d*)<\/td><td class="text-diff__no">(\d*)<\/td><td class="text-diff__mark"><span aria-hidden="true">(.)<\/span>(?:<span class="visually-hidden">(\w+)<\/span>)?<\/td>/g,
      ),
    ]
      .map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]} ${m[5] ?? ""}`.trimEnd());
    assert.deepEqual(rows, [
      "del 1  - removed",
      "add  1 + added",
      "same 2 2",
      "add  3 + added",
      "same 3 4",
      "same 4 5",
    ]);
    assert.match(page, /Hello \{\{name\}\}<ins\s*>, welcome<\/ins>!/);
    assert.match(
      page,
      /<td class="text-diff__text">&lt;script>alert\(1\)&lt;\/script>&lt;img src=x/,
    );
    assert.match(page, /href="\/prompts\/team%2Fgreeting\?diff=2&amp;to=1#prompt-diff">Swap/);
    const back = await pageHtml(app.request(promptDiffHref(NAME, "2", "1")));
    assert.match(back, /Hello \{\{name\}\}<del\s*>, welcome<\/del>!/);
    // `to` defaults to the newest version; a version against itself is the same.
    const latest = await pageHtml(app.request(`${promptHref(NAME)}?diff=2`));
    assert.match(latest, /The templates of version 2 and version 2 are the same/);
  });

  await t.step("a bad comparison says why, inline", async () => {
    const missing = await pageHtml(app.request(`${promptHref(NAME)}?diff=9&to=1`));
    assert.match(missing, /role="alert">Prompt “team\/greeting” has no version 9\./);
    const junk = await pageHtml(app.request(`${promptHref(NAME)}?diff=${encodeURIComponent(XSS)}`));
    assertNoMarkup(junk);
    assert.match(
      junk,
      /“&lt;script>alert\(1\)&lt;\/script>&lt;img src=x onerror=alert\(2\)>” is not a version number/,
    );
  });

  await t.step("unknown names and registered models that are not prompts: 404", async () => {
    const none = await pageHtml(app.request("/prompts/nope"), 404);
    assert.match(none, /There is no prompt named “nope”/);
    assert.match(none, /<a href="\/prompts">Back to prompts<\/a>/);
    assert.match(none, /<a href="\/prompts" aria-current="page">/);
    const model = await pageHtml(app.request("/prompts/churn"), 404);
    assert.match(model, /There is no prompt named “churn”/);
    const xss = await pageHtml(app.request(`/prompts/${encodeURIComponent(XSS)}`), 404);
    assertNoMarkup(xss);
  });

  await t.step("a prompt without versions; a model tagged `True` is no prompt", async () => {
    const empty = await pageHtml(app.request(promptHref("empty-prompt")));
    assert.match(empty, /This prompt has no versions yet/);
    assert.doesNotMatch(empty, /prompt-compare/);
    // Tagged `True`, not `true`: an ordinary model, with its ordinary page.
    await pageHtml(app.request(promptHref("Capitalised")), 404);
    const model = await app.request("/models/Capitalised");
    assert.equal(model.status, 200);
    await model.body?.cancel();
  });

  await t.step("/models/<prompt> and its versions redirect to the prompt page", async () => {
    const model = await app.request("/models/team%2Fgreeting");
    assert.equal(model.status, 302);
    assert.equal(model.headers.get("location"), "/prompts/team%2Fgreeting");
    const version = await app.request("/models/team%2Fgreeting/versions/1");
    assert.equal(version.status, 302);
    assert.equal(version.headers.get("location"), "/prompts/team%2Fgreeting#version-1");
    const head = await app.request("/models/team%2Fgreeting/versions/2", { method: "HEAD" });
    assert.equal(head.status, 302);
    await pageHtml(app.request("/models/team%2Fgreeting/versions/7"), 404);
    // A plain model is not redirected.
    await pageHtml(app.request("/models/churn"));
  });

  await t.step("a version without the prompt tag is listed apart, not redirected", async () => {
    // Allowed by the store: a model source under a prompt's name, with no prompt tag.
    await store.createModelVersion({ name: NAME, source: "mlflow-artifacts:/0/some/model" });
    const page = await pageHtml(app.request(promptHref(NAME)));
    assert.match(
      page,
      /without a template: <span\s*><a href="\/models\/team%2Fgreeting\/versions\/3">version 3<\/a>/,
    );
    const v3 = await app.request("/models/team%2Fgreeting/versions/3");
    assert.equal(v3.status, 200);
    await v3.body?.cancel();
  });
});

Deno.test("prompts SSR: access as on registered models", async () => {
  await using w = await createAuthWorld();
  const hidden = "hidden-prompt";
  await createPrompt(w.store, hidden, ["secret {{x}}"]);
  await createPrompt(w.store, "open-prompt", ["hello"]);
  await w.auth.createRegisteredModelPermission(hidden, USER_OF.NO_PERMISSIONS, "NO_PERMISSIONS");
  const list = await w.as("NO_PERMISSIONS", { method: "GET", path: "/prompts" });
  assert.equal(list.status, 200);
  assert.match(list.text, /open-prompt/);
  assert.doesNotMatch(list.text, /hidden-prompt/);
  const page = await w.as("NO_PERMISSIONS", { method: "GET", path: `/prompts/${hidden}` });
  assert.equal(page.status, 403);
  assert.match(page.text, /You do not have permission to read this prompt/);
  assert.doesNotMatch(page.text, /secret/);
  const diff = await w.as("NO_PERMISSIONS", {
    method: "GET",
    path: `/prompts/${hidden}?diff=1&to=1`,
  });
  assert.equal(diff.status, 403);
  // The redirect from /models only for those who may read the prompt.
  const redirect = await w.as("NO_PERMISSIONS", { method: "GET", path: `/models/${hidden}` });
  assert.equal(redirect.status, 403);
  const reader = await w.as("READ", { method: "GET", path: `/models/${hidden}` });
  assert.equal(reader.status, 302);
  assert.equal((await w.as("READ", { method: "GET", path: `/prompts/${hidden}` })).status, 200);
});

Deno.test({
  name: "prompt pages in Chromium: markup in a template stays text, a diff, screenshots",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { app } = await fixture();
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      const { page, problems } = await openPage(browser, {
        context: { viewport: { width: 1280, height: 900 } },
        timeoutMs: 10_000,
      });
      await t.step("/models lists no prompts; the Prompts nav item lists them", async () => {
        await page.goto(`${base}/models`);
        assert.equal(await page.locator("main tbody tr").count(), 2); // churn, Capitalised
        await page.getByRole("link", { name: "Prompts", exact: true }).click();
        await page.waitForURL(`${base}/prompts`);
        await page.getByRole("heading", { name: "Prompts", level: 1 }).waitFor();
        assert.equal(await page.locator("main tbody tr").count(), 3);
        await shoot(page, "prompts-list");
      });

      await t.step("a prompt: templates shown as text, nothing executed", async () => {
        await page.getByRole("link", { name: NAME, exact: true }).click();
        await page.getByRole("heading", { name: NAME, level: 1 }).waitFor();
        const template = page.locator("#version-2 pre.prompt-template");
        assert.equal(await template.textContent(), V2);
        assert.equal(await page.locator("img[src='x']").count(), 0);
        assert.equal(await page.locator("main script").count(), 0);
        await shoot(page, "prompts-prompt");
      });

      await t.step("the compare form shows the diff of two templates", async () => {
        await page.getByLabel("From").selectOption("1");
        await page.getByLabel("to", { exact: true }).selectOption("2");
        await page.getByRole("button", { name: "Compare" }).click();
        await page.waitForURL(`${base}${promptDiffHref(NAME, "1", "2")}`);
        const diff = page.getByRole("table", { name: "Template changes from version 1 to 2" });
        assert.equal(await diff.locator("ins").first().textContent(), ", welcome");
        const added = diff.locator(".text-diff__line--add .text-diff__text", {
          hasText: "alert(1)",
        });
        assert.equal(await added.innerText(), XSS, "the payload as text");
        const mark = diff.locator(".text-diff__line--add .text-diff__mark").first();
        assert.equal(await mark.locator("[aria-hidden]").innerText(), "+", "a visible marker");
        assert.equal(await page.locator("img[src='x']").count(), 0);
        await shoot(page, "prompts-diff");
      });

      await t.step("a prompt version's model URL lands on its entry", async () => {
        await page.goto(`${base}/models/${encodeURIComponent(NAME)}/versions/1`);
        await page.waitForURL(`${base}${promptHref(NAME, "1")}`);
        await page.locator("#version-1 pre.prompt-template").waitFor();
      });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
