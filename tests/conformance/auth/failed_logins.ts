/** Conformance: failed-login counters in a fixed window. */
import assert from "node:assert/strict";
import { assertMlflowError } from "../../fixtures.ts";
import type { DefineAuth } from "./_harness.ts";

const MIN = 60_000;

/** Registers the failed-login tests. */
export function failedLoginConformance(test: DefineAuth): void {
  test(
    "recordFailedLogin() counts within a window the first failure starts",
    async (store, clock) => {
      const start = clock.now;
      assert.deepEqual(await store.failedLogins("alice"), { count: 0, resets_at: 0 });
      assert.deepEqual(await store.recordFailedLogin("alice", MIN), {
        count: 1,
        resets_at: start + MIN,
      });
      clock.advance(30_000);
      assert.deepEqual(await store.recordFailedLogin("alice", MIN), {
        count: 2,
        resets_at: start + MIN,
      });
      assert.deepEqual(await store.failedLogins("alice"), { count: 2, resets_at: start + MIN });
      assert.deepEqual(await store.failedLogins("ip:10.0.0.1"), { count: 0, resets_at: 0 });
    },
  );

  test("recordFailedLogin() starts a new window once the old one ended", async (store, clock) => {
    await store.recordFailedLogin("alice", MIN);
    await store.recordFailedLogin("alice", MIN);
    clock.advance(MIN);
    assert.deepEqual(await store.failedLogins("alice"), { count: 0, resets_at: 0 });
    assert.deepEqual(await store.recordFailedLogin("alice", MIN), {
      count: 1,
      resets_at: clock.now + MIN,
    });
  });

  test("clearFailedLogins() forgets the count of one key", async (store) => {
    await store.recordFailedLogin("alice", MIN);
    await store.recordFailedLogin("ip:10.0.0.1", MIN);
    await store.clearFailedLogins("alice");
    await store.clearFailedLogins("never-failed");
    assert.equal((await store.failedLogins("alice")).count, 0);
    assert.equal((await store.failedLogins("ip:10.0.0.1")).count, 1);
  });

  test("recordFailedLogin() counts concurrent failures exactly", async (store) => {
    await Promise.all(Array.from({ length: 20 }, () => store.recordFailedLogin("bob", MIN)));
    assert.equal((await store.failedLogins("bob")).count, 20);
  });

  test("recordFailedLogin() takes a long key and refuses a bad window", async (store) => {
    const long = "u".repeat(5000);
    await store.recordFailedLogin(long, MIN);
    assert.equal((await store.failedLogins(long)).count, 1);
    assert.equal((await store.failedLogins("u".repeat(4999))).count, 0);
    await assertMlflowError(store.recordFailedLogin("alice", 0), "INVALID_PARAMETER_VALUE");
    await assertMlflowError(store.recordFailedLogin("", MIN), "INVALID_PARAMETER_VALUE");
  });
}
