/**
 * The MLflow 3.1.3 client's prompt registry session (mlflow-client-traffic.md, "MLflow 3.1.3:
 * prompt registry") replayed against kvflow: every request gets the recorded status, and every
 * reply the recorded body, timestamps aside (they only have to be numbers that move as recorded)
 * and tag order aside (the client reads tags into a dict).
 */
import assert from "node:assert/strict";
import { fullPath, readReply, type Reply, type Req } from "../helpers/auth_world.ts";
import { FLOW_PROMPTS, replayFlow } from "../helpers/client_flows.ts";
import { newApp, type TestApp } from "./_helpers.ts";

const NAME = "greeting-t1";
const IS_PROMPT = { key: "mlflow.prompt.is_prompt", value: "true" };
const TASK = { key: "task", value: "greet" };
const text = (value: string) => ({ key: "mlflow.prompt.text", value });

// The recorded replies, by the shapes they share.
const mv1 = {
  name: NAME,
  version: "1",
  current_stage: "None",
  description: "first",
  source: "dummy-source",
  run_id: "",
  status: "READY",
  tags: [TASK, IS_PROMPT, text("Hello {{name}}!")],
  run_link: "",
};
const mv2 = {
  ...mv1,
  version: "2",
  description: "second",
  tags: [IS_PROMPT, text("Hi {{name}}, welcome!")],
};
const rm = (latest: object, aliases?: object[]) => ({
  registered_model: {
    name: NAME,
    description: "first",
    latest_versions: [latest],
    tags: [IS_PROMPT, TASK],
    ...(aliases && { aliases }),
  },
});
const production = [{ alias: "production", version: "2" }];

/** Status and body of each of the 17 recorded requests, in order. */
const RECORDED: Array<[number, unknown]> = [
  [404, {
    error_code: "RESOURCE_DOES_NOT_EXIST",
    message: `Registered Model with name=${NAME} not found`,
  }],
  [200, { registered_model: { name: NAME, description: "first", tags: [IS_PROMPT, TASK] } }],
  [200, { model_version: mv1 }],
  [200, rm(mv1)],
  [200, rm(mv1)],
  [200, { model_version: mv2 }],
  [200, rm(mv2)],
  [200, rm(mv2)],
  [200, { model_version: mv2 }],
  [200, {}],
  [200, rm(mv2, production)],
  [200, { model_version: mv1 }],
  [200, rm(mv2, production)],
  [200, { model_version: { ...mv2, aliases: ["production"] } }],
  [200, rm(mv2, production)],
  [200, { model_version: { ...mv2, aliases: ["production"] } }],
  [200, { registered_models: [rm(mv2, production).registered_model] }],
];

const TIMES = new Set(["creation_timestamp", "last_updated_timestamp"]);

/** `body` without its timestamps (checked to be numbers), with tag lists sorted by key. */
function normalised(body: unknown): unknown {
  if (Array.isArray(body)) {
    const items = body.map(normalised);
    const isTags = items.every((t) =>
      typeof t === "object" && t !== null && Object.keys(t).join() === "key,value"
    );
    return isTags && items.length > 0
      ? [...items].sort((a, b) => (a as { key: string }).key < (b as { key: string }).key ? -1 : 1)
      : items;
  }
  if (typeof body !== "object" || body === null) return body;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(body)) {
    if (TIMES.has(k)) {
      assert.equal(typeof val, "number", k);
      continue;
    }
    out[k] = normalised(val);
  }
  return out;
}

function sender(app: TestApp) {
  return async (req: Req): Promise<Reply> => {
    const headers: Record<string, string> = { "user-agent": "mlflow-python-client/3.1.3" };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] = "application/json";
    }
    return await readReply(
      await app.request(fullPath(req.path), { method: req.method, headers, body }),
    );
  };
}

Deno.test("the 3.1.3 client's prompt session replays with the recorded statuses and replies", async () => {
  const app = newApp();
  const results = await replayFlow(FLOW_PROMPTS, { user: "u", suffix: "t1" }, sender(app));
  assert.equal(results.length, RECORDED.length);
  results.forEach((r, i) => {
    const [status, body] = RECORDED[i];
    assert.equal(r.reply.status, status, `${i + 1}. ${r.name}: ${JSON.stringify(r.reply.json)}`);
    assert.deepEqual(normalised(r.reply.json), normalised(body), `${i + 1}. ${r.name}`);
  });
  // The registered model's last update follows its newest version, as recorded.
  const last = results.at(-1)!.reply.json as {
    registered_models: {
      last_updated_timestamp: number;
      latest_versions: { creation_timestamp: number }[];
    }[];
  };
  const model = last.registered_models[0];
  assert.equal(model.last_updated_timestamp, model.latest_versions[0].creation_timestamp);
});

Deno.test("prompts stay out of an unfiltered model search, as the 3.x client expects", async () => {
  const app = newApp();
  const send = sender(app);
  await replayFlow(FLOW_PROMPTS, { user: "u", suffix: "t1" }, send);
  await send({ method: "POST", path: "registered-models/create", body: { name: "plain" } });
  // The 3.1.3 client's search_registered_models() adds this clause itself; older clients don't.
  for (const filter of ["", "tag.`mlflow.prompt.is_prompt` != 'true'"]) {
    const q = new URLSearchParams({ filter, max_results: "100" });
    const reply = await send({ method: "GET", path: `registered-models/search?${q}` });
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
    const names = (reply.json as { registered_models: { name: string }[] }).registered_models
      .map((m) => m.name);
    assert.deepEqual(names, ["plain"], filter);
  }
});
