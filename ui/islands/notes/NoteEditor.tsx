import { useRef, useState } from "preact/hooks";
import { errorMessage } from "../api.ts";
import { renderMarkdown } from "../run_page/markdown.ts";

/** Props of {@linkcode NoteEditor}. */
export interface NoteEditorProps {
  /** Prefix of the heading's and textarea's ids (one editor per page each). */
  idPrefix: string;
  /** The current description (Markdown source); empty when none. */
  note: string;
  /** Stores a new description; rejects with the API's error, shown under the form. */
  save: (text: string) => Promise<unknown>;
  /** Whether the viewer may edit (false: no Edit button; the API would refuse anyway). */
  canEdit: boolean;
  /** With no description, show only an "Add description" button instead of the section. */
  compact?: boolean;
}

/**
 * A description in `mlflow.note.content`: safe Markdown (see run_page/markdown.ts), with an Edit
 * button that opens a textarea and saves through `save`. Shared by the run and experiment
 * description islands, which differ only in the endpoint.
 */
export function NoteEditor({ idPrefix, note: initial, save, canEdit, compact }: NoteEditorProps) {
  const [note, setNote] = useState(initial);
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const editButton = useRef<HTMLButtonElement>(null);
  const headingId = `${idPrefix}-heading`;
  const inputId = `${idPrefix}-input`;

  async function submit(e: Event) {
    e.preventDefault();
    if (draft === null) return;
    setBusy(true);
    setError("");
    try {
      await save(draft);
      setNote(draft);
      setDraft(null);
      setTimeout(() => editButton.current?.focus());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  function cancel() {
    setDraft(null);
    setError("");
    // The textarea goes away: focus returns to the button that opened it.
    setTimeout(() => editButton.current?.focus());
  }

  const empty = !note.trim();
  if (compact && empty && draft === null) {
    if (!canEdit) return null;
    return (
      <div class="note-editor note-editor--empty">
        <button
          type="button"
          class="button button--small"
          ref={editButton}
          onClick={() => setDraft("")}
        >
          Add description
        </button>
      </div>
    );
  }

  return (
    <section class="note-editor" aria-labelledby={headingId}>
      <div class="section-head">
        <h2 id={headingId}>Description</h2>
        {draft === null && canEdit && (
          <button
            type="button"
            class="button button--small"
            ref={editButton}
            onClick={() => setDraft(note)}
          >
            Edit description
          </button>
        )}
      </div>
      {draft === null
        ? (empty
          ? <p class="muted">No description.</p>
          : <div class="markdown">{renderMarkdown(note)}</div>)
        : (
          <form class="note-editor__form" onSubmit={submit}>
            <label for={inputId} class="visually-hidden">Description (Markdown)</label>
            <textarea
              id={inputId}
              rows={8}
              value={draft}
              autoFocus
              onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
            />
            <div class="note-editor__actions">
              <button type="submit" class="button button--primary" disabled={busy}>Save</button>
              <button type="button" class="button" onClick={cancel}>Cancel</button>
              <span class="muted">Markdown: headings, *emphasis*, `code`, lists, links.</span>
            </div>
            {error && <p class="field-error" role="alert">{error}</p>}
          </form>
        )}
    </section>
  );
}
