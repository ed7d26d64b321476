/**
 * `<Island>`: puts an interactive component on a server-rendered page. It renders the component
 * to HTML now (first paint, no JavaScript needed to read it) inside
 * `<div data-island="Name" data-props="{json}">`, which `ui/islands/client.ts` hydrates in the
 * browser. It also records that the page has an island, so `renderPage` adds the client script
 * only to pages that need it.
 *
 * Props travel as JSON in an attribute: preact escapes `& < > "`, so user text in props cannot
 * break out of it, and no inline `<script>` is needed (the CSP forbids one).
 *
 * @module
 */
import { type ComponentProps, createContext } from "preact";
import { useContext } from "preact/hooks";
import { type IslandName, ISLANDS } from "./islands/registry.ts";

/** The names of the islands one page render used; provided by `renderPage`. */
export const IslandsUsed = createContext<Set<string> | null>(null);

/** Props of {@linkcode Island}: a registry name and that component's props (JSON values only). */
export interface IslandProps<N extends IslandName> {
  name: N;
  props: ComponentProps<(typeof ISLANDS)[N]>;
}

/**
 * Renders island `name` with `props` for hydration. Islands must not nest: an island's own
 * children are plain components.
 *
 * @example
 * ```tsx
 * <Island name="ExperimentsList" props={{ experiments, nextPageToken: null, query: "", view: "active", error: null, pageSize: 100 }} />
 * ```
 */
export function Island<N extends IslandName>({ name, props }: IslandProps<N>) {
  useContext(IslandsUsed)?.add(name);
  // deno-lint-ignore no-explicit-any
  const Component = ISLANDS[name] as any;
  return (
    <div data-island={name} data-props={JSON.stringify(props)}>
      <Component {...props} />
    </div>
  );
}
