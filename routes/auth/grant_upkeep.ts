/**
 * What the auth middleware writes after a handler succeeded, so grants stay in step with their
 * resources: the creator of an experiment or registered model gets MANAGE on it, and a registered
 * model's grants move with a rename and go with a delete (MLflow 3.1.3's behaviour).
 *
 * @module
 */
import type { Context } from "hono";
import { MlflowError } from "../../store/errors.ts";
import type { User } from "../../store/auth/types.ts";
import type { AppEnv } from "../app_env.ts";
import type { AuthOptions } from "./middleware.ts";
import { type Args, bodyArgs } from "./targets.ts";

/** After a successful create, the creator holds MANAGE on it (MLflow: admins included). */
export async function grantCreator(
  c: Context<AppEnv>,
  opts: AuthOptions,
  user: User,
): Promise<void> {
  if (c.res.status !== 200) return;
  const body = await c.res.clone().json().catch(() => null) as Args | null;
  if (body === null) return;
  const { store } = opts;
  if (typeof body.experiment_id === "string") {
    const id = body.experiment_id;
    await upsert(
      () => store.createExperimentPermission(id, user.username, "MANAGE"),
      () => store.updateExperimentPermission(id, user.username, "MANAGE"),
    );
    return;
  }
  const model = body.registered_model as Args | undefined;
  if (model && typeof model.name === "string") {
    const name = model.name;
    await upsert(
      () => store.createRegisteredModelPermission(name, user.username, "MANAGE"),
      () => store.updateRegisteredModelPermission(name, user.username, "MANAGE"),
    );
  }
}

/**
 * Grants follow their registered model, as in MLflow: after a successful rename they move to the
 * new name, after a successful delete they go. Otherwise a renamed model would lose its grants and
 * a new model reusing the name would inherit the old one's.
 */
export async function moveModelGrants(
  c: Context<AppEnv>,
  opts: AuthOptions,
  routePath: string | undefined,
): Promise<void> {
  if (c.res.status !== 200 || routePath === undefined) return;
  const isRename = routePath.endsWith("/registered-models/rename");
  if (!isRename && !routePath.endsWith("/registered-models/delete")) return;
  const args = await bodyArgs(c);
  if (typeof args.name !== "string") return;
  if (!isRename) return await opts.store.deleteRegisteredModelGrants(args.name);
  if (typeof args.new_name === "string" && args.new_name !== args.name) {
    await opts.store.renameRegisteredModelGrants(args.name, args.new_name);
  }
}

/** Creates a grant, or raises a stale one (grants may outlive their resource) to MANAGE. */
async function upsert(create: () => Promise<unknown>, update: () => Promise<void>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!(e instanceof MlflowError && e.code === "RESOURCE_ALREADY_EXISTS")) throw e;
    await update();
  }
}
