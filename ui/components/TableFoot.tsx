/** Props of {@linkcode TableFoot}. */
export interface TableFootProps {
  /** Rows on screen. */
  count: number;
  /** What a row is, singular ("run"); an "s" is added for other counts. */
  noun: string;
  /** Word after the count while more pages exist ("shown", "loaded"). */
  partial: string;
  /** Whether another page exists. */
  more: boolean;
  /** Disables the button while a page is loading. */
  loading: boolean;
  onMore: () => void;
}

/** The foot of a paged table: how many rows are on screen, and "Load more" while pages remain. */
export function TableFoot({ count, noun, partial, more, loading, onMore }: TableFootProps) {
  return (
    <div class="table-foot">
      <span class="muted">
        {count} {noun}
        {count === 1 ? "" : "s"}
        {more ? ` ${partial}` : ""}
      </span>
      {more && (
        <button type="button" class="button" disabled={loading} onClick={onMore}>
          Load more
        </button>
      )}
    </div>
  );
}
