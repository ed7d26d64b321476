import assert from "node:assert/strict";
import { createMemoryAuthStore } from "../../store/auth/memory/mod.ts";
import { FULL_ACCESS, loadAccess } from "./access.ts";

const PW = "a long enough password";

Deno.test("access: grants decide, the default fills in, NO_PERMISSIONS hides", async () => {
  const store = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  const bob = await store.createUser("bob", PW, false);
  await store.createExperimentPermission("1", "bob", "NO_PERMISSIONS");
  await store.createExperimentPermission("2", "bob", "EDIT");
  await store.createRegisteredModelPermission("hidden", "bob", "NO_PERMISSIONS");

  const byRead = await loadAccess(store, bob, "READ");
  assert.equal(byRead.all, false);
  assert.deepEqual(["0", "1", "2"].map(byRead.experiment), [true, false, true]);
  assert.deepEqual(["m", "hidden"].map(byRead.registeredModel), [true, false]);

  const byNone = await loadAccess(store, bob, "NO_PERMISSIONS");
  assert.deepEqual(["0", "1", "2"].map(byNone.experiment), [false, false, true]);
  assert.equal(byNone.registeredModel("m"), false);
});

Deno.test("access: nothing hidden means all; admins read no grants", async () => {
  const store = createMemoryAuthStore({ pbkdf2Iterations: 1000 });
  const carol = await store.createUser("carol", PW, false);
  await store.createExperimentPermission("1", "carol", "READ");
  assert.equal((await loadAccess(store, carol, "READ")).all, true);
  assert.equal((await loadAccess(store, carol, "NO_PERMISSIONS")).all, false);
  // An admin that does not exist in the store would throw if its grants were read.
  const ghostAdmin = { id: 99, username: "ghost", is_admin: true };
  assert.equal(await loadAccess(store, ghostAdmin, "NO_PERMISSIONS"), FULL_ACCESS);
});
