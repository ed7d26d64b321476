/**
 * The run page's artifact previews without a browser (issue 14 #5): the small YAML reader and the
 * MLmodel view over the real MLmodel files MLflow 2.17 and 3.1.3 wrote, the CSV reader, which file
 * gets which preview, and the inline HTML variant of `/get-artifact` with its sandboxing CSP.
 */
import assert from "node:assert/strict";
import { previewKind } from "../ui/islands/ArtifactBrowser.tsx";
import { readMlModel, runModelUri, signatureRows } from "../ui/islands/artifacts/mlmodel.ts";
import { parseYamlLite } from "../ui/islands/artifacts/yaml_lite.ts";
import { parseCsv } from "../ui/shared/csv.ts";
import { parse as parseYaml } from "yaml";
import { appWithArtifacts } from "./helpers/ui.ts";
import { CONTENT_SECURITY_POLICY } from "../ui/render.tsx";

const FIXTURES = "/work/shared/fixtures/mlflow";
const REPO_FIXTURE = new URL("./fixtures/mlflow_artifacts/MLmodel", import.meta.url);

/** Every MLmodel file under the recorded MLflow fixtures (when this machine has them). */
async function mlmodelFiles(): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string) {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.name === "MLmodel") out.push(p);
    }
  }
  try {
    await walk(FIXTURES);
  } catch {
    // Not on this machine: the copy in tests/fixtures still runs.
  }
  return out;
}

Deno.test("yaml_lite reads MLflow's MLmodel files exactly as the yaml package does", async () => {
  const files = [REPO_FIXTURE.pathname, ...await mlmodelFiles()];
  for (const f of files) {
    const text = await Deno.readTextFile(f);
    assert.deepEqual(parseYamlLite(text), parseYaml(text), f);
  }
  const extra = [
    "a: 1\nb: 'it''s'\nc: \"x\\ty\"\nd: [1, 2]\ne: {}\nf:\n- x\n- k: v\n  j: 2\ng: |\n  l1\n  l2\nh: ~\n",
    "# comment\nkey: value # trailing\nnested:\n  deeper:\n    leaf: true\nlist:\n  - 1.5\n  - -2\n",
    "long: 'one\n  two\n  three'\nq: \"a\n  b\"\n",
  ];
  for (const text of extra) assert.deepEqual(parseYamlLite(text), parseYaml(text), text);
  assert.throws(() => parseYamlLite("a: 1\n   b: 2\n"), /continues/);
  assert.throws(() => parseYamlLite("a:\n  b: 1\n c: 2\n"), /indentation/);
  assert.throws(() => parseYamlLite("just text\nmore"));
});

Deno.test("readMlModel: flavors, signature tables and the loaders of a real sklearn MLmodel", async () => {
  const text = await Deno.readTextFile(REPO_FIXTURE);
  const view = readMlModel(text, runModelUri("abc", "model/MLmodel"));
  assert.deepEqual(view.flavors.map((f) => f.name), ["python_function", "sklearn"]);
  const sk = Object.fromEntries(view.flavors[1].fields);
  assert.equal(sk.sklearn_version, "1.2.1");
  assert.equal(sk.code, "—");
  assert.equal(Object.fromEntries(view.flavors[0].fields)["env.conda"], "conda.yaml");
  const inputs = view.signature?.inputs;
  assert.ok(inputs && "rows" in inputs);
  assert.deepEqual(inputs.rows[0], { name: "sepal length (cm)", type: "double", note: "required" });
  assert.equal(inputs.rows.length, 4);
  const outputs = view.signature?.outputs;
  assert.ok(outputs && "rows" in outputs);
  assert.deepEqual(outputs.rows, [{ name: "", type: "Tensor(int64, [-1])", note: "required" }]);
  assert.equal(view.signature?.params, undefined);
  assert.equal(view.load.length, 2);
  assert.match(view.load[0].code, /model = mlflow\.pyfunc\.load_model\("runs:\/abc\/model"\)/);
  assert.match(view.load[1].code, /mlflow\.sklearn\.load_model\("runs:\/abc\/model"\)/);
  assert.ok(view.facts.some(([k, v]) => k === "MLflow version" && v === "2.17.0"));

  assert.equal(runModelUri("r", "MLmodel"), "runs:/r");
  assert.equal(runModelUri("r", "a/b/MLmodel"), "runs:/r/a/b");
  assert.throws(() => readMlModel("name: env\n", "runs:/r"), /No flavors/);
});

Deno.test("signatureRows: column, tensor, array/object, params and unreadable specs", () => {
  const rows = (v: unknown, params = false) => {
    const part = signatureRows(v, params);
    assert.ok(part && "rows" in part);
    return part.rows;
  };
  assert.deepEqual(rows('[{"type": "long", "required": false}]'), [
    { name: "", type: "long", note: "optional" },
  ]);
  assert.deepEqual(
    rows(JSON.stringify([
      { type: "array", items: { type: "string" }, name: "tags", required: true },
      { type: "object", properties: { a: { type: "long" } }, name: "o", required: true },
    ])).map((r) => r.type),
    ["array<string>", "object{a: long}"],
  );
  assert.deepEqual(
    rows('[{"name": "temperature", "type": "double", "default": 0.5, "shape": null}]', true),
    [{ name: "temperature", type: "double", note: "default 0.5" }],
  );
  assert.deepEqual(signatureRows("not json"), { raw: "not json" });
  assert.equal(signatureRows(null), undefined);
});

Deno.test("parseCsv: quotes, CRLF, BOM, TSV, row cap", () => {
  assert.deepEqual(parseCsv('\uFEFFa,b\r\n"x, ""y""",2\n"multi\nline",3\n').rows, [
    ["a", "b"],
    ['x, "y"', "2"],
    ["multi\nline", "3"],
  ]);
  assert.deepEqual(parseCsv("a\tb\n1\t2", "\t").rows, [["a", "b"], ["1", "2"]]);
  assert.deepEqual(parseCsv("a,\n,b\n").rows, [["a", ""], ["", "b"]]);
  assert.deepEqual(parseCsv('a"b,c\n').rows, [['a"b', "c"]]);
  const big = Array.from({ length: 10 }, (_, i) => `${i}`).join("\n");
  assert.deepEqual(parseCsv(big, ",", 3), { rows: [["0"], ["1"], ["2"]], truncated: true });
  assert.deepEqual(parseCsv("x\n", ",", 1), { rows: [["x"]], truncated: false });
  assert.deepEqual(parseCsv("").rows, []);
});

Deno.test("previewKind: which files get which preview", () => {
  assert.equal(previewKind("model/MLmodel"), "mlmodel");
  assert.equal(previewKind("MLmodel"), "mlmodel");
  assert.equal(previewKind("data/tables/sample.csv"), "csv");
  assert.equal(previewKind("x.TSV"), "tsv");
  assert.equal(previewKind("estimator.html"), "html");
  assert.equal(previewKind("a.htm"), "html");
  assert.equal(previewKind("plot.svg"), "none");
  assert.equal(previewKind("conda.yaml"), "text");
  assert.equal(previewKind("a.png"), "image");
});

Deno.test("/get-artifact and the proxy with preview=html: inline, sandboxed without scripts, framable by this origin only", async () => {
  const { app, store, rootDir } = await appWithArtifacts("kvflow-previews-");
  try {
    const exp = await store.createExperiment({ name: "e" });
    const run = await store.createRun({ experimentId: exp });
    const root = `${rootDir}/${run.info.artifact_uri.replace(/^mlflow-artifacts:\//, "")}`;
    await Deno.mkdir(root, { recursive: true });
    await Deno.writeTextFile(`${root}/estimator.html`, "<p>hi</p><script>parent.x=1</script>");
    await Deno.writeTextFile(`${root}/notes.txt`, "text");
    const q = (path: string, preview?: string) =>
      `/get-artifact?${new URLSearchParams({
        run_id: run.info.run_id,
        path,
        ...(preview ? { preview } : {}),
      })}`;

    const res = await app.request(q("estimator.html", "html"));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "<p>hi</p><script>parent.x=1</script>");
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("content-disposition"), 'inline; filename="estimator.html"');
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = csp.split(";").map((d) => d.trim());
    assert.ok(directives.includes("sandbox"), csp);
    assert.ok(!/allow-scripts|allow-same-origin/.test(csp), csp);
    assert.ok(directives.includes("default-src 'none'"), csp);
    assert.ok(directives.includes("frame-ancestors 'self'"), csp);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");

    // Without preview it stays an attachment with the strict sandbox.
    const dl = await app.request(q("estimator.html"));
    await dl.body?.cancel();
    assert.match(dl.headers.get("content-disposition") ?? "", /^attachment;/);
    assert.equal(dl.headers.get("content-security-policy"), "default-src 'none'; sandbox");

    // Only HTML files are served inline; other values are refused.
    const txt = await app.request(q("notes.txt", "html"));
    assert.equal(txt.status, 400);
    assert.equal((await txt.json()).error_code, "INVALID_PARAMETER_VALUE");
    const other = await app.request(q("estimator.html", "raw"));
    assert.equal(other.status, 400);
    await other.body?.cancel();

    // The artifact proxy's download (a logged model's files) has the same preview.
    const rel = `${run.info.artifact_uri.replace(/^mlflow-artifacts:\//, "")}/estimator.html`;
    const proxied = await app.request(`/api/2.0/mlflow-artifacts/artifacts/${rel}?preview=html`);
    assert.equal(proxied.status, 200);
    await proxied.body?.cancel();
    assert.equal(proxied.headers.get("content-security-policy"), csp);
    assert.match(proxied.headers.get("content-disposition") ?? "", /^inline;/);
    const plain = await app.request(`/api/2.0/mlflow-artifacts/artifacts/${rel}`);
    await plain.body?.cancel();
    assert.match(plain.headers.get("content-disposition") ?? "", /^attachment;/);
    const notHtml = await app.request(
      `/api/2.0/mlflow-artifacts/artifacts/${
        rel.replace("estimator.html", "notes.txt")
      }?preview=html`,
    );
    assert.equal(notHtml.status, 400);
    await notHtml.body?.cancel();

    // The page CSP frames only this origin.
    assert.match(CONTENT_SECURITY_POLICY, /frame-src 'self'/);
  } finally {
    await Deno.remove(rootDir, { recursive: true });
  }
});
