/**
 * The run page's git source link: MLflow records the repository (`mlflow.source.git.repoURL`,
 * older clients `mlflow.gitRepoURL`) and the commit (`mlflow.source.git.commit`) of the code that
 * started a run. Those are user-controlled strings, so a link is made only from an http(s) URL
 * and a hex commit id; anything else is shown as text by the page.
 *
 * @example
 * ```ts
 * gitCommitUrl("https://github.com/org/repo.git", "0123abcd"); // "https://github.com/org/repo/commit/0123abcd"
 * gitCommitUrl("git@github.com:org/repo.git", "0123abcd");     // null: not http(s)
 * ```
 *
 * @module
 */

/** A commit id as git prints it: 7 to 64 hex digits (SHA-1 or SHA-256, possibly abbreviated). */
const COMMIT_ID = /^[0-9a-f]{7,64}$/i;

/**
 * The repository's web address from a `repoURL` tag: an http(s) URL without credentials (a
 * `https://token@host/…` clone URL must not end up in a link), query, fragment, trailing `/` or
 * `.git`; null for anything else (ssh, `file:`, `javascript:`, text).
 */
export function gitRepoWebUrl(repoUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(repoUrl.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const path = url.pathname.replace(/\/+$/, "").replace(/\.git$/, "");
  if (path === "" || path === "/") return null;
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * The web page of `commit` in the repository at `repoUrl`, in the `/commit/<sha>` form GitHub,
 * GitLab and Gitea answer; null when either part is not safe to link (see
 * {@linkcode gitRepoWebUrl}; the commit must be hex).
 */
export function gitCommitUrl(repoUrl: string, commit: string): string | null {
  const repo = gitRepoWebUrl(repoUrl);
  if (repo === null || !COMMIT_ID.test(commit)) return null;
  return `${repo}/commit/${commit.toLowerCase()}`;
}
