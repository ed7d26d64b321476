/**
 * HTTP tests of kvflow's `runs/export-csv` (issue 14 #7): every param, metric and tag of the
 * matching runs as columns, RFC 4180 quoting, formula guards, UTF-8 with a BOM, the search's
 * filter and order honoured, a large experiment paged through, and bad input as MLflow errors.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import type { TrackingStore } from "../../store/types.ts";
import { csvNumber, csvText, exportFileName } from "../../routes/runs/csv.ts";
import { collectKeys, FIXED_COLUMNS } from "../../routes/runs/export_csv.ts";
import { parseCsv } from "../../ui/shared/csv.ts";
import { API, expectError, get, newApp, type TestApp } from "./_helpers.ts";

const T0 = 1_700_000_000_000;

/** The reply as records (header first), after checking it is a CSV attachment with a BOM. */
async function csvOf(res: Response | Promise<Response>): Promise<string[][]> {
  const r = await res;
  const bytes = new Uint8Array(await r.arrayBuffer());
  assert.equal(r.status, 200, new TextDecoder().decode(bytes));
  assert.equal(r.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.match(
    r.headers.get("content-disposition") ?? "",
    /^attachment; filename="runs-[\w-]+\.csv"$/,
  );
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], "starts with a UTF-8 BOM");
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  assert.ok(text.endsWith("\r\n"));
  return parseCsv(text).rows;
}

/** Records as objects by header name. */
function byName(rows: string[][]): Record<string, string>[] {
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

async function world(): Promise<{ app: TestApp; store: TrackingStore; exp: string }> {
  const store = createMemoryStore();
  const app = newApp({ store });
  const exp = await store.createExperiment({ name: "sweep" });
  return { app, store, exp };
}

Deno.test("runs/export-csv: every param, metric and tag key is a column, fixed columns first", async () => {
  const { app, store, exp } = await world();
  const a = await store.createRun({
    experimentId: exp,
    runName: "a",
    startTime: T0,
    userId: "ann",
  });
  await store.logBatch(a.info.run_id, {
    params: [{ key: "lr", value: "0.01" }],
    metrics: [
      { key: "loss", value: 0.9, timestamp: T0, step: 0 },
      { key: "loss", value: 0.5, timestamp: T0 + 1, step: 1 },
    ],
    tags: [{ key: "mlflow.source.name", value: "train.py" }],
  });
  await store.updateRun(a.info.run_id, { status: "FINISHED", endTime: T0 + 2500 });
  const b = await store.createRun({ experimentId: exp, runName: "b", startTime: T0 + 10 });
  await store.logBatch(b.info.run_id, {
    params: [{ key: "batch", value: "32" }],
    metrics: [{ key: "acc", value: NaN, timestamp: T0, step: 0 }],
    tags: [{ key: "mlflow.parentRunId", value: a.info.run_id }],
  });

  const rows = await csvOf(get(app, "runs/export-csv", { experiment_ids: exp }));
  const tagKeys = new Set<string>();
  for (const id of [a.info.run_id, b.info.run_id]) {
    for (const t of (await store.getRun(id)).data.tags) tagKeys.add(t.key);
  }
  assert.ok(tagKeys.has("mlflow.source.name") && tagKeys.has("mlflow.parentRunId"));
  assert.deepEqual(rows[0], [
    ...FIXED_COLUMNS,
    "params.batch",
    "params.lr",
    "metrics.acc",
    "metrics.loss",
    ...[...tagKeys].sort().map((k) => `tags.${k}`),
  ]);
  const [rb, ra] = byName(rows); // newest first, as runs/search orders by default
  assert.equal(ra.run_id, a.info.run_id);
  assert.equal(ra.run_name, "a");
  assert.equal(ra.experiment_id, exp);
  assert.equal(ra.status, "FINISHED");
  assert.equal(ra.user_id, "ann");
  assert.equal(ra.start_time, new Date(T0).toISOString());
  assert.equal(ra.end_time, new Date(T0 + 2500).toISOString());
  assert.equal(ra.duration_ms, "2500");
  assert.equal(ra.source, "train.py");
  assert.equal(ra["params.lr"], "0.01");
  assert.equal(ra["params.batch"], "");
  assert.equal(ra["metrics.loss"], "0.5", "the latest value");
  assert.equal(rb["metrics.acc"], "NaN");
  assert.equal(rb.parent_run_id, a.info.run_id);
  assert.equal(rb.end_time, "");
  assert.equal(rb.duration_ms, "");
});

Deno.test("runs/export-csv: quoting, formula guards and unicode round-trip", async () => {
  const { app, store, exp } = await world();
  const values = {
    comma: "a,b",
    quote: 'say "hi"',
    newline: "line1\nline2\r\nline3",
    formula: '=HYPERLINK("http://evil","x")',
    plus: "+1+1",
    at: "@SUM(A1)",
    minus: "-2+3",
    tab: "\tx",
    cr: "\rx",
    negative: "-0.5",
    unicode: "学习率 é 🚀",
  };
  const run = await store.createRun({ experimentId: exp, runName: "=cmd|' /C calc'!A0" });
  await store.logBatch(run.info.run_id, {
    params: Object.entries(values).map(([key, value]) => ({ key, value })),
    metrics: [{ key: "m", value: -0.25, timestamp: T0, step: 0 }],
  });
  const res = await app.request(`${API}/runs/export-csv?experiment_ids=${exp}`);
  const raw = new TextDecoder().decode(new Uint8Array(await res.clone().arrayBuffer()));
  assert.ok(raw.includes('"say ""hi"""'), "quotes doubled inside a quoted cell");
  assert.ok(raw.includes('"a,b"'));
  const [row] = byName(await csvOf(res));
  assert.equal(row.run_name, "'=cmd|' /C calc'!A0");
  assert.equal(row["params.comma"], "a,b");
  assert.equal(row["params.quote"], 'say "hi"');
  assert.equal(row["params.newline"], "line1\nline2\r\nline3");
  assert.equal(row["params.formula"], `'${values.formula}`);
  assert.equal(row["params.plus"], "'+1+1");
  assert.equal(row["params.at"], "'@SUM(A1)");
  assert.equal(row["params.minus"], "'-2+3");
  assert.equal(row["params.tab"], "'\tx");
  assert.equal(row["params.cr"], "'\rx");
  assert.equal(row["params.negative"], "-0.5", "a plain number stays a number");
  assert.equal(row["params.unicode"], "学习率 é 🚀");
  assert.equal(row["metrics.m"], "-0.25", "numbers are never guarded");
});

Deno.test("runs/export-csv: filter, order and view are runs/search's, over several experiments", async () => {
  const { app, store, exp } = await world();
  const other = await store.createExperiment({ name: "other" });
  for (const [i, e] of [[1, exp], [2, exp], [3, other], [4, exp]] as const) {
    const r = await store.createRun({ experimentId: e, runName: `r${i}`, startTime: T0 + i });
    await store.logBatch(r.info.run_id, {
      metrics: [{ key: "acc", value: i / 10, timestamp: T0, step: 0 }],
    });
    if (i === 4) await store.deleteRun(r.info.run_id);
  }
  const names = async (q: Record<string, string | string[]>) =>
    byName(await csvOf(get(app, "runs/export-csv", q))).map((r) => r.run_name);
  assert.deepEqual(
    await names({
      experiment_ids: [exp, other],
      filter: "metrics.acc > 0.15",
      order_by: "metrics.acc ASC",
    }),
    ["r2", "r3"],
  );
  assert.deepEqual(await names({ experiment_ids: exp, run_view_type: "DELETED_ONLY" }), ["r4"]);
  assert.deepEqual(
    await names({ experiment_ids: exp, run_view_type: "ALL", order_by: "attributes.run_name" }),
    [
      "r1",
      "r2",
      "r4",
    ],
  );
  // Nothing matches: the fixed header alone.
  const empty = await csvOf(
    get(app, "runs/export-csv", { experiment_ids: exp, filter: "metrics.acc > 5" }),
  );
  assert.deepEqual(empty, [[...FIXED_COLUMNS]]);
  // Also under /ajax-api, as the UI links it.
  const ajax = await app.request(`/ajax-api/2.0/mlflow/runs/export-csv?experiment_ids=${exp}`);
  assert.equal((await csvOf(ajax)).length, 3);
});

Deno.test("runs/export-csv: 3,000 runs are paged through and streamed in chunks", async () => {
  const store = createMemoryStore();
  const exp = await store.createExperiment({ name: "big" });
  for (let i = 0; i < 3000; i++) {
    const r = await store.createRun({ experimentId: exp, runName: `run-${i}`, startTime: T0 + i });
    await store.logBatch(r.info.run_id, {
      params: [{ key: `p${i % 7}`, value: String(i) }],
      metrics: [{ key: "loss", value: i, timestamp: T0, step: 0 }],
      // A key only the oldest run has still gets its column.
      tags: i === 0 ? [{ key: "only.first", value: "yes" }] : [],
    });
  }
  const pages: (number | undefined)[] = [];
  const spy = new Proxy(store, {
    get(target, prop, recv) {
      if (prop === "searchRuns") {
        return (o: Parameters<TrackingStore["searchRuns"]>[0]) => {
          pages.push(o.maxResults);
          return target.searchRuns(o);
        };
      }
      const v = Reflect.get(target, prop, recv);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const app = newApp({ store: spy });
  const res = await app.request(`${API}/runs/export-csv?experiment_ids=${exp}`);
  assert.equal(res.status, 200);
  let chunks = 0;
  let text = "";
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  for await (const chunk of res.body!) {
    chunks++;
    text += decoder.decode(chunk, { stream: true });
  }
  assert.ok(chunks >= 30, `written in ${chunks} chunks, not one string`);
  assert.ok(pages.every((n) => n !== undefined && n <= 1000), `pages of ≤ 1000: ${pages}`);
  assert.ok(pages.length >= 6, "two passes of three pages each");
  const rows = byName(parseCsv(text).rows);
  assert.equal(rows.length, 3000);
  assert.equal(rows[0].run_name, "run-2999");
  assert.equal(rows[2999]["tags.only.first"], "yes");
  assert.equal(rows[2999]["params.p0"], "0");
  assert.equal(rows[0]["metrics.loss"], "2999");
});

Deno.test("runs/export-csv: over the run or column cap is refused before a byte is sent", async () => {
  const store = createMemoryStore();
  const exp = await store.createExperiment({ name: "capped" });
  for (let i = 0; i < 5; i++) {
    const r = await store.createRun({ experimentId: exp });
    await store.logBatch(r.info.run_id, { params: [{ key: `k${i}`, value: "v" }] });
  }
  const args = { experimentIds: [exp] };
  const keys = await collectKeys(store, args, { maxRuns: 5, maxKeyColumns: 100, pageSize: 2 });
  assert.deepEqual(keys.params, ["k0", "k1", "k2", "k3", "k4"]);
  await assert.rejects(
    collectKeys(store, args, { maxRuns: 4, maxKeyColumns: 100, pageSize: 2 }),
    /More than 4 runs match/,
  );
  await assert.rejects(
    collectKeys(store, args, { maxRuns: 10, maxKeyColumns: 3, pageSize: 2 }),
    /more than 3 distinct/,
  );
});

Deno.test("runs/export-csv: bad input is a 4xx MLflow error", async () => {
  const { app, exp } = await world();
  const bad = (q: Record<string, string | string[]>) => get(app, "runs/export-csv", q);
  await expectError(bad({}), 400, "INVALID_PARAMETER_VALUE");
  await expectError(
    bad({ experiment_ids: exp, filter: "metrics.acc >>> 1" }),
    400,
    "INVALID_PARAMETER_VALUE",
  );
  await expectError(
    bad({ experiment_ids: exp, order_by: "nonsense.x DESC" }),
    400,
    "INVALID_PARAMETER_VALUE",
  );
  await expectError(
    bad({ experiment_ids: exp, run_view_type: "SOME" }),
    400,
    "INVALID_PARAMETER_VALUE",
  );
  const many = Array.from({ length: 101 }, (_, i) => String(i));
  await expectError(bad({ experiment_ids: many }), 400, "INVALID_PARAMETER_VALUE");
});

Deno.test("runs/export-csv cells and file names", () => {
  assert.equal(csvText("plain"), "plain");
  assert.equal(csvText(""), "");
  assert.equal(csvText("-1e-5"), "-1e-5");
  assert.equal(csvText('=1,"'), `"'=1,"""`);
  assert.equal(csvNumber(NaN), "NaN");
  assert.equal(csvNumber(Infinity), "inf");
  assert.equal(csvNumber(-Infinity), "-inf");
  assert.equal(csvNumber(1e-7), "1e-7");
  assert.equal(exportFileName(["1"]), "runs-1.csv");
  assert.equal(exportFileName(["1", "2"]), "runs-1-2.csv");
  assert.equal(exportFileName(['a"b/c\r\n']), "runs-a_b_c__.csv");
  assert.equal(exportFileName(["1", "2", "3", "4"]), "runs-1-and-3-more.csv");
});

Deno.test("runs/export-csv with auth: a browser session downloads it; READ on every experiment", async () => {
  const PW = "a long enough password";
  const auth = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  await auth.createUser("admin", PW, true);
  await auth.createUser("alice", PW, false);
  const app = createApp({
    store: createMemoryStore(),
    auth: { store: auth, defaultPermission: "NO_PERMISSIONS" },
  });
  const create = async (user: string, name: string) => {
    const res = await app.request(`${API}/experiments/create`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${btoa(`${user}:${PW}`)}`,
      },
      body: JSON.stringify({ name }),
    });
    return (await res.json()).experiment_id as string;
  };
  const mine = await create("alice", "mine");
  const theirs = await create("admin", "theirs");
  const login = await app.request("http://localhost/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
    body: new URLSearchParams({ username: "alice", password: PW, next: "/" }).toString(),
  });
  const sid = /kvflow_session=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
  assert.ok(sid);
  const asAlice = (ids: string[]) =>
    app.request(
      `/ajax-api/2.0/mlflow/runs/export-csv?${new URLSearchParams(
        ids.map((id) => ["experiment_ids", id]),
      )}`,
      { headers: { cookie: `kvflow_session=${sid}` } },
    );
  assert.deepEqual(await csvOf(asAlice([mine])), [[...FIXED_COLUMNS]]);
  await expectError(asAlice([mine, theirs]), 403, "PERMISSION_DENIED");
  await expectError(
    app.request(`${API}/runs/export-csv?experiment_ids=${mine}`),
    401,
    "UNAUTHENTICATED",
  );
});
