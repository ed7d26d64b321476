/** Conformance: experiment and registered-model grants, with MLflow's shapes and messages. */
import assert from "node:assert/strict";
import { assertMlflowError } from "../../fixtures.ts";
import type { Permission } from "../../../store/auth/types.ts";
import { type DefineAuth, PW } from "./_harness.ts";

const BAD_PERMISSION =
  "Invalid permission 'WRITE'. Valid permissions are: ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')";

/** Registers the grant tests. */
export function grantConformance(test: DefineAuth): void {
  test("createExperimentPermission() creates, gets, updates and deletes a grant", async (store) => {
    await store.createUser("admin", PW, true);
    const carol = await store.createUser("carol", PW, false);
    assert.deepEqual(await store.createExperimentPermission("1", "carol", "READ"), {
      experiment_id: "1",
      user_id: carol.id,
      permission: "READ",
    });
    assert.deepEqual(await store.getExperimentPermission("1", "carol"), {
      experiment_id: "1",
      user_id: carol.id,
      permission: "READ",
    });
    assert.equal(await store.findExperimentPermission("1", carol.id), "READ");
    await store.updateExperimentPermission("1", "carol", "EDIT");
    assert.equal((await store.getExperimentPermission("1", "carol")).permission, "EDIT");
    await store.deleteExperimentPermission("1", "carol");
    assert.equal(await store.findExperimentPermission("1", carol.id), null);
    await assertMlflowError(
      store.getExperimentPermission("1", "carol"),
      "RESOURCE_DOES_NOT_EXIST",
      "Experiment permission with experiment_id=1 and username=carol not found",
    );
    // A grant on an experiment that does not exist is the caller's business (MLflow: 200).
    await store.createExperimentPermission("999", "carol", "MANAGE");
  });

  test("createExperimentPermission() refuses duplicates, unknown users and bad levels", async (store) => {
    await store.createUser("carol", PW, false);
    await store.createExperimentPermission("1", "carol", "READ");
    await assertMlflowError(
      store.createExperimentPermission("1", "carol", "EDIT"),
      "RESOURCE_ALREADY_EXISTS",
      "Experiment permission (experiment_id=1, username=carol) already exists.",
    );
    await assertMlflowError(
      store.createExperimentPermission("1", "nobody", "READ"),
      "RESOURCE_DOES_NOT_EXIST",
      "User with username=nobody not found",
    );
    await assertMlflowError(
      store.createExperimentPermission("2", "carol", "WRITE" as Permission),
      "INVALID_PARAMETER_VALUE",
      BAD_PERMISSION,
    );
    await assertMlflowError(
      store.updateExperimentPermission("1", "carol", "WRITE" as Permission),
      "INVALID_PARAMETER_VALUE",
      BAD_PERMISSION,
    );
    await assertMlflowError(
      store.createExperimentPermission("x".repeat(257), "carol", "READ"),
      "INVALID_PARAMETER_VALUE",
    );
    assert.equal((await store.getExperimentPermission("1", "carol")).permission, "READ");
  });

  test("updateExperimentPermission() and delete… are 404 without a grant", async (store) => {
    await store.createUser("carol", PW, false);
    const msg = "Experiment permission with experiment_id=1 and username=carol not found";
    await assertMlflowError(
      store.updateExperimentPermission("1", "carol", "EDIT"),
      "RESOURCE_DOES_NOT_EXIST",
      msg,
    );
    await assertMlflowError(
      store.deleteExperimentPermission("1", "carol"),
      "RESOURCE_DOES_NOT_EXIST",
      msg,
    );
    await assertMlflowError(
      store.deleteExperimentPermission("1", "nobody"),
      "RESOURCE_DOES_NOT_EXIST",
      "User with username=nobody not found",
    );
  });

  test("createRegisteredModelPermission() has MLflow's model messages", async (store) => {
    const carol = await store.createUser("carol", PW, false);
    assert.deepEqual(await store.createRegisteredModelPermission("admin-model", "carol", "READ"), {
      name: "admin-model",
      user_id: carol.id,
      permission: "READ",
    });
    await assertMlflowError(
      store.createRegisteredModelPermission("admin-model", "carol", "READ"),
      "RESOURCE_ALREADY_EXISTS",
      "Registered model permission (name=admin-model, username=carol) already exists.",
    );
    await store.updateRegisteredModelPermission("admin-model", "carol", "MANAGE");
    assert.deepEqual(await store.getRegisteredModelPermission("admin-model", "carol"), {
      name: "admin-model",
      user_id: carol.id,
      permission: "MANAGE",
    });
    assert.equal(await store.findRegisteredModelPermission("admin-model", carol.id), "MANAGE");
    await store.deleteRegisteredModelPermission("admin-model", "carol");
    await assertMlflowError(
      store.getRegisteredModelPermission("admin-model", "carol"),
      "RESOURCE_DOES_NOT_EXIST",
      "Registered model permission with name=admin-model and username=carol not found",
    );
    await assertMlflowError(
      store.createRegisteredModelPermission("m", "carol", "WRITE" as Permission),
      "INVALID_PARAMETER_VALUE",
      BAD_PERMISSION,
    );
  });

  test("getUser() lists grants in insertion order, as MLflow's users/get", async (store) => {
    const carol = await store.createUser("carol", PW, false);
    await store.createExperimentPermission("999", "carol", "READ");
    await store.createRegisteredModelPermission("m2", "carol", "EDIT");
    await store.createExperimentPermission("1", "carol", "READ");
    await store.createRegisteredModelPermission("m1", "carol", "MANAGE");
    await store.createExperimentPermission("10", "carol", "NO_PERMISSIONS");
    await store.deleteExperimentPermission("1", "carol");
    await store.createExperimentPermission("1", "carol", "EDIT"); // re-added: goes last
    await store.updateExperimentPermission("999", "carol", "MANAGE"); // keeps its place
    const u = await store.getUser("carol");
    assert.deepEqual(u.experiment_permissions, [
      { experiment_id: "999", user_id: carol.id, permission: "MANAGE" },
      { experiment_id: "10", user_id: carol.id, permission: "NO_PERMISSIONS" },
      { experiment_id: "1", user_id: carol.id, permission: "EDIT" },
    ]);
    assert.deepEqual(u.registered_model_permissions, [
      { name: "m2", user_id: carol.id, permission: "EDIT" },
      { name: "m1", user_id: carol.id, permission: "MANAGE" },
    ]);
  });

  test("listExperimentGrants() lists one resource's grants by username", async (store) => {
    const bob = await store.createUser("bob", PW, false);
    const alice = await store.createUser("alice", PW, false);
    await store.createExperimentPermission("1", "bob", "READ");
    await store.createExperimentPermission("1", "alice", "MANAGE");
    await store.createExperimentPermission("2", "bob", "EDIT");
    await store.createRegisteredModelPermission("1", "bob", "EDIT"); // another kind, same id
    assert.deepEqual(await store.listExperimentGrants("1"), [
      { username: "alice", user_id: alice.id, permission: "MANAGE" },
      { username: "bob", user_id: bob.id, permission: "READ" },
    ]);
    assert.deepEqual(await store.listRegisteredModelGrants("1"), [
      { username: "bob", user_id: bob.id, permission: "EDIT" },
    ]);
    assert.deepEqual(await store.listExperimentGrants("3"), []);
  });

  test("renameRegisteredModelGrants() moves every grant to the new name, in place", async (store) => {
    const names = Array.from({ length: 12 }, (_, i) => `u${String(i).padStart(2, "0")}`);
    for (const n of names) {
      await store.createUser(n, PW, false);
      await store.createExperimentPermission("1", n, "READ");
      await store.createRegisteredModelPermission("old", n, "EDIT");
      await store.createRegisteredModelPermission("other", n, "READ");
    }
    await store.renameRegisteredModelGrants("old", "new");
    assert.deepEqual(await store.listRegisteredModelGrants("old"), []);
    const moved = await store.listRegisteredModelGrants("new");
    assert.deepEqual(moved.map((g) => g.username), names);
    assert.ok(moved.every((g) => g.permission === "EDIT"));
    const u = await store.getUser("u05");
    assert.deepEqual(u.registered_model_permissions.map((g) => g.name), ["new", "other"]);
    assert.equal(await store.findRegisteredModelPermission("old", u.id), null);
    assert.equal(await store.findRegisteredModelPermission("new", u.id), "EDIT");
    await store.updateRegisteredModelPermission("new", "u05", "MANAGE");
    assert.equal((await store.getRegisteredModelPermission("new", "u05")).permission, "MANAGE");
  });

  test("renameRegisteredModelGrants() replaces grants left on the new name", async (store) => {
    const alice = await store.createUser("alice", PW, false);
    const bob = await store.createUser("bob", PW, false);
    await store.createRegisteredModelPermission("old", "alice", "MANAGE");
    // Grants may name a model that does not exist; they must not carry over to a model renamed
    // onto that name.
    await store.createRegisteredModelPermission("new", "alice", "READ");
    await store.createRegisteredModelPermission("new", "bob", "MANAGE");
    await store.renameRegisteredModelGrants("old", "new");
    assert.deepEqual(await store.listRegisteredModelGrants("new"), [
      { username: "alice", user_id: alice.id, permission: "MANAGE" },
    ]);
    assert.equal(await store.findRegisteredModelPermission("new", bob.id), null);
    assert.deepEqual((await store.getUser("alice")).registered_model_permissions, [
      { name: "new", user_id: alice.id, permission: "MANAGE" },
    ]);
    assert.deepEqual((await store.getUser("bob")).registered_model_permissions, []);
    await store.renameRegisteredModelGrants("new", "new");
    assert.equal((await store.listRegisteredModelGrants("new")).length, 1);
  });

  test("deleteRegisteredModelGrants() drops every grant of the model only", async (store) => {
    for (const n of ["a", "b"]) {
      await store.createUser(n, PW, false);
      await store.createRegisteredModelPermission("gone", n, "MANAGE");
      await store.createRegisteredModelPermission("kept", n, "READ");
    }
    await store.deleteRegisteredModelGrants("gone");
    await store.deleteRegisteredModelGrants("never-existed");
    assert.deepEqual(await store.listRegisteredModelGrants("gone"), []);
    assert.equal((await store.listRegisteredModelGrants("kept")).length, 2);
    assert.deepEqual(
      (await store.getUser("a")).registered_model_permissions.map((g) => g.name),
      ["kept"],
    );
    // A model re-created under the name starts without the old grants.
    await store.createRegisteredModelPermission("gone", "b", "READ");
    assert.equal((await store.getRegisteredModelPermission("gone", "b")).permission, "READ");
  });

  test("deleteUser() takes the user's grants with it", async (store) => {
    const carol = await store.createUser("carol", PW, false);
    await store.createUser("bob", PW, false);
    await store.createExperimentPermission("1", "carol", "MANAGE");
    await store.createExperimentPermission("1", "bob", "READ");
    await store.createRegisteredModelPermission("m", "carol", "EDIT");
    await store.deleteUser("carol");
    assert.equal(await store.findExperimentPermission("1", carol.id), null);
    assert.equal(await store.findRegisteredModelPermission("m", carol.id), null);
    assert.deepEqual((await store.listExperimentGrants("1")).map((g) => g.username), ["bob"]);
    assert.deepEqual(await store.listRegisteredModelGrants("m"), []);
  });
}
