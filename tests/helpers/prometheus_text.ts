/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: every line must be a
 * HELP, a TYPE or a sample matching the grammar, every sample's family must have had its HELP and
 * TYPE first, no series may repeat, and every histogram series must have cumulative buckets in
 * ascending `le` order ending in `+Inf`, whose count equals its `_count`, and a `_sum`.
 *
 * @module
 */

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed scrape. */
export interface Scrape {
  samples: Sample[];
  /** Family name → its TYPE. */
  types: Map<string, string>;
  /** Family name → its HELP text (unescaped). */
  help: Map<string, string>;
  /** The value of the sample with exactly these labels, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|NaN|[+-]Inf)$/;

function parseValue(text: string, line: string): number {
  if (!VALUE.test(text)) throw new Error(`bad value "${text}" in: ${line}`);
  if (text === "NaN") return NaN;
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

/** Parses `{a="x",b="y"}` starting at `text[0] === "{"`; returns the labels and the rest. */
function parseLabels(text: string, line: string): [Record<string, string>, string] {
  const labels: Record<string, string> = {};
  let i = 1;
  const fail = (why: string) => {
    throw new Error(`${why} at ${i} in: ${JSON.stringify(line)}`);
  };
  while (true) {
    if (text[i] === "}") return [labels, text.slice(i + 1)];
    const eq = text.indexOf("=", i);
    if (eq < 0) fail("no =");
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) fail(`bad label name "${name}"`);
    if (Object.hasOwn(labels, name)) fail(`repeated label "${name}"`);
    if (text[eq + 1] !== '"') fail("no opening quote");
    let value = "";
    let j = eq + 2;
    for (;; j++) {
      const ch = text[j];
      if (ch === undefined) fail("unterminated label value");
      if (ch === "\n") fail("raw newline in label value");
      if (ch === '"') break;
      if (ch === "\\") {
        const next = text[++j];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else fail(`bad escape \\${next}`);
        continue;
      }
      value += ch;
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (text[i] !== "}") fail("expected , or }");
  }
}

/** The family a sample belongs to: a histogram's `_bucket`, `_sum`, `_count` belong to it. */
function familyOf(name: string, types: Map<string, string>): string {
  if (types.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m && types.get(m[1]) === "histogram") return m[1];
  throw new Error(`sample "${name}" has no TYPE before it`);
}

/**
 * Parses and checks a scrape.
 *
 * @throws {Error} naming the first line or series that breaks the format.
 */
export function parsePrometheusText(text: string): Scrape {
  if (!text.endsWith("\n")) throw new Error("the scrape does not end with a newline");
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) throw new Error(`bad comment line: ${line}`);
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      if (kind === "TYPE") {
        if (!/^(counter|gauge|histogram|summary|untyped)$/.test(rest)) {
          throw new Error(`bad type: ${line}`);
        }
        if (types.has(name)) throw new Error(`second TYPE for ${name}`);
        if (samples.some((s) => familyOf(s.name, types) === name)) {
          throw new Error(`TYPE of ${name} after its samples`);
        }
        types.set(name, rest);
      } else {
        if (help.has(name)) throw new Error(`second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replaceAll("\\\\", ""))) {
          throw new Error(`bad HELP escape: ${line}`);
        }
        help.set(name, rest.replaceAll("\\n", "\n").replaceAll("\\\\", "\\"));
      }
      continue;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`bad sample line: ${JSON.stringify(line)}`);
    const name = nameMatch[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith("{")) [labels, rest] = parseLabels(rest, line);
    const parts = rest.split(" ");
    if (parts[0] !== "" || parts.length < 2 || parts.length > 3) {
      throw new Error(`bad sample line: ${JSON.stringify(line)}`);
    }
    const value = parseValue(parts[1], line);
    if (parts[2] !== undefined && !/^-?\d+$/.test(parts[2])) {
      throw new Error(`bad timestamp: ${line}`);
    }
    const family = familyOf(name, types);
    if (!help.has(family)) throw new Error(`family ${family} has no HELP`);
    const id = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(id)) throw new Error(`repeated series: ${line}`);
    seen.add(id);
    samples.push({ name, labels, value });
  }
  for (const [family, type] of types) {
    if (type === "histogram") checkHistogram(family, samples);
  }
  return {
    samples,
    types,
    help,
    value(name, want = {}) {
      const keys = Object.keys(want);
      return samples.find((s) =>
        s.name === name && Object.keys(s.labels).length === keys.length &&
        keys.every((k) => s.labels[k] === want[k])
      )?.value;
    },
  };
}

function checkHistogram(family: string, samples: Sample[]): void {
  const key = (labels: Record<string, string>) =>
    JSON.stringify(Object.entries(labels).filter(([k]) => k !== "le").sort());
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  const get = (labels: Record<string, string>) => {
    const k = key(labels);
    let s = series.get(k);
    if (!s) series.set(k, s = { buckets: [] });
    return s;
  };
  for (const s of samples) {
    if (s.name === `${family}_bucket`) {
      if (s.labels.le === undefined) throw new Error(`${family}_bucket without le`);
      get(s.labels).buckets.push([parseValue(s.labels.le, s.labels.le), s.value]);
    } else if (s.name === `${family}_sum`) get(s.labels).sum = s.value;
    else if (s.name === `${family}_count`) get(s.labels).count = s.value;
  }
  for (const [k, s] of series) {
    const where = `${family}${k}`;
    if (s.sum === undefined || s.count === undefined) {
      throw new Error(`${where}: no _sum or _count`);
    }
    if (s.buckets.length === 0) throw new Error(`${where}: no buckets`);
    for (let i = 1; i < s.buckets.length; i++) {
      if (!(s.buckets[i][0] > s.buckets[i - 1][0])) throw new Error(`${where}: le not ascending`);
      if (s.buckets[i][1] < s.buckets[i - 1][1]) throw new Error(`${where}: not cumulative`);
    }
    const last = s.buckets[s.buckets.length - 1];
    if (last[0] !== Infinity) throw new Error(`${where}: no +Inf bucket`);
    if (last[1] !== s.count) {
      throw new Error(`${where}: +Inf bucket ${last[1]} != count ${s.count}`);
    }
  }
}
