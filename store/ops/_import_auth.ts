/**
 * Users and grants in an import (store/ops/import.ts): written to the target's auth store, a
 * grant on the experiment or registered model it named under that one's new id or name. Without
 * an auth store they are skipped, with one warning.
 *
 * @module
 */
import { isPermission } from "../auth/types.ts";
import { MlflowError } from "../errors.ts";
import type { GrantRecord, UserRecord } from "./export_format.ts";
import type { ImportContext } from "./_import_context.ts";

/** Writes user and grant records to `ctx.opts.authStore`. */
export class AuthImport {
  #warned = false;

  constructor(readonly ctx: ImportContext) {}

  /** Creates the user of `rec` with its password hash; a refused one is a warning. */
  async user({ user }: UserRecord): Promise<void> {
    if (this.#noAuth()) return;
    const made = await this.ctx.orWarn(
      `user ${user.username}`,
      (reason) => `not imported: ${reason}`,
      this.ctx.opts.authStore!.createUserWithHash(
        user.username,
        user.password_hash,
        user.is_admin === true,
      ),
    );
    if (made !== null) this.ctx.count("users");
  }

  /** Creates the grant of `rec`; a refused one is a warning. */
  async grant({ grant }: GrantRecord): Promise<void> {
    if (this.#noAuth()) return;
    const permission = grant.permission;
    const on = grant.experiment_id ?? `'${grant.registered_model_name}'`;
    const written = await this.ctx.orWarn(
      `grant of ${grant.username} on ${on}`,
      (reason) => `not imported: ${reason}`,
      writeGrant(this.ctx, grant, permission),
    );
    if (written) this.ctx.count("grants");
  }

  /** True (warning once) when there is no auth store to write to. */
  #noAuth(): boolean {
    if (this.ctx.opts.authStore) return false;
    if (this.#warned) return true;
    this.#warned = true;
    this.ctx.warn("users", "users and grants skipped: auth is not enabled on the target (--auth)");
    return true;
  }
}

/** Writes `grant` under the new id or name of its target; false when it names none. */
async function writeGrant(
  ctx: ImportContext,
  grant: GrantRecord["grant"],
  permission: string,
): Promise<boolean> {
  const { opts: { authStore: auth }, ids } = ctx;
  if (!isPermission(permission)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `bad level ${permission}`);
  }
  if (grant.experiment_id !== undefined) {
    const id = ids.experimentRef(grant.experiment_id);
    await auth!.createExperimentPermission(id, grant.username, permission);
  } else if (grant.registered_model_name !== undefined) {
    const name = ids.registeredModelRef(grant.registered_model_name);
    await auth!.createRegisteredModelPermission(name, grant.username, permission);
  } else return false;
  return true;
}
