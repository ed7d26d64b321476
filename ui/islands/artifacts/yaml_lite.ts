/**
 * Just enough YAML to read an MLmodel file (what PyYAML's `safe_dump` writes): block mappings and
 * sequences by indentation, plain / single- / double-quoted scalars (quoted ones may run over
 * several lines, as long signatures do), `|` and `>` blocks, `{}` / `[]` and JSON-like flow
 * collections, comments. The `yaml` package would add ~30 KB gzipped to the island bundle for one
 * preview; anything this reader does not understand throws, and the caller shows the raw text.
 *
 * @module
 */

interface Line {
  indent: number;
  text: string;
}

/** Thrown for input outside the subset; the message says where. */
export class YamlLiteError extends Error {}

/** Parses `text` into plain JSON values (objects, arrays, strings, numbers, booleans, null). */
export function parseYamlLite(text: string): unknown {
  const lines = logicalLines(text);
  if (lines.length === 0) return null;
  const at = { i: 0 };
  const value = parseBlock(lines, at, lines[0].indent);
  if (at.i < lines.length) throw new YamlLiteError(`Unexpected line: ${lines[at.i].text}`);
  return value;
}

/** Lines without blanks and comments, a quoted scalar that spans lines joined into one. */
function logicalLines(text: string): Line[] {
  const raw = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const out: Line[] = [];
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i];
    if (/^\s*(#.*)?$/.test(line) || line === "---") continue;
    if (/^\t/.test(line)) throw new YamlLiteError("Tabs in indentation");
    // A quoted value left open continues on the next lines (folded: each break is a space).
    while (openQuote(line) && i + 1 < raw.length) {
      const next = raw[++i].trim();
      line = next === "" ? `${line}\n` : `${line.endsWith("\n") ? line : line + " "}${next}`;
    }
    const indent = line.length - line.trimStart().length;
    out.push({ indent, text: line.trim() });
  }
  return out;
}

/** Whether the value part of `line` starts a quoted scalar that is not closed on it. */
function openQuote(line: string): boolean {
  const m = /^\s*(?:-\s+)?(?:[^'"\s][^:]*:\s+|(?:'[^']*'|"[^"]*"):\s+)?(['"])/.exec(line);
  if (!m) return false;
  const q = m[1];
  const rest = line.slice(m[0].length);
  if (q === "'") return !/^(?:[^']|'')*'/.test(rest);
  return !/^(?:[^"\\]|\\.)*"/.test(rest);
}

function parseBlock(lines: Line[], at: { i: number }, indent: number): unknown {
  return lines[at.i].text.startsWith("- ") || lines[at.i].text === "-"
    ? parseSequence(lines, at, indent)
    : parseMapping(lines, at, indent);
}

function parseSequence(lines: Line[], at: { i: number }, indent: number): unknown[] {
  const items: unknown[] = [];
  while (
    at.i < lines.length && lines[at.i].indent === indent && /^-(\s|$)/.test(lines[at.i].text)
  ) {
    const { text } = lines[at.i];
    const rest = text.slice(1).trimStart();
    if (rest === "") {
      at.i++;
      items.push(
        at.i < lines.length && lines[at.i].indent > indent
          ? parseBlock(lines, at, lines[at.i].indent)
          : null,
      );
    } else if (splitKey(rest) !== null) {
      // `- key: value` opens a mapping whose other keys sit under `key`.
      const inner = indent + (text.length - rest.length);
      lines[at.i] = { indent: inner, text: rest };
      items.push(parseMapping(lines, at, inner));
    } else {
      at.i++;
      items.push(scalarWithBlock(rest, lines, at, indent));
    }
  }
  return items;
}

function parseMapping(lines: Line[], at: { i: number }, indent: number): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  while (at.i < lines.length && lines[at.i].indent === indent) {
    const kv = splitKey(lines[at.i].text);
    if (kv === null) throw new YamlLiteError(`Expected "key: value": ${lines[at.i].text}`);
    at.i++;
    const [key, rest] = kv;
    if (rest === "") {
      const next = lines[at.i];
      if (next && next.indent > indent) map[key] = parseBlock(lines, at, next.indent);
      else if (next && next.indent === indent && /^-(\s|$)/.test(next.text)) {
        map[key] = parseSequence(lines, at, indent);
      } else map[key] = null;
    } else {
      map[key] = scalarWithBlock(rest, lines, at, indent);
    }
  }
  if (at.i < lines.length && lines[at.i].indent > indent) {
    throw new YamlLiteError(`Unexpected indentation: ${lines[at.i].text}`);
  }
  return map;
}

/** `key: rest` split at the first `: ` (or a final `:`) outside quotes; null when not a pair. */
function splitKey(text: string): [string, string] | null {
  const quoted = /^('(?:[^']|'')*'|"(?:[^"\\]|\\.)*")\s*:(\s+|$)/.exec(text);
  if (quoted) return [scalar(quoted[1]) as string, text.slice(quoted[0].length).trim()];
  const m = /^([^'"#\[\]{},][^#]*?)\s*:(\s+|$)/.exec(text);
  if (!m) return null;
  return [m[1], text.slice(m[0].length).trim()];
}

/** A value, reading the lines of a `|` / `>` block or a plain scalar's continuation lines. */
function scalarWithBlock(rest: string, lines: Line[], at: { i: number }, indent: number): unknown {
  if (/^[|>][+-]?$/.test(rest)) {
    const parts: string[] = [];
    while (at.i < lines.length && lines[at.i].indent > indent) parts.push(lines[at.i++].text);
    return parts.join(rest[0] === "|" ? "\n" : " ") + (rest.endsWith("-") ? "" : "\n");
  }
  if (!/^['"\[{]/.test(rest)) {
    let plain = rest;
    while (at.i < lines.length && lines[at.i].indent > indent) {
      const next = lines[at.i++].text;
      if (splitKey(next) !== null) throw new YamlLiteError(`A value continues with a key: ${next}`);
      plain += ` ${next}`;
    }
    return scalar(plain);
  }
  return scalar(rest);
}

/** One scalar or flow collection. */
function scalar(raw: string): unknown {
  const s = raw.trim();
  if (s.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'$/.exec(s);
    if (!m) throw new YamlLiteError(`Bad quoted value: ${s}`);
    return m[1].replaceAll("''", "'");
  }
  if (s.startsWith('"')) {
    try {
      return JSON.parse(s.replaceAll("\n", "\\n"));
    } catch {
      throw new YamlLiteError(`Bad quoted value: ${s}`);
    }
  }
  if (s === "{}") return {};
  if (s === "[]") return [];
  if (s.startsWith("[") || s.startsWith("{")) {
    try {
      return JSON.parse(s);
    } catch {
      return s; // a flow collection beyond JSON: kept as written
    }
  }
  const plain = s.replace(/\s+#.*$/, "");
  if (plain === "" || plain === "null" || plain === "~" || plain === "Null" || plain === "NULL") {
    return null;
  }
  if (/^(true|True|TRUE)$/.test(plain)) return true;
  if (/^(false|False|FALSE)$/.test(plain)) return false;
  if (/^[-+]?(\d+|\d*\.\d+|\d+\.\d*)([eE][-+]?\d+)?$/.test(plain)) return Number(plain);
  return plain;
}
