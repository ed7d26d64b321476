/** Conformance: browser sessions — create, get, expiry, logout, invalidation. */
import assert from "node:assert/strict";
import { assertMlflowError } from "../../fixtures.ts";
import { type DefineAuth, PW } from "./_harness.ts";

const HOUR = 3_600_000;

/** Registers the session tests. */
export function sessionConformance(test: DefineAuth): void {
  test(
    "createSession() returns a secret id and CSRF token; getSession() finds it",
    async (store, clock) => {
      const alice = await store.createUser("alice", PW, false);
      const s = await store.createSession(alice.id, HOUR);
      assert.match(s.id, /^[A-Za-z0-9_-]{43}$/);
      assert.match(s.csrf_token, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(s.id, s.csrf_token);
      assert.deepEqual(s, {
        id: s.id,
        user_id: alice.id,
        csrf_token: s.csrf_token,
        created_at: clock.now,
        expires_at: clock.now + HOUR,
      });
      const { id: _, ...rest } = s;
      assert.deepEqual(await store.getSession(s.id), rest);
      const other = await store.createSession(alice.id, HOUR);
      assert.notEqual(other.id, s.id);
      assert.notEqual(other.csrf_token, s.csrf_token);
    },
  );

  test("getSession() is null for unknown or malformed ids", async (store) => {
    const alice = await store.createUser("alice", PW, false);
    const s = await store.createSession(alice.id, HOUR);
    for (const id of ["", "x", s.id.slice(1), s.id + "A", s.csrf_token]) {
      assert.equal(await store.getSession(id), null, id);
    }
  });

  test("getSession() is null once the session expired", async (store, clock) => {
    const alice = await store.createUser("alice", PW, false);
    const s = await store.createSession(alice.id, HOUR);
    clock.advance(HOUR - 1);
    assert.ok(await store.getSession(s.id));
    clock.advance(1);
    assert.equal(await store.getSession(s.id), null);
  });

  test("deleteSession() ends one session; unknown ids are ignored", async (store) => {
    const alice = await store.createUser("alice", PW, false);
    const a = await store.createSession(alice.id, HOUR);
    const b = await store.createSession(alice.id, HOUR);
    await store.deleteSession(a.id);
    await store.deleteSession(a.id);
    await store.deleteSession("not-a-session");
    assert.equal(await store.getSession(a.id), null);
    assert.ok(await store.getSession(b.id));
  });

  test("getSession() is null after the user's password changed", async (store) => {
    const alice = await store.createUser("alice", PW, false);
    const bob = await store.createUser("bob", PW, false);
    const a = await store.createSession(alice.id, HOUR);
    const b = await store.createSession(bob.id, HOUR);
    await store.updatePassword("alice", "a brand new password");
    assert.equal(await store.getSession(a.id), null);
    assert.ok(await store.getSession(b.id), "other users keep theirs");
    const fresh = await store.createSession(alice.id, HOUR);
    assert.ok(await store.getSession(fresh.id), "a session made after the change lives");
    await store.updateAdmin("alice", true);
    assert.ok(await store.getSession(fresh.id), "an admin change does not log out");
  });

  test("getSession() is null after the user was deleted, even if the name is reused", async (store) => {
    const dora = await store.createUser("dora", PW, false);
    const s = await store.createSession(dora.id, HOUR);
    await store.deleteUser("dora");
    assert.equal(await store.getSession(s.id), null);
    await store.createUser("dora", PW, false);
    assert.equal(await store.getSession(s.id), null);
  });

  test("createSession() refuses an unknown user and a bad lifetime", async (store) => {
    const alice = await store.createUser("alice", PW, false);
    await assertMlflowError(store.createSession(99, HOUR), "RESOURCE_DOES_NOT_EXIST");
    await assertMlflowError(store.createSession(alice.id, 0), "INVALID_PARAMETER_VALUE");
    await assertMlflowError(store.createSession(alice.id, 1.5), "INVALID_PARAMETER_VALUE");
  });
}
