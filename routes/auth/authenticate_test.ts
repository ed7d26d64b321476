import assert from "node:assert/strict";
import { createKvAuthStore } from "../../store/auth/kv/mod.ts";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import type { AuthStore, AuthStoreOptions, User } from "../../store/auth/types.ts";
import {
  authenticate,
  authenticatePassword,
  type AuthFailure,
  type AuthResult,
  isAuthFailure,
  UNAUTHENTICATED_MESSAGE,
  WWW_AUTHENTICATE,
} from "./authenticate.ts";
import { createCredentialCache, type CredentialCache } from "./credential_cache.ts";
import {
  FAILED_LOGIN_WINDOW_MS,
  MAX_FAILED_LOGINS_PER_ADDRESS,
  MAX_FAILED_LOGINS_PER_USER,
} from "./login_limiter.ts";

const ITER = 1000;
const T0 = 1_800_000_000_000;
const ALICE_PW = "correct horse battery";
const BOB_PW = "bob's long password";

/** A store that counts calls per method (verifyPassword is the one that runs the KDF). */
function counting(inner: AuthStore): { store: AuthStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(t, k, r) {
      const v = Reflect.get(t, k, r);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        calls.set(String(k), (calls.get(String(k)) ?? 0) + 1);
        return v.apply(t, args);
      };
    },
  });
  return { store, calls };
}

interface Env {
  store: AuthStore;
  /** The unwrapped store (setup calls it, so they are not counted). */
  raw: AuthStore;
  calls: Map<string, number>;
  cache: CredentialCache;
  clock: { t: number };
  alice: User;
  bob: User;
}

type Backend = { name: string; open(opts: AuthStoreOptions): Promise<[AuthStore, () => void]> };
const BACKENDS: Backend[] = [
  { name: "memory", open: (opts) => Promise.resolve([createMemoryAuthStore(opts), () => {}]) },
  {
    name: "kv",
    async open(opts) {
      const kv = await Deno.openKv(":memory:");
      return [createKvAuthStore(kv, opts), () => kv.close()];
    },
  },
];

function both(name: string, fn: (env: Env) => Promise<void>): void {
  for (const b of BACKENDS) {
    Deno.test(`authenticate (${b.name}): ${name}`, async () => {
      const clock = { t: T0 };
      const now = () => clock.t;
      const [raw, close] = await b.open({ pbkdf2Iterations: ITER, now });
      try {
        const alice = await raw.createUser("alice", ALICE_PW, false);
        const bob = await raw.createUser("bob", BOB_PW, true);
        const { store, calls } = counting(raw);
        const cache = createCredentialCache({ now });
        await fn({ store, raw, calls, cache, clock, alice, bob });
      } finally {
        close();
      }
    });
  }
}

const b64 = (s: string) => {
  let bin = "";
  for (const x of new TextEncoder().encode(s)) bin += String.fromCharCode(x);
  return btoa(bin);
};
const basicHeaders = (u: string, p: string, scheme = "Basic") =>
  new Headers({ authorization: `${scheme} ${b64(`${u}:${p}`)}` });
const bearerHeaders = (t: string) => new Headers({ authorization: `Bearer ${t}` });
const kdfRuns = (env: Env) => env.calls.get("verifyPassword") ?? 0;

function assertUser(r: AuthResult, user: User, via: "password" | "token" = "password"): void {
  assert.ok(!isAuthFailure(r), `expected ${user.username}, got ${JSON.stringify(r)}`);
  assert.deepEqual(r, { user, via });
}

function assert401(r: AuthResult, reason: AuthFailure["reason"]): void {
  assert.ok(isAuthFailure(r), `expected 401, got ${JSON.stringify(r)}`);
  assert.equal(r.error, 401);
  assert.equal(r.reason, reason);
  assert.equal(r.message, UNAUTHENTICATED_MESSAGE);
  assert.deepEqual(r.response, {
    status: 401,
    headers: { "content-type": "application/json", "www-authenticate": 'Basic realm="kvflow"' },
    body: JSON.stringify({ error_code: "UNAUTHENTICATED", message: UNAUTHENTICATED_MESSAGE }),
  });
}

function assert429(r: AuthResult, retryAfterSeconds: number): void {
  assert.ok(isAuthFailure(r), `expected 429, got ${JSON.stringify(r)}`);
  assert.equal(r.error, 429);
  assert.equal(r.reason, "limited");
  assert.equal(r.retryAfterSeconds, retryAfterSeconds);
  assert.equal(r.response.status, 429);
  assert.equal(r.response.headers["retry-after"], String(retryAfterSeconds));
  assert.equal(r.response.headers["content-type"], "application/json");
  assert.equal(r.response.headers["www-authenticate"], undefined);
  const body = JSON.parse(r.response.body);
  assert.equal(body.error_code, "REQUEST_LIMIT_EXCEEDED");
  assert.equal(body.message, r.message);
}

Deno.test("authenticate: the 401 is MLflow's text as MLflow's JSON error, with kvflow's realm", () => {
  assert.equal(WWW_AUTHENTICATE, 'Basic realm="kvflow"');
  assert.equal(
    UNAUTHENTICATED_MESSAGE,
    "You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.",
  );
});

both("no Authorization header is 401 missing, and nothing is read", async (env) => {
  assert401(await authenticate(env.store, env.cache, new Headers(), "10.0.0.1"), "missing");
  assert.equal(env.calls.size, 0);
});

both("malformed headers are 401 malformed, counted nowhere", async (env) => {
  for (
    const h of ["Basic !!!notbase64", `Basic ${b64("alicenocolon")}`, "Basic Og==", "Digest x"]
  ) {
    assert401(
      await authenticate(env.store, env.cache, new Headers({ authorization: h }), "10.0.0.1"),
      "malformed",
    );
  }
  assert.equal(env.calls.size, 0);
});

both("good Basic (any scheme case) is the user; a password may hold colons", async (env) => {
  assertUser(await authenticate(env.store, env.cache, basicHeaders("alice", ALICE_PW)), env.alice);
  assertUser(
    await authenticate(env.store, env.cache, basicHeaders("bob", BOB_PW, "basic"), "10.0.0.1"),
    env.bob,
  );
  await env.raw.updatePassword("alice", "with:colons:inside");
  assertUser(
    await authenticate(env.store, env.cache, basicHeaders("alice", "with:colons:inside")),
    env.alice,
  );
});

both("a wrong password, an unknown user, another user's password: 401 invalid", async (env) => {
  for (const [u, p] of [["alice", "wrong password!"], ["nobody", ALICE_PW], ["alice", BOB_PW]]) {
    assert401(await authenticate(env.store, env.cache, basicHeaders(u, p), "10.0.0.1"), "invalid");
  }
  assert.equal((await env.raw.failedLogins("user:alice")).count, 2);
  assert.equal((await env.raw.failedLogins("user:nobody")).count, 1);
  assert.equal((await env.raw.failedLogins("addr:10.0.0.1")).count, 3);
});

both("Bearer: good, expired, revoked, unknown", async (env) => {
  const { token, record } = await env.raw.createToken("alice", "laptop");
  const short = await env.raw.createToken("alice", "short", T0 + 1000);
  assertUser(await authenticate(env.store, env.cache, bearerHeaders(token)), env.alice, "token");
  assertUser(
    await authenticate(env.store, env.cache, bearerHeaders(short.token)),
    env.alice,
    "token",
  );
  env.clock.t += 1000;
  assert401(await authenticate(env.store, env.cache, bearerHeaders(short.token)), "invalid");
  await env.raw.revokeToken("alice", record.id);
  assert401(await authenticate(env.store, env.cache, bearerHeaders(token)), "invalid");
  assert401(
    await authenticate(env.store, env.cache, bearerHeaders("some-bearer-token")),
    "invalid",
  );
  assert401(
    await authenticate(env.store, env.cache, bearerHeaders("kvf_" + "x".repeat(43)), "10.0.0.9"),
    "invalid",
  );
  assert.equal(kdfRuns(env), 0);
  assert.equal((await env.raw.failedLogins("addr:10.0.0.9")).count, 1);
});

both("a token as the Basic password works for its owner only", async (env) => {
  const { token } = await env.raw.createToken("alice", "ci");
  assertUser(
    await authenticate(env.store, env.cache, basicHeaders("alice", token)),
    env.alice,
    "token",
  );
  assert.equal(kdfRuns(env), 0);
  assert401(await authenticate(env.store, env.cache, basicHeaders("bob", token)), "invalid");
  assert.equal((await env.raw.failedLogins("user:bob")).count, 1);
});

both(
  "a cache hit runs no KDF (an epoch read and the shared lockout counter instead)",
  async (env) => {
    const h = () => basicHeaders("alice", ALICE_PW);
    // The first login learns alice's id; the second reads her epoch around the KDF and caches.
    assertUser(await authenticate(env.store, env.cache, h()), env.alice);
    assertUser(await authenticate(env.store, env.cache, h()), env.alice);
    assert.equal(kdfRuns(env), 2);
    assert.equal(env.cache.size, 1);
    const epochReads = env.calls.get("credentialEpoch") ?? 0;
    for (let i = 0; i < 5; i++) {
      assertUser(
        await authenticate(env.store, env.cache, h()),
        env.alice,
      );
    }
    assert.equal(kdfRuns(env), 2);
    assert.equal(env.calls.get("credentialEpoch"), epochReads + 5);
    // One per slow path and one per hit (no address): a lockout seen elsewhere must hold on hits.
    assert.equal(env.calls.get("failedLogins") ?? 0, 2 + 5);
    // Another password for the same user is another entry: a wrong one is never a hit.
    assert401(
      await authenticate(env.store, env.cache, basicHeaders("alice", "not the one!!")),
      "invalid",
    );
    assert.equal(kdfRuns(env), 3);
  },
);

both("the cache expires after its TTL: the KDF runs again", async (env) => {
  const h = () => basicHeaders("alice", ALICE_PW);
  for (let i = 0; i < 3; i++) await authenticate(env.store, env.cache, h());
  assert.equal(kdfRuns(env), 2);
  env.clock.t += env.cache.ttlMs;
  assertUser(await authenticate(env.store, env.cache, h()), env.alice);
  assertUser(await authenticate(env.store, env.cache, h()), env.alice);
  assert.equal(kdfRuns(env), 3);
});

both("a password changed or a user deleted (same handle) is refused at once", async (env) => {
  const h = () => basicHeaders("alice", ALICE_PW);
  for (let i = 0; i < 3; i++) await authenticate(env.store, env.cache, h());
  await env.raw.updatePassword("alice", "a brand new password");
  assert401(await authenticate(env.store, env.cache, h()), "invalid");
  assertUser(
    await authenticate(env.store, env.cache, basicHeaders("alice", "a brand new password")),
    env.alice,
  );
  for (let i = 0; i < 3; i++) await authenticate(env.store, env.cache, basicHeaders("bob", BOB_PW));
  await env.raw.deleteUser("bob");
  assert401(await authenticate(env.store, env.cache, basicHeaders("bob", BOB_PW)), "invalid");
});

both("a password changed during the KDF is not cached under the new epoch", async (env) => {
  const h = () => basicHeaders("alice", ALICE_PW);
  await authenticate(env.store, env.cache, h()); // learns alice's id
  let raced = false;
  const racing: AuthStore = {
    ...env.raw,
    async verifyPassword(u, p) {
      const r = await env.raw.verifyPassword(u, p);
      if (!raced) {
        raced = true;
        await env.raw.updatePassword("alice", "changed meanwhile!");
      }
      return r;
    },
  };
  assertUser(await authenticate(racing, env.cache, h()), env.alice); // verified before the change
  assert.equal(env.cache.size, 0);
  assert401(await authenticate(env.store, env.cache, h()), "invalid");
});

both(
  "10 failures lock the username: 429 with Retry-After, no KDF, even for the right password",
  async (env) => {
    for (let i = 0; i < MAX_FAILED_LOGINS_PER_USER; i++) {
      assert401(
        await authenticate(
          env.store,
          env.cache,
          basicHeaders("alice", `wrong ${i} password`),
          `10.0.1.${i}`,
        ),
        "invalid",
      );
    }
    const runs = kdfRuns(env);
    env.clock.t += 60_000;
    const windowLeft = (FAILED_LOGIN_WINDOW_MS - 60_000) / 1000;
    assert429(
      await authenticate(env.store, env.cache, basicHeaders("alice", ALICE_PW), "10.0.2.1"),
      windowLeft,
    );
    // A fresh process (empty cache) reads the KV counter and refuses before hashing too.
    const other = createCredentialCache({ now: () => env.clock.t });
    assert429(
      await authenticate(env.store, other, basicHeaders("alice", ALICE_PW), "10.0.2.2"),
      windowLeft,
    );
    assert.equal(kdfRuns(env), runs);
    // Other users are not affected; the window's end unlocks alice.
    assertUser(await authenticate(env.store, env.cache, basicHeaders("bob", BOB_PW)), env.bob);
    env.clock.t = T0 + FAILED_LOGIN_WINDOW_MS;
    assertUser(
      await authenticate(env.store, env.cache, basicHeaders("alice", ALICE_PW)),
      env.alice,
    );
  },
);

both("concurrent wrong guesses at one username: at most 10 KDF runs per window", async (env) => {
  const guesses = Array.from(
    { length: 30 },
    (_, i) =>
      authenticate(
        env.store,
        env.cache,
        basicHeaders("alice", `parallel guess ${i}`),
        `10.3.0.${i}`,
      ),
  );
  const results = await Promise.all(guesses);
  assert.equal(kdfRuns(env), MAX_FAILED_LOGINS_PER_USER);
  assert.equal(results.filter((r) => isAuthFailure(r) && r.error === 429).length, 20);
  assert.equal(results.filter((r) => isAuthFailure(r) && r.error === 401).length, 10);
});

both(
  "a locked username is refused on a cache hit too (no oracle for cached passwords)",
  async (env) => {
    const h = () => basicHeaders("alice", ALICE_PW);
    for (let i = 0; i < 3; i++) {
      assertUser(
        await authenticate(env.store, env.cache, h()),
        env.alice,
      );
    }
    assert.equal(env.cache.size, 1);
    for (let i = 0; i < MAX_FAILED_LOGINS_PER_USER; i++) {
      await authenticate(
        env.store,
        env.cache,
        basicHeaders("alice", `guess number ${i}`),
        "10.6.6.6",
      );
    }
    const runs = kdfRuns(env);
    assert429(await authenticate(env.store, env.cache, h()), FAILED_LOGIN_WINDOW_MS / 1000);
    assert429(
      await authenticate(env.store, env.cache, basicHeaders("alice", "another guess!!")),
      FAILED_LOGIN_WINDOW_MS / 1000,
    );
    assert.equal(kdfRuns(env), runs);
  },
);

both(
  "50 failures lock the client address for every username; other addresses still work",
  async (env) => {
    for (let i = 0; i < MAX_FAILED_LOGINS_PER_ADDRESS; i++) {
      await authenticate(
        env.store,
        env.cache,
        basicHeaders(`user${i}`, "a wrong password"),
        "10.9.9.9",
      );
    }
    const runs = kdfRuns(env);
    assert429(
      await authenticate(env.store, env.cache, basicHeaders("alice", ALICE_PW), "10.9.9.9"),
      FAILED_LOGIN_WINDOW_MS / 1000,
    );
    assert.equal(kdfRuns(env), runs);
    assertUser(
      await authenticate(env.store, env.cache, basicHeaders("alice", ALICE_PW), "10.9.9.8"),
      env.alice,
    );
  },
);

both("wrong Bearer tokens count per address; a valid token is never refused", async (env) => {
  const { token } = await env.raw.createToken("alice", "ci");
  for (let i = 0; i < MAX_FAILED_LOGINS_PER_ADDRESS; i++) {
    assert401(
      await authenticate(env.store, env.cache, bearerHeaders(`guess-${i}`), "10.7.7.7"),
      "invalid",
    );
  }
  assert429(
    await authenticate(env.store, env.cache, bearerHeaders("guess-x"), "10.7.7.7"),
    FAILED_LOGIN_WINDOW_MS / 1000,
  );
  assertUser(
    await authenticate(env.store, env.cache, bearerHeaders(token), "10.7.7.7"),
    env.alice,
    "token",
  );
});

both("a success clears the username's counter (not the address's)", async (env) => {
  for (let i = 0; i < 3; i++) {
    await authenticate(env.store, env.cache, basicHeaders("alice", "typo'd password"), "10.0.0.5");
  }
  assert.equal((await env.raw.failedLogins("user:alice")).count, 3);
  assertUser(
    await authenticate(env.store, env.cache, basicHeaders("alice", ALICE_PW), "10.0.0.5"),
    env.alice,
  );
  assert.equal((await env.raw.failedLogins("user:alice")).count, 0);
  assert.equal((await env.raw.failedLogins("addr:10.0.0.5")).count, 3);
});

both("authenticatePassword (the login form) shares the cache and the limits", async (env) => {
  for (let i = 0; i < 3; i++) {
    assertUser(
      await authenticatePassword(env.store, env.cache, "alice", ALICE_PW, "10.0.0.1"),
      env.alice,
    );
  }
  assert.equal(kdfRuns(env), 2);
  assertUser(await authenticate(env.store, env.cache, basicHeaders("alice", ALICE_PW)), env.alice);
  assert.equal(kdfRuns(env), 2);
  for (let i = 0; i < MAX_FAILED_LOGINS_PER_USER; i++) {
    await authenticatePassword(env.store, env.cache, "bob", `not bob's ${i}`, "10.0.0.2");
  }
  assert429(
    await authenticate(env.store, env.cache, basicHeaders("bob", BOB_PW)),
    FAILED_LOGIN_WINDOW_MS / 1000,
  );
});

both("no secret or username appears in any refusal", async (env) => {
  const { token, record } = await env.raw.createToken("alice", "ci");
  await env.raw.revokeToken("alice", record.id);
  const secrets = ["alice", ALICE_PW, "Sup3rS3cretGuess", token, "bearer-secret-xyz"];
  const results: AuthResult[] = [
    await authenticate(env.store, env.cache, basicHeaders("alice", "Sup3rS3cretGuess")),
    await authenticate(env.store, env.cache, basicHeaders("alice", token)),
    await authenticate(env.store, env.cache, bearerHeaders(token)),
    await authenticate(env.store, env.cache, bearerHeaders("bearer-secret-xyz")),
  ];
  for (let i = 0; i < MAX_FAILED_LOGINS_PER_USER; i++) {
    results.push(
      await authenticate(env.store, env.cache, basicHeaders("alice", "Sup3rS3cretGuess")),
    );
  }
  results.push(await authenticate(env.store, env.cache, basicHeaders("alice", ALICE_PW)));
  assert.equal(results.filter((r) => isAuthFailure(r) && r.error === 429).length, 3);
  for (const r of results) {
    assert.ok(isAuthFailure(r));
    const text = JSON.stringify(r);
    for (const s of secrets) assert.ok(!text.includes(s), `${s} leaked: ${text}`);
  }
});

Deno.test("authenticate (kv, two handles on one file): a password change or deletion in one is refused in the other despite its cache", async () => {
  const dir = await Deno.makeTempDir();
  const clock = { t: T0 };
  const opts = { pbkdf2Iterations: ITER, now: () => clock.t };
  const kvA = await Deno.openKv(`${dir}/auth.kv`);
  const kvB = await Deno.openKv(`${dir}/auth.kv`);
  try {
    const a = counting(createKvAuthStore(kvA, opts));
    const b = createKvAuthStore(kvB, opts);
    const alice = await b.createUser("alice", ALICE_PW, false);
    const carol = await b.createUser("carol", "carol's long password", false);
    const cache = createCredentialCache({ now: () => clock.t });
    const h = () => basicHeaders("alice", ALICE_PW);
    for (let i = 0; i < 3; i++) assertUser(await authenticate(a.store, cache, h()), alice);
    const carolH = () => basicHeaders("carol", "carol's long password");
    for (let i = 0; i < 3; i++) assertUser(await authenticate(a.store, cache, carolH()), carol);
    assert.equal(cache.size, 2);
    const runs = a.calls.get("verifyPassword");

    await b.updatePassword("alice", "changed in process B");
    assert401(await authenticate(a.store, cache, h()), "invalid");
    assert.equal(a.calls.get("verifyPassword"), runs! + 1);
    assertUser(
      await authenticate(a.store, cache, basicHeaders("alice", "changed in process B")),
      alice,
    );

    await b.deleteUser("carol");
    assert401(await authenticate(a.store, cache, carolH()), "invalid");

    // Failed logins counted through A lock the username for B's own cache and process.
    for (let i = 0; i < MAX_FAILED_LOGINS_PER_USER; i++) {
      await authenticate(a.store, cache, basicHeaders("alice", `wrong guess ${i}!`));
    }
    assert429(
      await authenticate(b, createCredentialCache({ now: () => clock.t }), h()),
      FAILED_LOGIN_WINDOW_MS / 1000,
    );
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("authenticate (kv, two handles on one file): a lockout reached in one refuses a password cached in the other", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  const [kvA, kvB] = [await Deno.openKv(path), await Deno.openKv(path)];
  try {
    const a = createKvAuthStore(kvA, { pbkdf2Iterations: ITER });
    const b = createKvAuthStore(kvB, { pbkdf2Iterations: ITER });
    const alice = await a.createUser("alice", ALICE_PW, false);
    const [cacheA, cacheB] = [createCredentialCache(), createCredentialCache()];
    const right = () => basicHeaders("alice", ALICE_PW);
    // B caches alice's password (the second verification caches, the third is a hit).
    for (let i = 0; i < 3; i++) assertUser(await authenticate(b, cacheB, right()), alice);
    assert.equal(cacheB.size, 1);
    // A guesser fails in A until the user's limit...
    for (let i = 0; i < MAX_FAILED_LOGINS_PER_USER; i++) {
      await authenticate(a, cacheA, basicHeaders("alice", `guess number ${i}!`));
    }
    assert.equal(isAuthFailure(await authenticate(a, cacheA, right())), true);
    // ...and B, which saw none of it, must not confirm the right password from its cache.
    const r = await authenticate(b, cacheB, right());
    assert.ok(isAuthFailure(r) && r.error === 429, JSON.stringify(r));
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(path);
  }
});
