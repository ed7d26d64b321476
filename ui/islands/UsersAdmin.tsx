import { useState } from "preact/hooks";
import { MIN_PASSWORD_LENGTH, type User } from "../../store/auth/types.ts";
import { errorMessage } from "./api.ts";
import { createUser, deleteUser, listUsers, updateAdmin, updatePassword } from "./auth_api.ts";

/** Props of {@linkcode UsersAdmin}. */
export interface UsersAdminProps {
  /** The first page of users, by username, as the server read it. */
  users: User[];
  /** `users/list`'s token for the next page; null when this is all. */
  nextPageToken: string | null;
  /** The viewing admin: their own row cannot be deleted or demoted here (no self lock-out). */
  viewer: string;
}

/** What a row is doing: nothing, asking for a new password, or asking to confirm deletion. */
type RowMode = { username: string; mode: "password" | "delete" } | null;

/**
 * The admin's users page: every user with their role; create one (name + password), reset a
 * password, make or unmake an admin, delete (after a confirmation naming what goes with them).
 */
export function UsersAdmin(props: UsersAdminProps) {
  const [users, setUsers] = useState(props.users);
  const [next, setNext] = useState(props.nextPageToken);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [row, setRow] = useState<RowMode>(null);
  const [newPassword, setNewPassword] = useState("");
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function act(action: () => Promise<unknown>, done: string): Promise<boolean> {
    setBusy(true);
    setError("");
    setStatus("");
    try {
      await action();
      setStatus(done);
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function onCreate(e: Event) {
    e.preventDefault();
    const name = username.trim();
    if (!name) return;
    const ok = await act(async () => {
      const { user } = await createUser(name, password);
      setUsers((us) => [...us, user].sort((a, b) => a.username < b.username ? -1 : 1));
    }, `Created ${name}.`);
    if (ok) {
      setUsername("");
      setPassword("");
    }
  }

  async function onResetPassword(e: Event, name: string) {
    e.preventDefault();
    const ok = await act(() => updatePassword(name, newPassword), `${name}'s password was reset.`);
    if (ok) {
      setRow(null);
      setNewPassword("");
    }
  }

  async function onToggleAdmin(u: User) {
    await act(async () => {
      await updateAdmin(u.username, !u.is_admin);
      setUsers((us) => us.map((x) => x.id === u.id ? { ...x, is_admin: !u.is_admin } : x));
    }, u.is_admin ? `${u.username} is no longer an admin.` : `${u.username} is now an admin.`);
  }

  async function onDelete(name: string) {
    const ok = await act(async () => {
      await deleteUser(name);
      setUsers((us) => us.filter((x) => x.username !== name));
    }, `Deleted ${name}.`);
    if (ok) {
      setRow(null);
      document.getElementById("new-user-name")?.focus();
    }
  }

  async function onMore() {
    if (!next) return;
    await act(async () => {
      const page = await listUsers(next);
      setUsers((us) => [...us, ...(page.users ?? [])]);
      setNext(page.next_page_token ?? null);
    }, "");
  }

  return (
    <div class="users-admin">
      <form class="auth-form" onSubmit={onCreate} aria-label="Create user">
        <label for="new-user-name">User name</label>
        <input
          id="new-user-name"
          type="text"
          autoComplete="off"
          value={username}
          onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
        />
        <label for="new-user-password">Password</label>
        <input
          id="new-user-password"
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          placeholder={`at least ${MIN_PASSWORD_LENGTH} characters`}
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="button button--primary" disabled={busy}>Create user</button>
      </form>
      <p class="users-admin__status" role="status">{status}</p>
      {error && <p class="field-error" role="alert">{error}</p>}
      <div class="table-wrap">
        <table class="table" id="users" aria-busy={busy ? "true" : undefined}>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col" class="col-actions">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => {
              const self = u.username === props.viewer;
              return (
                <tr key={u.id}>
                  <th scope="row">
                    {u.username}
                    {self && <span class="muted users-admin__you">(you)</span>}
                  </th>
                  <td>
                    {u.is_admin
                      ? <span class="badge badge--admin">Admin</span>
                      : <span class="muted">User</span>}
                  </td>
                  <td class="col-actions">
                    {row?.username === u.username && row.mode === "password" && (
                      <form
                        class="inline-edit"
                        onSubmit={(e) => onResetPassword(e, u.username)}
                      >
                        <label class="visually-hidden" for="reset-password">
                          New password for {u.username}
                        </label>
                        <input
                          id="reset-password"
                          type="password"
                          autoComplete="new-password"
                          minLength={MIN_PASSWORD_LENGTH}
                          autoFocus
                          value={newPassword}
                          onInput={(e) => setNewPassword((e.target as HTMLInputElement).value)}
                          onKeyDown={(e) => e.key === "Escape" && setRow(null)}
                        />
                        <button type="submit" class="button button--primary" disabled={busy}>
                          Set password
                        </button>
                        <button type="button" class="button" onClick={() => setRow(null)}>
                          Cancel
                        </button>
                      </form>
                    )}
                    {row?.username === u.username && row.mode === "delete" && (
                      <span class="confirm">
                        <span>
                          Delete {u.username}, with their grants, tokens and sessions?
                        </span>
                        <button
                          type="button"
                          class="button button--small button--danger"
                          disabled={busy}
                          onClick={() => onDelete(u.username)}
                        >
                          Yes, delete
                        </button>
                        <button
                          type="button"
                          class="button button--small"
                          onClick={() => setRow(null)}
                        >
                          Cancel
                        </button>
                      </span>
                    )}
                    {row?.username !== u.username && (
                      <>
                        <button
                          type="button"
                          class="button button--small"
                          aria-label={`Reset ${u.username}'s password`}
                          onClick={() => {
                            setNewPassword("");
                            setRow({ username: u.username, mode: "password" });
                          }}
                        >
                          Reset password
                        </button>
                        <button
                          type="button"
                          class="button button--small"
                          aria-label={u.is_admin
                            ? `Remove admin from ${u.username}`
                            : `Make ${u.username} an admin`}
                          disabled={busy || self}
                          onClick={() => onToggleAdmin(u)}
                        >
                          {u.is_admin ? "Remove admin" : "Make admin"}
                        </button>
                        <button
                          type="button"
                          class="button button--small button--danger"
                          aria-label={`Delete ${u.username}`}
                          disabled={busy || self}
                          onClick={() => setRow({ username: u.username, mode: "delete" })}
                        >
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {next && (
        <p>
          <button type="button" class="button" disabled={busy} onClick={onMore}>
            Load more users
          </button>
        </p>
      )}
    </div>
  );
}
