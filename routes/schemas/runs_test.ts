import { deepStrictEqual } from "node:assert/strict";
import { z } from "@hono/zod-openapi";
import { repeated } from "./common.ts";
import { LogBatchRequest, MetricInput } from "./runs.ts";

/** What log-batch's `metrics` were before the fast path: zod's own array of items. */
const Reference = z.object({ metrics: repeated(MetricInput).optional() });
const Fast = LogBatchRequest.pick({ metrics: true });

/** Output, or the first issue's code and path (all the error renderer uses). */
function outcome(schema: z.ZodType, input: unknown) {
  const r = schema.safeParse(input);
  return r.success
    ? { ok: r.data }
    : { code: r.error.issues[0].code, path: r.error.issues[0].path };
}

const ITEMS: unknown[] = [
  { key: "m", value: 1, timestamp: 2, step: 3 },
  { key: "m", value: 1.5, timestamp: 2 },
  { key: "m", value: -0, timestamp: 0, step: -4, extra: true, run_id: "x" },
  { key: "m", value: 1, timestamp: 2, model_id: "m-1", dataset_name: "d", dataset_digest: "g" },
  { key: "m", value: "NaN", timestamp: 2 },
  { key: "m", value: "Infinity", timestamp: "2", step: "3" },
  { key: "m", value: "1e3", timestamp: 2 },
  { key: "m", value: "abc", timestamp: 2 },
  { key: "", value: 1, timestamp: 2 },
  { value: 1, timestamp: 2 },
  { key: "m", timestamp: 2 },
  { key: "m", value: 1 },
  { key: "m", value: 1, timestamp: 2.5 },
  { key: "m", value: 1, timestamp: 2 ** 60 },
  { key: "m", value: 1, timestamp: -1 },
  { key: "m", value: 1, timestamp: 2, step: null },
  { key: "m", value: 1, timestamp: 2, step: 1.5 },
  { key: "m", value: true, timestamp: 2 },
  { key: 5, value: 1, timestamp: 2 },
  { key: "m", value: 1, timestamp: 2, model_id: 7 },
  { key: "m", value: null, timestamp: 2 },
  null,
  "m",
  [],
  7,
];

Deno.test("log-batch metrics: the fast path reads every item exactly as zod's schema does", () => {
  const inputs: unknown[] = [
    {},
    { metrics: null },
    { metrics: "x" },
    { metrics: ITEMS[0] },
    { metrics: [] },
    ...ITEMS.map((item) => ({ metrics: [item] })),
    // Each item after good ones and before bad ones: the first issue's index must match.
    ...ITEMS.map((item) => ({ metrics: [ITEMS[0], ITEMS[1], item, ITEMS[9], item] })),
  ];
  for (const input of inputs) {
    deepStrictEqual(outcome(Fast, input), outcome(Reference, input), JSON.stringify(input));
  }
});
