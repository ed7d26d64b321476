import { useState } from "preact/hooks";
import type { Grant, Permission } from "../../store/auth/types.ts";
import { ApiError, errorMessage } from "./api.ts";
import {
  grantPermission,
  listPermissions,
  revokePermission,
  updatePermission,
} from "./auth_api.ts";

/** The levels a grant can hold, strongest last, as MLflow names them. */
const LEVELS: readonly Permission[] = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"];

/** What each level lets its holder do, for the select's options. */
const LEVEL_LABELS: Record<Permission, string> = {
  READ: "READ — view",
  EDIT: "EDIT — view and change",
  MANAGE: "MANAGE — everything, incl. access",
  NO_PERMISSIONS: "NO_PERMISSIONS — hidden",
};

/** Props of {@linkcode AccessPanel}. */
export interface AccessPanelProps {
  /** What the grants are on. */
  kind: "experiment" | "registered_model";
  /** The experiment id, or the registered model's name. */
  resource: string;
  /** The grants as the server read them, by username. */
  grants: Grant[];
  /** Why the viewer may manage them: an admin, or MANAGE on the resource (decided server-side). */
  viewerLevel: "ADMIN" | "MANAGE";
}

/**
 * The "Access" panel of an experiment or registered model, for viewers who may manage it: who
 * holds which level, and grant (user name + level), change and revoke, through MLflow's
 * permission endpoints. Users without a grant get the server's default permission.
 */
export function AccessPanel(props: AccessPanelProps) {
  const target = { kind: props.kind, resource: props.resource };
  const [grants, setGrants] = useState(props.grants);
  const [username, setUsername] = useState("");
  const [level, setLevel] = useState<Permission>("READ");
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  // Set once the viewer lowered or revoked their own MANAGE: the server refuses further changes.
  const [lost, setLost] = useState(false);
  const what = props.kind === "experiment" ? "experiment" : "model";

  /** Runs `action`, then re-reads the grants so the table shows what the server holds. */
  async function act(action: () => Promise<unknown>, done: string): Promise<boolean> {
    setBusy(true);
    setError("");
    setStatus("");
    try {
      await action();
      try {
        const { permissions } = await listPermissions(target);
        setGrants(permissions ?? []);
        setStatus(done);
      } catch (err) {
        // The change went through but took the viewer's own MANAGE away.
        if (!(err instanceof ApiError && err.status === 403)) throw err;
        setLost(true);
        setStatus(`${done} You no longer manage access to this ${what}.`);
      }
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function onGrant(e: Event) {
    e.preventDefault();
    const name = username.trim();
    if (!name) return;
    const existing = grants.some((g) => g.username === name);
    // A second grant for the same user is MLflow's RESOURCE_ALREADY_EXISTS: change it instead.
    const ok = await act(
      () => existing ? updatePermission(target, name, level) : grantPermission(target, name, level),
      `${name} now has ${level}.`,
    );
    if (ok) setUsername("");
  }

  async function onChange(name: string, next: Permission) {
    await act(() => updatePermission(target, name, next), `${name} now has ${next}.`);
  }

  async function onRevoke(name: string) {
    const ok = await act(
      () => revokePermission(target, name),
      `${name}'s grant was revoked; the default permission applies.`,
    );
    if (ok) document.getElementById("access-username")?.focus();
  }

  return (
    <div class="access-panel">
      <p class="muted">
        {props.viewerLevel === "ADMIN"
          ? `You can manage access as an administrator.`
          : `You can manage access: you hold MANAGE on this ${what}.`}{" "}
        Users without a grant get the server's default permission; administrators see everything.
      </p>
      <div class="table-wrap">
        <table class="table table--kv" id="access-grants" aria-busy={busy ? "true" : undefined}>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Permission</th>
              <th scope="col" class="col-actions">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {grants.length === 0 && (
              <tr>
                <td colSpan={3} class="empty">No grants.</td>
              </tr>
            )}
            {grants.map((g) => (
              <tr key={g.username}>
                <th scope="row">{g.username}</th>
                <td>
                  <label class="visually-hidden" for={`access-level-${g.user_id}`}>
                    Permission of {g.username}
                  </label>
                  <select
                    id={`access-level-${g.user_id}`}
                    value={g.permission}
                    disabled={busy || lost}
                    onChange={(e) =>
                      onChange(g.username, (e.target as HTMLSelectElement).value as Permission)}
                  >
                    {LEVELS.map((l) => <option key={l} value={l}>{LEVEL_LABELS[l]}</option>)}
                  </select>
                </td>
                <td class="col-actions">
                  <button
                    type="button"
                    class="button button--small button--danger"
                    aria-label={`Revoke ${g.username}'s access`}
                    disabled={busy || lost}
                    onClick={() => onRevoke(g.username)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="access-panel__add" onSubmit={onGrant} aria-label="Grant access">
        <label class="visually-hidden" for="access-username">User name</label>
        <input
          id="access-username"
          type="text"
          placeholder="user name"
          autoComplete="off"
          disabled={lost}
          value={username}
          onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
        />
        <label class="visually-hidden" for="access-new-level">Permission to grant</label>
        <select
          id="access-new-level"
          disabled={lost}
          value={level}
          onChange={(e) => setLevel((e.target as HTMLSelectElement).value as Permission)}
        >
          {LEVELS.map((l) => <option key={l} value={l}>{LEVEL_LABELS[l]}</option>)}
        </select>
        <button type="submit" class="button button--primary" disabled={busy || lost}>Grant</button>
      </form>
      <p class="access-panel__status" role="status">{status}</p>
      {error && <p class="field-error" role="alert">{error}</p>}
    </div>
  );
}
