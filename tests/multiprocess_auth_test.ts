// Two kvflow processes with auth on, sharing one KV file or one KV Connect database (as when a server is scaled out, or as
// Deno Deploy's isolates share one database): a grant, a revocation, a password change, a token
// revocation or a user deletion made through server A is enforced by server B on its very next
// request. B keeps a per-process credential cache (routes/auth/credential_cache.ts); these tests
// warm it first, so they fail if a cache hit were trusted without its credential-epoch check.
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { openSharedDatabase, SHARED_DATABASE_KINDS } from "./helpers/shared_database.ts";
import { type RunningServer, startServer } from "./server_helpers.ts";

const API = "/api/2.0/mlflow";
const ADMIN = { username: "admin", password: "the admin's password" };
/** Alice as created; each test copies her, since one step changes her password. */
const ALICE_AT_START = { username: "alice", password: "alice's first password" };
const BOB = { username: "bob", password: "bob's own password!" };

type Who = { username: string; password: string } | { token: string } | null;

function authorization(who: Who): Record<string, string> {
  if (who === null) return {};
  if ("token" in who) return { authorization: `Bearer ${who.token}` };
  return { authorization: `Basic ${btoa(`${who.username}:${who.password}`)}` };
}

/** One request; GET args go in the query string, others in a JSON body. */
async function call(
  server: RunningServer,
  who: Who,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  args: Record<string, unknown> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const query = method === "GET" ? `?${new URLSearchParams(args as Record<string, string>)}` : "";
  const res = await fetch(`${server.url}${API}/${path}${query}`, {
    method,
    headers: { "content-type": "application/json", ...authorization(who) },
    body: method === "GET" ? undefined : JSON.stringify(args),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body };
}

/** Calls and asserts the status, showing the body when it differs. */
async function expect(
  status: number,
  server: RunningServer,
  who: Who,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  args: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const res = await call(server, who, method, path, args);
  strictEqual(
    res.status,
    status,
    `${method} ${path} on ${server.url}: ${JSON.stringify(res.body)}`,
  );
  return res.body;
}

/**
 * Makes B's cache hold `who`'s password: the first verification in a process remembers the user
 * id, the second caches (authenticate.ts), so the third and later are cache hits.
 */
async function warm(server: RunningServer, who: Who) {
  for (let i = 0; i < 3; i++) await expect(200, server, who, "GET", "users/current");
}

/** Polls until `who`'s request on `server` answers `status`; fails after `withinMs`. */
async function eventually(
  status: number,
  withinMs: number,
  server: RunningServer,
  who: Who,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  args: Record<string, unknown> = {},
): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const res = await call(server, who, method, path, args);
    if (res.status === status) return;
    if (Date.now() > deadline) {
      throw new Error(`${method} ${path} still answers ${res.status} after ${withinMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const { kind, ignore } of SHARED_DATABASE_KINDS) {
  Deno.test({
    name:
      `[${kind}] two processes with auth on one database and no auth cache enforce each other's changes at once`,
    ignore,
  }, async (t) => {
    const ALICE = { ...ALICE_AT_START };
    const db = await openSharedDatabase(kind);
    const servers: RunningServer[] = [];
    try {
      const start = () =>
        startServer({
          kvPath: db.kvPath,
          args: ["--auth", "--default-permission", "NO_PERMISSIONS", "--auth-cache-ttl", "0"],
          env: {
            ...db.env,
            KVFLOW_ADMIN_USERNAME: ADMIN.username,
            KVFLOW_ADMIN_PASSWORD: ADMIN.password,
          },
        });
      // A creates the admin; B, started after, finds it.
      servers.push(await start());
      servers.push(await start());
      const [a, b] = servers;

      for (const u of [ALICE, BOB]) await expect(200, a, ADMIN, "POST", "users/create", u);
      const { experiment_id: exp } = await expect(200, a, ADMIN, "POST", "experiments/create", {
        name: "shared",
      });
      const tag = { experiment_id: exp, key: "k", value: "v" };

      await t.step("a grant made through A is enforced by B", async () => {
        await warm(b, ALICE);
        await expect(403, b, ALICE, "GET", "experiments/get", { experiment_id: exp });
        await expect(200, a, ADMIN, "POST", "experiments/permissions/create", {
          experiment_id: exp,
          username: ALICE.username,
          permission: "READ",
        });
        await expect(200, b, ALICE, "GET", "experiments/get", { experiment_id: exp });
        await expect(403, b, ALICE, "POST", "experiments/set-experiment-tag", tag);
        await expect(200, a, ADMIN, "PATCH", "experiments/permissions/update", {
          experiment_id: exp,
          username: ALICE.username,
          permission: "EDIT",
        });
        await expect(200, b, ALICE, "POST", "experiments/set-experiment-tag", tag);
      });

      await t.step("a grant deleted through A is enforced by B", async () => {
        await expect(200, a, ADMIN, "DELETE", "experiments/permissions/delete", {
          experiment_id: exp,
          username: ALICE.username,
        });
        await expect(403, b, ALICE, "GET", "experiments/get", { experiment_id: exp });
        await expect(403, b, ALICE, "POST", "experiments/set-experiment-tag", tag);
      });

      await t.step("a creator's MANAGE, granted by A, holds on B", async () => {
        const { experiment_id: own } = await expect(200, a, ALICE, "POST", "experiments/create", {
          name: "alice's",
        });
        await expect(200, b, ALICE, "GET", "experiments/get", { experiment_id: own });
        await expect(200, b, ALICE, "GET", "experiments/permissions/list", { experiment_id: own });
        await expect(403, b, BOB, "GET", "experiments/get", { experiment_id: own });
      });

      await t.step("a password changed through A is refused by B's warm cache", async () => {
        await warm(b, ALICE);
        const changed = { ...ALICE, password: "alice's second password" };
        await expect(200, a, ADMIN, "PATCH", "users/update-password", changed);
        const refused = await expect(401, b, ALICE, "GET", "users/current");
        strictEqual(refused.error_code, "UNAUTHENTICATED");
        await expect(200, b, changed, "GET", "users/current");
        ALICE.password = changed.password;
      });

      await t.step("a token revoked through A is refused by B", async () => {
        const created = await expect(200, a, ALICE, "POST", "users/tokens/create", {
          name: "laptop",
        });
        const token = created.token as string;
        const id = (created.api_token as { id: string }).id;
        const asBasic = { username: ALICE.username, password: token };
        await expect(200, b, { token }, "GET", "users/current");
        await expect(200, b, asBasic, "GET", "users/current");
        await expect(200, a, ALICE, "DELETE", "users/tokens/revoke", { id });
        await expect(401, b, { token }, "GET", "users/current");
        await expect(401, b, asBasic, "GET", "users/current");
      });

      await t.step("a user deleted through A is refused by B's warm cache", async () => {
        await warm(b, BOB);
        await expect(200, a, ADMIN, "DELETE", "users/delete", { username: BOB.username });
        await expect(401, b, BOB, "GET", "users/current");
        const users = await expect(200, b, ADMIN, "GET", "users/list");
        deepStrictEqual(
          (users.users as { username: string }[]).map((u) => u.username),
          ["admin", "alice"],
        );
      });
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await db.close();
    }
  });
}

// The cache TTL is per process, whatever the database: a KV file is enough here.
Deno.test("two processes with the default auth cache: a revocation through A holds on B within the TTL", async () => {
  const db = await openSharedDatabase("file");
  const servers: RunningServer[] = [];
  try {
    const start = () =>
      startServer({
        kvPath: db.kvPath,
        args: ["--auth", "--default-permission", "NO_PERMISSIONS", "--auth-cache-ttl", "1"],
        env: {
          ...db.env,
          KVFLOW_ADMIN_USERNAME: ADMIN.username,
          KVFLOW_ADMIN_PASSWORD: ADMIN.password,
        },
      });
    servers.push(await start());
    servers.push(await start());
    const [a, b] = servers;
    const carol = { username: "carol", password: "carol's long password" };
    await expect(200, a, ADMIN, "POST", "users/create", carol);
    const { experiment_id: exp } = await expect(200, a, ADMIN, "POST", "experiments/create", {
      name: "ttl",
    });
    const grant = { experiment_id: exp, username: carol.username, permission: "READ" };
    await expect(200, a, ADMIN, "POST", "experiments/permissions/create", grant);
    const created = await expect(200, a, carol, "POST", "users/tokens/create", { name: "ci" });
    const token = created.token as string;

    // B caches carol's grant and token...
    await expect(200, b, { token }, "GET", "experiments/get", { experiment_id: exp });
    // ...and A revokes both; B must follow within its 1 s TTL (5 s allows for a loaded machine).
    await expect(200, a, ADMIN, "DELETE", "experiments/permissions/delete", grant);
    await eventually(403, 5_000, b, carol, "GET", "experiments/get", { experiment_id: exp });
    await expect(200, a, carol, "DELETE", "users/tokens/revoke", {
      id: (created.api_token as { id: string }).id,
    });
    await eventually(401, 5_000, b, { token }, "GET", "users/current");
    // A, which made the changes, held them at once.
    await expect(403, a, carol, "GET", "experiments/get", { experiment_id: exp });
    await expect(401, a, { token }, "GET", "users/current");
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.close();
  }
});
