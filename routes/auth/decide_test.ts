import assert from "node:assert/strict";
import { decide } from "./decide.ts";
import type { RoutePermission } from "./route_permissions.ts";

const bob = { username: "bob", isAdmin: false };
const admin = { username: "root", isAdmin: true };
const runsCreate: RoutePermission = {
  resource: "experiment",
  action: "update",
  id: { from: "body", field: "experiment_id" },
};
const usersGet: RoutePermission = {
  resource: "user",
  action: "read",
  id: { from: "query", field: "username" },
};

Deno.test("decide: a READ default cannot log into Default (auth traffic §6)", () => {
  assert.equal(
    decide({ permission: runsCreate, caller: bob, defaultPermission: "READ" }),
    "forbidden",
  );
  assert.equal(
    decide({ permission: runsCreate, caller: bob, grant: "EDIT", defaultPermission: "READ" }),
    "allow",
  );
  assert.equal(
    decide({ permission: runsCreate, caller: null, grant: "MANAGE", defaultPermission: "MANAGE" }),
    "unauthenticated",
  );
  assert.equal(
    decide({
      permission: runsCreate,
      caller: admin,
      grant: "NO_PERMISSIONS",
      defaultPermission: "NO_PERMISSIONS",
    }),
    "allow",
  );
});

Deno.test("decide: an explicit NO_PERMISSIONS beats a MANAGE default", () => {
  const get: RoutePermission = { ...runsCreate, action: "read" };
  assert.equal(
    decide({ permission: get, caller: bob, grant: "NO_PERMISSIONS", defaultPermission: "MANAGE" }),
    "forbidden",
  );
});

Deno.test("decide: users/get is self or admin, whatever the grants", () => {
  const at = (caller: typeof bob, targetUsername?: string) =>
    decide({
      permission: usersGet,
      caller,
      grant: "MANAGE",
      defaultPermission: "MANAGE",
      targetUsername,
    });
  assert.equal(at(bob, "bob"), "allow");
  assert.equal(at(bob, "alice"), "forbidden");
  assert.equal(at(bob, "Bob"), "forbidden");
  assert.equal(at(bob, undefined), "forbidden");
  assert.equal(at(admin, "alice"), "allow");
});

Deno.test("decide: admin-only, authenticated, create and public routes", () => {
  const cases: [RoutePermission, string, string, string][] = [
    [{ resource: "user", action: "admin" }, "unauthenticated", "forbidden", "allow"],
    [{ resource: "server", action: "authenticated" }, "unauthenticated", "allow", "allow"],
    [{ resource: "experiment", action: "create" }, "unauthenticated", "allow", "allow"],
    [{ resource: "public", action: "none" }, "allow", "allow", "allow"],
  ];
  for (const [permission, anon, user, adm] of cases) {
    const d = (caller: typeof bob | null) =>
      decide({ permission, caller, grant: "NO_PERMISSIONS", defaultPermission: "NO_PERMISSIONS" });
    assert.deepEqual([d(null), d(bob), d(admin)], [anon, user, adm], JSON.stringify(permission));
  }
});
