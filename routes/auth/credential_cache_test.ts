import assert from "node:assert/strict";
import { createCredentialCache, MAX_CACHED_CREDENTIALS } from "./credential_cache.ts";

const alice = { id: 1, username: "alice", is_admin: false };
const bob = { id: 2, username: "bob", is_admin: true };

Deno.test("credential cache: keys are HMAC hex, distinct per username and secret, never the secret", async () => {
  const cache = createCredentialCache();
  const k = await cache.key("basic", "alice", "correct horse battery");
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(await cache.key("basic", "alice", "correct horse battery"), k);
  assert.notEqual(await cache.key("basic", "alice", "correct horse batter"), k);
  assert.notEqual(await cache.key("basic", "alicecorrect", " horse battery"), k);
  // A per-process key: another cache (process) computes another value for the same credential.
  assert.notEqual(await createCredentialCache().key("basic", "alice", "correct horse battery"), k);
});

Deno.test("credential cache: an entry lives for the TTL on the injected clock", () => {
  const clock = { t: 1000 };
  const cache = createCredentialCache({ ttlMs: 500, now: () => clock.t });
  cache.set("k", alice, 3);
  assert.deepEqual(cache.get("k"), { user: alice, epoch: 3, expiresAt: 1500 });
  clock.t = 1499;
  assert.ok(cache.get("k"));
  clock.t = 1500;
  assert.equal(cache.get("k"), undefined);
  assert.equal(cache.size, 0);
});

Deno.test("credential cache: bounded, the least recently used entry goes first", () => {
  assert.equal(MAX_CACHED_CREDENTIALS, 10_000);
  const cache = createCredentialCache({ maxEntries: 2 });
  cache.set("a", alice, 0);
  cache.set("b", bob, 0);
  assert.ok(cache.get("a")); // a is now the most recent
  cache.set("c", bob, 0);
  assert.equal(cache.size, 2);
  assert.equal(cache.get("b"), undefined);
  assert.ok(cache.get("a"));
  assert.ok(cache.get("c"));
  cache.delete("a");
  assert.equal(cache.get("a"), undefined);
  for (let i = 0; i < 10; i++) cache.rememberUserId(`u${i}`, i);
  assert.equal(cache.knownUserId("u0"), undefined);
  assert.equal(cache.knownUserId("u9"), 9);
});
