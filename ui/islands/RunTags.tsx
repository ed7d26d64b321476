import type { Tag } from "../../store/types.ts";
import { deleteRunTag, setRunTag } from "./run_page/api.ts";
import { TagEditor } from "./tags/TagEditor.tsx";

/** Props of {@linkcode RunTags}. */
export interface RunTagsProps {
  runId: string;
  /** The user's tags (no `mlflow.*`; the page shows those read-only). */
  tags: Tag[];
}

/** The run's own tags: a table with per-row Edit and Delete, and a form to add one. */
export function RunTags({ runId, tags }: RunTagsProps) {
  return (
    <TagEditor
      idPrefix=""
      tags={tags}
      put={(k, v) => setRunTag(runId, k, v)}
      remove={(k) => deleteRunTag(runId, k)}
      canEdit
      canDelete
      reserved="mlflow."
    />
  );
}
