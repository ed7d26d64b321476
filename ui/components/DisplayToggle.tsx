/** How the experiment page shows its runs. */
export type RunsDisplay = "table" | "charts";

const CHOICES: { display: RunsDisplay; label: string }[] = [
  { display: "table", label: "Table" },
  { display: "charts", label: "Charts" },
];

/** Props of {@linkcode DisplayToggle}. */
export interface DisplayToggleProps {
  display: RunsDisplay;
  /** The link of each choice, so it works without script and opens in a new tab. */
  href: (display: RunsDisplay) => string;
  /** A plain left click, handled in place instead of navigating. */
  onSelect: (display: RunsDisplay) => void;
}

/** Table | Charts as a group of links, the current one marked with `aria-current`. */
export function DisplayToggle({ display, href, onSelect }: DisplayToggleProps) {
  return (
    <div class="segmented" role="group" aria-label="Display runs as">
      {CHOICES.map((c) => (
        <a
          key={c.display}
          href={href(c.display)}
          aria-current={c.display === display ? "true" : undefined}
          data-display={c.display}
          onClick={(e) => {
            // Modified clicks keep the browser's meaning (new tab, new window).
            if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
            e.preventDefault();
            onSelect(c.display);
          }}
        >
          {c.label}
        </a>
      ))}
    </div>
  );
}
