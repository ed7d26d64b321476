/**
 * The model pages: `/models` (registered models: search, paging, empty state), `/models/:name`
 * (description, aliases, tags, versions), `/logged-models/:id` (info, metrics, params, tags,
 * files, registered versions) and the run page's "Logged models" section. Server rendering
 * (status codes, 404s, escaping of every user-controlled string, names with `/` and quotes) and,
 * in real Chromium, the links between run ↔ logged model ↔ registered versions, the file browser
 * (downloads through the artifact proxy, HTML never inline), keyboard search, and screenshots
 * (`$TMPDIR/kvflow-ui-screenshots/models-*.png`, light and dark, 1280 and 768 px).
 *
 * @module
 */
import assert from "node:assert/strict";
import { proxiedPath } from "../artifacts/uri.ts";
import { createApp } from "../routes/mod.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import {
  excerpt,
  loggedModelIdOf,
  modelsHref,
  modelVersionHref,
  registeredModelHref,
  toModelFilter,
  versionPointsAt,
} from "../ui/shared/models.ts";
import { parseSignature } from "../ui/model_signature.ts";
import {
  dropAlias,
  dropVersionAliases,
  setAlias,
  transition,
} from "../ui/shared/registry_edits.ts";
import { launchBrowser } from "./helpers/browser.ts";
import {
  appWithArtifacts,
  type ArtifactApp,
  isApi400,
  islandProps,
  isSandboxedFrameRefusal,
  openPage,
  pageHtml,
  shoot,
} from "./helpers/ui.ts";

const XSS = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`;
/** Logged-model names may not contain `/ : . % " '`, so their payload is the tag-only one. */
const LM_XSS = "<img src=x onerror=alert(1)><b>bold<b>";
const REG_NAME = "team/churn classifier";
/** A model created in the browser: a `/` and markup in its name. */
const NEW_NAME = "fresh/<b>bold</b> model";
const RUN_MLMODEL = [
  "artifact_path: model",
  "flavors:",
  "  sklearn: {}",
  "signature:",
  `  inputs: '[{"type": "double", "name": "tenure", "required": true}, {"type": "string", "name": "<img src=x onerror=alert(1)>", "required": false}]'`,
  `  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'`,
  "",
].join("\n");

/** No payload survives as markup: no injected `<img>`, no inline or extra `<script>`. */
function assertNoMarkup(page: string) {
  assert.doesNotMatch(page, /<script>alert/i);
  assert.doesNotMatch(page, /<img\b/i, "an <img> element was injected");
  assert.doesNotMatch(page, /<b>bold/i);
  // The module script, and inert JSON replies the page carries (ui/page_replies.ts).
  const scripts = page.match(/<script\b(?![^>]*type="application\/json")/gi) ?? [];
  assert.ok(scripts.length <= 1, "an extra <script> element");
}

interface Fixture extends ArtifactApp {
  expId: string;
  runId: string;
  /** The run's logged model (source_run_id = run), registered as versions 1 of two models. */
  modelId: string;
  /** A model the run output without being its source (only in `outputs.model_outputs`). */
  outputModelId: string;
  /** A registered model named with the script payload. */
  xssName: string;
}

async function fixture(): Promise<Fixture> {
  const base = await appWithArtifacts("kvflow-models-ui-");
  const { store, rootDir } = base;
  const expId = await store.createExperiment({ name: "churn-exp" });
  const t0 = Date.UTC(2026, 0, 2, 10, 0);
  const run = await store.createRun({ experimentId: expId, runName: "train-run", startTime: t0 });
  const runId = run.info.run_id;
  await store.logBatch(runId, { params: [{ key: "C", value: "1.0" }] });

  const model = await store.createLoggedModel({
    experimentId: expId,
    name: "churn-model",
    modelType: "sklearn",
    sourceRunId: runId,
    params: [{ key: "C", value: "1.0" }, { key: "xss", value: XSS }],
    tags: [{ key: "note", value: XSS }, { key: "mlflow.user", value: "ana" }],
  });
  const modelId = model.info.model_id;
  await store.logOutputs(runId, [{ model_id: modelId, step: 0 }]);
  await store.logBatch(runId, {
    metrics: [
      { key: "accuracy", value: 0.91, timestamp: t0, step: 0, model_id: modelId },
      {
        key: "accuracy",
        value: 0.87,
        timestamp: t0,
        step: 0,
        model_id: modelId,
        dataset_name: "holdout",
        dataset_digest: "abc123",
      },
    ],
  });
  await store.finalizeLoggedModel(modelId, "LOGGED_MODEL_READY");
  const other = await store.createLoggedModel({ experimentId: expId, name: LM_XSS });
  await store.logOutputs(runId, [{ model_id: other.info.model_id, step: 1 }]);

  const modelRoot = `${rootDir}/${proxiedPath(model.info.artifact_uri)}`;
  await Deno.mkdir(`${modelRoot}/metadata`, { recursive: true });
  await Deno.writeTextFile(
    `${modelRoot}/MLmodel`,
    `artifact_path: model\nflavors:\n  sklearn: {}\n# ${XSS}\n`,
  );
  await Deno.writeTextFile(`${modelRoot}/requirements.txt`, "scikit-learn==1.5.0\n");
  await Deno.writeTextFile(
    `${modelRoot}/metadata/estimator.html`,
    `<h1 id="pwned">pwned</h1>${XSS}`,
  );

  // An MLflow 2 style model in the run's artifacts, with a signature (a payload as a column name).
  const runModel = `${rootDir}/${proxiedPath(run.info.artifact_uri)}/model`;
  await Deno.mkdir(runModel, { recursive: true });
  await Deno.writeTextFile(`${runModel}/MLmodel`, RUN_MLMODEL);

  await store.createRegisteredModel({
    name: REG_NAME,
    description: `## Churn\n\nPredicts **churn**. ${XSS} [x](javascript:alert(1))`,
    tags: [{ key: "owner", value: XSS }],
  });
  const v1 = await store.createModelVersion({
    name: REG_NAME,
    source: `models:/${modelId}`,
    runId,
    modelId,
    description: `first ${XSS}`,
    tags: [{ key: "validated", value: XSS }, { key: "validation_status", value: "approved" }],
  });
  await store.createModelVersion({
    name: REG_NAME,
    source: `${run.info.artifact_uri}/model`,
    runId,
  });
  await store.transitionModelVersionStage(REG_NAME, v1.version, "Production", false);
  await store.transitionModelVersionStage(REG_NAME, "2", "Staging", false);
  await store.setRegisteredModelAlias(REG_NAME, "champion", v1.version);
  await store.setRegisteredModelAlias(REG_NAME, "challenger", "2");

  // A second model registered from the same logged model by its source only (MLflow 3.1.3
  // sends no model_id), with a quote in its name.
  await store.createRegisteredModel({ name: "o'hara" });
  await store.createModelVersion({ name: "o'hara", source: `models:/${modelId}` });

  const xssName = `model ${XSS}`;
  await store.createRegisteredModel({ name: xssName, description: XSS });
  await store.setRegisteredModelTag(xssName, "payload", XSS);
  await store.createModelVersion({
    name: xssName,
    source: `runs:/${runId}/model`,
    description: XSS,
  });

  return {
    ...base,
    expId,
    runId,
    modelId,
    outputModelId: other.info.model_id,
    xssName,
  };
}

Deno.test("model helpers: hrefs, filters, the logged model a version points at", () => {
  assert.equal(registeredModelHref("team/churn v2"), "/models/team%2Fchurn%20v2");
  assert.equal(registeredModelHref("a", "3"), "/models/a#version-3");
  assert.equal(modelsHref("  churn "), "/models?q=churn");
  assert.equal(modelsHref("", "t/k"), "/models?page_token=t%2Fk");
  assert.equal(modelsHref(""), "/models");
  assert.equal(toModelFilter("churn"), "name ILIKE '%churn%'");
  assert.equal(toModelFilter("o'hara"), "name ILIKE '%o''hara%'");
  assert.equal(toModelFilter("tags.team = 'a'"), "tags.team = 'a'");
  assert.equal(toModelFilter("a<b>"), "name ILIKE '%a<b>%'");
  const id = "m-0123456789abcdef0123456789abcdef";
  assert.equal(loggedModelIdOf({ source: `models:/${id}` }), id);
  assert.equal(loggedModelIdOf({ source: `models:/${id}/sub` }), id);
  assert.equal(loggedModelIdOf({ source: "models:/churn/1" }), undefined);
  assert.equal(loggedModelIdOf({ source: "x", model_id: id }), id);
  const info = { model_id: id, artifact_uri: `mlflow-artifacts:/1/models/${id}/artifacts` };
  assert.ok(versionPointsAt({ source: `${info.artifact_uri}/` }, info));
  assert.ok(!versionPointsAt({ source: `${info.artifact_uri}x` }, info));
  assert.ok(!versionPointsAt({ source: "runs:/r/model" }, info));
  assert.equal(excerpt("a\n\n b  c"), "a b c");
  assert.equal(
    excerpt("## Churn\n\nPredicts **churn**. [docs](https://x)\n- a\n```py\nx = 1\n```"),
    "Churn Predicts churn. docs a x = 1",
  );
  assert.equal(excerpt("x".repeat(200), 10), `${"x".repeat(9)}…`);
});

Deno.test("registry edits: alias moves, stage archiving, signatures", () => {
  assert.equal(modelVersionHref("team/churn v2", "3"), "/models/team%2Fchurn%20v2/versions/3");
  const aliases = [{ alias: "champion", version: "1" }, { alias: "b", version: "2" }];
  assert.deepEqual(setAlias(aliases, "champion", "2"), {
    aliases: [{ alias: "b", version: "2" }, { alias: "champion", version: "2" }],
    movedFrom: "1",
  });
  assert.equal(setAlias(aliases, "champion", "1").movedFrom, null, "already there");
  assert.equal(setAlias(aliases, "new", "1").movedFrom, null);
  assert.deepEqual(dropAlias(aliases, "b"), [{ alias: "champion", version: "1" }]);
  assert.deepEqual(dropVersionAliases(aliases, "1"), [{ alias: "b", version: "2" }]);
  const vs = [
    { version: "3", current_stage: "None" as const },
    { version: "2", current_stage: "Production" as const },
    { version: "1", current_stage: "Staging" as const },
  ];
  const stages = (x: typeof vs) => x.map((v) => v.current_stage);
  assert.deepEqual(stages(transition(vs, "3", "Production", true)), [
    "Production",
    "Archived",
    "Staging",
  ]);
  assert.deepEqual(stages(transition(vs, "3", "Production", false)), [
    "Production",
    "Production",
    "Staging",
  ]);
  assert.deepEqual(stages(transition(vs, "3", "Archived", true)), [
    "Archived",
    "Production",
    "Staging",
  ]);
  const sig = parseSignature(RUN_MLMODEL);
  assert.deepEqual(sig?.inputs, [
    { name: "tenure", type: "double", required: true },
    { name: "<img src=x onerror=alert(1)>", type: "string", required: false },
  ]);
  assert.deepEqual(sig?.outputs, [{ name: "", type: "tensor int64 [-1]", required: true }]);
  assert.equal(parseSignature("flavors: {}\n"), null);
  assert.equal(parseSignature("signature:\n  inputs: 'not json'\n"), null);
  assert.equal(parseSignature(": : :\n\t-"), null);
});

Deno.test("models SSR: list, registered model, logged model, run section, escaping", async (t) => {
  const f = await fixture();
  try {
    await t.step("/models lists every model with versions, aliases and links", async () => {
      const page = await pageHtml(f.app.request("/models"));
      assertNoMarkup(page);
      assert.match(page, /<h1>Registered models<\/h1>/);
      assert.match(page, /<a href="\/models" aria-current="page">Models<\/a>/);
      assert.match(page, /<a href="\/models\/team%2Fchurn%20classifier">team\/churn classifier/);
      assert.match(page, /href="\/models\/team%2Fchurn%20classifier\/versions\/1">Version 1</);
      assert.match(page, /badge--stage-production/);
      assert.match(page, /<span class="alias">@champion<\/span>/);
      assert.match(page, /Churn Predicts churn\. &lt;script>/, "the description excerpt");
      assert.match(page, /model &lt;script>alert\(1\)&lt;\/script>/);
      assert.match(page, /href="\/models\/o'hara"/);
      const islands = [...page.matchAll(/data-island="(\w+)"/g)].map((m) => m[1]);
      assert.deepEqual(islands, ["CreateModel"], "only the Create model button is interactive");
    });

    await t.step("?q= searches names case-insensitively; grammar passes through", async () => {
      const page = await pageHtml(f.app.request("/models?q=CHURN"));
      assert.match(page, /team\/churn classifier/);
      assert.doesNotMatch(page, /o'hara/);
      assert.match(page, /value="CHURN"/);
      const byTag = await pageHtml(
        f.app.request(`/models?q=${encodeURIComponent("tags.owner LIKE '%script%'")}`),
      );
      assert.match(byTag, /team\/churn classifier/);
      const none = await pageHtml(f.app.request(`/models?q=${encodeURIComponent("<script>nope")}`));
      assertNoMarkup(none);
      assert.match(none, /No registered models match “&lt;script>nope”/);
      const lt = await pageHtml(f.app.request(`/models?q=${encodeURIComponent("<script>alert")}`));
      assert.match(lt, /model &lt;script>alert/, "a name with < is a name search");
      const echoed = await pageHtml(f.app.request(`/models?q=${encodeURIComponent(XSS)}`));
      assertNoMarkup(echoed);
      const bad = await pageHtml(f.app.request(`/models?q=${encodeURIComponent("name =")}`));
      assert.match(bad, /<p id="model-search-error" class="field-error" role="alert">/);
      assert.match(bad, /aria-invalid="true"/);
    });

    await t.step("/models/:name shows description, aliases, tags and versions", async () => {
      const page = await pageHtml(f.app.request(registeredModelHref(REG_NAME)));
      assertNoMarkup(page);
      assert.match(page, /<title>team\/churn classifier · kvflow<\/title>/);
      assert.match(page, /<h4>Churn<\/h4>/, "the description is Markdown");
      assert.match(page, /<strong>churn<\/strong>/);
      assert.doesNotMatch(page, /href="javascript:/i);
      assert.match(page, /<tr\s+id="version-1">/);
      assert.match(page, /<tr\s+id="version-2">/);
      assert.ok(page.indexOf('id="version-2"') < page.indexOf('id="version-1"'), "newest first");
      assert.match(page, new RegExp(`href="/runs/${f.runId}"[^>]*>train-run</a>`));
      assert.match(page, new RegExp(`href="/logged-models/${f.modelId}"[^>]*>churn-model</a>`));
      assert.match(page, /mlflow-artifacts:\/[^<]*\/model</, "the source URI as text");
      assert.match(page, /first &lt;script>/, "version descriptions escaped");
      assert.match(page, /<span class="alias">@champion<\/span>/);
      // Unencoded slashes reach the same page.
      const raw = await pageHtml(f.app.request("/models/team/churn%20classifier"));
      assert.match(raw, /<h1>team\/churn classifier<\/h1>/);
      const quoted = await pageHtml(f.app.request(registeredModelHref("o'hara")));
      assert.match(quoted, /<tr\s+id="version-1">/);
      // A version with no stage gets no "None" badge (MLflow shows none either).
      assert.doesNotMatch(quoted, /badge--stage-none/);
      assert.match(quoted, /model-versions-inline[\s\S]*?Version 1<\/a>\s*<\/li>/);
    });

    await t.step("a registered model named with a script payload renders as text", async () => {
      const page = await pageHtml(f.app.request(registeredModelHref(f.xssName)));
      assertNoMarkup(page);
      assert.match(page, /<h1>model &lt;script>alert\(1\)&lt;\/script>&quot;>&lt;img src=x/);
      assert.match(
        page,
        /payload<\/th><td class="cell-value"><span class="pre-wrap">&lt;script>alert\(1\)/,
        "tag value",
      );
      assert.match(page, /<tr\s+id="version-1">/);
    });

    await t.step("/logged-models/:id shows info, metrics, params, tags, versions", async () => {
      const page = await pageHtml(f.app.request(`/logged-models/${f.modelId}`));
      assertNoMarkup(page);
      assert.match(page, /<h1>churn-model<\/h1>/);
      assert.match(page, /badge--finished" title="LOGGED_MODEL_READY">.*Ready/);
      assert.match(page, /<dd>sklearn<\/dd>/);
      assert.match(page, new RegExp(`href="/experiments/${f.expId}">churn-exp</a>`));
      assert.match(page, new RegExp(`href="/runs/${f.runId}"[^>]*>train-run</a>`));
      assert.match(page, /<th scope="row" class="mono">accuracy<\/th><td[^>]*>holdout<\/td>/);
      assert.match(
        page,
        /<th scope="row" class="mono">xss<\/th><td class="cell-value">&lt;script>/,
      );
      assert.match(page, /<th scope="row" class="mono">note<\/th>/);
      assert.match(page, /System tags \(1\)/);
      // Registered versions: by model_id and by a models:/ source without one.
      assert.match(page, /href="\/models\/team%2Fchurn%20classifier\/versions\/1">Version 1</);
      assert.match(page, /href="\/models\/o'hara\/versions\/1">Version 1</);
      assert.doesNotMatch(page, /versions\/2"/, "version 2 comes from a run path, not this model");
      assert.match(page, /data-island="ArtifactBrowser"/);
      assert.match(
        page,
        new RegExp(
          `downloadBase&quot;:&quot;/api/2.0/mlflow-artifacts/artifacts/${f.expId}/models/${f.modelId}/artifacts&quot;`,
        ),
      );
      const xss = await pageHtml(f.app.request(`/logged-models/${f.outputModelId}`));
      assertNoMarkup(xss);
      assert.match(xss, /<h1>&lt;img src=x onerror=alert\(1\)>&lt;b>bold&lt;b><\/h1>/);
      assert.match(xss, /Not registered/);
    });

    await t.step("the run page lists the run's logged models", async () => {
      const page = await pageHtml(f.app.request(`/runs/${f.runId}`));
      assertNoMarkup(page);
      assert.match(page, /<h2 id="run-models-heading">Logged models<\/h2>/);
      assert.match(page, new RegExp(`href="/logged-models/${f.modelId}">churn-model</a>`));
      assert.match(
        page,
        new RegExp(`href="/logged-models/${f.outputModelId}">&lt;img src=x onerror=alert`),
        "a model only in outputs.model_outputs",
      );
      assert.match(page, /badge--running" title="LOGGED_MODEL_PENDING">/);
      const bare = await f.store.createRun({ experimentId: f.expId, runName: "bare" });
      const plain = await pageHtml(f.app.request(`/runs/${bare.info.run_id}`));
      assert.doesNotMatch(plain, /Logged models/, "no section without models");
    });

    await t.step("/models/:name/versions/:n: source, run, logged model, signature", async () => {
      const page = await pageHtml(f.app.request(modelVersionHref(REG_NAME, "2")));
      assertNoMarkup(page);
      assert.match(page, /<title>team\/churn classifier v2 · kvflow<\/title>/);
      assert.match(page, new RegExp(`href="/runs/${f.runId}"[^>]*>train-run</a>`));
      assert.match(page, /mlflow-artifacts:\/[^<]*\/model</, "the source URI as text");
      // The run's model/MLmodel signature, payload as text.
      assert.match(page, /<th scope="row" class="mono">tenure<\/th><td class="mono">double<\/td>/);
      assert.match(page, /&lt;img src=x onerror=alert\(1\)>/);
      assert.match(page, /tensor int64 \[-1\]/);
      for (const island of ["VersionPanel", "RegistryDescription", "RegistryTags"]) {
        assert.match(page, new RegExp(`data-island="${island}"`));
      }
      const v1 = await pageHtml(f.app.request(modelVersionHref(REG_NAME, "1")));
      assert.match(v1, new RegExp(`href="/logged-models/${f.modelId}"[^>]*>churn-model</a>`));
      assert.match(v1, /first &lt;script>/, "the description escaped");
      // The logged model's MLmodel has no signature: said so.
      assert.match(v1, /No signature: the model&#39;s MLmodel file has none/);
      const xss = await pageHtml(f.app.request(modelVersionHref(f.xssName, "1")));
      assertNoMarkup(xss);
      assert.match(xss, /tenure/, "a runs:/<id>/<path> source reads the run's MLmodel");
    });

    await t.step("version routes: the version wins for raw slashes; encoded names", async () => {
      await f.store.createRegisteredModel({ name: "a" });
      await f.store.createModelVersion({ name: "a", source: `models:/${f.modelId}` });
      await f.store.createRegisteredModel({ name: "a/versions/1" });
      const raw = await pageHtml(f.app.request("/models/a/versions/1"));
      assert.match(raw, /<span class="page-head__sub">Version 1<\/span>/);
      assert.match(raw, /<h1>a <span/);
      const named = await pageHtml(f.app.request(registeredModelHref("a/versions/1")));
      assert.match(named, /<h1>a\/versions\/1<\/h1>/);
      assert.equal(registeredModelHref("a/versions/1"), "/models/a%2Fversions%2F1");
      const missing = await pageHtml(f.app.request(modelVersionHref("a/versions/1", "1")), 404);
      assert.match(missing, /There is no version 1 of a registered model named “a\/versions\/1”/);
      const none = await pageHtml(f.app.request(modelVersionHref(REG_NAME, "7")), 404);
      assert.match(none, /<a href="\/models">Back to models<\/a>/);
      await pageHtml(f.app.request(modelVersionHref("nope", "1")), 404);
      const xss = await pageHtml(
        f.app.request(`/models/${encodeURIComponent(XSS)}/versions/1`),
        404,
      );
      assertNoMarkup(xss);
      // Not a number: the rest is a (missing) model name.
      await pageHtml(f.app.request("/models/a/versions/x"), 404);
    });

    await t.step(
      "Register model: on the run page (with its paths) and the logged model's",
      async () => {
        await f.store.logBatch(f.runId, {
          tags: [{
            key: "mlflow.log-model.history",
            value: JSON.stringify([
              { artifact_path: "model", flavors: {} },
              { artifact_path: "model", flavors: {} },
              { artifact_path: "<b>bold</b>" },
            ]),
          }],
        });
        const run = await pageHtml(f.app.request(`/runs/${f.runId}`));
        assertNoMarkup(run);
        const props = islandProps(run, "RegisterModel") as {
          sources: { label: string; source: string; runId?: string; modelId?: string }[];
          run: { runId: string };
        };
        assert.deepEqual(props.sources.map((s) => s.label), [
          "churn-model (logged model)",
          `${LM_XSS} (logged model)`,
          "model (artifact path)",
          "<b>bold</b> (artifact path)",
        ]);
        assert.deepEqual(props.sources[0], {
          label: "churn-model (logged model)",
          source: `models:/${f.modelId}`,
          runId: f.runId,
          modelId: f.modelId,
        });
        assert.match(props.sources[2].source, /^mlflow-artifacts:\/1\/\w+\/artifacts\/model$/);
        assert.equal(props.run.runId, f.runId);
        const lm = await pageHtml(f.app.request(`/logged-models/${f.modelId}`));
        const lmProps = islandProps(lm, "RegisterModel") as { sources: { source: string }[] };
        assert.deepEqual(lmProps.sources.map((s) => s.source), [`models:/${f.modelId}`]);
      },
    );

    await t.step("unknown names and ids are 404 pages, escaped", async () => {
      const missing = await pageHtml(f.app.request("/models/nope"), 404);
      assert.match(missing, /There is no registered model named “nope”/);
      assert.match(missing, /<a href="\/models">Back to models<\/a>/);
      const xss = await pageHtml(f.app.request(`/models/${encodeURIComponent(XSS)}`), 404);
      assertNoMarkup(xss);
      const lm = await pageHtml(
        f.app.request("/logged-models/m-00000000000000000000000000000000"),
        404,
      );
      assert.match(lm, /There is no logged model with ID/);
      const lmXss = await pageHtml(f.app.request(`/logged-models/${encodeURIComponent(XSS)}`), 404);
      assertNoMarkup(lmXss);
      const deleted = await f.store.createLoggedModel({ experimentId: f.expId, name: "gone" });
      await f.store.deleteLoggedModel(deleted.info.model_id);
      await pageHtml(f.app.request(`/logged-models/${deleted.info.model_id}`), 404);
    });

    await t.step("pages answer HEAD; other methods are 405", async () => {
      for (
        const path of [
          "/models",
          registeredModelHref(REG_NAME),
          modelVersionHref(REG_NAME, "1"),
          `/logged-models/${f.modelId}`,
        ]
      ) {
        const head = await f.app.request(path, { method: "HEAD" });
        assert.equal(head.status, 200, path);
        assert.equal(await head.text(), "");
        const post = await f.app.request(path, { method: "POST" });
        assert.equal(post.status, 405, path);
        await post.body?.cancel();
      }
    });
  } finally {
    await Deno.remove(f.rootDir, { recursive: true });
  }
});

Deno.test("models SSR: empty registry, paging with page tokens, bad tokens", async (t) => {
  const store = createMemoryStore();
  const app = createApp({ store });
  await t.step("an empty registry explains how to register a model", async () => {
    const page = await pageHtml(app.request("http://localhost:5000/models"));
    assert.match(page, /No registered models yet/);
    assert.match(page, /mlflow\.register_model\(&quot;runs:\/&lt;run_id>\/model&quot;/);
    assert.match(page, /mlflow\.set_tracking_uri\(&quot;http:\/\/localhost:5000&quot;\)/);
    assert.doesNotMatch(page, /<table/);
  });
  for (let i = 0; i < 105; i++) {
    await store.createRegisteredModel({ name: `model-${String(i).padStart(3, "0")}` });
  }
  const names = (page: string) =>
    [...page.matchAll(/<td class="cell-name"><a [^>]*>([^<]+)</g)]
      .map((m) => m[1]);
  await t.step("100 per page, in name order, with a Next page link", async () => {
    const first = await pageHtml(app.request("/models"));
    const got = names(first);
    assert.equal(got.length, 100);
    assert.equal(got[0], "model-000");
    assert.equal(got[99], "model-099");
    assert.doesNotMatch(first, /First page/);
    const next = /<a class="button" href="([^"]+)" rel="next">Next page<\/a>/.exec(first);
    assert.ok(next, "no Next page link");
    const href = next[1].replaceAll("&amp;", "&");
    assert.match(href, /^\/models\?page_token=/);
    const second = await pageHtml(app.request(href));
    assert.deepEqual(names(second), [
      "model-100",
      "model-101",
      "model-102",
      "model-103",
      "model-104",
    ]);
    assert.match(second, /<a class="button" href="\/models">First page<\/a>/);
    assert.doesNotMatch(second, /Next page/);
    assert.match(second, /5 models on this page/);
  });
  await t.step("a search keeps its query across pages", async () => {
    const page = await pageHtml(app.request("/models?q=model-10"));
    assert.deepEqual(names(page).length, 5);
  });
  await t.step("a bad page token shows the API's message, not a 500", async () => {
    const page = await pageHtml(app.request("/models?page_token=garbage"));
    assert.match(page, /<p id="model-search-error" class="field-error" role="alert">/);
  });
});

Deno.test({
  name: "models pages in Chromium: links run ↔ logged model ↔ versions, files, no errors",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const f = await fixture();
    const empty = createApp({ store: createMemoryStore() });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, f.app.fetch);
    const emptyServer = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      empty.fetch,
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      const { page, problems } = await openPage(browser, {
        context: { viewport: { width: 1280, height: 900 } },
        timeoutMs: 10_000,
        // Creating a model under a taken name is refused on purpose (and shown in place); the
        // missing version's page is a 404 on purpose; a sandboxed HTML preview refuses its script.
        allow: (m) =>
          isApi400(m) || m.location().url.endsWith("/versions/99") || isSandboxedFrameRefusal(m),
      });

      await t.step("the Models nav item, the list, and a keyboard search", async () => {
        await page.goto(`${base}/`);
        await page.getByRole("link", { name: "Models", exact: true }).click();
        await page.waitForURL(`${base}/models`);
        await page.getByRole("heading", { name: "Registered models" }).waitFor();
        assert.equal(await page.locator("img[src='x']").count(), 0);
        await shoot(page, "models-list");
        await page.getByRole("searchbox", { name: "Search registered models" }).focus();
        await page.keyboard.type("churn");
        await page.keyboard.press("Enter");
        await page.waitForURL(`${base}/models?q=churn`);
        assert.equal(await page.locator("tbody tr").count(), 1);
      });

      await t.step("registered model → its logged model → files", async () => {
        await page.getByRole("link", { name: REG_NAME }).click();
        await page.getByRole("heading", { name: REG_NAME, level: 1 }).waitFor();
        assert.equal(await page.locator("#model-versions tbody tr").count(), 2);
        // Version tags show whole: neither key nor value is cut with an ellipsis.
        const tag = page.locator("#version-1 .tag", { hasText: "validation_status" });
        for (const part of [".tag__key", ".tag__value"]) {
          const cut = await tag.locator(part).evaluate((el) => el.scrollWidth > el.clientWidth);
          assert.equal(cut, false, `${part} is truncated`);
        }
        assert.equal(await tag.innerText(), "validation_status\napproved");
        // …and in view at 1280 px: the versions table does not push the tags past its frame.
        const frame = (await page.locator("#model-versions").locator("xpath=..").boundingBox())!;
        const chip = (await tag.boundingBox())!;
        assert.ok(chip.x + chip.width <= frame.x + frame.width, "tag scrolled out of view");
        await shoot(page, "models-registered");
        await page.locator("#version-1").getByRole("link", { name: "churn-model" }).click();
        await page.getByRole("heading", { name: "churn-model", level: 1 }).waitFor();
        await page.locator("[data-island='ArtifactBrowser'][data-hydrated]").waitFor();
        const tree = page.locator(".artifacts__tree");
        await tree.getByRole("button", { name: "MLmodel" }).click();
        // Rendered (issue 14 #5), loaded by the logged model's own URI; the raw file keeps the
        // script comment as text.
        const mlmodel = page.locator(".mlmodel");
        await mlmodel.locator(".mlmodel__flavor .badge", { hasText: "sklearn" }).waitFor();
        assert.match(
          await mlmodel.locator(".mlmodel__load code").textContent() ?? "",
          new RegExp(`mlflow\\.sklearn\\.load_model\\("models:/${f.modelId}"\\)`),
        );
        assert.match(
          await mlmodel.locator(".mlmodel__raw pre").textContent() ?? "",
          /sklearn[\s\S]*<script>alert/,
        );
        const dl = page.getByRole("link", { name: "Download" });
        const href = await dl.getAttribute("href") ?? "";
        assert.equal(
          href,
          `/api/2.0/mlflow-artifacts/artifacts/${f.expId}/models/${f.modelId}/artifacts/MLmodel`,
        );
        await tree.getByRole("button", { name: "metadata" }).click();
        await tree.getByRole("button", { name: "estimator.html" }).click();
        // Only in a frame sandboxed with no permissions, served inline by the proxy's preview.
        const htmlFrame = page.locator("iframe.artifacts__frame");
        await htmlFrame.waitFor();
        assert.equal(await htmlFrame.getAttribute("sandbox"), "");
        assert.match(
          await htmlFrame.getAttribute("src") ?? "",
          /\/estimator\.html\?preview=html$/,
        );
        await page.frameLocator("iframe.artifacts__frame").locator("#pwned").waitFor();
        assert.equal(await page.locator("#pwned").count(), 0);
        const htmlHref = await page.getByRole("link", { name: "Download" }).getAttribute("href");
        const res = await fetch(`${base}${htmlHref}`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-disposition") ?? "", /^attachment/);
        assert.match(await res.text(), /pwned/);
        assert.equal(await page.locator("img[src='x']").count(), 0);
        // The shot shows the rendered MLmodel: a full-page capture leaves the sandboxed frame
        // (another process) blank; the run page's test shoots the frame in the viewport.
        await tree.getByRole("button", { name: "MLmodel" }).click();
        await page.locator(".mlmodel").waitFor();
        await shoot(page, "models-logged", { settleMs: 100 });
      });

      await t.step("logged model → source run → back through its Logged models", async () => {
        await page.locator(".meta").getByRole("link", { name: "train-run" }).click();
        await page.waitForURL(`${base}/runs/${f.runId}`);
        const section = page.locator("#run-logged-models");
        await section.waitFor();
        assert.equal(await section.locator("tbody tr").count(), 2);
        await section.scrollIntoViewIfNeeded();
        await page.screenshot({
          path: `${Deno.env.get("TMPDIR") ?? "/tmp"}/kvflow-ui-screenshots/models-run-section.png`,
        });
        await section.getByRole("link", { name: "churn-model" }).click();
        await page.waitForURL(`${base}/logged-models/${f.modelId}`);
      });

      await t.step("logged model → registered version page → its run", async () => {
        await page.locator("#lm-versions tr", { hasText: REG_NAME })
          .getByRole("link", { name: "Version 1" }).click();
        await page.waitForURL(`${base}${modelVersionHref(REG_NAME, "1")}`);
        await page.locator("main > dl.meta").getByRole("link", { name: "churn-model" }).waitFor();
        await page.locator("main > dl.meta").getByRole("link", { name: "train-run" }).click();
        await page.waitForURL(`${base}/runs/${f.runId}`);
      });

      await t.step("MLflow's registry and logged-model links land on kvflow's pages", async () => {
        const name = encodeURIComponent(REG_NAME);
        await page.goto(`${base}/#/models/${name}/versions/1`);
        await page.waitForURL(`${base}/models/${name}/versions/1`);
        await page.getByRole("heading", { name: `${REG_NAME} Version 1`, level: 1 }).waitFor();
        await page.goto(`${base}/#/experiments/${f.expId}/models/${f.modelId}/artifacts`);
        await page.waitForURL(`${base}/logged-models/${f.modelId}`);
        // A logged model's file in the URL is selected too.
        await page.goto(`${base}/logged-models/${f.modelId}?artifact=MLmodel`);
        await page.locator(".mlmodel .badge", { hasText: "sklearn" }).waitFor();
      });

      await t.step("script payloads stay text in the browser too", async () => {
        await page.goto(`${base}${registeredModelHref(f.xssName)}`);
        await page.getByRole("heading", { name: f.xssName, level: 1 }).waitFor();
        await page.goto(`${base}/logged-models/${f.outputModelId}`);
        await page.getByRole("heading", { name: LM_XSS, level: 1 }).waitFor();
        assert.equal(await page.locator("img[src='x']").count(), 0);
        assert.equal(await page.locator("main b").count(), 0);
      });

      await t.step("create a model: MLflow's error by the name field, then its page", async () => {
        await page.goto(`${base}/models`);
        await page.locator("[data-island='CreateModel'][data-hydrated]").waitFor();
        await page.getByRole("button", { name: "Create model" }).click();
        const name = page.getByLabel("Name", { exact: true });
        await name.fill(REG_NAME);
        await page.getByRole("button", { name: "Create", exact: true }).click();
        const error = page.locator("#new-model-error");
        await error.waitFor();
        assert.match(await error.innerText(), /already exists/);
        assert.equal(await name.getAttribute("aria-invalid"), "true");
        assert.equal(await name.getAttribute("aria-describedby"), "new-model-error");
        await shoot(page, "registry-create-error");
        await name.fill(NEW_NAME);
        await page.getByLabel("Description (Markdown, optional)").fill("Made **here**.");
        await page.getByRole("button", { name: "Create", exact: true }).click();
        await page.waitForURL(`${base}${registeredModelHref(NEW_NAME)}`);
        await page.getByRole("heading", { name: NEW_NAME, level: 1 }).waitFor();
        assert.equal(await page.locator(".markdown strong").innerText(), "here");
        assert.equal(await page.locator("main b").count(), 0);
      });

      await t.step("describe and tag a model (Markdown rendered safely)", async () => {
        await page.locator("[data-island='RegistryDescription'][data-hydrated]").waitFor();
        await page.getByRole("button", { name: "Edit description" }).click();
        await page.getByLabel("Description (Markdown)").fill(`## Plan\n\n*ship* it ${XSS}`);
        await page.getByRole("button", { name: "Save" }).click();
        await page.locator(".markdown h4", { hasText: "Plan" }).waitFor();
        assert.equal(await page.locator(".markdown em").innerText(), "ship");
        assert.equal(await page.locator("img[src='x']").count(), 0);
        const tags = page.locator("[data-island='RegistryTags']");
        await tags.getByLabel("New tag key").fill("team");
        await tags.getByLabel("New tag value").fill(XSS);
        await tags.getByRole("button", { name: "Add tag" }).click();
        await tags.locator("td", { hasText: "<script>alert(1)</script>" }).waitFor();
        await tags.getByRole("button", { name: "Edit tag team" }).click();
        await tags.getByLabel("New value for team").fill("churn");
        await tags.getByLabel("New value for team").press("Enter");
        await tags.locator("td", { hasText: "churn" }).waitFor();
        await tags.getByRole("button", { name: "Delete tag team" }).click();
        await tags.getByText("No tags.").waitFor();
        const stored = await f.store.getRegisteredModel(NEW_NAME);
        assert.match(stored.description ?? "", /^## Plan/);
        assert.deepEqual(stored.tags, []);
      });

      await t.step(
        "register a run's artifact path as version 1 (creates nothing new)",
        async () => {
          await page.goto(`${base}/runs/${f.runId}`);
          await page.locator("[data-island='RegisterModel'][data-hydrated]").waitFor();
          await page.getByRole("button", { name: "Register model" }).click();
          const from = page.getByLabel("Model to register");
          // The run's logged models come first; any artifact path can be typed.
          assert.match(await from.innerText(), /churn-model \(logged model\)/);
          await from.selectOption({ label: "Another artifact path…" });
          await page.getByLabel("Artifact path in the run").fill("model");
          await page.getByLabel("Registered model").fill(NEW_NAME);
          await shoot(page, "registry-register-run", { fullPage: false });
          await page.getByRole("button", { name: "Register", exact: true }).click();
          const link = page.getByRole("link", { name: `${NEW_NAME} version 1` });
          await link.waitFor();
          // The form is gone; focus is on the new version's link.
          await page.waitForFunction(
            (text) => document.activeElement?.textContent === text,
            `${NEW_NAME} version 1`,
            { timeout: 5_000 },
          );
          await link.click();
          await page.waitForURL(`${base}${modelVersionHref(NEW_NAME, "1")}`);
          const v1 = await f.store.getModelVersion(NEW_NAME, "1");
          const run = await f.store.getRun(f.runId);
          assert.equal(v1.source, `${run.info.artifact_uri}/model`);
          assert.equal(v1.run_id, f.runId);
        },
      );

      await t.step("the version page: source, run, signature, stage, alias, tags", async () => {
        await page.getByRole("heading", { name: `${NEW_NAME} Version 1`, level: 1 }).waitFor();
        const meta = page.locator("main > dl.meta");
        assert.equal(
          await meta.getByRole("link", { name: "train-run" }).getAttribute("href"),
          `/runs/${f.runId}`,
        );
        assert.match(await meta.innerText(), /Logged model\n—/i);
        const inputs = page.locator("#signature-inputs");
        assert.match(await inputs.innerText(), /tenure\tdouble/);
        assert.match(await inputs.innerText(), /<img src=x onerror=alert\(1\)> \(optional\)/);
        assert.match(await page.locator("#signature-outputs").innerText(), /tensor int64 \[-1\]/);
        assert.equal(await page.locator("img[src='x']").count(), 0);
        await page.locator("[data-island='VersionPanel'][data-hydrated]").waitFor();
        await page.getByLabel("Stage", { exact: true }).selectOption("Staging");
        await page.getByRole("button", { name: "Change stage" }).click();
        await page.locator("#version-stage .badge--stage-staging").waitFor();
        await page.getByLabel("Alias", { exact: true }).fill("prod");
        await page.getByRole("button", { name: "Set alias" }).click();
        await page.locator("#version-aliases .alias", { hasText: "@prod" }).waitFor();
        const tags = page.locator("[data-island='RegistryTags']");
        await tags.getByLabel("New tag key").fill("validated");
        await tags.getByLabel("New tag value").fill("yes");
        await tags.getByRole("button", { name: "Add tag" }).click();
        await tags.locator("td", { hasText: "yes" }).waitFor();
        await page.getByRole("button", { name: "Edit description" }).click();
        await page.getByLabel("Description (Markdown)").fill("First **cut**.");
        await page.getByRole("button", { name: "Save" }).click();
        await page.locator(".markdown strong", { hasText: "cut" }).waitFor();
        const v1 = await f.store.getModelVersion(NEW_NAME, "1");
        assert.equal(v1.current_stage, "Staging");
        assert.deepEqual(v1.aliases, ["prod"]);
        assert.equal(v1.description, "First **cut**.");
        await page.reload();
        await page.locator("[data-island='VersionPanel'][data-hydrated]").waitFor();
        await shoot(page, "registry-version");
      });

      await t.step("register a logged model as version 2 (models:/<id>)", async () => {
        await page.goto(`${base}/logged-models/${f.modelId}`);
        await page.locator("[data-island='RegisterModel'][data-hydrated]").waitFor();
        await page.getByRole("button", { name: "Register model" }).click();
        assert.match(await page.locator(".register-model__from").innerText(), /models:\/m-/);
        const nameField = page.getByLabel("Registered model");
        // Existing names are offered (a datalist, filled once the names arrive).
        await page.locator(`#register-names option[value="${NEW_NAME}"]`).waitFor({
          state: "attached",
        });
        await nameField.fill(NEW_NAME);
        await page.getByRole("button", { name: "Register", exact: true }).click();
        await page.getByRole("link", { name: `${NEW_NAME} version 2` }).click();
        await page.waitForURL(`${base}${modelVersionHref(NEW_NAME, "2")}`);
        const meta = page.locator("main > dl.meta");
        await meta.getByRole("link", { name: "churn-model" }).waitFor();
        const v2 = await f.store.getModelVersion(NEW_NAME, "2");
        assert.equal(v2.source, `models:/${f.modelId}`);
        assert.equal(v2.model_id, f.modelId);
        assert.equal(v2.run_id, f.runId);
      });

      await t.step("model page: move an alias, remove it, stage with archiving", async () => {
        await page.goto(`${base}${registeredModelHref(NEW_NAME)}`);
        const island = page.locator("[data-island='ModelVersions'][data-hydrated]");
        await island.waitFor();
        // @prod is on version 1; setting it on version 2 moves it, and the page says so.
        await page.getByLabel("Alias", { exact: true }).fill("prod");
        await page.getByLabel("on", { exact: true }).selectOption("2");
        await page.getByRole("button", { name: "Set alias" }).click();
        await page.getByText("Moved @prod from version 1 to version 2.").waitFor();
        assert.match(await page.locator("#model-aliases tbody").innerText(), /@prod\s+Version 2/);
        assert.match(await page.locator("#version-2").innerText(), /@prod/);
        assert.doesNotMatch(await page.locator("#version-1").innerText(), /@prod/);
        assert.deepEqual((await f.store.getModelVersion(NEW_NAME, "2")).aliases, ["prod"]);
        await shoot(page, "registry-alias-moved");
        await page.getByRole("button", { name: "Remove alias prod" }).click();
        await page.locator("#model-aliases").getByText("No aliases.").waitFor();
        // Version 2 to Staging, archiving version 1 (in Staging since the version page).
        await page.getByRole("button", { name: "Change stage of version 2" }).click();
        const form = page.getByRole("form", { name: "Stage of version 2" });
        await form.getByLabel("Stage").selectOption("Staging");
        await form.getByLabel("Archive other Staging versions").check();
        await form.getByRole("button", { name: "Change stage" }).click();
        await page.locator("#version-2 .badge--stage-staging").waitFor();
        await page.locator("#version-1 .badge--stage-archived").waitFor();
        assert.equal((await f.store.getModelVersion(NEW_NAME, "1")).current_stage, "Archived");
        // Focus returns to the row's Stage button.
        await page.waitForFunction(
          () => document.activeElement?.getAttribute("data-stage-version") === "2",
          null,
          { timeout: 5_000 },
        );
        await shoot(page, "registry-model");
      });

      await t.step("delete a version, then the model, each after asking", async () => {
        await page.getByRole("button", { name: "Delete version 1" }).click();
        const ask = page.locator("#version-1 [data-delete-confirm]");
        assert.match(await ask.innerText(), /Delete version 1\?/);
        await ask.getByRole("button", { name: "Yes, delete" }).click();
        await page.locator("#version-1").waitFor({ state: "detached" });
        await page.getByText("Deleted version 1.").waitFor();
        await assert.rejects(f.store.getModelVersion(NEW_NAME, "1"));
        // A deleted version's page is the 404 page.
        const gone = await fetch(`${base}${modelVersionHref(NEW_NAME, "1")}`);
        assert.equal(gone.status, 404);
        await gone.body?.cancel();
        await page.reload();
        await page.locator("[data-island='RegistryDelete'][data-hydrated]").waitFor();
        await page.locator(".page-head").getByRole("button", { name: "Delete" }).click();
        const confirm = page.locator(".page-head [data-delete-confirm]");
        assert.match(
          await confirm.innerText(),
          /Delete model “fresh\/<b>bold<\/b> model” and all its versions\?/,
        );
        await confirm.getByRole("button", { name: "Yes, delete" }).click();
        await page.waitForURL(`${base}/models`);
        assert.equal(await page.getByRole("link", { name: NEW_NAME }).count(), 0);
        await assert.rejects(f.store.getRegisteredModel(NEW_NAME));
      });

      await t.step("a missing version is the 404 page", async () => {
        const res = await page.goto(`${base}${modelVersionHref(REG_NAME, "99")}`);
        assert.equal(res?.status(), 404);
        await page.getByText(`There is no version 99 of a registered model named “${REG_NAME}”.`)
          .waitFor();
        await shoot(page, "registry-version-404");
      });

      await t.step("768 px wide", async () => {
        await page.setViewportSize({ width: 768, height: 900 });
        await page.goto(`${base}/models`);
        await shoot(page, "models-list-768");
        await page.goto(`${base}${registeredModelHref(REG_NAME)}`);
        await shoot(page, "models-registered-768");
        await page.goto(`${base}${modelVersionHref(REG_NAME, "2")}`);
        await page.locator("[data-island='VersionPanel'][data-hydrated]").waitFor();
        await shoot(page, "registry-version-768");
        await page.goto(`${base}/logged-models/${f.modelId}`);
        await page.locator("[data-island='ArtifactBrowser'][data-hydrated]").waitFor();
        await shoot(page, "models-logged-768");
      });

      await t.step("the empty registry", async () => {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(`http://127.0.0.1:${emptyServer.addr.port}/models`);
        await page.getByRole("heading", { name: "No registered models yet" }).waitFor();
        await shoot(page, "models-empty");
      });

      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await server.shutdown();
      await emptyServer.shutdown();
      await Deno.remove(f.rootDir, { recursive: true });
    }
  },
});
