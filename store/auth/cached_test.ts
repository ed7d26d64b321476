import assert from "node:assert/strict";
import { createCachedAuthStore } from "./cached.ts";
import { createMemoryAuthStore } from "./memory/mod.ts";
import type { AuthStore } from "./types.ts";

const PW = "a long enough password";

/** Counts the reads that reach the store underneath. */
function counting(store: AuthStore): { store: AuthStore; reads: Record<string, number> } {
  const reads: Record<string, number> = {};
  const wrapped = { ...store };
  for (
    const name of [
      "credentialEpoch",
      "verifyToken",
      "findExperimentPermission",
      "findRegisteredModelPermission",
    ] as const
  ) {
    const fn = store[name] as (...a: unknown[]) => Promise<unknown>;
    (wrapped as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
      reads[name] = (reads[name] ?? 0) + 1;
      return fn(...a);
    };
  }
  return { store: wrapped, reads };
}

async function setup(ttlMs: number) {
  const clock = { now: 1_000_000 };
  const base = createMemoryAuthStore({ pbkdf2Iterations: 1000, now: () => clock.now });
  const { store: under, reads } = counting(base);
  const store = createCachedAuthStore(under, { ttlMs, now: () => clock.now });
  const bob = await store.createUser("bob", PW, false);
  return { clock, base, store, reads, bob };
}

Deno.test("cached auth store: repeated reads within the TTL reach the store once", async () => {
  const { store, reads, bob } = await setup(2_000);
  await store.createExperimentPermission("1", "bob", "READ");
  const { token } = await store.createToken("bob", "laptop");
  for (let i = 0; i < 5; i++) {
    assert.equal(await store.findExperimentPermission("1", bob.id), "READ");
    assert.equal(await store.findExperimentPermission("2", bob.id), null);
    assert.equal(await store.findRegisteredModelPermission("m", bob.id), null);
    assert.equal(typeof (await store.credentialEpoch(bob.id)), "number");
    assert.equal((await store.verifyToken(token))?.username, "bob");
  }
  assert.deepEqual(reads, {
    findExperimentPermission: 2,
    findRegisteredModelPermission: 1,
    credentialEpoch: 1,
    verifyToken: 1,
  });
});

Deno.test("cached auth store: a write through it is seen at once", async () => {
  const { store, bob } = await setup(60_000);
  await store.createExperimentPermission("1", "bob", "EDIT");
  assert.equal(await store.findExperimentPermission("1", bob.id), "EDIT");
  await store.updateExperimentPermission("1", "bob", "NO_PERMISSIONS");
  assert.equal(await store.findExperimentPermission("1", bob.id), "NO_PERMISSIONS");
  await store.deleteExperimentPermission("1", "bob");
  assert.equal(await store.findExperimentPermission("1", bob.id), null);

  const { token, record } = await store.createToken("bob", "ci");
  assert.equal((await store.verifyToken(token))?.id, bob.id);
  await store.revokeToken("bob", record.id);
  assert.equal(await store.verifyToken(token), null);

  const epoch = await store.credentialEpoch(bob.id);
  await store.updatePassword("bob", "another long password");
  assert.notEqual(await store.credentialEpoch(bob.id), epoch);
  await store.deleteUser("bob");
  assert.equal(await store.credentialEpoch(bob.id), null);
});

Deno.test("cached auth store: a change made elsewhere is seen once the TTL is over", async () => {
  const { clock, base, store, bob } = await setup(2_000);
  await base.createExperimentPermission("1", "bob", "MANAGE");
  assert.equal(await store.findExperimentPermission("1", bob.id), "MANAGE");
  const { token, record } = await base.createToken("bob", "laptop");
  assert.equal((await store.verifyToken(token))?.id, bob.id);

  // "Another process": the store underneath, not the wrapper.
  await base.deleteExperimentPermission("1", "bob");
  await base.revokeToken("bob", record.id);
  clock.now += 1_999;
  assert.equal(await store.findExperimentPermission("1", bob.id), "MANAGE");
  assert.equal((await store.verifyToken(token))?.id, bob.id);
  clock.now += 1;
  assert.equal(await store.findExperimentPermission("1", bob.id), null);
  assert.equal(await store.verifyToken(token), null);
});

Deno.test("cached auth store: unknown tokens are never cached; ttl 0 caches nothing", async () => {
  const { store, reads } = await setup(2_000);
  for (let i = 0; i < 3; i++) assert.equal(await store.verifyToken("kvf_nope"), null);
  assert.equal(reads.verifyToken, 3);

  const plain = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  assert.equal(createCachedAuthStore(plain, { ttlMs: 0 }), plain);
});

Deno.test("cached auth store: a read racing a write does not cache the older answer", async () => {
  const base = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  const bob = await base.createUser("bob", PW, false);
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const slow: AuthStore = {
    ...base,
    async findExperimentPermission(id, user) {
      const v = await base.findExperimentPermission(id, user);
      await gate;
      return v;
    },
  };
  const store = createCachedAuthStore(slow, { ttlMs: 60_000 });
  const racing = store.findExperimentPermission("1", bob.id);
  await store.createExperimentPermission("1", "bob", "READ");
  release();
  assert.equal(await racing, null);
  assert.equal(await base.findExperimentPermission("1", bob.id), "READ");
  // The racing read saw the state before the write; it must not have been kept.
  const fresh = createCachedAuthStore(base, { ttlMs: 60_000 });
  assert.equal(await fresh.findExperimentPermission("1", bob.id), "READ");
  assert.equal(await store.findExperimentPermission("1", bob.id), "READ");
});

Deno.test("cached auth store: the cache is bounded", async () => {
  const base = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  const { store: under, reads } = counting(base);
  const store = createCachedAuthStore(under, { ttlMs: 60_000, maxEntries: 3 });
  for (const id of ["1", "2", "3", "4", "1"]) await store.findExperimentPermission(id, 1);
  // "1" was pushed out by "4", so it is read again.
  assert.equal(reads.findExperimentPermission, 5);
});

Deno.test("cached auth store: failed-login counters are cached, and kept exact for this process's own records", async () => {
  const clock = { now: 1_000_000 };
  const base = createMemoryAuthStore({ pbkdf2Iterations: 1000, now: () => clock.now });
  const store = createCachedAuthStore(base, { ttlMs: 2_000, now: () => clock.now });
  assert.equal((await store.failedLogins("user:bob")).count, 0);
  // Recorded through the wrapper: the cached count follows at once.
  await store.recordFailedLogin("user:bob", 60_000);
  await store.recordFailedLogin("user:bob", 60_000);
  assert.equal((await store.failedLogins("user:bob")).count, 2);
  // Recorded elsewhere: seen once the TTL is over.
  await base.recordFailedLogin("user:bob", 60_000);
  assert.equal((await store.failedLogins("user:bob")).count, 2);
  clock.now += 2_000;
  assert.equal((await store.failedLogins("user:bob")).count, 3);
  // Cleared through the wrapper: at once.
  await store.clearFailedLogins("user:bob");
  assert.equal((await store.failedLogins("user:bob")).count, 0);
});

Deno.test("cached auth store: counts recorded through it stay within the cache's bound", async () => {
  const base = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  const { store: under, reads } = counting(base);
  const store = createCachedAuthStore(under, { ttlMs: 60_000, maxEntries: 3 });
  await store.findExperimentPermission("1", 1);
  // Failed logins under many names (a guesser's) push the oldest entry out, not past the bound.
  for (let i = 0; i < 5; i++) await store.recordFailedLogin(`user:guess${i}`, 60_000);
  await store.findExperimentPermission("1", 1);
  assert.equal(reads.findExperimentPermission, 2);
});
