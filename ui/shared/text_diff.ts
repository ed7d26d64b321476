/**
 * A small line diff with word-level highlights, for comparing two prompt templates (the prompt
 * page's `?diff=<a>&to=<b>`). Pure and bounded: a longest common subsequence over lines, then,
 * inside each changed line paired with its replacement, over words. Common leading and trailing
 * lines are set aside first; when what is left would need more than {@linkcode MAX_DIFF_CELLS}
 * table cells (lines × lines, or words × words for a pair of lines), that part is shown as removed
 * whole and added whole instead, so a huge template cannot stall the server.
 *
 * @example
 * ```ts
 * const d = diffText("Hello {{name}}!\nBye", "Hello {{name}}, welcome!\nBye");
 * d.lines.map((l) => l.op); // ["del", "add", "same"]
 * d.lines[1].parts;         // [{ text: "Hello {{name}}", changed: false }, { text: ", welcome", changed: true }, …]
 * ```
 *
 * @module
 */

/** At most this many cells in one LCS table (lines × lines, or words × words). */
export const MAX_DIFF_CELLS = 1_000_000;
/** At most this many cells over all the word diffs of one text diff. */
export const MAX_WORD_DIFF_CELLS = 4_000_000;

/** A stretch of a changed line: unchanged text, or text only that side has. */
export interface DiffPart {
  text: string;
  changed: boolean;
}

/** One line of the diff: in both texts, only in the old one, or only in the new one. */
export interface DiffLine {
  op: "same" | "del" | "add";
  text: string;
  /** 1-based line number in the old text (`same` and `del`). */
  oldNo?: number;
  /** 1-based line number in the new text (`same` and `add`). */
  newNo?: number;
  /**
   * For a changed line paired with its replacement: the line cut into unchanged and changed
   * stretches (its own side's words only). Absent for lines with no counterpart, and for pairs
   * too long to compare word by word.
   */
  parts?: DiffPart[];
}

/** The diff of two texts. */
export interface TextDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
  /** True when a part was too large to compare and is shown as removed and added whole. */
  truncated: boolean;
}

/** Options of {@linkcode diffText} (tests lower the limits). */
export interface DiffOptions {
  maxCells?: number;
  maxWordCells?: number;
}

/** The lines of a text; an empty text has none. `\r\n` counts as one line break. */
export function splitLines(text: string): string[] {
  return text === "" ? [] : text.split(/\r?\n/);
}

/** Words, runs of white space, and single other characters: what word diffs compare. */
export function splitWords(line: string): string[] {
  return line.match(/\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? [];
}

/** One step of an edit script: keep an item, remove one of the old, add one of the new. */
export type Op = "same" | "del" | "add";

/**
 * The edit script from `a` to `b` by LCS (deletions before insertions where both fit), or null
 * when `a.length × b.length` exceeds `maxCells`.
 */
export function lcsScript(
  a: readonly string[],
  b: readonly string[],
  maxCells: number,
): Op[] | null {
  const n = a.length;
  const m = b.length;
  if (n === 0) return Array<Op>(m).fill("add");
  if (m === 0) return Array<Op>(n).fill("del");
  if (n * m > maxCells) return null;
  // Compare small integers rather than strings in the inner loop.
  const ids = new Map<string, number>();
  const intern = (s: string) => {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, id = ids.size);
    return id;
  };
  const ai = a.map(intern);
  const bi = b.map(intern);
  // len[i][j]: the LCS length of a[i..] and b[j..], in one flat row-major table.
  const w = m + 1;
  const len = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      len[i * w + j] = ai[i] === bi[j]
        ? len[(i + 1) * w + j + 1] + 1
        : Math.max(len[(i + 1) * w + j], len[i * w + j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (ai[i] === bi[j]) {
      ops.push("same");
      i++;
      j++;
    } else if (len[(i + 1) * w + j] >= len[i * w + j + 1]) {
      ops.push("del");
      i++;
    } else {
      ops.push("add");
      j++;
    }
  }
  while (i++ < n) ops.push("del");
  while (j++ < m) ops.push("add");
  return ops;
}

/**
 * The edit script from `a` to `b`: their common first and last items set aside, the rest by
 * {@linkcode lcsScript}; when that is over `maxCells`, the rest removed whole, then added whole
 * (`truncated`).
 */
export function boundedScript(
  a: readonly string[],
  b: readonly string[],
  maxCells: number,
): { ops: Op[]; truncated: boolean; cells: number } {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const mid = lcsScript(midA, midB, maxCells);
  const same = (k: number) => Array<Op>(k).fill("same");
  const ops = mid ?? [...Array<Op>(midA.length).fill("del"), ...Array<Op>(midB.length).fill("add")];
  return {
    ops: [...same(head), ...ops, ...same(tail)],
    truncated: mid === null,
    cells: mid === null ? 0 : midA.length * midB.length,
  };
}

/** Adjacent parts with the same flag joined; empty ones dropped. */
function joinParts(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  for (const p of parts) {
    if (p.text === "") continue;
    const last = out[out.length - 1];
    if (last && last.changed === p.changed) last.text += p.text;
    else out.push({ ...p });
  }
  return out;
}

/**
 * The word diff of one changed line and its replacement: each side cut into unchanged and
 * changed stretches, and the LCS table cells it took; null when the words × words table (common
 * first and last words set aside) would exceed `maxCells`.
 */
export function diffWords(
  oldLine: string,
  newLine: string,
  maxCells = MAX_DIFF_CELLS,
): { old: DiffPart[]; new: DiffPart[]; cells: number } | null {
  const a = splitWords(oldLine);
  const b = splitWords(newLine);
  const { ops, truncated, cells } = boundedScript(a, b, maxCells);
  if (truncated) return null;
  const oldParts: DiffPart[] = [];
  const newParts: DiffPart[] = [];
  let i = 0;
  let j = 0;
  for (const op of ops) {
    if (op === "same") {
      oldParts.push({ text: a[i++], changed: false });
      newParts.push({ text: b[j++], changed: false });
    } else if (op === "del") oldParts.push({ text: a[i++], changed: true });
    else newParts.push({ text: b[j++], changed: true });
  }
  return { old: joinParts(oldParts), new: joinParts(newParts), cells };
}

/**
 * The line diff of `oldText` → `newText`, each run of removed lines followed by the lines that
 * replace it; removed and added lines at the same place in a run are paired and compared word
 * by word (see {@linkcode DiffLine.parts}).
 */
export function diffText(oldText: string, newText: string, opts: DiffOptions = {}): TextDiff {
  const maxCells = opts.maxCells ?? MAX_DIFF_CELLS;
  let wordBudget = opts.maxWordCells ?? MAX_WORD_DIFF_CELLS;
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const { ops, truncated } = boundedScript(a, b, maxCells);

  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  let k = 0;
  while (k < ops.length) {
    if (ops[k] === "same") {
      lines.push({ op: "same", text: a[i], oldNo: ++i, newNo: ++j });
      k++;
      continue;
    }
    // A run of changes: its removed lines, then its added lines.
    const dels: DiffLine[] = [];
    const adds: DiffLine[] = [];
    for (; k < ops.length && ops[k] !== "same"; k++) {
      if (ops[k] === "del") dels.push({ op: "del", text: a[i], oldNo: ++i });
      else adds.push({ op: "add", text: b[j], newNo: ++j });
    }
    if (!truncated) {
      for (let p = 0; p < Math.min(dels.length, adds.length); p++) {
        const words = diffWords(dels[p].text, adds[p].text, Math.min(maxCells, wordBudget));
        if (words === null) continue;
        wordBudget -= words.cells;
        dels[p].parts = words.old;
        adds[p].parts = words.new;
      }
    }
    lines.push(...dels, ...adds);
  }
  const count = (op: Op) => lines.filter((l) => l.op === op).length;
  return { lines, added: count("add"), removed: count("del"), truncated };
}
