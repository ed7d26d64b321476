/**
 * The browser entry, bundled by `deno task bundle` (ui/bundle.ts) into `ui/static/dist/client.js`.
 * Hydrates every `<div data-island="Name" data-props="{json}">` the server rendered with the
 * registry's component of that name, so the markup already on screen becomes interactive, then
 * marks it `data-hydrated`. First, an MLflow UI link's fragment route is sent to its kvflow page
 * (ui/islands/mlflow_link.ts).
 *
 * Written with `h()` rather than JSX on purpose: see ui/README.md ("Why two JSX modes").
 *
 * @module
 */
import { h, hydrate } from "preact";
import { followMlflowLink } from "./mlflow_link.ts";
import { type IslandName, ISLANDS } from "./registry.ts";

// An MLflow link (`/#/experiments/1/runs/<id>`) goes to its kvflow page; this one is not shown.
if (!followMlflowLink()) hydrateAll();

function hydrateAll() {
  for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const name = el.dataset.island as IslandName;
    const component = ISLANDS[name];
    if (!component) {
      console.error(`kvflow: unknown island "${name}"`);
      continue;
    }
    // deno-lint-ignore no-explicit-any
    hydrate(h(component as any, JSON.parse(el.dataset.props ?? "{}")), el);
    // Lets tests (and CSS) tell a live island from its server-rendered HTML.
    el.dataset.hydrated = "";
  }
}
