import type { ComponentChildren } from "preact";

/** Props of {@linkcode MetaItem}. */
export interface MetaItemProps {
  label: string;
  /** Classes of the `<dd>` (`mono` for ids and URIs, `num` for numbers). */
  class?: string;
  children?: ComponentChildren;
}

/**
 * One label/value pair of a page's details grid, `<dl class="meta">` (styled per `<div>`).
 *
 * @example
 * ```tsx
 * <dl class="meta">
 *   <MetaItem label="Run ID" class="mono">{info.run_id}</MetaItem>
 *   <MetaItem label="Started"><DateTime ms={info.start_time} /></MetaItem>
 * </dl>
 * ```
 */
export function MetaItem({ label, class: cls, children }: MetaItemProps) {
  return (
    <div>
      <dt>{label}</dt>
      <dd class={cls}>{children}</dd>
    </div>
  );
}
