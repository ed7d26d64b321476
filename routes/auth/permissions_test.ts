import assert from "node:assert/strict";
import { PERMISSIONS } from "../../store/auth/types.ts";
import {
  allows,
  canDelete,
  canManage,
  canRead,
  canUpdate,
  CAPABILITIES,
  isPermission,
  PERMISSION_FLAGS,
  resolvePermission,
} from "./permissions.ts";

Deno.test("permissions: MLflow's can_* table (auth traffic §6)", () => {
  // Written out row by row from the recorded table, not derived.
  const table = {
    READ: [true, false, false, false],
    EDIT: [true, true, false, false],
    MANAGE: [true, true, true, true],
    NO_PERMISSIONS: [false, false, false, false],
  } as const;
  for (const p of PERMISSIONS) {
    assert.deepEqual([canRead(p), canUpdate(p), canDelete(p), canManage(p)], [...table[p]], p);
    assert.deepEqual(CAPABILITIES.map((c) => allows(p, c)), [...table[p]], p);
  }
});

Deno.test("permissions: the flags cannot be widened at run time", () => {
  assert.throws(() => {
    (PERMISSION_FLAGS.READ as { can_update: boolean }).can_update = true;
  }, TypeError);
  assert.equal(canUpdate("READ"), false);
});

Deno.test("permissions: isPermission accepts exactly MLflow's four names", () => {
  for (const p of PERMISSIONS) assert.ok(isPermission(p));
  for (const s of ["read", "Manage", "ADMIN", "", "toString", "__proto__", 1, null, undefined]) {
    assert.equal(isPermission(s), false, String(s));
  }
});

Deno.test("permissions: resolvePermission — admin bypasses, grant beats default", () => {
  for (const grant of [...PERMISSIONS, undefined, null]) {
    for (const defaultPermission of PERMISSIONS) {
      assert.equal(resolvePermission({ isAdmin: true, grant, defaultPermission }), "MANAGE");
      assert.equal(
        resolvePermission({ isAdmin: false, grant, defaultPermission }),
        grant ?? defaultPermission,
      );
    }
  }
  // An explicit NO_PERMISSIONS is not overridden by a READ default (bob on alice-secret).
  assert.equal(
    resolvePermission({ isAdmin: false, grant: "NO_PERMISSIONS", defaultPermission: "READ" }),
    "NO_PERMISSIONS",
  );
});
