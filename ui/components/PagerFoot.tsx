/** Props of {@linkcode PagerFoot}. */
export interface PagerFootProps {
  /** Rows on this page. */
  count: number;
  /** What a row is, singular ("model"); an "s" is added for other counts. */
  noun: string;
  /** The pager's accessible name ("Pages of prompts"). */
  label: string;
  /** Whether this is the first page (no page token). */
  firstPage: boolean;
  /** The first page's URL. */
  firstHref: string;
  /** The next page's URL, or null on the last page. */
  nextHref: string | null;
}

/**
 * The foot of a server-paged table (`?page_token=`): how many rows this page shows, and links to
 * the first and the next page while there are other pages.
 */
export function PagerFoot({ count, noun, label, firstPage, firstHref, nextHref }: PagerFootProps) {
  return (
    <div class="table-foot">
      <span class="muted">
        {count} {noun}
        {count === 1 ? "" : "s"}
        {firstPage ? "" : " on this page"}
        {nextHref ? ", more on the next page" : ""}
      </span>
      {(!firstPage || nextHref) && (
        <nav class="pager" aria-label={label}>
          {!firstPage && <a class="button" href={firstHref}>First page</a>}
          {nextHref && <a class="button" href={nextHref} rel="next">Next page</a>}
        </nav>
      )}
    </div>
  );
}
