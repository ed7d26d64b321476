/** Props of {@linkcode SearchField}. */
export interface SearchFieldProps {
  /** The input's id; the error element, if any, is `<id>-error`. */
  id: string;
  /** The accessible label (visually hidden). */
  label: string;
  value: string;
  placeholder: string;
  /** Marks the input invalid and points it at `<id>-error`. */
  invalid: boolean;
  /** The query parameter the form sends; `filter` when left out. */
  name?: string;
  /** For an island's live search; a server-rendered form leaves it out. */
  onInput?: (value: string) => void;
}

/** The search input of a filter form: hidden label, magnifier icon, and error wiring. */
export function SearchField(
  { id, label, value, placeholder, invalid, name = "filter", onInput }: SearchFieldProps,
) {
  return (
    <>
      <label class="visually-hidden" for={id}>{label}</label>
      <svg class="search__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <circle cx="11" cy="11" r="7" />
        <path d="M20 20l-4-4" />
      </svg>
      <input
        id={id}
        type="search"
        name={name}
        value={value}
        placeholder={placeholder}
        autocomplete="off"
        spellcheck={false}
        aria-invalid={invalid ? "true" : undefined}
        aria-describedby={invalid ? `${id}-error` : undefined}
        onInput={onInput && ((e) => onInput(e.currentTarget.value))}
      />
    </>
  );
}
