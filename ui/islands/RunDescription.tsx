import { NoteEditor } from "./notes/NoteEditor.tsx";
import { setRunTag } from "./run_page/api.ts";

/** The tag MLflow keeps a run's (and an experiment's) description in. */
export const NOTE_TAG = "mlflow.note.content";

/** Props of {@linkcode RunDescription}. */
export interface RunDescriptionProps {
  runId: string;
  /** The current description (Markdown source); empty when none. */
  note: string;
}

/**
 * The run's description: safe Markdown, editable in place, saved through `runs/set-tag`
 * (`mlflow.note.content`).
 */
export function RunDescription({ runId, note }: RunDescriptionProps) {
  return (
    <NoteEditor
      idPrefix="run-description"
      note={note}
      canEdit
      save={(text) => setRunTag(runId, NOTE_TAG, text)}
    />
  );
}
