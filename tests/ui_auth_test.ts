/**
 * The web UI with auth on (issue 11 §6): pages show only what the viewer may read (lists
 * filtered and refilled, an unreadable item's page is the HTML 403 page), the "Access" panel
 * only for viewers who manage the item, `/admin/users` only for admins, `/settings/tokens` for
 * the viewer's own tokens, and neither page without auth. Server-rendered; no browser.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createApp } from "../routes/mod.ts";
import { createMemoryAuthStore } from "../store/auth/memory/mod.ts";
import type { AuthStore, Permission } from "../store/auth/types.ts";
import { createMemoryStore } from "../store/memory/mod.ts";
import type { TrackingStore } from "../store/types.ts";
import { islandProps, pageHtml } from "./helpers/ui.ts";
import { USERS_PAGE_SIZE } from "../ui/auth_handlers.tsx";

const PW = "a long enough password";

interface World {
  store: TrackingStore;
  auth: AuthStore;
  app: ReturnType<typeof createApp>;
  /** GET `path` as `user` (Basic auth), as a browser navigation (`Accept: text/html`). */
  get(user: string, path: string): Promise<Response>;
}

async function world(defaultPermission: Permission): Promise<World> {
  const store = createMemoryStore();
  const auth = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  const app = createApp({ store, auth: { store: auth, defaultPermission } });
  await auth.createUser("admin", PW, true);
  for (const u of ["alice", "bob"]) await auth.createUser(u, PW, false);
  const get = async (user: string, path: string) =>
    await app.request(path, {
      headers: { authorization: `Basic ${btoa(`${user}:${PW}`)}`, accept: "text/html" },
    });
  return { store, auth, app, get };
}

/** The experiment names the experiments list's island starts with. */
function listedExperiments(html: string): string[] {
  const props = islandProps(html, "ExperimentsList") as { experiments: { name: string }[] };
  return props.experiments.map((e) => e.name);
}

/** The registered-model names the models page lists (links to `/models/<name>`). */
function listedModels(html: string): string[] {
  return [...html.matchAll(/<a href="\/models\/([^"#?]+)"/g)].map((m) => decodeURIComponent(m[1]));
}

async function forbiddenPage(res: Promise<Response>): Promise<string> {
  const html = await pageHtml(res, 403);
  assert.match(html, /<h1>Permission denied<\/h1>/);
  return html;
}

Deno.test("UI with auth: an experiment hidden by NO_PERMISSIONS is absent from / and its pages are 403", async () => {
  const w = await world("READ");
  const open = await w.store.createExperiment({ name: "open-exp" });
  const secret = await w.store.createExperiment({ name: "secret-exp" });
  const run = await w.store.createRun({ experimentId: secret, runName: "secret-run" });
  const openRun = await w.store.createRun({ experimentId: open, runName: "open-run" });
  const model = await w.store.createLoggedModel({ experimentId: secret, name: "secret-model" });
  await w.auth.createExperimentPermission(secret, "bob", "NO_PERMISSIONS");

  assert.deepEqual(listedExperiments(await pageHtml(w.get("bob", "/"))), ["open-exp", "Default"]);
  assert.deepEqual(listedExperiments(await pageHtml(w.get("alice", "/"))), [
    "secret-exp",
    "open-exp",
    "Default",
  ]);
  assert.equal(listedExperiments(await pageHtml(w.get("admin", "/"))).length, 3);

  const runId = run.info.run_id;
  const modelId = model.info.model_id;
  for (const path of [`/experiments/${secret}`, `/runs/${runId}`, `/logged-models/${modelId}`]) {
    const html = await forbiddenPage(w.get("bob", path));
    // The 403 page names nothing the viewer may not read.
    assert.doesNotMatch(html, /secret-/, path);
    await pageHtml(w.get("alice", path));
  }
  // Compare refuses as a whole when one run is unreadable.
  const both = `/compare?runs=${openRun.info.run_id},${runId}`;
  await forbiddenPage(w.get("bob", both));
  await pageHtml(w.get("bob", `/compare?runs=${openRun.info.run_id}`));
  await pageHtml(w.get("alice", both));
});

Deno.test("UI with auth: default NO_PERMISSIONS + one READ grant shows just that one, refilled past many hidden", async () => {
  const w = await world("NO_PERMISSIONS");
  const granted = await w.store.createExperiment({ name: "granted-exp" });
  // More hidden experiments, all newer, than one page holds: the list must reach past them.
  for (let i = 0; i < 120; i++) await w.store.createExperiment({ name: `hidden-${i}` });
  await w.auth.createExperimentPermission(granted, "bob", "READ");

  assert.deepEqual(listedExperiments(await pageHtml(w.get("bob", "/"))), ["granted-exp"]);
  const props = islandProps(await pageHtml(w.get("bob", "/")), "ExperimentsList");
  assert.equal(props.nextPageToken, null);
  await pageHtml(w.get("bob", `/experiments/${granted}`));
  await forbiddenPage(w.get("bob", "/experiments/0"));
  // An id that does not exist: 403 too, so a viewer who may read nothing cannot probe for ids.
  await forbiddenPage(w.get("bob", "/experiments/99999"));
  await forbiddenPage(w.get("bob", "/runs/doesnotexist"));
  // Under a READ default the same ids are plainly missing.
  const open = await world("READ");
  await pageHtml(open.get("bob", "/experiments/99999"), 404);
  await pageHtml(open.get("bob", "/runs/doesnotexist"), 404);
});

Deno.test("UI with auth: the models list and a registered model's page follow its grants", async () => {
  const w = await world("READ");
  await w.store.createRegisteredModel({ name: "visible-model" });
  await w.store.createRegisteredModel({ name: "hidden-model" });
  await w.auth.createRegisteredModelPermission("hidden-model", "bob", "NO_PERMISSIONS");

  assert.deepEqual(listedModels(await pageHtml(w.get("bob", "/models"))), ["visible-model"]);
  assert.deepEqual(listedModels(await pageHtml(w.get("alice", "/models"))), [
    "hidden-model",
    "visible-model",
  ]);
  await forbiddenPage(w.get("bob", "/models/hidden-model"));
  const visible = await pageHtml(w.get("bob", "/models/visible-model"));
  await pageHtml(w.get("alice", "/models/hidden-model"));
  // Version pages follow the model's grant; a READ viewer gets no registry controls.
  await forbiddenPage(w.get("bob", "/models/hidden-model/versions/1"));
  await pageHtml(w.get("bob", "/models/visible-model/versions/1"), 404);
  const may = islandProps(visible, "ModelVersions");
  assert.deepEqual([may.canEdit, may.canDelete], [false, false]);
  assert.equal(islandProps(visible, "RegistryDescription").canEdit, false);
  assert.doesNotMatch(visible, /data-island="RegistryDelete"/);
});

Deno.test("UI with auth: the Access panel is there only for MANAGE holders and admins", async () => {
  const w = await world("READ");
  const exp = await w.store.createExperiment({ name: "team-exp" });
  await w.store.createRegisteredModel({ name: "team-model" });
  await w.auth.createExperimentPermission(exp, "alice", "MANAGE");
  await w.auth.createExperimentPermission(exp, "bob", "EDIT");
  await w.auth.createRegisteredModelPermission("team-model", "alice", "MANAGE");

  const page = await pageHtml(w.get("alice", `/experiments/${exp}`));
  const panel = islandProps(page, "AccessPanel");
  assert.equal(panel.kind, "experiment");
  assert.equal(panel.resource, exp);
  assert.equal(panel.viewerLevel, "MANAGE");
  assert.deepEqual(
    (panel.grants as { username: string; permission: string }[]).map((g) =>
      `${g.username}:${g.permission}`
    ),
    ["alice:MANAGE", "bob:EDIT"],
  );
  assert.match(page, /id="access-heading"/);
  assert.equal(
    islandProps(await pageHtml(w.get("admin", `/experiments/${exp}`)), "AccessPanel").viewerLevel,
    "ADMIN",
  );
  // EDIT, and READ by default: no panel (and no grants in the page).
  for (const user of ["bob"]) {
    const html = await pageHtml(w.get(user, `/experiments/${exp}`));
    assert.doesNotMatch(html, /data-island="AccessPanel"/);
    assert.doesNotMatch(html, /access-heading/);
  }
  const model = islandProps(await pageHtml(w.get("alice", "/models/team-model")), "AccessPanel");
  assert.deepEqual([model.kind, model.resource], ["registered_model", "team-model"]);
  assert.doesNotMatch(await pageHtml(w.get("bob", "/models/team-model")), /AccessPanel/);

  // A default of MANAGE makes everyone a manager of what they hold no grant on.
  const managed = await world("MANAGE");
  const e2 = await managed.store.createExperiment({ name: "anyone" });
  assert.equal(
    islandProps(await pageHtml(managed.get("bob", `/experiments/${e2}`)), "AccessPanel")
      .viewerLevel,
    "MANAGE",
  );
});

Deno.test("UI with auth: the run page offers rename to EDIT and delete/restore to MANAGE holders", async () => {
  const w = await world("READ");
  const exp = await w.store.createExperiment({ name: "team-exp" });
  const run = await w.store.createRun({ experimentId: exp, runName: "r" });
  await w.auth.createExperimentPermission(exp, "alice", "MANAGE");
  await w.auth.createExperimentPermission(exp, "bob", "EDIT");
  const may = async (user: string) =>
    islandProps(await pageHtml(w.get(user, `/runs/${run.info.run_id}`)), "RunHeader").may;
  assert.deepEqual(await may("alice"), { rename: true, delete: true });
  assert.deepEqual(await may("bob"), { rename: true, delete: false });
  assert.deepEqual(await may("admin"), { rename: true, delete: true });
  // READ by default: neither.
  await w.auth.createUser("carol", PW, false);
  assert.deepEqual(await may("carol"), { rename: false, delete: false });
});

Deno.test("UI with auth: the experiment description is editable with EDIT, read-only with READ", async () => {
  const w = await world("READ");
  const exp = await w.store.createExperiment({
    name: "described",
    tags: [{ key: "mlflow.note.content", value: "**bold** note" }],
  });
  await w.auth.createExperimentPermission(exp, "bob", "EDIT");
  const canEdit = async (user: string) => {
    const html = await pageHtml(w.get(user, `/experiments/${exp}`));
    // Rendered as Markdown on the server, for everyone who may read it.
    assert.match(html, /<strong>bold<\/strong> note/);
    return islandProps(html, "ExperimentDescription").canEdit;
  };
  assert.equal(await canEdit("alice"), false);
  assert.equal(await canEdit("bob"), true);
  assert.equal(await canEdit("admin"), true);
  // A deleted experiment's description is not edited (the API refuses writes to it).
  await w.store.deleteExperiment(exp);
  assert.equal(await canEdit("admin"), false);
});

Deno.test("UI without auth: no Access panel, no users or tokens pages", async () => {
  const store = createMemoryStore();
  const app = createApp({ store });
  const exp = await store.createExperiment({ name: "e" });
  const page = await pageHtml(app.request(`/experiments/${exp}`));
  assert.doesNotMatch(page, /AccessPanel/);
  assert.equal(islandProps(page, "ExperimentDescription").canEdit, true);
  for (const path of ["/admin/users", "/settings/tokens"]) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
});

Deno.test("UI with auth: /admin/users lists users for admins and is the 403 page for others", async () => {
  const w = await world("READ");
  const html = await pageHtml(w.get("admin", "/admin/users"));
  const props = islandProps(html, "UsersAdmin") as {
    users: { username: string; is_admin: boolean }[];
    viewer: string;
    nextPageToken: string | null;
  };
  assert.deepEqual(props.users.map((u) => `${u.username}:${u.is_admin}`), [
    "admin:true",
    "alice:false",
    "bob:false",
  ]);
  assert.equal(props.viewer, "admin");
  assert.equal(props.nextPageToken, null);
  // No password hash or other secret reaches the page.
  assert.doesNotMatch(html, /pbkdf2|password_hash|salt/i);
  const refused = await forbiddenPage(w.get("alice", "/admin/users"));
  assert.match(refused, /Only administrators/);
  assert.doesNotMatch(refused, /bob/);
  // A script (no Accept: text/html) gets the API's JSON refusal from the middleware.
  const scripted = await w.app.request("/admin/users", {
    headers: { authorization: `Basic ${btoa(`alice:${PW}`)}` },
  });
  assert.equal(scripted.status, 403);
  assert.deepEqual(await scripted.json(), {
    error_code: "PERMISSION_DENIED",
    message: "Permission denied",
  });
  // Anonymous: the middleware's 401, before any page.
  const anon = await w.app.request("/admin/users");
  assert.equal(anon.status, 401);
  await anon.body?.cancel();
});

Deno.test("UI with auth: /settings/tokens lists the viewer's own tokens, never a secret", async () => {
  const w = await world("READ");
  const mine = await w.auth.createToken("alice", "laptop");
  await w.auth.createToken("bob", "bobs-ci");
  const html = await pageHtml(w.get("alice", "/settings/tokens"));
  const props = islandProps(html, "ApiTokens") as {
    tokens: { id: string; name: string }[];
    username: string;
  };
  assert.deepEqual(props.tokens.map((t) => t.name), ["laptop"]);
  assert.equal(props.tokens[0].id, mine.record.id);
  assert.equal(props.username, "alice");
  assert.ok(!html.includes(mine.token), "the secret is shown only at creation");
  assert.doesNotMatch(html, /bobs-ci/);
  // Bob's token logs him in as a Bearer and shows his page.
  const bob = await w.app.request("/settings/tokens", {
    headers: { authorization: `Bearer ${(await w.auth.createToken("bob", "b2")).token}` },
  });
  assert.deepEqual(
    (islandProps(await pageHtml(bob), "ApiTokens").tokens as { name: string }[]).map((t) => t.name),
    ["b2", "bobs-ci"],
  );
});

Deno.test("UI with auth: pages name nothing linked from an experiment or model the viewer may not read", async () => {
  const w = await world("READ");
  const open = await w.store.createExperiment({ name: "open-exp" });
  const hidden = await w.store.createExperiment({ name: "hidden-exp" });
  await w.auth.createExperimentPermission(hidden, "bob", "NO_PERMISSIONS");
  const hiddenRun = await w.store.createRun({ experimentId: hidden, runName: "hidden-parent" });
  const hiddenRunId = hiddenRun.info.run_id;
  const child = await w.store.createRun({
    experimentId: open,
    runName: "open-child",
    tags: [{ key: "mlflow.parentRunId", value: hiddenRunId }],
  });
  const hiddenModel = await w.store.createLoggedModel({ experimentId: hidden, name: "hiddenlm" });
  await w.store.logOutputs(child.info.run_id, [{ model_id: hiddenModel.info.model_id, step: 0 }]);
  const openModel = await w.store.createLoggedModel({
    experimentId: open,
    name: "openlm",
    sourceRunId: hiddenRunId,
  });
  const modelId = openModel.info.model_id;
  for (const name of ["reg-open", "reg-hidden"]) {
    await w.store.createRegisteredModel({ name });
    await w.store.createModelVersion({
      name,
      source: `models:/${modelId}`,
      runId: hiddenRunId,
      modelId,
    });
  }
  await w.auth.createRegisteredModelPermission("reg-hidden", "bob", "NO_PERMISSIONS");

  const pages = {
    run: `/runs/${child.info.run_id}`,
    loggedModel: `/logged-models/${modelId}`,
    registered: "/models/reg-open",
  };
  // alice may read everything: each page names what it links to (so the checks below can fail).
  assert.match(await pageHtml(w.get("alice", pages.run)), /hidden-parent[\s\S]*hiddenlm/);
  const aliceModel = await pageHtml(w.get("alice", pages.loggedModel));
  assert.match(aliceModel, /hidden-parent/);
  assert.match(aliceModel, /reg-hidden/);
  assert.match(await pageHtml(w.get("alice", pages.registered)), /hidden-parent/);

  const run = await pageHtml(w.get("bob", pages.run));
  assert.match(run, /open-child/);
  assert.doesNotMatch(run, /hidden-parent|hiddenlm/);
  const model = await pageHtml(w.get("bob", pages.loggedModel));
  assert.match(model, /reg-open/);
  assert.doesNotMatch(model, /hidden-parent|reg-hidden/);
  assert.doesNotMatch(await pageHtml(w.get("bob", pages.registered)), /hidden-parent/);
});

Deno.test("UI with auth: /admin/users shows one page of users and hands the island the token for more", async () => {
  const w = await world("READ");
  // admin, alice and bob exist already.
  for (let i = 0; i < USERS_PAGE_SIZE; i++) {
    await w.auth.createUser(`user-${String(i).padStart(3, "0")}`, PW, false);
  }
  const props = islandProps(await pageHtml(w.get("admin", "/admin/users")), "UsersAdmin") as {
    users: { username: string }[];
    nextPageToken: string | null;
  };
  assert.equal(props.users.length, USERS_PAGE_SIZE);
  assert.ok(props.nextPageToken, "no token for the rest");
  // The token is the one users/list takes: it continues right after the first page.
  const res = await w.app.request(
    `/api/2.0/mlflow/users/list?page_token=${encodeURIComponent(props.nextPageToken)}`,
    { headers: { authorization: `Basic ${btoa(`admin:${PW}`)}` } },
  );
  const rest = (await res.json()).users as { username: string }[];
  const all = [...props.users, ...rest].map((u) => u.username);
  assert.equal(all.length, USERS_PAGE_SIZE + 3);
  assert.equal(new Set(all).size, all.length);
});
