import type { Tag } from "../../store/types.ts";
import { KvTable } from "./KvTable.tsx";

/** Props of {@linkcode SystemTags}. */
export interface SystemTagsProps {
  /** The table's `id`. */
  id: string;
  /** The `mlflow.*` tags to list, in order (see `systemTags` in `shared/tags.ts`). */
  tags: readonly Tag[];
  /** After the count in the summary: `System tags (3, read-only)`. */
  note?: string;
  /** The key column's heading; default "Key". */
  keyLabel?: string;
}

/**
 * MLflow's own tags, collapsed under a "System tags (N)" summary below the user's tags; nothing
 * when there are none.
 */
export function SystemTags({ id, tags, note, keyLabel }: SystemTagsProps) {
  if (tags.length === 0) return null;
  return (
    <details class="system-tags">
      <summary>System tags ({note ? `${tags.length}, ${note}` : tags.length})</summary>
      <KvTable id={id} rows={tags} empty="" keyLabel={keyLabel} />
    </details>
  );
}
