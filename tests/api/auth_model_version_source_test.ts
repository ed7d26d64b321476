/**
 * `model-versions/create` under auth (issue 11 §4), on both auth-store backends: besides UPDATE
 * on the registered model, the caller must be able to read what the version's files come from
 * (the run, logged model, source version or artifact location), as in MLflow 3; admins bypass.
 */
import assert from "node:assert/strict";
import { createApp } from "../../routes/mod.ts";
import { createKvAuthStore } from "../../store/auth/kv/mod.ts";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import type { AuthStore, Permission } from "../../store/auth/types.ts";
import { createMemoryStore } from "../../store/memory/mod.ts";
import { expectJson } from "./_helpers.ts";

const ITER = 1000;
const PW = "a long enough password";
const DENIED = { error_code: "PERMISSION_DENIED", message: "Permission denied" };

type Backend = { name: string; open(): Promise<[AuthStore, () => void]> };
const BACKENDS: Backend[] = [
  {
    name: "memory",
    open: () => Promise.resolve([createMemoryAuthStore({ pbkdf2Iterations: ITER }), () => {}]),
  },
  {
    name: "kv",
    async open() {
      const kv = await Deno.openKv(":memory:");
      return [createKvAuthStore(kv, { pbkdf2Iterations: ITER }), () => kv.close()];
    },
  },
];

interface World {
  auth: AuthStore;
  call(user: string, path: string, body: unknown): Promise<Response>;
  /** alice's experiments: `open` (bob reads it by default) and `secret` (NO_PERMISSIONS). */
  open: { exp: string; run: string; model: string };
  secret: { exp: string; run: string; model: string };
  close(): void;
}

async function world(backend: Backend, defaultPermission: Permission): Promise<World> {
  const [auth, close] = await backend.open();
  const app = createApp({ store: createMemoryStore(), auth: { store: auth, defaultPermission } });
  await auth.createUser("admin", PW, true);
  for (const u of ["alice", "bob"]) await auth.createUser(u, PW, false);
  const call = (user: string, path: string, body: unknown) =>
    Promise.resolve(app.request(path.startsWith("/") ? path : `/api/2.0/mlflow/${path}`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${user}:${PW}`)}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    }));
  const made = async (name: string) => {
    const exp = (await expectJson(call("alice", "experiments/create", { name }), 200))
      .experiment_id as string;
    const run = (await expectJson(call("alice", "runs/create", { experiment_id: exp }), 200)).run
      .info.run_id as string;
    const lm = await expectJson(call("alice", "logged-models", { experiment_id: exp }), 200);
    return { exp, run, model: lm.model.info.model_id as string };
  };
  const open = await made("open");
  const secret = await made("secret");
  await auth.createExperimentPermission(secret.exp, "bob", "NO_PERMISSIONS");
  // The registered model bob registers into: he may edit it (EDIT implies READ).
  await expectJson(call("alice", "registered-models/create", { name: "target" }), 200);
  await auth.createRegisteredModelPermission("target", "bob", "EDIT");
  // A registered model hidden from bob, with a version to copy from.
  await expectJson(call("alice", "registered-models/create", { name: "hidden" }), 200);
  await expectJson(
    call("alice", "model-versions/create", { name: "hidden", source: `runs:/${open.run}/m` }),
    200,
  );
  await auth.createRegisteredModelPermission("hidden", "bob", "NO_PERMISSIONS");
  return { auth, call, open, secret, close };
}

for (const backend of BACKENDS) {
  Deno.test(`model-versions/create (${backend.name}): the caller must be able to read the source`, async () => {
    const w = await world(backend, "READ");
    try {
      const bodies = (x: World["open"]) => [
        { source: `runs:/${x.run}/model` },
        { source: `runs:/${x.run}/model`, run_id: x.run },
        { source: `mlflow-artifacts:/${x.exp}/${x.run}/artifacts/model`, run_id: x.run },
        { source: `mlflow-artifacts:/${x.exp}/${x.run}/artifacts/model` },
        { source: `models:/${x.model}` },
        { source: `models:/${x.model}`, model_id: x.model },
      ];
      for (const body of bodies(w.secret)) {
        const res = await w.call("bob", "model-versions/create", { name: "target", ...body });
        assert.deepEqual(await expectJson(res, 403), DENIED, JSON.stringify(body));
      }
      for (const body of bodies(w.open)) {
        const res = await w.call("bob", "model-versions/create", { name: "target", ...body });
        const created = await expectJson(res, 200);
        assert.equal(created.model_version.name, "target", JSON.stringify(body));
      }
      // The /ajax-api twin checks the same.
      await expectJson(
        w.call("bob", "/ajax-api/2.0/mlflow/model-versions/create", {
          name: "target",
          source: `runs:/${w.secret.run}/m`,
        }),
        403,
      );
      // Copying a version: READ on its registered model.
      await expectJson(
        w.call("bob", "model-versions/create", { name: "target", source: "models:/hidden/1" }),
        403,
      );
      await w.auth.updateRegisteredModelPermission("hidden", "bob", "READ");
      await expectJson(
        w.call("bob", "model-versions/create", { name: "target", source: "models:/hidden/1" }),
        200,
      );
      // The run_id alone decides too, whatever the source says.
      await expectJson(
        w.call("bob", "model-versions/create", {
          name: "target",
          source: `runs:/${w.open.run}/m`,
          run_id: w.secret.run,
        }),
        403,
      );
      // Admins bypass; a grant that reads the experiment lets bob through.
      for (const user of ["admin", "alice"]) {
        await expectJson(
          w.call(user, "model-versions/create", {
            name: "target",
            source: `runs:/${w.secret.run}/m`,
          }),
          200,
        );
      }
      await w.auth.updateExperimentPermission(w.secret.exp, "bob", "READ");
      await expectJson(
        w.call("bob", "model-versions/create", {
          name: "target",
          source: `runs:/${w.secret.run}/m`,
        }),
        200,
      );
      // An unknown run: the handler's 404 under a readable default.
      const missing = "0123456789abcdef0123456789abcdef";
      await expectJson(
        w.call("bob", "model-versions/create", { name: "target", source: `runs:/${missing}/m` }),
        404,
      );
    } finally {
      w.close();
    }
  });

  Deno.test(`model-versions/create (${backend.name}): under a NO_PERMISSIONS default an unknown run is 403`, async () => {
    const w = await world(backend, "NO_PERMISSIONS");
    try {
      const missing = "0123456789abcdef0123456789abcdef";
      await expectJson(
        w.call("bob", "model-versions/create", { name: "target", source: `runs:/${missing}/m` }),
        403,
      );
      // bob reads nothing of alice's by default, not even the `open` experiment.
      await expectJson(
        w.call("bob", "model-versions/create", { name: "target", source: `runs:/${w.open.run}/m` }),
        403,
      );
      await w.auth.createExperimentPermission(w.open.exp, "bob", "READ");
      await expectJson(
        w.call("bob", "model-versions/create", { name: "target", source: `runs:/${w.open.run}/m` }),
        200,
      );
    } finally {
      w.close();
    }
  });
}
