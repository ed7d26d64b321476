/** One choice of a {@linkcode KeyPicker}. */
export interface KeyChoice {
  id: string;
  /** Shown in monospace (a metric or param key). */
  label: string;
  /** A small note after the label ("param", "metric"). */
  kind?: string;
}

/** Props of {@linkcode KeyPicker}. */
export interface KeyPickerProps {
  legend: string;
  choices: KeyChoice[];
  checked: string[];
  onToggle: (id: string, on: boolean) => void;
}

/**
 * A wrapping, scrollable group of checkboxes: which metrics to chart, which axes to draw. Its
 * legend counts the chosen and all choices, since the box may hide some below its fold.
 */
export function KeyPicker({ legend, choices, checked, onToggle }: KeyPickerProps) {
  return (
    <fieldset class="chart-keys">
      <legend>
        {legend} {/* How many there are: the box scrolls when they do not all fit. */}
        <span class="chart-key__kind">
          {checked.filter((id) => choices.some((c) => c.id === id)).length} of {choices.length}
        </span>
      </legend>
      {choices.map((c) => (
        <label key={c.id} class="chart-key">
          <input
            type="checkbox"
            checked={checked.includes(c.id)}
            onChange={(e) => onToggle(c.id, (e.target as HTMLInputElement).checked)}
          />
          <span class="mono">{c.label}</span>
          {c.kind && <span class="chart-key__kind">{c.kind}</span>}
        </label>
      ))}
    </fieldset>
  );
}
