import { useState } from "preact/hooks";
import type { ApiToken } from "../../store/auth/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { errorMessage } from "./api.ts";
import { createToken, listTokens, revokeToken } from "./auth_api.ts";

const DAY_MS = 86_400_000;

/** The expiry choices of a new token: a label and a lifetime in days (none = never expires). */
export const TOKEN_EXPIRY_CHOICES: readonly { label: string; days?: number }[] = [
  { label: "7 days", days: 7 },
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "1 year", days: 365 },
  { label: "Never" },
];

/** The preselected choice (30 days): a forgotten token should not live forever by default. */
const DEFAULT_EXPIRY = 1;

/** Props of {@linkcode ApiTokens}. */
export interface ApiTokensProps {
  /** The viewer's tokens as the server read them, newest first (never the secrets). */
  tokens: ApiToken[];
  /** The viewer, for the usage hint (`MLFLOW_TRACKING_USERNAME` with a token as password). */
  username: string;
}

/**
 * The viewer's API tokens: create one (name + expiry) and see its secret once, with a copy
 * button; list them with when they were created, expire and were last used; revoke one (after a
 * confirmation, since the clients using it stop working).
 */
export function ApiTokens(props: ApiTokensProps) {
  const [tokens, setTokens] = useState(props.tokens);
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState(DEFAULT_EXPIRY);
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function refresh() {
    const { api_tokens } = await listTokens();
    setTokens(api_tokens ?? []);
  }

  async function onCreate(e: Event) {
    e.preventDefault();
    const label = name.trim();
    if (!label) return;
    setBusy(true);
    setError("");
    try {
      const days = TOKEN_EXPIRY_CHOICES[expiry]?.days;
      const res = await createToken(label, days ? Date.now() + days * DAY_MS : undefined);
      setSecret({ name: res.api_token.name, token: res.token });
      setCopied(false);
      setName("");
      await refresh();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function onCopy() {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret.token);
      setCopied(true);
    } catch {
      // No clipboard permission (plain http on another host): select it for a manual copy.
      const input = document.getElementById("new-token-secret") as HTMLInputElement | null;
      input?.select();
    }
  }

  async function onRevoke(id: string) {
    setBusy(true);
    setError("");
    try {
      await revokeToken(id);
      setConfirming(null);
      await refresh();
      document.getElementById("token-name")?.focus();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="api-tokens">
      {secret && (
        <div class="token-secret" role="status">
          <p>
            <strong>Copy your new token “{secret.name}” now: you won't see it again.</strong>{" "}
            Use it as <code>MLFLOW_TRACKING_TOKEN</code>, or as the password with{" "}
            <code>MLFLOW_TRACKING_USERNAME={props.username}</code>.
          </p>
          <div class="token-secret__row">
            <label class="visually-hidden" for="new-token-secret">New token</label>
            <input
              id="new-token-secret"
              type="text"
              class="mono"
              readOnly
              value={secret.token}
              onFocus={(e) => (e.target as HTMLInputElement).select()}
            />
            <button type="button" class="button button--primary" onClick={onCopy}>
              {copied ? "Copied" : "Copy"}
            </button>
            <button type="button" class="button" onClick={() => setSecret(null)}>Done</button>
          </div>
        </div>
      )}
      <form class="auth-form" onSubmit={onCreate} aria-label="Create token">
        <label for="token-name">Name</label>
        <input
          id="token-name"
          type="text"
          placeholder="e.g. laptop"
          autoComplete="off"
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
        <label for="token-expiry">Expires</label>
        <select
          id="token-expiry"
          value={String(expiry)}
          onChange={(e) => setExpiry(Number((e.target as HTMLSelectElement).value))}
        >
          {TOKEN_EXPIRY_CHOICES.map((c, i) => (
            <option key={c.label} value={String(i)}>
              {c.days ? `in ${c.label}` : c.label}
            </option>
          ))}
        </select>
        <button type="submit" class="button button--primary" disabled={busy}>Create token</button>
      </form>
      {error && <p class="field-error" role="alert">{error}</p>}
      <div class="table-wrap">
        <table class="table" id="api-tokens" aria-busy={busy ? "true" : undefined}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" class="col-time">Created</th>
              <th scope="col" class="col-time">Expires</th>
              <th scope="col" class="col-time">Last used</th>
              <th scope="col" class="col-actions">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.length === 0 && (
              <tr>
                <td colSpan={5} class="empty">No tokens yet.</td>
              </tr>
            )}
            {tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td class="col-time">
                  <DateTime ms={t.created_at} />
                </td>
                <td class="col-time">
                  {t.expires_at ? <DateTime ms={t.expires_at} /> : <span class="muted">Never</span>}
                </td>
                <td class="col-time">
                  <DateTime ms={t.last_used_at} />
                </td>
                <td class="col-actions">
                  {confirming === t.id
                    ? (
                      <span class="confirm">
                        <span>Revoke “{t.name}”? Clients using it will be refused.</span>
                        <button
                          type="button"
                          class="button button--small button--danger"
                          disabled={busy}
                          onClick={() => onRevoke(t.id)}
                        >
                          Yes, revoke
                        </button>
                        <button
                          type="button"
                          class="button button--small"
                          onClick={() => setConfirming(null)}
                        >
                          Cancel
                        </button>
                      </span>
                    )
                    : (
                      <button
                        type="button"
                        class="button button--small button--danger"
                        aria-label={`Revoke token ${t.name}`}
                        disabled={busy}
                        onClick={() => setConfirming(t.id)}
                      >
                        Revoke
                      </button>
                    )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
