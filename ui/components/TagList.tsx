import type { Tag } from "../../store/types.ts";

/** Props of {@linkcode TagList}. */
export interface TagListProps {
  tags: Tag[];
  /** Show at most this many chips, then `+N`; default 4. */
  max?: number;
}

/**
 * Tags as `key: value` chips. System tags (`mlflow.*`) are the caller's to filter out; the full
 * text of each chip is in its `title` since long values are truncated by CSS.
 */
export function TagList({ tags, max = 4 }: TagListProps) {
  if (tags.length === 0) return <span class="muted">—</span>;
  const shown = tags.slice(0, max);
  const rest = tags.length - shown.length;
  return (
    <ul class="tags">
      {shown.map((t) => (
        <li key={t.key} class="tag" title={`${t.key}: ${t.value}`}>
          <span class="tag__key">{t.key}</span>
          {t.value !== "" && <span class="tag__value">{t.value}</span>}
        </li>
      ))}
      {rest > 0 && (
        <li class="tag tag--more" title={tags.slice(max).map((t) => t.key).join(", ")}>
          +{rest}
        </li>
      )}
    </ul>
  );
}
