import { SearchField } from "./SearchField.tsx";

/** Props of {@linkcode SearchForm}. */
export interface SearchFormProps {
  /** The page the form GETs, with the query as `q`. */
  action: string;
  /** The input's id; the error element is `<id>-error`. */
  id: string;
  /** The accessible label (visually hidden). */
  label: string;
  query: string;
  /** The API's message for a query it refused, shown under the form. */
  error: string | null;
}

/**
 * A server-rendered page's search form (`?q=`): the field, a submit button, a link clearing the
 * search, and the error the last query got.
 */
export function SearchForm({ action, id, label, query, error }: SearchFormProps) {
  return (
    <>
      <form class="toolbar" role="search" method="get" action={action}>
        <div class="search">
          <SearchField
            id={id}
            label={label}
            name="q"
            value={query}
            placeholder="Search by name, or tags.key = 'value'"
            invalid={!!error}
          />
        </div>
        <button type="submit" class="button">Search</button>
        {query.trim() && <a href={action}>Clear search</a>}
      </form>
      {error && <p id={`${id}-error`} class="field-error" role="alert">{error}</p>}
    </>
  );
}
