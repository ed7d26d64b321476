import assert from "node:assert/strict";
import { dummyPasswordHash, hashPassword, verifyPasswordHash } from "./password.ts";
import { createMemoryAuthStore } from "./memory/mod.ts";
import { createKvAuthStore } from "./kv/mod.ts";
import { DEFAULT_PBKDF2_ITERATIONS } from "./types.ts";

const PW = "correct horse battery";

Deno.test("DEFAULT_PBKDF2_ITERATIONS is at least OWASP's 600,000", () => {
  assert.ok(DEFAULT_PBKDF2_ITERATIONS >= 600_000);
});

Deno.test("hashPassword() writes a self-describing, salted hash", async () => {
  const a = await hashPassword(PW, 1000);
  const b = await hashPassword(PW, 1000);
  assert.match(a, /^pbkdf2-sha256\$1000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  assert.notEqual(a, b, "a fresh salt each time");
  assert.ok(await verifyPasswordHash(PW, a));
  assert.ok(!await verifyPasswordHash(PW + " ", a));
  assert.ok(!await verifyPasswordHash("", a));
});

Deno.test("verifyPasswordHash() is false for malformed stored values", async () => {
  const good = await hashPassword(PW, 1000);
  const [, , salt, hash] = good.split("$");
  for (
    const bad of [
      "",
      "plain",
      `pbkdf2-sha1$1000$${salt}$${hash}`,
      `pbkdf2-sha256$0$${salt}$${hash}`,
      `pbkdf2-sha256$99999999999$${salt}$${hash}`,
      `pbkdf2-sha256$1000$!!$${hash}`,
      `pbkdf2-sha256$1000$${salt}$${hash.slice(4)}`,
      `pbkdf2-sha256$1001$${salt}$${hash}`,
    ]
  ) assert.equal(await verifyPasswordHash(PW, bad), false, bad);
});

Deno.test("verifyPasswordHash() checks a hash at the count it was made with", async () => {
  const old = await hashPassword(PW, 1000);
  const dummy = await dummyPasswordHash(1000);
  assert.ok(await verifyPasswordHash(PW, old));
  assert.ok(!await verifyPasswordHash(PW, dummy));
});

Deno.test("createKvAuthStore() verifies passwords hashed before the iteration count changed", async () => {
  using kv = await Deno.openKv(":memory:");
  await createKvAuthStore(kv, { pbkdf2Iterations: 1000 }).createUser("alice", PW, false);
  const later = createKvAuthStore(kv, { pbkdf2Iterations: 2000 });
  assert.equal((await later.verifyPassword("alice", PW))?.username, "alice");
  await later.updatePassword("alice", "a brand new password");
  assert.equal((await later.verifyPassword("alice", "a brand new password"))?.username, "alice");
});

Deno.test("createMemoryAuthStore() uses the default count unless told otherwise", async () => {
  // One real 600k hash (~0.3 s) proves the default reaches the stored form.
  const store = createMemoryAuthStore();
  await store.createUser("alice", PW, false);
  assert.equal((await store.verifyPassword("alice", PW))?.username, "alice");
  const stored = await hashPassword(PW, DEFAULT_PBKDF2_ITERATIONS);
  assert.ok(stored.startsWith(`pbkdf2-sha256$${DEFAULT_PBKDF2_ITERATIONS}$`));
});
