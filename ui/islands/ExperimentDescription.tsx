import { setExperimentTag } from "./api.ts";
import { NoteEditor } from "./notes/NoteEditor.tsx";
import { NOTE_TAG } from "./RunDescription.tsx";

/** Props of {@linkcode ExperimentDescription}. */
export interface ExperimentDescriptionProps {
  experimentId: string;
  /** The current description (Markdown source); empty when none. */
  note: string;
  /** Whether the viewer may edit it: EDIT or better with auth on, and not a deleted experiment. */
  canEdit: boolean;
}

/**
 * The experiment's description (`mlflow.note.content`, as MLflow keeps it): safe Markdown,
 * editable in place through `experiments/set-experiment-tag`. With none, only an
 * "Add description" button, so an undescribed experiment's page stays short.
 */
export function ExperimentDescription({ experimentId, note, canEdit }: ExperimentDescriptionProps) {
  return (
    <NoteEditor
      idPrefix="experiment-description"
      note={note}
      canEdit={canEdit}
      compact
      save={(text) => setExperimentTag(experimentId, NOTE_TAG, text)}
    />
  );
}
