/** Props of {@linkcode Smoothing}. */
export interface SmoothingProps {
  /** The EMA weight, 0 (off) to 0.99. */
  value: number;
  onSet: (weight: number) => void;
  /**
   * Redraw while dragging (`input`) rather than once on release (`change`): a view that writes
   * the weight into the URL takes it on release only.
   */
  live?: boolean;
}

/** The metric charts' smoothing slider with its value, beside {@linkcode AxisOptions}. */
export function Smoothing({ value, onSet, live = false }: SmoothingProps) {
  const take = (e: Event) => onSet(Number((e.target as HTMLInputElement).value));
  return (
    <label>
      Smoothing{" "}
      <input
        type="range"
        min={0}
        max={0.99}
        step={0.01}
        value={value}
        onInput={live ? take : undefined}
        onChange={live ? undefined : take}
      />{" "}
      <span class="num">{value.toFixed(2)}</span>
    </label>
  );
}
