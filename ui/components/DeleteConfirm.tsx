import { useEffect, useRef } from "preact/hooks";

/** Props of {@linkcode DeleteConfirm}. */
export interface DeleteConfirmProps {
  /** Whether the question is showing (the island keeps this state). */
  confirming: boolean;
  /** What goes, in the question ("3 runs", "run “a”"). */
  what: string;
  busy: boolean;
  /** The Delete button's accessible name when "Delete" alone is ambiguous ("Delete version 2"). */
  label?: string;
  onAsk: () => void;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A "Delete" button that first asks, in place ("Delete 3 runs?"), so a stray click on a large
 * selection does nothing; the deletion itself can then be undone from the notice that follows.
 */
export function DeleteConfirm(p: DeleteConfirmProps) {
  const cancel = useRef<HTMLButtonElement>(null);
  const del = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // The clicked button goes away: focus moves to the question's safe answer (Cancel), and back
  // to Delete when the question is cancelled, so keyboard users never land on the page's top.
  useEffect(() => {
    if (p.confirming) {
      asked.current = true;
      cancel.current?.focus();
    } else if (asked.current) {
      asked.current = false;
      del.current?.focus();
    }
  }, [p.confirming]);
  if (!p.confirming) {
    return (
      <button
        ref={del}
        type="button"
        class="button button--small button--danger"
        disabled={p.busy}
        data-delete
        aria-label={p.label}
        onClick={p.onAsk}
      >
        Delete
      </button>
    );
  }
  return (
    <span
      class="confirm"
      data-delete-confirm
      onKeyDown={(e) => e.key === "Escape" && p.onCancel()}
    >
      <span>Delete {p.what}?</span>
      <button
        type="button"
        class="button button--small button--danger"
        disabled={p.busy}
        onClick={p.onConfirm}
      >
        Yes, delete
      </button>
      <button ref={cancel} type="button" class="button button--small" onClick={p.onCancel}>
        Cancel
      </button>
    </span>
  );
}
