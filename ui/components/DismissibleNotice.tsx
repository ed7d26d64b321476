import type { ComponentChildren } from "preact";

/** Props of {@linkcode DismissibleNotice}. */
export interface DismissibleNoticeProps {
  kind: "info" | "error";
  text: string;
  onDismiss: () => void;
  /** When set, an "Undo" button after the text calls it (a delete that can be taken back). */
  onUndo?: () => void;
  /** Further actions after the text. */
  children?: ComponentChildren;
}

/** The outcome of an action on a list (deleted, restored, failed), with a close button. */
export function DismissibleNotice(
  { kind, text, onDismiss, onUndo, children }: DismissibleNoticeProps,
) {
  return (
    <div class={`notice notice--${kind}`} role={kind === "error" ? "alert" : undefined}>
      <span>{text}</span>
      {onUndo && (
        <button type="button" class="button button--link" data-undo onClick={onUndo}>
          Undo
        </button>
      )}
      {children}
      <button type="button" class="notice__close" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
