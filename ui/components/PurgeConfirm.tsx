/** Props of {@linkcode PurgeConfirm}. */
export interface PurgeConfirmProps {
  /** Whether the question is showing (the island keeps this state). */
  confirming: boolean;
  /** What goes, for the button's accessible name and the question ("run “a”", "3 runs"). */
  what: string;
  busy: boolean;
  onAsk: () => void;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A Deleted view's "Delete permanently": a button that first asks, in place, as revoking a token
 * does, since nothing brings the data back.
 */
export function PurgeConfirm(p: PurgeConfirmProps) {
  if (!p.confirming) {
    return (
      <button
        type="button"
        class="button button--small button--danger"
        aria-label={`Delete ${p.what} permanently`}
        disabled={p.busy}
        data-purge
        onClick={p.onAsk}
      >
        Delete permanently
      </button>
    );
  }
  return (
    <span class="confirm" data-purge-confirm>
      <span>Delete {p.what} permanently, with artifacts? This cannot be undone.</span>
      <button
        type="button"
        class="button button--small button--danger"
        disabled={p.busy}
        onClick={p.onConfirm}
      >
        Yes, delete permanently
      </button>
      <button type="button" class="button button--small" onClick={p.onCancel}>Cancel</button>
    </span>
  );
}
