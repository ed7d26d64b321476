/**
 * Keeps the page's name in step after an island renames what the page is about: the document
 * title and the breadcrumb's last item are server-rendered, so without this they show the old
 * name until a reload.
 *
 * @module
 */

/** The document title of a page named `name`, as `renderPage` writes it. */
export function pageTitle(name: string): string {
  return `${name} · kvflow`;
}

/**
 * Shows `name` as the current page's name: the document title and the breadcrumb's current item
 * (`aria-current="page"`, which `Layout` renders for the last crumb). Text only (`textContent`),
 * so a name is never parsed as HTML.
 */
export function showPageName(name: string): void {
  document.title = pageTitle(name);
  const crumb = document.querySelector('.crumbs [aria-current="page"]');
  if (crumb) crumb.textContent = name;
}
