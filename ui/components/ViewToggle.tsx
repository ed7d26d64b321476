/** Which lifecycle stages a list shows, as the experiments list and the runs table both offer. */
export type LifecycleView = "active" | "deleted" | "all";

const VIEWS: { view: LifecycleView; label: string }[] = [
  { view: "active", label: "Active" },
  { view: "deleted", label: "Deleted" },
  { view: "all", label: "All" },
];

/** Props of {@linkcode ViewToggle}. */
export interface ViewToggleProps {
  view: LifecycleView;
  /** The link of each choice, so it works without script and opens in a new tab. */
  href: (view: LifecycleView) => string;
  /** A plain left click, handled in place instead of navigating. */
  onSelect: (view: LifecycleView) => void;
}

/** Active / Deleted / All as a group of links, the current one marked with `aria-current`. */
export function ViewToggle({ view, href, onSelect }: ViewToggleProps) {
  return (
    <div class="segmented" role="group" aria-label="Show">
      {VIEWS.map(({ view: v, label }) => (
        <a
          key={v}
          href={href(v)}
          aria-current={v === view ? "true" : undefined}
          onClick={(e) => {
            // Modified clicks keep the browser's meaning (new tab, new window).
            if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
            e.preventDefault();
            onSelect(v);
          }}
        >
          {label}
        </a>
      ))}
    </div>
  );
}
