/** Conformance: API tokens — create, list, revoke, verify, expiry, last-used throttling. */
import assert from "node:assert/strict";
import { assertMlflowError } from "../../fixtures.ts";
import { TOKEN_LAST_USED_EVERY_MS } from "../../../store/auth/types.ts";
import { MAX_TOKENS_PER_USER } from "../../../store/auth/validation.ts";
import { type DefineAuth, PW } from "./_harness.ts";

/** Registers the token tests. */
export function tokenConformance(test: DefineAuth): void {
  test("createToken() returns a kvf_ secret once and a record without it", async (store, clock) => {
    const alice = await store.createUser("alice", PW, false);
    const { token, record } = await store.createToken("alice", "laptop");
    assert.match(token, /^kvf_[A-Za-z0-9_-]{43}$/);
    assert.match(record.id, /^[A-Za-z0-9_-]{16}$/);
    assert.deepEqual(record, {
      id: record.id,
      name: "laptop",
      user_id: alice.id,
      created_at: clock.now,
    });
    assert.deepEqual(await store.verifyToken(token), alice);
  });

  test("verifyToken() refuses unknown, malformed and foreign secrets", async (store) => {
    await store.createUser("alice", PW, false);
    const { token } = await store.createToken("alice", "ci");
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const s of [flipped, "", "kvf_", token + "x", token.slice(4), "Basic abc", PW]) {
      assert.equal(await store.verifyToken(s), null, s);
    }
  });

  test(
    "listTokens() lists the user's tokens newest first, never a secret",
    async (store, clock) => {
      await store.createUser("alice", PW, false);
      await store.createUser("bob", PW, false);
      const a = await store.createToken("alice", "first");
      clock.advance(1000);
      const b = await store.createToken("alice", "second", clock.now + 86_400_000);
      await store.createToken("bob", "bobs");
      const list = await store.listTokens("alice");
      assert.deepEqual(list.map((t) => t.name), ["second", "first"]);
      assert.deepEqual(list[0], b.record);
      assert.equal(list[0].expires_at, clock.now + 86_400_000);
      const text = JSON.stringify(list);
      for (const secret of [a.token, b.token, a.token.slice(4), b.token.slice(4)]) {
        assert.ok(!text.includes(secret));
      }
      assert.deepEqual(await store.listTokens("bob").then((l) => l.map((t) => t.name)), ["bobs"]);
      await assertMlflowError(store.listTokens("nobody"), "RESOURCE_DOES_NOT_EXIST");
    },
  );

  test("revokeToken() ends a token; 404 for another user's or an unknown id", async (store) => {
    await store.createUser("alice", PW, false);
    await store.createUser("bob", PW, false);
    const a = await store.createToken("alice", "laptop");
    const keep = await store.createToken("alice", "ci");
    await assertMlflowError(
      store.revokeToken("bob", a.record.id),
      "RESOURCE_DOES_NOT_EXIST",
      `API token with id=${a.record.id} not found`,
    );
    assert.ok(await store.verifyToken(a.token));
    await store.revokeToken("alice", a.record.id);
    assert.equal(await store.verifyToken(a.token), null);
    assert.ok(await store.verifyToken(keep.token));
    await assertMlflowError(store.revokeToken("alice", a.record.id), "RESOURCE_DOES_NOT_EXIST");
    // A secret pasted as the id is never echoed back.
    const e = await assertMlflowError(
      store.revokeToken("alice", keep.token),
      "RESOURCE_DOES_NOT_EXIST",
    );
    assert.ok(!e.message.includes(keep.token.slice(4)));
    assert.deepEqual((await store.listTokens("alice")).map((t) => t.name), ["ci"]);
  });

  test("createToken() validates the name, the expiry and the user", async (store, clock) => {
    await store.createUser("alice", PW, false);
    await assertMlflowError(store.createToken("alice", ""), "INVALID_PARAMETER_VALUE");
    await assertMlflowError(store.createToken("alice", "x".repeat(101)), "INVALID_PARAMETER_VALUE");
    await assertMlflowError(store.createToken("alice", "a\nb"), "INVALID_PARAMETER_VALUE");
    await assertMlflowError(
      store.createToken("alice", "old", clock.now),
      "INVALID_PARAMETER_VALUE",
    );
    await assertMlflowError(
      store.createToken("alice", "old", clock.now - 1),
      "INVALID_PARAMETER_VALUE",
    );
    await assertMlflowError(
      store.createToken("nobody", "laptop"),
      "RESOURCE_DOES_NOT_EXIST",
      "User with username=nobody not found",
    );
    assert.deepEqual(await store.listTokens("alice"), []);
  });

  test("createToken() caps the tokens one user holds", async (store) => {
    await store.createUser("alice", PW, false);
    for (let i = 0; i < MAX_TOKENS_PER_USER; i++) await store.createToken("alice", `t${i}`);
    await assertMlflowError(store.createToken("alice", "one more"), "INVALID_PARAMETER_VALUE");
    const [first] = await store.listTokens("alice");
    await store.revokeToken("alice", first.id);
    await store.createToken("alice", "one more");
  });

  test("verifyToken() refuses an expired token", async (store, clock) => {
    await store.createUser("alice", PW, false);
    const { token } = await store.createToken("alice", "short-lived", clock.now + 60_000);
    clock.advance(59_999);
    assert.ok(await store.verifyToken(token));
    clock.advance(1);
    assert.equal(await store.verifyToken(token), null);
    assert.equal((await store.listTokens("alice")).length, 1, "still listed, to be revoked");
  });

  test("verifyToken() writes last_used_at at most once a minute", async (store, clock) => {
    await store.createUser("alice", PW, false);
    const { token } = await store.createToken("alice", "ci");
    const lastUsed = async () => (await store.listTokens("alice"))[0].last_used_at;
    assert.equal(await lastUsed(), undefined);
    const t0 = clock.now;
    await store.verifyToken(token);
    assert.equal(await lastUsed(), t0);
    clock.advance(TOKEN_LAST_USED_EVERY_MS - 1);
    await store.verifyToken(token);
    assert.equal(await lastUsed(), t0, "not rewritten within the minute");
    clock.advance(1);
    await store.verifyToken(token);
    assert.equal(await lastUsed(), t0 + TOKEN_LAST_USED_EVERY_MS);
  });

  test("verifyToken() refuses a deleted user's token, even after the name is reused", async (store) => {
    await store.createUser("dora", PW, false);
    const { token } = await store.createToken("dora", "laptop");
    await store.deleteUser("dora");
    assert.equal(await store.verifyToken(token), null);
    await store.createUser("dora", PW, false);
    assert.equal(await store.verifyToken(token), null);
    assert.deepEqual(await store.listTokens("dora"), []);
  });

  test("verifyToken() survives a password change (tokens are separate credentials)", async (store) => {
    await store.createUser("alice", PW, false);
    const { token } = await store.createToken("alice", "ci");
    await store.updatePassword("alice", "a brand new password");
    assert.equal((await store.verifyToken(token))?.username, "alice");
  });
}
