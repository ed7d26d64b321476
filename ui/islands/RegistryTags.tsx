import type { Tag } from "../../store/types.ts";
import {
  deleteModelVersionTag,
  deleteRegisteredModelTag,
  setModelVersionTag,
  setRegisteredModelTag,
} from "./api.ts";
import { TagEditor } from "./tags/TagEditor.tsx";

/** Props of {@linkcode RegistryTags}. */
export interface RegistryTagsProps {
  /** The registered model's name. */
  name: string;
  /** The version whose tags these are; absent for the model's own. */
  version?: string;
  tags: Tag[];
  /** EDIT on the model: add and edit tags. */
  canEdit: boolean;
  /**
   * Delete a tag: EDIT for a model's tag, MANAGE for a version's (the API's own rule for
   * `model-versions/delete-tag`).
   */
  canDelete: boolean;
}

/** A registered model's or a model version's tags, editable in place. */
export function RegistryTags({ name, version, tags, canEdit, canDelete }: RegistryTagsProps) {
  const v = version;
  return (
    <TagEditor
      idPrefix={v === undefined ? "model-" : "version-"}
      tags={tags}
      put={(k, val) =>
        v === undefined ? setRegisteredModelTag(name, k, val) : setModelVersionTag(name, v, k, val)}
      remove={(k) =>
        v === undefined ? deleteRegisteredModelTag(name, k) : deleteModelVersionTag(name, v, k)}
      canEdit={canEdit}
      canDelete={canDelete}
    />
  );
}
