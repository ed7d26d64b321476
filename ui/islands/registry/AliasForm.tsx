import { useState } from "preact/hooks";
import { errorMessage, setModelAlias } from "../api.ts";

/** Props of {@linkcode AliasForm}. */
export interface AliasFormProps {
  name: string;
  /** The versions to choose from, newest first; one (the version page's) hides the picker. */
  versions: string[];
  /** Called once the server set `alias` on `version`. */
  onSet: (alias: string, version: string) => void;
}

/**
 * Adds an alias to a version, or moves it there: MLflow's `registered-models/alias` points an
 * alias already set on another version at this one.
 */
export function AliasForm({ name, versions, onSet }: AliasFormProps) {
  const [alias, setAlias] = useState("");
  const [version, setVersion] = useState(versions[0] ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  async function submit(e: Event) {
    e.preventDefault();
    const a = alias.trim().replace(/^@/, "");
    if (!a || !version) return;
    setBusy(true);
    setError("");
    try {
      await setModelAlias(name, a, version);
      setAlias("");
      onSet(a, version);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="alias-form" onSubmit={submit} aria-label="Set alias">
      <label class="visually-hidden" for="new-alias">Alias</label>
      <input
        id="new-alias"
        placeholder="alias, e.g. champion"
        value={alias}
        autocomplete="off"
        spellcheck={false}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? "new-alias-error" : undefined}
        onInput={(e) => setAlias((e.target as HTMLInputElement).value)}
      />
      {versions.length > 1 && (
        <>
          <label for="new-alias-version">on</label>
          <select
            id="new-alias-version"
            value={version}
            onChange={(e) => setVersion((e.target as HTMLSelectElement).value)}
          >
            {versions.map((v) => <option key={v} value={v}>Version {v}</option>)}
          </select>
        </>
      )}
      <button type="submit" class="button button--primary button--small" disabled={busy}>
        Set alias
      </button>
      {error && <p id="new-alias-error" class="field-error" role="alert">{error}</p>}
    </form>
  );
}
