import assert from "node:assert/strict";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import {
  addressLimitKey,
  createLoginLimiter,
  FAILED_LOGIN_WINDOW_MS,
  MAX_FAILED_LOGINS_PER_ADDRESS,
  MAX_FAILED_LOGINS_PER_USER,
  userLimitKey,
} from "./login_limiter.ts";

Deno.test("login limiter: the constants the README lists", () => {
  assert.equal(MAX_FAILED_LOGINS_PER_USER, 10);
  assert.equal(MAX_FAILED_LOGINS_PER_ADDRESS, 50);
  assert.equal(FAILED_LOGIN_WINDOW_MS, 300_000);
  assert.equal(userLimitKey("alice"), "user:alice");
  assert.equal(addressLimitKey("10.0.0.1"), "addr:10.0.0.1");
});

Deno.test("login limiter: over the limit until the window ends; Retry-After rounds up, at least 1", async () => {
  const clock = { t: 5_000 };
  const now = () => clock.t;
  const store = createMemoryAuthStore({ pbkdf2Iterations: 1000, now });
  const limiter = createLoginLimiter({ now, maxPerUser: 2, maxPerAddress: 3, windowMs: 10_000 });
  await limiter.fail(store, "alice", "a1");
  assert.deepEqual(await limiter.check(store, "alice", "a1"), {
    limited: false,
    userFailures: 1,
  });
  await limiter.fail(store, "alice", "a1");
  assert.deepEqual(limiter.checkLocal("alice", undefined), {
    limited: true,
    retryAfterSeconds: 10,
  });
  clock.t += 8_500;
  assert.deepEqual(await limiter.check(store, "alice", "a2"), {
    limited: true,
    retryAfterSeconds: 2,
  });
  clock.t += 1_400;
  assert.deepEqual(limiter.checkLocal("alice", undefined), {
    limited: true,
    retryAfterSeconds: 1,
  });
  clock.t += 100;
  assert.equal(limiter.checkLocal("alice", undefined).limited, false);
  assert.equal((await limiter.check(store, "alice", "a2")).limited, false);
  // The address: its own, higher limit.
  await limiter.fail(store, "bob", "a1");
  assert.equal((await limiter.check(store, "carol", "a1")).limited, false);
  await limiter.fail(store, "dan", "a1");
  await limiter.fail(store, "erin", "a1");
  assert.equal((await limiter.check(store, "carol", "a1")).limited, true);
  assert.equal((await limiter.check(store, "carol", "")).limited, false);
});

Deno.test("login limiter: succeed() forgets the username here and in the store", async () => {
  const store = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  const limiter = createLoginLimiter({ maxPerUser: 1 });
  await limiter.fail(store, "alice", undefined);
  assert.equal(limiter.checkLocal("alice", undefined).limited, true);
  await limiter.succeed(store, "alice");
  assert.equal(limiter.checkLocal("alice", undefined).limited, false);
  assert.equal((await store.failedLogins(userLimitKey("alice"))).count, 0);
});
