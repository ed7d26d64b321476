import { Layout } from "../components/Layout.tsx";

/** Props of {@linkcode LoginPage}. */
export interface LoginPageProps {
  /** Where to go after logging in (a path on this server; the form sends it back). */
  next: string;
  /** The username to fill in again after a failed attempt. */
  username?: string;
  /** Why the last attempt failed, or why the page is shown (e.g. "Log in to see …"). */
  message?: string | null;
  /** Whether `message` reports an error (a failed attempt) rather than a plain notice. */
  error?: boolean;
}

/**
 * The login form: posts username, password and `next` to `/login`, which sets the session
 * cookie and redirects to `next`. Shown by `GET /login`, again after a failed attempt, and as the
 * body of the 401 an anonymous browser gets for any page.
 */
export function LoginPage({ next, username = "", message, error = false }: LoginPageProps) {
  return (
    <Layout bare>
      <div class="login">
        <h1>Log in to kvflow</h1>
        {message && (
          <p class={error ? "notice notice--error" : "notice"} role={error ? "alert" : "status"}>
            {message}
          </p>
        )}
        <form class="login__form" method="post" action="/login">
          <input type="hidden" name="next" value={next} />
          <label for="login-username">Username</label>
          <input
            id="login-username"
            type="text"
            name="username"
            value={username}
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            autofocus={username === ""}
          />
          <label for="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            name="password"
            autocomplete="current-password"
            required
            autofocus={username !== ""}
          />
          <button type="submit" class="button button--primary">Log in</button>
        </form>
        <p class="login__hint muted">
          Scripts and the MLflow client authenticate with <code>MLFLOW_TRACKING_USERNAME</code> and
          {" "}
          <code>MLFLOW_TRACKING_PASSWORD</code>, or an API token in{" "}
          <code>MLFLOW_TRACKING_TOKEN</code>.
        </p>
      </div>
    </Layout>
  );
}
