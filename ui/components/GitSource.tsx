import { gitCommitUrl, gitRepoWebUrl } from "../shared/git.ts";

/** Props of {@linkcode GitSource}. */
export interface GitSourceProps {
  /** `mlflow.source.git.repoURL` (or the older `mlflow.gitRepoURL`). */
  repoUrl: string;
  /** `mlflow.source.git.commit`, when known. */
  commit?: string;
}

/**
 * The code's git source on the run page: the commit linked to its page in the repository (or the
 * repository itself when no commit is known), the repository beside it. Only http(s) repository
 * URLs and hex commit ids become a link (`shared/git.ts`); anything else is plain text.
 */
export function GitSource({ repoUrl, commit }: GitSourceProps) {
  const href = commit ? gitCommitUrl(repoUrl, commit) : gitRepoWebUrl(repoUrl);
  const repo = gitRepoWebUrl(repoUrl) ?? repoUrl;
  const label = commit ? commit.slice(0, 12) : repo;
  return (
    <span class="git-source">
      {href
        ? (
          <a href={href} rel="noopener noreferrer nofollow" title={commit} data-git-link>
            {label}
          </a>
        )
        : <span title={commit}>{label}</span>}
      {commit && <span class="muted git-source__repo">{repo}</span>}
    </span>
  );
}
