import type { ComponentChildren } from "preact";
import { useContext } from "preact/hooks";
import { UserMenu, ViewerContext } from "./UserMenu.tsx";

/** One link of the header's main navigation. */
export interface NavItem {
  /** What pages pass as {@linkcode LayoutProps.active} to highlight this link. */
  key: string;
  href: string;
  label: string;
}

/**
 * The header's links, in order. A new top-level page adds its entry here and passes its `key`
 * as `active`.
 */
export const NAV_ITEMS: readonly NavItem[] = [
  { key: "experiments", href: "/", label: "Experiments" },
  { key: "models", href: "/models", label: "Models" },
  { key: "prompts", href: "/prompts", label: "Prompts" },
  { key: "docs", href: "/docs", label: "API" },
];

/** A trail entry above the page title; the last one is the current page and has no link. */
export interface Crumb {
  label: string;
  href?: string;
}

/** Props of {@linkcode Layout}. */
export interface LayoutProps {
  /** The {@linkcode NavItem.key} to mark as the current section. */
  active?: string;
  /** Optional trail (`Experiments / my-exp`), rendered above the page content. */
  crumbs?: Crumb[];
  /**
   * Only the brand in the header, no navigation or account links: the login page's, where both
   * would lead back to it.
   */
  bare?: boolean;
  /**
   * The whole window width instead of the reading width: the experiment page, whose runs table
   * grows a column per chosen metric, param and tag.
   */
  wide?: boolean;
  children?: ComponentChildren;
}

/**
 * Every page's frame: a skip link, the header (brand + {@linkcode NAV_ITEMS}, and the viewer's
 * {@linkcode UserMenu} when `renderPage` provides one) and `<main>`.
 *
 * @example
 * ```tsx
 * <Layout active="experiments" crumbs={[{ label: "Experiments", href: "/" }, { label: name }]}>
 *   <h1>{name}</h1>
 * </Layout>
 * ```
 */
export function Layout({ active, crumbs, bare, wide, children }: LayoutProps) {
  const viewer = useContext(ViewerContext);
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class={wide ? "app-header app-header--wide" : "app-header"}>
        <div class="app-header__inner">
          <a class="brand" href="/" aria-label="kvflow home">
            <svg class="brand__mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M3 17l5-6 4 4 8-10" />
              <circle cx="3" cy="17" r="1.6" />
              <circle cx="8" cy="11" r="1.6" />
              <circle cx="12" cy="15" r="1.6" />
              <circle cx="20" cy="5" r="1.6" />
            </svg>
            <span class="brand__name">kvflow</span>
          </a>
          {!bare && (
            <nav class="app-nav" aria-label="Main">
              <ul>
                {NAV_ITEMS.map((item) => (
                  <li key={item.key}>
                    <a href={item.href} aria-current={item.key === active ? "page" : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {!bare && viewer && <UserMenu viewer={viewer} />}
        </div>
      </header>
      <main id="main" class={wide ? "page page--wide" : "page"} tabIndex={-1}>
        {crumbs && crumbs.length > 0 && (
          <nav class="crumbs" aria-label="Breadcrumb">
            <ol>
              {crumbs.map((c, i) => (
                <li key={i}>
                  {c.href && i < crumbs.length - 1
                    ? <a href={c.href}>{c.label}</a>
                    : <span aria-current="page">{c.label}</span>}
                </li>
              ))}
            </ol>
          </nav>
        )}
        {children}
      </main>
    </>
  );
}
