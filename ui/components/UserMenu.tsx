import { createContext } from "preact";

/**
 * Who is looking at a page, for its header: set only when the app runs with auth. `csrfToken` is
 * the browser session's (absent when the browser sent Basic credentials, which a server cannot
 * log out of).
 */
export interface Viewer {
  username: string;
  isAdmin: boolean;
  csrfToken?: string;
}

/**
 * The page's viewer, provided once by `renderPage` (ui/render.tsx) and read by `Layout`: the
 * header is every page's frame, so threading it through each page's props would touch every page
 * for data none of them uses.
 */
export const ViewerContext = createContext<Viewer | undefined>(undefined);

/** Props of {@linkcode UserMenu}. */
export interface UserMenuProps {
  viewer: Viewer;
}

/**
 * The header's right-hand side: the username, "API tokens", "Users" (admins only) and, for a
 * browser session, a logout button (a form, so it works without JavaScript, carrying the CSRF
 * token the logout route checks).
 */
export function UserMenu({ viewer }: UserMenuProps) {
  return (
    <nav class="user-menu" aria-label="Account">
      <span class="user-menu__name" title={`Signed in as ${viewer.username}`}>
        <span class="visually-hidden">Signed in as</span>
        {viewer.username}
      </span>
      <a href="/settings/tokens">API tokens</a>
      {viewer.isAdmin && <a href="/admin/users">Users</a>}
      {viewer.csrfToken !== undefined && (
        <form class="user-menu__logout" method="post" action="/logout">
          <input type="hidden" name="csrf_token" value={viewer.csrfToken} />
          <button type="submit" class="user-menu__button">Log out</button>
        </form>
      )}
    </nav>
  );
}
