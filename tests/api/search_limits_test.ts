/**
 * Searches cannot be made to stall or amplify (issue 10 #2, #8): LIKE matches in linear-ish time
 * whatever the pattern, and the lists, filters and orderings a search takes are capped (400
 * beyond), on both backends and through every search endpoint.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createKvStore } from "../../store/kv/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import {
  MAX_FILTER_LENGTH,
  MAX_IN_LIST_LENGTH,
  MAX_LIKE_PATTERN_LENGTH,
  MAX_LIKE_PATTERNS_TOTAL,
  MAX_ORDER_BY_CLAUSE_LENGTH,
  MAX_ORDER_BY_CLAUSES,
  MAX_SEARCH_EXPERIMENT_IDS,
} from "../../store/search/limits.ts";
import {
  createExperiment,
  createRun,
  expectError,
  expectJson,
  get,
  post,
  type TestApp,
} from "./_helpers.ts";

const BACKENDS: [string, () => Promise<{ app: TestApp; close(): void }>][] = [
  ["memory", () => Promise.resolve({ app: createApp({ store: createMemoryStore() }), close() {} })],
  ["kv", async () => {
    const kv = await Deno.openKv(":memory:");
    return { app: createApp({ store: await createKvStore(kv) }), close: () => kv.close() };
  }],
];

function bothBackends(name: string, fn: (app: TestApp) => Promise<void>) {
  for (const [backend, open] of BACKENDS) {
    Deno.test(`${name} [${backend}]`, async () => {
      const { app, close } = await open();
      try {
        await fn(app);
      } finally {
        close();
      }
    });
  }
}

/** Runs `req` and returns its response and how long it took, in ms. */
async function timed(req: Response | Promise<Response>): Promise<[Response, number]> {
  const t0 = performance.now();
  const res = await req;
  await res.clone().arrayBuffer();
  return [res, performance.now() - t0];
}

const A100 = "a".repeat(100);
// Old RegExp: `^.*a.*a.*a.*a.*a.*a.*b$` over 'a' × 100 took 16 s; each extra `%a` ×12.
const NESTED = "%a%a%a%a%a%a%b";
// Old RegExp: `^..*..*..*…$` never finished.
const UNDERSCORES = "_%".repeat(40) + "b";

bothBackends(
  "regression: experiments/search name LIKE '%a%a%a%a%a%a%b' over an experiment named 'a'×100 answers at once (issue 10 #2)",
  async (app) => {
    await createExperiment(app, A100);
    await expectJson(post(app, "experiments/search", { filter: "name LIKE 'a%'" }), 200);
    for (const pattern of [NESTED, UNDERSCORES, NESTED.replace("b", "a"), "%" + "_%".repeat(99)]) {
      for (const op of ["LIKE", "ILIKE"]) {
        const [res, ms] = await timed(
          post(app, "experiments/search", { filter: `name ${op} '${pattern}'` }),
        );
        const body = await expectJson(res, 200);
        const want = pattern.endsWith("b") ? [] : [A100];
        assert.deepEqual((body.experiments ?? []).map((e: { name: string }) => e.name), want);
        assert.ok(ms < 1000, `${op} '${pattern}' took ${ms.toFixed(0)} ms`);
      }
    }
  },
);

bothBackends(
  "regression: LIKE '_%_%…b' through runs, registry, logged models and the UI's ?filter= answers at once (issue 10 #2)",
  async (app) => {
    const exp = await createExperiment(app, A100);
    const runId = await createRun(app, exp);
    await expectJson(post(app, "runs/set-tag", { run_id: runId, key: "t", value: A100 }), 200);
    await expectJson(post(app, "registered-models/create", { name: A100 }), 200);
    await expectJson(post(app, "logged-models", { experiment_id: exp, name: A100 }), 200);
    const requests: [string, () => Response | Promise<Response>][] = [
      [
        "runs/search",
        () =>
          post(app, "runs/search", {
            experiment_ids: [exp],
            filter: `tags.t LIKE '${UNDERSCORES}'`,
          }),
      ],
      [
        "registered-models/search",
        () => get(app, "registered-models/search", { filter: `name LIKE '${UNDERSCORES}'` }),
      ],
      [
        "model-versions/search",
        () => get(app, "model-versions/search", { filter: `name ILIKE '${UNDERSCORES}'` }),
      ],
      ["logged-models/search", () =>
        post(app, "logged-models/search", {
          experiment_ids: [exp],
          filter: `name LIKE '${UNDERSCORES}'`,
        })],
      [
        "UI /?filter=",
        () => app.request(`/?filter=${encodeURIComponent(`name LIKE '${UNDERSCORES}'`)}`),
      ],
    ];
    for (const [what, req] of requests) {
      const [res, ms] = await timed(req());
      assert.equal(res.status, 200, `${what}: ${await res.text()}`);
      assert.ok(ms < 1000, `${what} took ${ms.toFixed(0)} ms`);
    }
  },
);

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `'${i.toString(16).padStart(32, "0")}'`);

bothBackends(
  "regression: an IN list of 10,000 values is refused with 400 in every search (issue 10 #8)",
  async (app) => {
    const exp = await createExperiment(app);
    // 10,000 values trip the filter length cap; 1,001 short ones trip the IN-list cap itself.
    for (const n of [10_000, MAX_IN_LIST_LENGTH + 1]) {
      const list = `(${Array.from({ length: n }, (_, i) => `'${i}'`).join(",")})`;
      const requests: [string, () => Response | Promise<Response>][] = [
        [
          "runs/search",
          () => post(app, "runs/search", { experiment_ids: [exp], filter: `run_id IN ${list}` }),
        ],
        [
          "model-versions/search",
          () => get(app, "model-versions/search", { filter: `run_id IN ${list}` }),
        ],
        ["logged-models/search", () =>
          post(app, "logged-models/search", {
            experiment_ids: [exp],
            filter: `params.p IN ${list}`,
          })],
      ];
      for (const [what, req] of requests) {
        const msg = await expectError(req(), 400, "INVALID_PARAMETER_VALUE");
        const want = n === 10_000
          ? /at most 65536/
          : new RegExp(`has more than ${MAX_IN_LIST_LENGTH} values`);
        assert.match(msg, want, `${what}: ${msg}`);
      }
    }
  },
);

bothBackends(
  `an IN list of ${MAX_IN_LIST_LENGTH} values still works and matches exactly`,
  async (app) => {
    const exp = await createExperiment(app);
    const runs = [await createRun(app, exp), await createRun(app, exp)];
    const list = [...ids(MAX_IN_LIST_LENGTH - 1), `'${runs[1]}'`];
    const body = await expectJson(
      post(app, "runs/search", { experiment_ids: [exp], filter: `run_id IN (${list.join(",")})` }),
      200,
    );
    assert.deepEqual(body.runs.map((r: { info: { run_id: string } }) => r.info.run_id), [runs[1]]);
    const none = await expectJson(
      post(app, "runs/search", {
        experiment_ids: [exp],
        filter: `run_id NOT IN (${list.join(",")})`,
      }),
      200,
    );
    assert.deepEqual(none.runs.map((r: { info: { run_id: string } }) => r.info.run_id), [runs[0]]);
  },
);

bothBackends(
  `regression: more than ${MAX_SEARCH_EXPERIMENT_IDS} experiment_ids are refused with 400 (issue 10 #8)`,
  async (app) => {
    const exp = await createExperiment(app);
    const many = Array.from({ length: MAX_SEARCH_EXPERIMENT_IDS + 1 }, (_, i) => String(i));
    for (const path of ["runs/search", "logged-models/search"]) {
      const msg = await expectError(
        post(app, path, { experiment_ids: many }),
        400,
        "INVALID_PARAMETER_VALUE",
      );
      assert.match(msg, /experiment_ids has 101 entries; at most 100/);
      await expectJson(post(app, path, { experiment_ids: [...many.slice(2), exp] }), 200);
    }
  },
);

bothBackends(
  "regression: over-long filters, LIKE patterns and order_by lists are refused with 400 (issue 10 #8)",
  async (app) => {
    const exp = await createExperiment(app);
    const longFilter = `tags.t = '${"x".repeat(MAX_FILTER_LENGTH)}'`;
    const longLike = `tags.t LIKE '${"%x".repeat(MAX_LIKE_PATTERN_LENGTH)}'`;
    const manyLikes = Array.from(
      { length: MAX_LIKE_PATTERNS_TOTAL / MAX_LIKE_PATTERN_LENGTH + 1 },
      () => `tags.t LIKE '${"x".repeat(MAX_LIKE_PATTERN_LENGTH)}'`,
    ).join(" OR ");
    const cases: [string, () => Response | Promise<Response>, RegExp][] = [
      [
        "runs filter",
        () => post(app, "runs/search", { experiment_ids: [exp], filter: longFilter }),
        /filter is/,
      ],
      [
        "experiments filter",
        () => post(app, "experiments/search", { filter: longFilter }),
        /filter is/,
      ],
      [
        "registry filter",
        () => get(app, "registered-models/search", { filter: longFilter }),
        /filter is/,
      ],
      [
        "LIKE",
        () => post(app, "runs/search", { experiment_ids: [exp], filter: longLike }),
        /LIKE pattern/,
      ],
      [
        "LIKE total",
        () => post(app, "runs/search", { experiment_ids: [exp], filter: manyLikes }),
        /LIKE patterns of the filter have more than 10000 characters/,
      ],
      ["runs order_by count", () =>
        post(app, "runs/search", {
          experiment_ids: [exp],
          order_by: Array.from({ length: MAX_ORDER_BY_CLAUSES + 1 }, (_, i) => `params.p${i}`),
        }), /order_by has/],
      ["experiments order_by length", () =>
        post(app, "experiments/search", {
          order_by: [`name ${" ".repeat(MAX_ORDER_BY_CLAUSE_LENGTH)}DESC`],
        }), /order_by clause is/],
      ["registry order_by count", () =>
        get(app, "registered-models/search", {
          order_by: Array.from({ length: MAX_ORDER_BY_CLAUSES + 1 }, () => "name"),
        }), /order_by has/],
      ["logged-models order_by count", () =>
        post(app, "logged-models/search", {
          experiment_ids: [exp],
          order_by: Array.from(
            { length: MAX_ORDER_BY_CLAUSES + 1 },
            () => ({ field_name: "name" }),
          ),
        }), /order_by has/],
    ];
    for (const [what, req, want] of cases) {
      const msg = await expectError(req(), 400, "INVALID_PARAMETER_VALUE");
      assert.match(msg, want, what);
    }
  },
);
