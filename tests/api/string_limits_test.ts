/**
 * Issue 10 #5: user strings that used to reach Deno KV's key (2 KiB) and value (64 KiB) limits and
 * come back as a 500. Each repro is replayed over HTTP on both backends and must get MLflow's 400
 * (or a 200 where the input is valid), never a 5xx.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createKvStore } from "../../store/kv/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import type { TrackingStore } from "../../store/types.ts";
import { expectError, expectJson, get, post, type TestApp } from "./_helpers.ts";

const BACKENDS: [string, () => Promise<{ store: TrackingStore; close: () => void }>][] = [
  ["kv", async () => {
    const kv = await Deno.openKv(":memory:");
    return { store: await createKvStore(kv), close: () => kv.close() };
  }],
  ["memory", () => Promise.resolve({ store: createMemoryStore(), close: () => {} })],
];

const LONG = "k".repeat(3000);

async function setup(app: TestApp) {
  const exp = await expectJson(post(app, "experiments/create", { name: "e" }), 200);
  const run = await expectJson(post(app, "runs/create", { experiment_id: exp.experiment_id }), 200);
  return { exp: exp.experiment_id as string, run: run.run.info.run_id as string };
}

function withApp(
  name: string,
  fn: (app: TestApp, ids: { exp: string; run: string }) => Promise<void>,
) {
  for (const [backend, open] of BACKENDS) {
    Deno.test(`[${backend}] ${name}`, async () => {
      const { store, close } = await open();
      try {
        const app = createApp({ store });
        await fn(app, await setup(app));
      } finally {
        close();
      }
    });
  }
}

const invalid = (res: Response | Promise<Response>) =>
  expectError(res, 400, "INVALID_PARAMETER_VALUE");

withApp(
  "regression: a 3,000-char key in runs/delete-tag and experiments/delete-experiment-tag is 400 (issue 10 #5)",
  async (app, { exp, run }) => {
    const m1 = await invalid(post(app, "runs/delete-tag", { run_id: run, key: LONG }));
    assert.match(m1, /Tag key '.*\.\.\.' had length 3000, which exceeded length limit of 250/);
    await invalid(
      post(app, "experiments/delete-experiment-tag", { experiment_id: exp, key: LONG }),
    );
  },
);

withApp(
  "regression: a 3,000-char metric_key in get-history, -bulk-interval, -bulk, -downsampled and -downsampled-bulk is 400 (issue 10 #5)",
  async (app, { run }) => {
    const msg = /Metric name '.*' had length 3000, which exceeded length limit of 250/;
    assert.match(
      await invalid(get(app, "metrics/get-history", { run_id: run, metric_key: LONG })),
      msg,
    );
    assert.match(
      await invalid(
        get(app, "metrics/get-history-bulk-interval", { run_ids: run, metric_key: LONG }),
      ),
      msg,
    );
    assert.match(
      await invalid(get(app, "metrics/get-history-bulk", { run_id: run, metric_key: LONG })),
      msg,
    );
    assert.match(
      await invalid(get(app, "metrics/get-history-downsampled", { run_id: run, metric_key: LONG })),
      msg,
    );
    // The bulk chart read: before any byte of its streamed reply.
    assert.match(
      await invalid(
        get(app, "metrics/get-history-downsampled-bulk", { run_ids: run, metric_key: LONG }),
      ),
      msg,
    );
  },
);

withApp(
  "regression: backquoted 3,000-char keys in runs/search filter and order_by are 400 (issue 10 #5)",
  async (app, { exp }) => {
    for (const filter of [`metrics.\`${LONG}\` > 1`, `params.\`${LONG}\` = '1'`]) {
      const m = await invalid(post(app, "runs/search", { experiment_ids: [exp], filter }));
      assert.match(m, /keys have at most 250 characters/);
      assert.ok(m.length < 600, "the message does not echo the whole key");
    }
    // A 3,000-char clause is refused by the order_by clause cap before its key is read; a
    // 300-char key in a short clause reaches the key check.
    for (const key of [LONG, "k".repeat(300)]) {
      for (const order of [`metrics.\`${key}\``, `params.\`${key}\` DESC`]) {
        const m = await invalid(
          post(app, "runs/search", { experiment_ids: [exp], order_by: [order] }),
        );
        assert.match(
          m,
          key === LONG
            ? /order_by clause is \d+ characters long/
            : /keys have at most 250 characters/,
        );
      }
    }
  },
);

withApp(
  "regression: model-versions/search with a long run_id is 400 (issue 10 #5)",
  async (app) => {
    const m = await invalid(
      get(app, "model-versions/search", { filter: `run_id = '${LONG}'` }),
    );
    assert.match(m, /run_id '.*' is longer than 256 characters/);
  },
);

withApp(
  "regression: the UI's /?filter= and /experiments/:id?filter= with 3,000-char keys answer inline (issue 10 #5)",
  async (app, { exp }) => {
    for (const path of [`/experiments/${exp}`, "/"]) {
      for (const filter of [`metrics.\`${LONG}\` > 1`, `tags.\`${LONG}\` = 'x'`]) {
        const res = await app.request(`${path}?filter=${encodeURIComponent(filter)}`);
        const html = await res.text();
        assert.ok(res.status < 500, `${path}: ${res.status}`);
        assert.match(res.headers.get("content-type") ?? "", /text\/html/);
        if (path !== "/") assert.match(html, /keys have at most 250 characters/);
      }
    }
  },
);

/**
 * The reply to a large body: 413 once the body caps (routes/decode.ts) refuse it whole, else
 * what the string checks say. Either way MLflow's JSON error shape or a 200, never a 5xx.
 */
async function bigBody(res: Response | Promise<Response>): Promise<
  // deno-lint-ignore no-explicit-any
  { status: number; body: any }
> {
  const r = await res;
  const body = JSON.parse(await r.text());
  assert.ok(r.status < 500, `status ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
  if (r.status !== 200) assert.equal(body.error_code, "INVALID_PARAMETER_VALUE");
  return { status: r.status, body };
}

withApp(
  "regression: run_name/user_id of 100,000 chars in runs/create and runs/update never 500 (issue 10 #5)",
  async (app, { exp, run }) => {
    const created = await bigBody(
      post(app, "runs/create", { experiment_id: exp, run_name: "r".repeat(100_000) }),
    );
    if (created.status === 200) assert.equal(created.body.run.info.run_name, "r".repeat(8000));
    else assert.equal(created.status, 413);
    const user = await bigBody(
      post(app, "runs/create", { experiment_id: exp, user_id: "u".repeat(100_000) }),
    );
    assert.ok(user.status === 400 || user.status === 413, `user_id: ${user.status}`);
    if (user.status === 400) {
      assert.match(
        user.body.message,
        /User ID '.*' had length 100000, which exceeded length limit of 256/,
      );
    }
    const u = await invalid(
      post(app, "runs/create", { experiment_id: exp, user_id: "u".repeat(257) }),
    );
    assert.match(u, /exceeded length limit of 256/);
    for (const n of [100_000, 60_000, 9000]) {
      const updated = await bigBody(
        post(app, "runs/update", { run_id: run, run_name: "n".repeat(n) }),
      );
      if (updated.status === 200) assert.equal(updated.body.run_info.run_name, "n".repeat(8000));
      else assert.equal(updated.status, 413);
    }
    const got = await expectJson(get(app, "runs/get", { run_id: run }), 200);
    const tag = got.run.data.tags.find((t: { key: string }) => t.key === "mlflow.runName");
    assert.equal(tag.value, "n".repeat(8000));
    assert.equal(got.run.info.run_name, "n".repeat(8000));
  },
);

withApp(
  "regression: a 1 MB model_id in log-inputs and a 500 × U+1F600 dataset name are 400 (issue 10 #5)",
  async (app, { run }) => {
    const big = await bigBody(
      post(app, "runs/log-inputs", { run_id: run, models: [{ model_id: "m".repeat(1_000_000) }] }),
    );
    assert.ok(big.status === 400 || big.status === 413, `model_id: ${big.status}`);
    const m = await invalid(
      post(app, "runs/log-inputs", { run_id: run, models: [{ model_id: "m".repeat(3000) }] }),
    );
    assert.match(m, /a model id has at most 256 characters/);
    const d = await invalid(post(app, "runs/log-inputs", {
      run_id: run,
      datasets: [{
        dataset: { name: "😀".repeat(500), digest: "d".repeat(36), source_type: "s", source: "x" },
      }],
    }));
    assert.match(d, /is 2000 bytes long in UTF-8, which exceeds the limit of 1500 bytes/);
  },
);

Deno.test("KV refuses the dedup key of a 500 × U+1F600 dataset name (why MAX_DATASET_NAME_BYTES exists)", async () => {
  // Documents why MAX_DATASET_NAME_BYTES exists: the dedup key the name becomes is too large.
  const kv = await Deno.openKv(":memory:");
  try {
    await assert.rejects(
      kv.set(["datasets_by_name_digest", "123", "😀".repeat(500), "d".repeat(36)], 1),
      /Key too large/,
    );
  } finally {
    kv.close();
  }
});
