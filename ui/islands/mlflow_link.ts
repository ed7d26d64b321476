/**
 * Follows an MLflow UI link that landed on a kvflow page: `http://host/#/experiments/1/runs/<id>`
 * (what every MLflow `start_run` prints) reaches the server as `/`, with the route in the
 * fragment. `client.ts` calls this before hydrating; the mapping is ui/shared/mlflow_links.ts.
 *
 * @module
 */
import { mlflowLinkTarget } from "../shared/mlflow_links.ts";

/**
 * Replaces the current page with the kvflow page for an MLflow fragment route, without a history
 * entry (Back skips the MLflow URL); true when it navigates, so the caller skips hydrating a page
 * that is going away. Also listens for later fragment changes (an MLflow link pasted over a kvflow
 * page only changes the fragment, which reloads nothing).
 */
export function followMlflowLink(): boolean {
  addEventListener("hashchange", () => void go());
  return go();
}

function go(): boolean {
  const target = mlflowLinkTarget(location.hash);
  if (target === null) return false;
  const here = location.pathname + location.search;
  // Already there (or an unknown route on the page it maps to): drop the fragment only.
  if (target === here) {
    history.replaceState(history.state, "", here);
    return false;
  }
  location.replace(target);
  return true;
}
