/** Props of {@linkcode HeadingRename}. */
export interface HeadingRenameProps {
  /** The input's id (its label points at it). */
  id: string;
  /** The input's accessible name, e.g. "Run name". */
  label: string;
  draft: string;
  /** Whether the last save failed (the error itself is shown by the header). */
  invalid: boolean;
  busy: boolean;
  onInput: (value: string) => void;
  onSubmit: (e: Event) => void;
  /** Cancel and Escape: leave the form. */
  onCancel: () => void;
}

/**
 * The in-place rename form of a page heading (run and experiment pages): the name field with
 * Save and Cancel, Escape cancelling as the Cancel button does.
 */
export function HeadingRename(props: HeadingRenameProps) {
  return (
    <form class="inline-edit run-header__rename" onSubmit={props.onSubmit}>
      <label for={props.id} class="visually-hidden">{props.label}</label>
      <input
        id={props.id}
        value={props.draft}
        autoFocus
        maxLength={500}
        aria-invalid={props.invalid ? "true" : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => e.key === "Escape" && props.onCancel()}
      />
      <button type="submit" class="button button--primary" disabled={props.busy}>Save</button>
      <button type="button" class="button" onClick={props.onCancel}>Cancel</button>
    </form>
  );
}
