import type { ComponentChildren } from "preact";

/** Props of {@linkcode EmptyRegistryState}. */
export interface EmptyRegistryStateProps {
  title: string;
  /** What the list holds, and how entries get there. */
  children: ComponentChildren;
  /** The MLflow client code that makes an entry, one line per item. */
  code: string[];
}

/** An empty registry list (models, prompts): what it holds and the client code that fills it. */
export function EmptyRegistryState({ title, children, code }: EmptyRegistryStateProps) {
  return (
    <div class="empty-state">
      <h2>{title}</h2>
      <p class="muted">{children}</p>
      <pre class="code-block"><code>{code.join("\n")}</code></pre>
    </div>
  );
}
