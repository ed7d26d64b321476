import type { ComponentChildren } from "preact";

/** Props of {@linkcode DismissibleNotice}. */
export interface DismissibleNoticeProps {
  kind: "info" | "error";
  text: string;
  onDismiss: () => void;
  /** Actions after the text (an Undo button). */
  children?: ComponentChildren;
}

/** The outcome of an action on a list (deleted, restored, failed), with a close button. */
export function DismissibleNotice({ kind, text, onDismiss, children }: DismissibleNoticeProps) {
  return (
    <div class={`notice notice--${kind}`} role={kind === "error" ? "alert" : undefined}>
      <span>{text}</span>
      {children}
      <button type="button" class="notice__close" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
