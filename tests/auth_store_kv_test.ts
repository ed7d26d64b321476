import assert from "node:assert/strict";
import { createKvAuthStore } from "../store/auth/kv/mod.ts";
import type { AuthStore } from "../store/auth/types.ts";
import { MlflowError } from "../store/errors.ts";
import { PW, TEST_ITERATIONS } from "./conformance/auth/_harness.ts";
import { runAuthStoreConformance } from "./conformance/auth/mod.ts";
import { T0 } from "./fixtures.ts";

runAuthStoreConformance("kv", async (opts) => {
  const kv = await Deno.openKv(":memory:");
  return { store: createKvAuthStore(kv, opts), close: () => kv.close() };
});

/** Two handles on one temp KV file, as two processes sharing a database. */
async function twoHandles(): Promise<{
  a: AuthStore;
  b: AuthStore;
  clock: { now: number };
  path: string;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const dir = await Deno.makeTempDir({ prefix: "kvflow-auth-" });
  const kvA = await Deno.openKv(`${dir}/auth.kv`);
  const kvB = await Deno.openKv(`${dir}/auth.kv`);
  const clock = { now: T0 };
  const opts = { pbkdf2Iterations: TEST_ITERATIONS, now: () => clock.now };
  return {
    a: createKvAuthStore(kvA, opts),
    b: createKvAuthStore(kvB, opts),
    clock,
    path: `${dir}/auth.kv`,
    async [Symbol.asyncDispose]() {
      kvA.close();
      kvB.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("[kv, two handles] createUser() of one name: exactly one wins", async () => {
  await using h = await twoHandles();
  const results = await Promise.allSettled(
    Array.from({ length: 6 }, (_, i) => (i % 2 ? h.a : h.b).createUser("alice", PW, false)),
  );
  const won = results.filter((r) => r.status === "fulfilled");
  assert.equal(won.length, 1);
  for (const r of results) {
    if (r.status === "rejected") {
      assert.ok(r.reason instanceof MlflowError);
      assert.equal(r.reason.message, "User (username=alice) already exists.");
    }
  }
  assert.equal((await h.a.listUsers()).users.length, 1);
  assert.equal((await h.b.getUser("alice")).id, 1);
});

Deno.test("[kv, two handles] createUser() of different names allocates distinct ids", async () => {
  await using h = await twoHandles();
  const users = await Promise.all(
    Array.from({ length: 8 }, (_, i) => (i % 2 ? h.a : h.b).createUser(`u${i}`, PW, false)),
  );
  assert.deepEqual(users.map((u) => u.id).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("[kv, two handles] a revocation or deletion through one is seen by the other", async () => {
  await using h = await twoHandles();
  const alice = await h.a.createUser("alice", PW, false);
  const { token, record } = await h.a.createToken("alice", "ci");
  assert.equal((await h.b.verifyToken(token))?.username, "alice");
  await h.a.revokeToken("alice", record.id);
  assert.equal(await h.b.verifyToken(token), null);

  const s = await h.b.createSession(alice.id, 60_000);
  assert.ok(await h.a.getSession(s.id));
  await h.a.updatePassword("alice", "a brand new password");
  assert.equal(await h.b.getSession(s.id), null, "password change ends sessions everywhere");

  await h.a.createExperimentPermission("1", "alice", "EDIT");
  assert.equal(await h.b.findExperimentPermission("1", alice.id), "EDIT");
  const t2 = await h.b.createToken("alice", "laptop");
  await h.b.deleteUser("alice");
  assert.equal(await h.a.verifyToken(t2.token), null);
  assert.equal(await h.a.findExperimentPermission("1", alice.id), null);
  assert.equal(await h.a.verifyPassword("alice", "a brand new password"), null);
});

Deno.test("[kv, two handles] failed-login counts from both add up exactly", async () => {
  await using h = await twoHandles();
  await Promise.all(
    Array.from({ length: 30 }, (_, i) => (i % 2 ? h.a : h.b).recordFailedLogin("bob", 60_000)),
  );
  assert.equal((await h.a.failedLogins("bob")).count, 30);
  assert.equal((await h.b.failedLogins("bob")).count, 30);
});

Deno.test("[kv, two handles] grants on one (experiment, user) pair: exactly one wins", async () => {
  await using h = await twoHandles();
  await h.a.createUser("carol", PW, false);
  const results = await Promise.allSettled(
    Array.from(
      { length: 6 },
      (_, i) =>
        (i % 2 ? h.a : h.b).createExperimentPermission("1", "carol", i % 3 ? "READ" : "EDIT"),
    ),
  );
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  assert.equal((await h.b.getUser("carol")).experiment_permissions.length, 1);
});

Deno.test("[kv, two handles] deleteUser() racing grants, tokens and sessions leaves none behind", async () => {
  await using h = await twoHandles();
  const carol = await h.a.createUser("carol", PW, false);
  const writes = Array.from({ length: 12 }, (_, i) => {
    const s = i % 2 ? h.a : h.b;
    if (i % 3 === 0) return s.createExperimentPermission(String(i), "carol", "READ");
    if (i % 3 === 1) return s.createToken("carol", `t${i}`);
    return s.createSession(carol.id, 60_000);
  });
  const [deleted, ...results] = await Promise.allSettled([h.b.deleteUser("carol"), ...writes]);
  assert.equal(deleted.status, "fulfilled");
  for (const r of results) {
    if (r.status === "rejected") assert.equal(r.reason.code, "RESOURCE_DOES_NOT_EXIST");
  }
  using kv = await Deno.openKv(h.path);
  for await (const e of kv.list({ prefix: [] })) {
    assert.ok(
      ["auth_counters"].includes(String(e.key[0])),
      `left behind: ${JSON.stringify(e.key)}`,
    );
  }
});

Deno.test("createKvAuthStore() keeps its keys apart from the tracking store's", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = createKvAuthStore(kv, { pbkdf2Iterations: TEST_ITERATIONS });
  const alice = await store.createUser("alice", PW, false);
  await store.createExperimentPermission("1", "alice", "READ");
  await store.createToken("alice", "ci");
  await store.createSession(alice.id, 60_000);
  await store.recordFailedLogin("bob", 60_000);
  for await (const e of kv.list({ prefix: [] })) {
    assert.match(String(e.key[0]), /^auth_/, JSON.stringify(e.key));
  }
  // Nothing stored holds a secret: only digests and the password hash.
  await store.deleteUser("alice");
  const left: string[] = [];
  for await (const e of kv.list({ prefix: [] })) left.push(String(e.key[0]));
  assert.deepEqual(left.sort(), ["auth_counters", "auth_failed_logins"]);
});
