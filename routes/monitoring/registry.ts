/**
 * A small Prometheus registry: counters, gauges and histograms with fixed label names, rendered in
 * the text exposition format 0.0.4. No dependency: the format is a few lines of text, and
 * prom-client is a Node package that would bring its own process collectors.
 *
 * Every series set is bounded: a metric keeps at most {@linkcode MAX_SERIES_PER_METRIC} label
 * sets, and values beyond that are added to one overflow series whose labels are all
 * {@linkcode OVERFLOW_LABEL}, so a bug that put an unbounded value in a label cannot grow memory
 * or the scrape without limit.
 *
 * @module
 */

/** Most distinct label sets one metric keeps; further ones are folded into the overflow series. */
export const MAX_SERIES_PER_METRIC = 2000;

/** The label value of every label of the overflow series. */
export const OVERFLOW_LABEL = "_overflow";

/** The content type of a scrape: Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A label value as the text format wants it: `\`, `"` and newlines escaped. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** HELP text as the text format wants it: `\` and newlines escaped. */
function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** A sample value: integers as such, and `+Inf`, `-Inf`, `NaN` spelled as Prometheus does. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** `{a="x",b="y"}`, or nothing when there are no labels. */
function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i])}"`);
  if (extra !== "") parts.push(extra);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** What every kind of metric shares: its name, help, label names and bounded series map. */
abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: "counter" | "gauge" | "histogram";
  #series = new Map<string, { values: readonly string[]; state: S }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract fresh(): S;

  /** The state of the series for `values`, created on first use (or the overflow series). */
  protected series(values: readonly string[]): S {
    // \u0000 cannot appear in a route template, method or status: a safe separator.
    const id = values.join("\u0000");
    let entry = this.#series.get(id);
    if (entry === undefined) {
      const full = this.#series.size >= MAX_SERIES_PER_METRIC;
      const key = full ? values.map(() => OVERFLOW_LABEL) : values;
      const keyId = full ? key.join("\u0000") : id;
      entry = this.#series.get(keyId);
      if (entry === undefined) {
        entry = { values: key, state: this.fresh() };
        this.#series.set(keyId, entry);
      }
    }
    return entry.state;
  }

  /** Makes sure the series of `values` exists, so it is rendered (as 0) before its first use. */
  touch(values: readonly string[] = []): void {
    this.series(values);
  }

  /** Number of label sets held (overflow included). */
  get size(): number {
    return this.#series.size;
  }

  protected abstract sampleLines(values: readonly string[], state: S): string[];

  /** HELP, TYPE and every sample line. */
  render(): string[] {
    const lines = [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
    ];
    for (const { values, state } of this.#series.values()) {
      lines.push(...this.sampleLines(values, state));
    }
    return lines;
  }
}

/** A value that only goes up (resets when the process restarts). */
export class Counter extends Metric<{ v: number }> {
  readonly type = "counter";
  protected fresh() {
    return { v: 0 };
  }
  /** Adds `n` (default 1) to the series of `values` (one per label name, in order). */
  inc(values: readonly string[] = [], n = 1): void {
    this.series(values).v += n;
  }
  protected sampleLines(values: readonly string[], s: { v: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatValue(s.v)}`];
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric<{ v: number }> {
  readonly type = "gauge";
  protected fresh() {
    return { v: 0 };
  }
  /** Sets the series of `values` to `v`. */
  set(v: number, values: readonly string[] = []): void {
    this.series(values).v = v;
  }
  /** Adds `n` (negative to subtract). */
  add(n: number, values: readonly string[] = []): void {
    this.series(values).v += n;
  }
  protected sampleLines(values: readonly string[], s: { v: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatValue(s.v)}`];
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into fixed buckets, rendered cumulatively with `_sum` and `_count`. */
export class Histogram extends Metric<HistogramState> {
  readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: number[]) {
    super(name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  protected fresh(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  /** Records `v` in the series of `values`. */
  observe(v: number, values: readonly string[] = []): void {
    const s = this.series(values);
    const i = this.buckets.findIndex((b) => v <= b);
    if (i >= 0) s.counts[i]++;
    s.sum += v;
    s.count++;
  }
  protected sampleLines(values: readonly string[], s: HistogramState): string[] {
    const lines: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((b, i) => {
      cumulative += s.counts[i];
      const labels = labelText(this.labelNames, values, `le="${formatValue(b)}"`);
      lines.push(`${this.name}_bucket${labels} ${cumulative}`);
    });
    lines.push(`${this.name}_bucket${labelText(this.labelNames, values, 'le="+Inf"')} ${s.count}`);
    lines.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(s.sum)}`);
    lines.push(`${this.name}_count${labelText(this.labelNames, values)} ${s.count}`);
    return lines;
  }
}

/** What the registry needs of a metric. */
interface RegisteredMetric {
  name: string;
  labelNames: readonly string[];
  touch(): void;
  render(): string[];
}

/**
 * A set of metrics rendered together.
 *
 * @example
 * ```ts
 * const reg = new Registry();
 * const hits = reg.counter("kvflow_hits_total", "Hits.", ["route"]);
 * hits.inc(["/a"]);
 * reg.render(); // "# HELP kvflow_hits_total Hits.\n# TYPE kvflow_hits_total counter\n…"
 * ```
 */
export class Registry {
  #metrics: RegisteredMetric[] = [];

  /** A new counter; its name should end in `_total`. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }
  /** A new gauge. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames));
  }
  /** A new histogram with the given upper bounds (`+Inf` is added). */
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: number[],
  ): Histogram {
    return this.#add(new Histogram(name, help, labelNames, buckets));
  }

  #add<M extends RegisteredMetric>(m: M): M {
    if (this.#metrics.some((x) => x.name === m.name)) {
      throw new Error(`Metric "${m.name}" is registered twice`);
    }
    // A metric without labels has exactly one series: shown from the start, as 0.
    if (m.labelNames.length === 0) m.touch();
    this.#metrics.push(m);
    return m;
  }

  /** The whole exposition, ending with a newline. */
  render(): string {
    return this.#metrics.flatMap((m) => m.render()).join("\n") + "\n";
  }
}
