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
import { chartKeysFromUrl, withChartKeys } from "../ui/shared/chart_keys.ts";
import {
  compareExperimentsHref,
  MAX_COMPARE_EXPERIMENTS,
  parseExperimentIds,
} from "../ui/shared/experiment_ids.ts";

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
  // The metric arrives selected (`?metric=`, which the run and compare pages' charts read).
  assert.equal(mlflowLinkTarget(metric([RUN])), `/runs/${RUN}?metric=loss#run-charts-heading`);
  assert.equal(
    mlflowLinkTarget(metric([RUN, RUN2])),
    `/compare?runs=${RUN},${RUN2}&metric=loss#cmp-charts-heading`,
  );
  assert.equal(mlflowLinkTarget(metric([])), "/experiments/1");
  // Several plotted keys; else `metric="…"`; else the key in the path (spaces, slashes kept).
  assert.equal(
    mlflowLinkTarget(
      asHash(`/metric/loss?runs=["${RUN}"]&plot_metric_keys=["loss","val acc/top1"]`),
    ),
    `/runs/${RUN}?metric=loss&metric=val+acc%2Ftop1#run-charts-heading`,
  );
  assert.equal(
    mlflowLinkTarget(asHash(`/metric/x?runs=["${RUN}"]&metric="acc"`)),
    `/runs/${RUN}?metric=acc#run-charts-heading`,
  );
  assert.equal(
    mlflowLinkTarget(`#/metric/train%2Floss?runs=${RUN}`),
    `/runs/${RUN}?metric=train%2Floss#run-charts-heading`,
  );
  // Several experiments' runs in one table; one experiment is its own page.
  assert.equal(
    mlflowLinkTarget(asHash('/compare-experiments/s?experiments=["1","2"]')),
    "/experiments/compare/1,2",
  );
  assert.equal(
    mlflowLinkTarget(asHash('/compare-experiments/s?experiments=["3","3","x y"]&searchFilter=')),
    "/experiments/3",
  );
  assert.equal(mlflowLinkTarget("#/compare-experiments/s?experiments=[]"), "/");
  const many = JSON.stringify(Array.from({ length: 30 }, (_, i) => String(i)));
  assert.equal(
    mlflowLinkTarget(`#/compare-experiments/s?experiments=${many}`)!.split(",").length,
    21,
    "one past the cap reaches the page, which says so",
  );
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
    asHash(`/metric/x?runs=["${RUN}"]&metric="<img src=x onerror='a'>\\"`),
    asHash(`/metric/x?runs=["${RUN}"]&plot_metric_keys=${JSON.stringify(["k".repeat(5000)])}`),
    asHash('/compare-experiments/s?experiments=["//evil.com","1","<b>","2"]'),
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

Deno.test("chartKeysFromUrl() and withChartKeys(): the charts' metrics in the URL", () => {
  assert.deepEqual(chartKeysFromUrl(["acc", "nope", "acc", "loss"], ["acc", "loss"]), [
    "acc",
    "loss",
  ]);
  assert.equal(chartKeysFromUrl(["nope"], ["acc"]), null);
  assert.equal(chartKeysFromUrl(undefined, ["acc"]), null);
  assert.equal(
    withChartKeys("/compare?runs=a,b&metric=old#cmp-charts-heading", ["loss", "val acc/1"]),
    "/compare?runs=a,b&metric=loss&metric=val+acc%2F1#cmp-charts-heading",
  );
  assert.equal(
    withChartKeys("http://h:8/runs/r?metric=a&artifact=x%2Fy", []),
    "/runs/r?artifact=x%2Fy",
  );
  assert.equal(withChartKeys("/runs/r", ["it's"]), "/runs/r?metric=it%27s");
});

Deno.test("parseExperimentIds(): ids of /experiments/compare/<ids>, capped", () => {
  assert.deepEqual(parseExperimentIds("1,7, 1,"), { ids: ["1", "7"], error: null });
  assert.equal(compareExperimentsHref(["1", "7"]), "/experiments/compare/1,7");
  assert.match(parseExperimentIds("").error!, /Tick two or more/);
  assert.match(parseExperimentIds("1,<b>").error!, /is not an experiment ID/);
  const many = Array.from({ length: MAX_COMPARE_EXPERIMENTS + 1 }, (_, i) => String(i)).join(",");
  assert.match(parseExperimentIds(many).error!, /at most 20 experiments; this link names 21/);
});
