/**
 * MLflow's UI links (`http://host/#/experiments/1/runs/<id>`, printed by every `start_run`) mapped
 * to kvflow's pages by ui/shared/mlflow_links.ts: each MLflow route, MLflow 3's run and
 * experiment tabs, and hostile fragments, which must only ever give a same-origin path built by
 * the mapper. The browser half (landing on the run page) is driven in tests/ui_run_page_test.ts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { MAX_MLFLOW_HASH, mlflowLinkTarget } from "../ui/shared/mlflow_links.ts";

const RUN = "0123456789abcdef0123456789abcdef";
const RUN2 = "fedcba9876543210fedcba9876543210";

/** The fragment as Chromium's `location.hash` reports it (quotes and spaces percent-encoded). */
const asHash = (route: string) => `#${route.replaceAll('"', "%22").replaceAll(" ", "%20")}`;

Deno.test("mlflowLinkTarget() maps experiment and run routes", () => {
  const cases: [string, string][] = [
    ["/", "/"],
    ["/experiments", "/"],
    ["/experiments/1", "/experiments/1"],
    ["/experiments/1/runs", "/experiments/1"],
    ["/experiments/1/traces", "/experiments/1"],
    ["/experiments/1/models", "/experiments/1"],
    ["/experiments/1/s?searchInput=x", "/experiments/1"],
    [`/experiments/1/runs/${RUN}`, `/runs/${RUN}`],
    [`/experiments/1/runs/${RUN}/overview`, `/runs/${RUN}`],
    [`/experiments/1/runs/${RUN}/traces`, `/runs/${RUN}`],
    [`/experiments/1/runs/${RUN}/model-metrics`, `/runs/${RUN}#run-charts-heading`],
    [`/experiments/1/runs/${RUN}/system-metrics`, `/runs/${RUN}#run-charts-heading`],
    [`/experiments/1/runs/${RUN}/artifacts`, `/runs/${RUN}#run-artifacts-heading`],
    [
      `/experiments/1/runs/${RUN}/artifacts/model/MLmodel`,
      `/runs/${RUN}?artifact=model%2FMLmodel#run-artifacts-heading`,
    ],
    [
      `/experiments/1/runs/${RUN}/artifactPath/a%20b/c.txt`,
      `/runs/${RUN}?artifact=a+b%2Fc.txt#run-artifacts-heading`,
    ],
    [`/runs/${RUN}`, `/runs/${RUN}`],
    [`/runs/${RUN}/artifacts/x.json`, `/runs/${RUN}?artifact=x.json#run-artifacts-heading`],
    [
      "/experiments/1/models/m-0123456789abcdef0123456789abcdef",
      "/logged-models/m-0123456789abcdef0123456789abcdef",
    ],
    ["/experiments/1/models/m-0123/artifacts", "/logged-models/m-0123"],
  ];
  for (const [route, want] of cases) assert.equal(mlflowLinkTarget(`#${route}`), want, route);
});

Deno.test("mlflowLinkTarget() carries the runs table's search, order and view over", () => {
  const q = new URLSearchParams({
    searchFilter: "metrics.loss < 1",
    orderByKey: "metrics.`loss`",
    orderByAsc: "true",
    lifecycleFilter: "Deleted",
  });
  const target = mlflowLinkTarget(`#/experiments/7?${q}`)!;
  const url = new URL(target, "http://h");
  assert.equal(url.pathname, "/experiments/7");
  assert.equal(url.searchParams.get("filter"), "metrics.loss < 1");
  assert.equal(url.searchParams.get("order"), "metrics.`loss` ASC");
  assert.equal(url.searchParams.get("view"), "deleted");
});

Deno.test("mlflowLinkTarget() maps registry routes", () => {
  assert.equal(mlflowLinkTarget("#/models"), "/models");
  assert.equal(mlflowLinkTarget("#/models/churn"), "/models/churn");
  assert.equal(mlflowLinkTarget("#/models/team%2Fchurn%20v2"), "/models/team%2Fchurn%20v2");
  assert.equal(mlflowLinkTarget("#/models/churn/versions/3"), "/models/churn/versions/3");
  assert.equal(mlflowLinkTarget("#/models/churn/versions/x"), "/models/churn");
  assert.equal(mlflowLinkTarget("#/models/churn/serving"), "/models/churn");
  assert.equal(
    mlflowLinkTarget(asHash(`/compare-model-versions?name="a%20b"&runs={"${RUN}":"1"}`)),
    "/models/a%20b",
  );
  assert.equal(mlflowLinkTarget("#/compare-model-versions"), "/models");
});

Deno.test("mlflowLinkTarget() maps compare and metric routes", () => {
  assert.equal(
    mlflowLinkTarget(asHash(`/compare-runs?runs=["${RUN}","${RUN2}"]&experiments=["1"]`)),
    `/compare?runs=${RUN},${RUN2}`,
  );
  assert.equal(mlflowLinkTarget(asHash(`/compare-runs?runs=["${RUN}"]`)), `/runs/${RUN}`);
  assert.equal(
    mlflowLinkTarget(`#/compare-runs?runs=${RUN},${RUN2}`),
    `/compare?runs=${RUN},${RUN2}`,
  );
  assert.equal(
    mlflowLinkTarget(asHash(`/compare-runs?runs=[]&experiments=["4"]`)),
    "/experiments/4",
  );
  assert.equal(mlflowLinkTarget("#/compare-runs"), "/");
  // MLflow's metric page: `/metric/*?runs=[…]&metric="key"&experiments=[…]&…`.
  const metric = (runs: string[]) =>
    asHash(
      `/metric/loss?runs=${JSON.stringify(runs)}&metric=${encodeURIComponent('"loss"')}` +
        `&experiments=["1"]&plot_metric_keys=%5B%22loss%22%5D&plot_layout={}&x_axis=step` +
        `&y_axis_scale=linear&line_smoothness=1&show_point=false&deselected_curves=[]` +
        `&last_linear_y_axis_range=[]`,
    );
  assert.equal(mlflowLinkTarget(metric([RUN])), `/runs/${RUN}#run-charts-heading`);
  assert.equal(
    mlflowLinkTarget(metric([RUN, RUN2])),
    `/compare?runs=${RUN},${RUN2}#cmp-charts-heading`,
  );
  assert.equal(mlflowLinkTarget(metric([])), "/experiments/1");
  assert.equal(mlflowLinkTarget("#/compare-experiments/s?experiments=[%221%22]"), "/");
});

Deno.test("mlflowLinkTarget() leaves non-MLflow fragments alone", () => {
  for (const hash of ["", "#", "#version-3", "#run-charts-heading", "#/prompts", "#/settings"]) {
    assert.equal(mlflowLinkTarget(hash), null, hash);
  }
});

Deno.test("mlflowLinkTarget() only ever returns a same-origin path it built", () => {
  const hostile = [
    "#/experiments/javascript:alert(1)",
    "#/experiments/1/runs/javascript:alert(1)",
    "#/runs/%2F%2Fevil.com",
    "#/runs/..%2F..%2Fadmin",
    "#/experiments/%E0%A4%A",
    "#/models/%E0%A4%A/versions/1",
    "#/models/%2F%2Fevil.com",
    "#/models/\\evil.com",
    "#/models/javascript:alert(1)",
    "#/experiments/1/runs/abc/artifacts/%2F%2Fevil.com%2Fx",
    "#/experiments/1/runs/abc/artifacts/<script>alert(1)</script>",
    asHash('/compare-runs?runs=["//evil.com","javascript:alert(1)","<img src=x>"]'),
    asHash('/compare-runs?runs={"__proto__":1}'),
    asHash("/compare-runs?runs=[[[[[[[[[[[[1]]]]]]]]]]]]"),
    asHash('/metric/x?runs=["\\\\evil.com"]'),
    asHash('/compare-model-versions?name="%2F%2Fevil.com"'),
    asHash('/compare-model-versions?name="%E0%A4%A"'),
    "#//evil.com",
    "#/\\evil.com",
    "#/experiments/1?searchFilter=%0d%0aSet-Cookie:x",
    `#/experiments/1/runs/${"a".repeat(200)}`,
    `#/models/${"n".repeat(10_000)}`,
    `#/runs/${RUN}/artifacts/${"p/".repeat(5000)}`,
    `#/compare-runs?runs=${JSON.stringify(Array.from({ length: 2000 }, (_, i) => `r${i}`))}`,
    `#/experiments/1/${"x/".repeat(MAX_MLFLOW_HASH)}`,
  ];
  for (const hash of hostile) {
    const target = mlflowLinkTarget(hash);
    if (target === null) continue;
    const label = hash.slice(0, 80);
    assert.match(target, /^\/(?![/\\])/, label);
    const url = new URL(target, "http://kvflow.test/");
    assert.equal(url.origin, "http://kvflow.test", label);
    // Names and paths arrive percent-encoded: nothing raw that could end an attribute or a URL.
    assert.doesNotMatch(target, /[<>"'\s\\]/, label);
    assert.ok(target.length < 40_000, `${label}: ${target.length} chars`);
  }
  assert.equal(mlflowLinkTarget("#/experiments/javascript:alert(1)"), "/");
  assert.equal(mlflowLinkTarget("#/experiments/1/runs/javascript:alert(1)"), "/experiments/1");
  assert.equal(mlflowLinkTarget("#/runs/%2F%2Fevil.com"), "/");
  assert.equal(mlflowLinkTarget("#/models/%2F%2Fevil.com"), "/models/%2F%2Fevil.com");
  assert.equal(mlflowLinkTarget("#/experiments/%E0%A4%A"), "/");
  assert.equal(mlflowLinkTarget(`#/experiments/1/${"x/".repeat(MAX_MLFLOW_HASH)}`), "/");
});
