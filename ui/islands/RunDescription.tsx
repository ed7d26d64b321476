import { useRef, useState } from "preact/hooks";
import { errorMessage } from "./api.ts";
import { setRunTag } from "./run_page/api.ts";
import { renderMarkdown } from "./run_page/markdown.ts";

/** The tag MLflow keeps a run's description in. */
export const NOTE_TAG = "mlflow.note.content";

/** Props of {@linkcode RunDescription}. */
export interface RunDescriptionProps {
  runId: string;
  /** The current description (Markdown source); empty when none. */
  note: string;
}

/**
 * The run's description: safe Markdown (see run_page/markdown.ts), with an Edit button that opens
 * a textarea and saves through `runs/set-tag` (`mlflow.note.content`).
 */
export function RunDescription({ runId, note: initial }: RunDescriptionProps) {
  const [note, setNote] = useState(initial);
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const editButton = useRef<HTMLButtonElement>(null);

  async function save(e: Event) {
    e.preventDefault();
    if (draft === null) return;
    setBusy(true);
    setError("");
    try {
      await setRunTag(runId, NOTE_TAG, draft);
      setNote(draft);
      setDraft(null);
      setTimeout(() => editButton.current?.focus());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="run-description" aria-labelledby="run-description-heading">
      <div class="section-head">
        <h2 id="run-description-heading">Description</h2>
        {draft === null && (
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
        ? (note.trim()
          ? <div class="markdown">{renderMarkdown(note)}</div>
          : <p class="muted">No description.</p>)
        : (
          <form class="run-description__form" onSubmit={save}>
            <label for="run-description-input" class="visually-hidden">
              Description (Markdown)
            </label>
            <textarea
              id="run-description-input"
              rows={8}
              value={draft}
              autoFocus
              onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
            />
            <div class="run-description__actions">
              <button type="submit" class="button button--primary" disabled={busy}>Save</button>
              <button type="button" class="button" onClick={() => setDraft(null)}>Cancel</button>
              <span class="muted">Markdown: headings, *emphasis*, `code`, lists, links.</span>
            </div>
            {error && <p class="field-error" role="alert">{error}</p>}
          </form>
        )}
    </section>
  );
}
