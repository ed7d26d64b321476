import type { ComponentChildren } from "preact";

/** Props of {@linkcode Section}. */
export interface SectionProps {
  /** The `id` of the section's `<h2>`, which labels the section (tests and links use it). */
  headingId: string;
  title: ComponentChildren;
  /** Muted text after the heading: a count, or what the values are ("latest values"). */
  note?: ComponentChildren;
  /** Anything else on the heading's line, between the heading and the note (buttons, badges). */
  aside?: ComponentChildren;
  children?: ComponentChildren;
}

/**
 * A titled part of a page: a `<section>` labelled by its `<h2>`, which shares the `.section-head`
 * row with `aside` and `note`, then the content.
 *
 * @example
 * ```tsx
 * <Section headingId="run-params-heading" title="Parameters" note={params.length}>
 *   <KvTable id="run-params" rows={params} empty="No parameters." keyLabel="Parameter" />
 * </Section>
 * ```
 */
export function Section({ headingId, title, note, aside, children }: SectionProps) {
  return (
    <section aria-labelledby={headingId}>
      <div class="section-head">
        <h2 id={headingId}>{title}</h2>
        {aside}
        {note !== undefined && <span class="muted">{note}</span>}
      </div>
      {children}
    </section>
  );
}
