import { useEffect, useRef, useState } from "preact/hooks";
import type { Tag } from "../../store/types.ts";
import { byKey } from "../shared/tags.ts";
import { errorMessage } from "./api.ts";
import { deleteRunTag, setRunTag } from "./run_page/api.ts";

/** Props of {@linkcode RunTags}. */
export interface RunTagsProps {
  runId: string;
  /** The user's tags (no `mlflow.*`; the page shows those read-only). */
  tags: Tag[];
}

/** The run's own tags: a table with per-row Edit and Delete, and a form to add one. */
export function RunTags({ runId, tags: initial }: RunTagsProps) {
  const [tags, setTags] = useState(initial);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const [editValue, setEditValue] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  // The row whose Edit button gets focus back once its edit ends (Save or Cancel removed it).
  const refocus = useRef<string | null>(null);

  useEffect(() => {
    const k = refocus.current;
    if (editing !== null || k === null) return;
    refocus.current = null;
    document.querySelector<HTMLButtonElement>(`[data-edit-tag="${CSS.escape(k)}"]`)?.focus();
  }, [editing]);

  function endEdit() {
    refocus.current = editing;
    setEditing(null);
  }

  async function put(k: string, v: string) {
    setBusy(true);
    setError("");
    try {
      if (k.startsWith("mlflow.")) throw new Error("Tags starting with “mlflow.” are reserved");
      await setRunTag(runId, k, v);
      setTags((ts) => {
        const rest = ts.filter((t) => t.key !== k);
        return [...rest, { key: k, value: v }].sort(byKey);
      });
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function onAdd(e: Event) {
    e.preventDefault();
    const k = key.trim();
    if (!k) return;
    if (await put(k, value)) {
      setKey("");
      setValue("");
    }
  }

  async function onSaveEdit(e: Event, k: string) {
    e.preventDefault();
    if (await put(k, editValue)) endEdit();
  }

  async function onDelete(k: string) {
    setBusy(true);
    setError("");
    try {
      await deleteRunTag(runId, k);
      setTags((ts) => ts.filter((t) => t.key !== k));
      document.getElementById("new-tag-key")?.focus();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="run-tags">
      <div class="table-wrap">
        <table class="table table--kv">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col" class="col-actions">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tags.length === 0 && (
              <tr>
                <td colSpan={3} class="empty">No tags.</td>
              </tr>
            )}
            {tags.map((t) => (
              <tr key={t.key}>
                <th scope="row" class="mono">{t.key}</th>
                <td class="cell-value">
                  {editing === t.key
                    ? (
                      <form class="inline-edit" onSubmit={(e) => onSaveEdit(e, t.key)}>
                        <label class="visually-hidden" for="edit-tag-value">
                          New value for {t.key}
                        </label>
                        <input
                          id="edit-tag-value"
                          value={editValue}
                          autoFocus
                          onInput={(e) => setEditValue((e.target as HTMLInputElement).value)}
                          onKeyDown={(e) => e.key === "Escape" && endEdit()}
                        />
                        <button type="submit" class="button button--primary" disabled={busy}>
                          Save
                        </button>
                        <button type="button" class="button" onClick={endEdit}>
                          Cancel
                        </button>
                      </form>
                    )
                    : <span class="pre-wrap">{t.value}</span>}
                </td>
                <td class="col-actions">
                  {/* While the row is edited, its Save and Cancel are the only actions. */}
                  {editing !== t.key && (
                    <>
                      <button
                        type="button"
                        class="button button--small"
                        aria-label={`Edit tag ${t.key}`}
                        data-edit-tag={t.key}
                        onClick={() => {
                          setEditing(t.key);
                          setEditValue(t.value);
                        }}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        class="button button--small button--danger"
                        aria-label={`Delete tag ${t.key}`}
                        disabled={busy}
                        onClick={() => onDelete(t.key)}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="run-tags__add" onSubmit={onAdd} aria-label="Add tag">
        <label class="visually-hidden" for="new-tag-key">New tag key</label>
        <input
          id="new-tag-key"
          placeholder="key"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <label class="visually-hidden" for="new-tag-value">New tag value</label>
        <input
          id="new-tag-value"
          placeholder="value"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="button button--primary" disabled={busy}>Add tag</button>
      </form>
      {error && <p class="field-error" role="alert">{error}</p>}
    </div>
  );
}
