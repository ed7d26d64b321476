import { updateModelVersion, updateRegisteredModel } from "./api.ts";
import { NoteEditor } from "./notes/NoteEditor.tsx";

/** Props of {@linkcode RegistryDescription}. */
export interface RegistryDescriptionProps {
  /** The registered model's name. */
  name: string;
  /** The version whose description this is; absent for the model's own. */
  version?: string;
  /** The current description (Markdown source); empty when none. */
  description: string;
  /** Whether the viewer may edit it (EDIT on the model). */
  canEdit: boolean;
}

/**
 * A registered model's or a model version's description: safe Markdown, editable in place,
 * saved through `registered-models/update` or `model-versions/update`.
 */
export function RegistryDescription(
  { name, version, description, canEdit }: RegistryDescriptionProps,
) {
  return (
    <NoteEditor
      idPrefix={version === undefined ? "model-description" : "version-description"}
      note={description}
      canEdit={canEdit}
      save={(text) =>
        version === undefined
          ? updateRegisteredModel(name, text)
          : updateModelVersion(name, version, text)}
    />
  );
}
