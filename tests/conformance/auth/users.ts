/** Conformance: users — create, get, list, verify, update, delete, with MLflow's messages. */
import assert from "node:assert/strict";
import { assertMlflowError } from "../../fixtures.ts";
import { type DefineAuth, PW } from "./_harness.ts";

/** Registers the user tests. */
export function userConformance(test: DefineAuth): void {
  test("createUser() allocates ids from 1 and returns the public user", async (store) => {
    assert.deepEqual(await store.createUser("admin", PW, true), {
      id: 1,
      username: "admin",
      is_admin: true,
    });
    assert.deepEqual(await store.createUser("alice", PW, false), {
      id: 2,
      username: "alice",
      is_admin: false,
    });
  });

  test("createUser() refuses a duplicate name with MLflow's message", async (store) => {
    await store.createUser("alice", PW, false);
    await assertMlflowError(
      store.createUser("alice", "another long password", true),
      "RESOURCE_ALREADY_EXISTS",
      "User (username=alice) already exists.",
    );
    await store.createUser("Alice", PW, false); // case-sensitive
    assert.equal((await store.listUsers()).users.length, 2);
  });

  test("createUser() validates the username and password", async (store, _c, t) => {
    await t.step("empty name", async () => {
      await assertMlflowError(
        store.createUser("", PW, false),
        "INVALID_PARAMETER_VALUE",
        "Username cannot be empty.",
      );
    });
    await t.step("a colon or a control character", async () => {
      for (const name of ["a:b", "a\nb", "a\u0000"]) {
        await assertMlflowError(store.createUser(name, PW, false), "INVALID_PARAMETER_VALUE");
      }
    });
    await t.step("over 255 characters", async () => {
      await assertMlflowError(
        store.createUser("x".repeat(256), PW, false),
        "INVALID_PARAMETER_VALUE",
      );
      await store.createUser("x".repeat(255), PW, false);
    });
    await t.step("short password, with MLflow 3's message", async () => {
      await assertMlflowError(
        store.createUser("bob", "short", false),
        "INVALID_PARAMETER_VALUE",
        "Password must be a string longer than 12 characters.",
      );
      await assertMlflowError(
        store.createUser("bob", "x".repeat(11), false),
        "INVALID_PARAMETER_VALUE",
      );
      await store.createUser("bob", "x".repeat(12), false);
    });
    await t.step("is_admin must be a boolean", async () => {
      await assertMlflowError(
        store.createUser("carol", PW, "false" as unknown as boolean),
        "INVALID_PARAMETER_VALUE",
      );
    });
  });

  test("getUser() returns the user with empty grant lists, 404 when unknown", async (store) => {
    await store.createUser("alice", PW, false);
    assert.deepEqual(await store.getUser("alice"), {
      id: 1,
      username: "alice",
      is_admin: false,
      experiment_permissions: [],
      registered_model_permissions: [],
    });
    await assertMlflowError(
      store.getUser("nobody"),
      "RESOURCE_DOES_NOT_EXIST",
      "User with username=nobody not found",
    );
  });

  test("getUserById() returns the user or null", async (store) => {
    const a = await store.createUser("alice", PW, false);
    assert.deepEqual(await store.getUserById(a.id), a);
    assert.equal(await store.getUserById(99), null);
  });

  test("credentialEpoch() changes with the password only; null once deleted", async (store) => {
    const alice = await store.createUser("alice", PW, false);
    const e0 = await store.credentialEpoch(alice.id);
    assert.equal(typeof e0, "number");
    await store.updateAdmin("alice", true);
    await store.createExperimentPermission("1", "alice", "READ");
    await store.createToken("alice", "ci");
    assert.equal(await store.credentialEpoch(alice.id), e0);
    await store.updatePassword("alice", "a brand new password");
    const e1 = await store.credentialEpoch(alice.id);
    assert.notEqual(e1, e0);
    await store.deleteUser("alice");
    assert.equal(await store.credentialEpoch(alice.id), null);
    assert.equal(await store.credentialEpoch(99), null);
  });

  test("listUsers() lists by username and pages", async (store) => {
    for (const n of ["carol", "alice", "bob", "dora"]) await store.createUser(n, PW, false);
    const all = await store.listUsers();
    assert.deepEqual(all.users.map((u) => u.username), ["alice", "bob", "carol", "dora"]);
    assert.equal(all.nextPageToken, undefined);
    const p1 = await store.listUsers({ maxResults: 3 });
    assert.deepEqual(p1.users.map((u) => u.username), ["alice", "bob", "carol"]);
    assert.ok(p1.nextPageToken);
    const p2 = await store.listUsers({ maxResults: 3, pageToken: p1.nextPageToken });
    assert.deepEqual(p2.users.map((u) => u.username), ["dora"]);
    assert.equal(p2.nextPageToken, undefined);
    const exact = await store.listUsers({ maxResults: 4 });
    assert.equal(exact.nextPageToken, undefined, "no token when nothing follows");
    await assertMlflowError(store.listUsers({ maxResults: 0 }), "INVALID_PARAMETER_VALUE");
    await assertMlflowError(store.listUsers({ pageToken: "garbage!" }), "INVALID_PARAMETER_VALUE");
    for (const u of all.users) {
      assert.deepEqual(Object.keys(u).sort(), ["id", "is_admin", "username"]);
    }
  });

  test("listUsers() orders names by their UTF-8 bytes, as KV keys sort", async (store) => {
    for (const n of ["😀", "ａ", "é", "z"]) await store.createUser(n, PW, false);
    const expected = ["z", "é", "ａ", "😀"]; // UTF-16 order would put 😀 before ａ
    assert.deepEqual((await store.listUsers()).users.map((u) => u.username), expected);
    const p1 = await store.listUsers({ maxResults: 2 });
    const p2 = await store.listUsers({ maxResults: 2, pageToken: p1.nextPageToken });
    assert.deepEqual([...p1.users, ...p2.users].map((u) => u.username), expected);
  });

  test("verifyPassword() returns the user only for the right password", async (store) => {
    const a = await store.createUser("alice", PW, false);
    assert.deepEqual(await store.verifyPassword("alice", PW), a);
    assert.equal(await store.verifyPassword("alice", PW + "x"), null);
    assert.equal(await store.verifyPassword("alice", ""), null);
    assert.equal(await store.verifyPassword("Alice", PW), null);
    assert.equal(await store.verifyPassword("nobody", PW), null);
    assert.equal(await store.verifyPassword("", PW), null);
    assert.equal(await store.verifyPassword("alice", PW + "x".repeat(5000)), null);
  });

  test("updatePassword() replaces the password with the same rules, 404 when unknown", async (store) => {
    await store.createUser("alice", PW, false);
    await store.updatePassword("alice", "a brand new password");
    assert.equal(await store.verifyPassword("alice", PW), null);
    assert.equal((await store.verifyPassword("alice", "a brand new password"))?.username, "alice");
    await assertMlflowError(
      store.updatePassword("alice", "short"),
      "INVALID_PARAMETER_VALUE",
      "Password must be a string longer than 12 characters.",
    );
    await assertMlflowError(
      store.updatePassword("nobody", PW),
      "RESOURCE_DOES_NOT_EXIST",
      "User with username=nobody not found",
    );
  });

  test("updateAdmin() sets and clears the admin flag, 404 when unknown", async (store) => {
    await store.createUser("carol", PW, false);
    await store.updateAdmin("carol", true);
    assert.equal((await store.getUser("carol")).is_admin, true);
    assert.equal((await store.verifyPassword("carol", PW))?.is_admin, true);
    await store.updateAdmin("carol", false);
    assert.equal((await store.getUser("carol")).is_admin, false);
    await assertMlflowError(
      store.updateAdmin("nobody", true),
      "RESOURCE_DOES_NOT_EXIST",
      "User with username=nobody not found",
    );
  });

  test("deleteUser() removes the user; the name can be reused with a new id", async (store) => {
    const dora = await store.createUser("dora", PW, false);
    await store.createExperimentPermission("1", "dora", "EDIT");
    await store.deleteUser("dora");
    await assertMlflowError(store.getUser("dora"), "RESOURCE_DOES_NOT_EXIST");
    assert.equal(await store.verifyPassword("dora", PW), null);
    assert.equal(await store.getUserById(dora.id), null);
    assert.deepEqual((await store.listUsers()).users, []);
    await assertMlflowError(
      store.deleteUser("dora"),
      "RESOURCE_DOES_NOT_EXIST",
      "User with username=dora not found",
    );
    const again = await store.createUser("dora", PW, false);
    assert.ok(again.id > dora.id, "ids are never reused");
    assert.deepEqual((await store.getUser("dora")).experiment_permissions, []);
    assert.equal(await store.findExperimentPermission("1", dora.id), null);
  });

  test("createUserWithHash() takes a hash from getPasswordHash(): the password still verifies", async (store) => {
    await store.createUser("erin", PW, false);
    const hash = await store.getPasswordHash("erin");
    assert.match(hash, /^pbkdf2-sha256\$/);
    assert.ok(!hash.includes(PW));
    await store.deleteUser("erin");
    const back = await store.createUserWithHash("erin", hash, true);
    assert.equal(back.is_admin, true);
    assert.equal((await store.verifyPassword("erin", PW))?.username, "erin");
    await assertMlflowError(
      store.createUserWithHash("erin", hash, false),
      "RESOURCE_ALREADY_EXISTS",
    );
    await assertMlflowError(
      store.createUserWithHash("frank", "plain text", false),
      "INVALID_PARAMETER_VALUE",
    );
    await assertMlflowError(store.getPasswordHash("nobody"), "RESOURCE_DOES_NOT_EXIST");
  });
}
