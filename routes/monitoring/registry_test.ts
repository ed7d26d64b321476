import assert from "node:assert/strict";
import { parsePrometheusText } from "../../tests/helpers/prometheus_text.ts";
import { escapeLabelValue, MAX_SERIES_PER_METRIC, OVERFLOW_LABEL, Registry } from "./registry.ts";

Deno.test("Registry.render() escapes label values and help text as the text format requires", () => {
  const reg = new Registry();
  const c = reg.counter("kvflow_x_total", "Help with a \\ and a\nnewline.", ["route"]);
  const hostile = 'a\\b"c\nd} x{y="z"';
  c.inc([hostile], 2);
  const text = reg.render();
  assert.ok(text.includes(`route="a\\\\b\\"c\\nd} x{y=\\"z\\""`), text);
  assert.ok(text.includes("# HELP kvflow_x_total Help with a \\\\ and a\\nnewline.\n"), text);
  const scrape = parsePrometheusText(text);
  assert.equal(scrape.value("kvflow_x_total", { route: hostile }), 2);
  assert.equal(scrape.help.get("kvflow_x_total"), "Help with a \\ and a\nnewline.");
  assert.equal(escapeLabelValue('\\"\n'), '\\\\\\"\\n');
});

Deno.test("Registry keeps at most MAX_SERIES_PER_METRIC label sets and folds the rest into one", () => {
  const reg = new Registry();
  const c = reg.counter("kvflow_y_total", "Y.", ["route", "status"]);
  const h = reg.histogram("kvflow_z_seconds", "Z.", ["route"], [0.1, 1]);
  const extra = 50;
  for (let i = 0; i < MAX_SERIES_PER_METRIC + extra; i++) {
    c.inc([`/r/${i}`, "200"]);
    h.observe(0.5, [`/r/${i}`]);
  }
  assert.equal(c.size, MAX_SERIES_PER_METRIC + 1);
  const scrape = parsePrometheusText(reg.render());
  assert.equal(
    scrape.value("kvflow_y_total", { route: OVERFLOW_LABEL, status: OVERFLOW_LABEL }),
    extra,
  );
  assert.equal(scrape.value("kvflow_z_seconds_count", { route: OVERFLOW_LABEL }), extra);
  // A label set seen before the cap still counts in its own series.
  c.inc(["/r/0", "200"]);
  assert.equal(
    parsePrometheusText(reg.render()).value("kvflow_y_total", { route: "/r/0", status: "200" }),
    2,
  );
});

Deno.test("Histogram renders cumulative buckets whose +Inf equals the count", () => {
  const reg = new Registry();
  const h = reg.histogram("kvflow_d_seconds", "D.", ["route"], [1, 0.1, 10]);
  for (const v of [0.05, 0.1, 0.5, 5, 50, 50]) h.observe(v, ["/a"]);
  const scrape = parsePrometheusText(reg.render());
  const bucket = (le: string) => scrape.value("kvflow_d_seconds_bucket", { route: "/a", le });
  assert.deepEqual([bucket("0.1"), bucket("1"), bucket("10"), bucket("+Inf")], [2, 3, 4, 6]);
  assert.equal(scrape.value("kvflow_d_seconds_count", { route: "/a" }), 6);
  assert.equal(scrape.value("kvflow_d_seconds_sum", { route: "/a" }), 105.65);
});

Deno.test("Registry refuses a metric name registered twice", () => {
  const reg = new Registry();
  reg.gauge("kvflow_g", "G.");
  assert.throws(() => reg.counter("kvflow_g", "again"), /registered twice/);
});

Deno.test("parsePrometheusText() rejects what the format forbids", () => {
  const bad = [
    "kvflow_a 1\n", // no TYPE
    "# TYPE kvflow_a counter\nkvflow_a 1\n", // no HELP
    '# HELP kvflow_a A.\n# TYPE kvflow_a counter\nkvflow_a{r="x\ny"} 1\n', // raw newline
    '# HELP kvflow_a A.\n# TYPE kvflow_a counter\nkvflow_a{r="x\\y"} 1\n', // bad escape
    "# HELP kvflow_a A.\n# TYPE kvflow_a counter\nkvflow_a one\n", // bad value
    "# HELP kvflow_a A.\n# TYPE kvflow_a counter\nkvflow_a 1\nkvflow_a 2\n", // repeated
    '# HELP kvflow_h H.\n# TYPE kvflow_h histogram\nkvflow_h_bucket{le="1"} 2\n' +
    'kvflow_h_bucket{le="+Inf"} 1\nkvflow_h_sum 1\nkvflow_h_count 1\n', // not cumulative
    '# HELP kvflow_h H.\n# TYPE kvflow_h histogram\nkvflow_h_bucket{le="1"} 1\n' +
    "kvflow_h_sum 1\nkvflow_h_count 1\n", // no +Inf
    "# HELP kvflow_a A.\n# TYPE kvflow_a counter\nkvflow_a 1", // no final newline
  ];
  for (const text of bad) assert.throws(() => parsePrometheusText(text), Error, text);
});
