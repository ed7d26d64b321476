/**
 * The `AuthStore` grant methods built from two sets of per-kind operations (experiments and
 * registered models), so each backend implements grants once and both wire them the same way.
 *
 * @module
 */
import type { AuthStore, Grant, Permission } from "./types.ts";

/** What a backend implements for one kind of resource. */
export interface GrantOps {
  /** Creates a grant; returns the user's id. */
  create(resource: string, username: string, permission: Permission): Promise<number>;
  get(resource: string, username: string): Promise<{ userId: number; permission: Permission }>;
  find(resource: string, userId: number): Promise<Permission | null>;
  update(resource: string, username: string, permission: Permission): Promise<void>;
  remove(resource: string, username: string): Promise<void>;
  list(resource: string): Promise<Grant[]>;
  /** Moves every grant on `resource` to `to`, replacing any there; drops them without `to`. */
  moveAll(resource: string, to?: string): Promise<void>;
}

/** The grant part of `AuthStore`. */
export type GrantMethods = Pick<
  AuthStore,
  | "createExperimentPermission"
  | "getExperimentPermission"
  | "findExperimentPermission"
  | "updateExperimentPermission"
  | "deleteExperimentPermission"
  | "listExperimentGrants"
  | "createRegisteredModelPermission"
  | "getRegisteredModelPermission"
  | "findRegisteredModelPermission"
  | "updateRegisteredModelPermission"
  | "deleteRegisteredModelPermission"
  | "listRegisteredModelGrants"
  | "renameRegisteredModelGrants"
  | "deleteRegisteredModelGrants"
>;

/** Wires experiment and model grant operations into the `AuthStore` methods and shapes. */
export function grantMethods(exp: GrantOps, model: GrantOps): GrantMethods {
  return {
    async createExperimentPermission(experiment_id, username, permission) {
      const user_id = await exp.create(experiment_id, username, permission);
      return { experiment_id, user_id, permission };
    },
    async getExperimentPermission(experiment_id, username) {
      const g = await exp.get(experiment_id, username);
      return { experiment_id, user_id: g.userId, permission: g.permission };
    },
    findExperimentPermission: (id, userId) => exp.find(id, userId),
    updateExperimentPermission: (id, username, p) => exp.update(id, username, p),
    deleteExperimentPermission: (id, username) => exp.remove(id, username),
    listExperimentGrants: (id) => exp.list(id),

    async createRegisteredModelPermission(name, username, permission) {
      const user_id = await model.create(name, username, permission);
      return { name, user_id, permission };
    },
    async getRegisteredModelPermission(name, username) {
      const g = await model.get(name, username);
      return { name, user_id: g.userId, permission: g.permission };
    },
    findRegisteredModelPermission: (name, userId) => model.find(name, userId),
    updateRegisteredModelPermission: (name, username, p) => model.update(name, username, p),
    deleteRegisteredModelPermission: (name, username) => model.remove(name, username),
    listRegisteredModelGrants: (name) => model.list(name),
    renameRegisteredModelGrants: (oldName, newName) => model.moveAll(oldName, newName),
    deleteRegisteredModelGrants: (name) => model.moveAll(name),
  };
}
