import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { MlflowError } from "../errors.ts";
import { ensureAdmin } from "./bootstrap.ts";
import { createKvAuthStore } from "./kv/mod.ts";
import { createMemoryAuthStore } from "./memory/mod.ts";
import type { AuthStore } from "./types.ts";

const ITER = 1000;
const ADMIN = { username: "admin", password: "first admin password" };

const BACKENDS: { name: string; open(): Promise<[AuthStore, () => void]> }[] = [
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

for (const backend of BACKENDS) {
  Deno.test(`ensureAdmin() (${backend.name}): creates the admin once, then leaves it be`, async () => {
    const [store, close] = await backend.open();
    try {
      strictEqual(await ensureAdmin(store, ADMIN), "created");
      const admin = await store.getUser("admin");
      strictEqual(admin.is_admin, true);
      ok(await store.verifyPassword("admin", ADMIN.password));
      for (let i = 0; i < 3; i++) strictEqual(await ensureAdmin(store, ADMIN), "unchanged");
      deepStrictEqual((await store.listUsers()).users, [{
        id: admin.id,
        username: "admin",
        is_admin: true,
      }]);
    } finally {
      close();
    }
  });

  Deno.test(`ensureAdmin() (${backend.name}): never resets an existing password`, async () => {
    const [store, close] = await backend.open();
    try {
      await ensureAdmin(store, ADMIN);
      await store.updatePassword("admin", "changed through the API");
      const epoch = await store.credentialEpoch((await store.getUser("admin")).id);
      // A restart with the old variables still set, or with new ones.
      strictEqual(await ensureAdmin(store, ADMIN), "unchanged");
      strictEqual(
        await ensureAdmin(store, { username: "admin", password: "another password here" }),
        "unchanged",
      );
      ok(await store.verifyPassword("admin", "changed through the API"));
      strictEqual(await store.verifyPassword("admin", ADMIN.password), null);
      strictEqual(await store.verifyPassword("admin", "another password here"), null);
      // Not even rewritten with the same value: sessions and cached logins would end.
      strictEqual(await store.credentialEpoch((await store.getUser("admin")).id), epoch);
    } finally {
      close();
    }
  });

  Deno.test(`ensureAdmin() (${backend.name}): makes an existing user an admin, password kept`, async () => {
    const [store, close] = await backend.open();
    try {
      await store.createUser("alice", "alice's own password", false);
      strictEqual(
        await ensureAdmin(store, { username: "alice", password: "not alice's password" }),
        "promoted",
      );
      strictEqual((await store.getUser("alice")).is_admin, true);
      ok(await store.verifyPassword("alice", "alice's own password"));
      strictEqual(await store.verifyPassword("alice", "not alice's password"), null);
      strictEqual(
        await ensureAdmin(store, { username: "alice", password: "not alice's password" }),
        "unchanged",
      );
    } finally {
      close();
    }
  });

  Deno.test(`ensureAdmin() (${backend.name}): without an admin, says whether anyone can log in`, async () => {
    const [store, close] = await backend.open();
    try {
      strictEqual(await ensureAdmin(store, undefined), "no-users");
      deepStrictEqual((await store.listUsers()).users, []);
      await store.createUser("bob", "bob's own password", false);
      strictEqual(await ensureAdmin(store, undefined), "users-exist");
      strictEqual((await store.getUser("bob")).is_admin, false);
    } finally {
      close();
    }
  });

  Deno.test(`ensureAdmin() (${backend.name}): refuses a short password with the store's error`, async () => {
    const [store, close] = await backend.open();
    try {
      await rejects(
        ensureAdmin(store, { username: "admin", password: "short" }),
        (e) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE",
      );
      deepStrictEqual((await store.listUsers()).users, []);
    } finally {
      close();
    }
  });
}

Deno.test("ensureAdmin(): processes starting together on one KV file create one admin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-bootstrap-" });
  const kvs = await Promise.all(Array.from({ length: 4 }, () => Deno.openKv(`${dir}/auth.kv`)));
  try {
    const outcomes = await Promise.all(
      kvs.map((kv) => ensureAdmin(createKvAuthStore(kv, { pbkdf2Iterations: ITER }), ADMIN)),
    );
    strictEqual(outcomes.filter((o) => o === "created").length, 1, outcomes.join());
    ok(outcomes.every((o) => o === "created" || o === "unchanged"), outcomes.join());
    const { users } = await createKvAuthStore(kvs[0]).listUsers();
    deepStrictEqual(users.map((u) => [u.username, u.is_admin]), [["admin", true]]);
  } finally {
    for (const kv of kvs) kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
