import { useEffect, useRef, useState } from "preact/hooks";
import type { Tag } from "../../../store/types.ts";
import { byKey } from "../../shared/tags.ts";
import { errorMessage } from "../api.ts";

/** Props of {@linkcode TagEditor}. */
export interface TagEditorProps {
  /** Prefix of the inputs' ids (`${idPrefix}new-tag-key`…); one editor per prefix and page. */
  idPrefix: string;
  tags: Tag[];
  /** Sets a tag; rejects with the API's error, shown under the table. */
  put: (key: string, value: string) => Promise<unknown>;
  /** Deletes a tag; rejects with the API's error. */
  remove: (key: string) => Promise<unknown>;
  /** Whether the viewer may add and edit tags (false: a plain table). */
  canEdit: boolean;
  /** Whether the viewer may delete tags (the API asks more for that on model versions). */
  canDelete: boolean;
  /** A key prefix the server reserves (`mlflow.` on runs), refused before the request. */
  reserved?: string;
}

/**
 * Tags as a key/value table with per-row Edit and Delete and a form to add one: the run page's
 * tags and the registry's (a model's, a version's), which differ only in the endpoints.
 */
export function TagEditor(props: TagEditorProps) {
  const { idPrefix, put, remove, canEdit, canDelete, reserved } = props;
  const [tags, setTags] = useState(props.tags);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const [editValue, setEditValue] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  // The row whose Edit button gets focus back once its edit ends (Save or Cancel removed it).
  const refocus = useRef<string | null>(null);
  const keyId = `${idPrefix}new-tag-key`;

  useEffect(() => {
    const k = refocus.current;
    if (editing !== null || k === null) return;
    refocus.current = null;
    root.current?.querySelector<HTMLButtonElement>(`[data-edit-tag="${CSS.escape(k)}"]`)?.focus();
  }, [editing]);

  function endEdit() {
    refocus.current = editing;
    setEditing(null);
  }

  async function save(k: string, v: string) {
    setBusy(true);
    setError("");
    try {
      if (reserved && k.startsWith(reserved)) {
        throw new Error(`Tags starting with “${reserved}” are reserved`);
      }
      await put(k, v);
      setTags((ts) => [...ts.filter((t) => t.key !== k), { key: k, value: v }].sort(byKey));
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
    if (await save(k, value)) {
      setKey("");
      setValue("");
    }
  }

  async function onSaveEdit(e: Event, k: string) {
    e.preventDefault();
    if (await save(k, editValue)) endEdit();
  }

  async function onDelete(k: string) {
    setBusy(true);
    setError("");
    try {
      await remove(k);
      setTags((ts) => ts.filter((t) => t.key !== k));
      // The row and its button are gone: the add form is the next sensible place.
      document.getElementById(canEdit ? keyId : "")?.focus();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const actions = canEdit || canDelete;
  return (
    <div class="run-tags" ref={root}>
      <div class="table-wrap">
        <table class="table table--kv">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              {actions && (
                <th scope="col" class="col-actions">
                  <span class="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {tags.length === 0 && (
              <tr>
                <td colSpan={actions ? 3 : 2} class="empty">No tags.</td>
              </tr>
            )}
            {tags.map((t) => (
              <tr key={t.key}>
                <th scope="row" class="mono">{t.key}</th>
                <td class="cell-value">
                  {editing === t.key
                    ? (
                      <form class="inline-edit" onSubmit={(e) => onSaveEdit(e, t.key)}>
                        <label class="visually-hidden" for={`${idPrefix}edit-tag-value`}>
                          New value for {t.key}
                        </label>
                        <input
                          id={`${idPrefix}edit-tag-value`}
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
                {actions && (
                  <td class="col-actions">
                    {/* While the row is edited, its Save and Cancel are the only actions. */}
                    {editing !== t.key && (
                      <>
                        {canEdit && (
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
                        )}
                        {canDelete && (
                          <button
                            type="button"
                            class="button button--small button--danger"
                            aria-label={`Delete tag ${t.key}`}
                            disabled={busy}
                            onClick={() => onDelete(t.key)}
                          >
                            Delete
                          </button>
                        )}
                      </>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canEdit && (
        <form class="run-tags__add" onSubmit={onAdd} aria-label="Add tag">
          <label class="visually-hidden" for={keyId}>New tag key</label>
          <input
            id={keyId}
            placeholder="key"
            value={key}
            onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          />
          <label class="visually-hidden" for={`${idPrefix}new-tag-value`}>New tag value</label>
          <input
            id={`${idPrefix}new-tag-value`}
            placeholder="value"
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
          <button type="submit" class="button button--primary" disabled={busy}>Add tag</button>
        </form>
      )}
      {error && <p class="field-error" role="alert">{error}</p>}
    </div>
  );
}
