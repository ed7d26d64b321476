/**
 * A registered version's source run or logged model: a link named by its name (its id when
 * unnamed), the id alone when it could not be read (`names[id]` is null), `—` when there is none.
 */
export function RefLink({ id, names, href, what }: {
  id: string | undefined;
  /** Names by id, as the page looked them up; null: not found or not readable. */
  names: Record<string, string | null>;
  href: (id: string) => string;
  /** "Run", "Logged model": for the "… not found" title. */
  what: string;
}) {
  if (!id) return <span class="muted">—</span>;
  const name = names[id];
  if (name === null || name === undefined) {
    return <span class="mono muted" title={`${what} not found`}>{id}</span>;
  }
  return <a href={href(id)} title={id}>{name || <span class="mono">{id}</span>}</a>;
}
