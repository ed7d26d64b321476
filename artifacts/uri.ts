/**
 * Maps the artifact URIs this server hands out (run and logged-model artifact roots) to paths in
 * its own artifact repository. Only proxied URIs map; the server never opens a URI taken from
 * user input (mlflow-rest.md §5 "Serve only proxied roots", §9 SSRF/LFI CVEs).
 *
 * @module
 */

import { normaliseArtifactPath } from "./path.ts";

/** Where the proxied artifact routes live; an http(s) root names its path after this anchor. */
const HTTP_ANCHOR = "/api/2.0/mlflow-artifacts/artifacts";
const PROXY_SCHEME = "mlflow-artifacts:";

/**
 * The repository path an artifact URI served by this proxy points at, or `null` when the URI is
 * not a proxied one (`file:`, `s3:`, `runs:`, `dbfs:`, other `http(s)` URLs, relative paths…).
 *
 * - `mlflow-artifacts:/X` and `mlflow-artifacts://host:port/X` → `X`
 * - `http(s)://host[/prefix]/api/2.0/mlflow-artifacts/artifacts/X` → `X`
 *
 * The string is parsed by hand rather than with `URL`, which would silently resolve `..`
 * segments and hide a traversal from the validator.
 *
 * @throws {MlflowError} `INVALID_PARAMETER_VALUE` when the URI is proxied but `X` fails
 * {@linkcode normaliseArtifactPath} (`..`, `?`, `#`, `;`, …).
 *
 * @example
 * ```ts
 * proxiedPath("mlflow-artifacts:/1/abc/artifacts"); // "1/abc/artifacts"
 * proxiedPath("file:///etc/passwd"); // null
 * ```
 */
export function proxiedPath(uri: string): string | null {
  const colon = uri.indexOf(":");
  if (colon <= 0) return null;
  const scheme = uri.slice(0, colon + 1).toLowerCase();
  const rest = uri.slice(colon + 1);

  if (scheme === PROXY_SCHEME) {
    return normaliseArtifactPath(stripOneSlash(stripAuthority(rest)));
  }
  if (scheme === "http:" || scheme === "https:") {
    if (!rest.startsWith("//")) return null;
    const path = stripAuthority(rest);
    // The anchor must sit in the path proper, not in a query string or fragment.
    const end = path.search(/[?#]/);
    const at = path.indexOf(HTTP_ANCHOR);
    if (at < 0 || (end >= 0 && at > end)) return null;
    const after = path.slice(at + HTTP_ANCHOR.length);
    if (after === "") return "";
    // `/api/2.0/mlflow-artifacts/artifactsX` is a different route, not a path under the anchor.
    if (!after.startsWith("/")) return null;
    return normaliseArtifactPath(after.slice(1));
  }
  return null;
}

/**
 * Drops `//authority` when present. The authority ends at the first `/`, `?` or `#`, so a query
 * right after the host stays in the path and the validator refuses it.
 */
function stripAuthority(rest: string): string {
  if (!rest.startsWith("//")) return rest;
  const end = rest.slice(2).search(/[/?#]/);
  return end < 0 ? "" : rest.slice(end + 2);
}

/** Only one: `mlflow-artifacts:////etc` must still look absolute to the validator. */
function stripOneSlash(path: string): string {
  return path.startsWith("/") ? path.slice(1) : path;
}
