import assert from "node:assert/strict";
import { diffText, diffWords, lcsScript, splitLines, splitWords } from "./text_diff.ts";

/** The diff as unified-style text: `  same`, `- removed`, `+ added`, changed words in […]. */
function show(oldText: string, newText: string, opts = {}): string[] {
  return diffText(oldText, newText, opts).lines.map((l) => {
    const mark = l.op === "same" ? " " : l.op === "del" ? "-" : "+";
    const body = l.parts ? l.parts.map((p) => p.changed ? `[${p.text}]` : p.text).join("") : l.text;
    return `${mark} ${body}`;
  });
}

Deno.test("text diff: splitting lines and words", () => {
  assert.deepEqual(splitLines(""), []);
  assert.deepEqual(splitLines("a"), ["a"]);
  assert.deepEqual(splitLines("a\r\nb\n"), ["a", "b", ""]);
  assert.deepEqual(splitWords("Hello {{name}}, héllo_2!"), [
    "Hello",
    " ",
    "{",
    "{",
    "name",
    "}",
    "}",
    ",",
    " ",
    "héllo_2",
    "!",
  ]);
  assert.deepEqual(splitWords(""), []);
});

Deno.test("text diff: LCS edit scripts", () => {
  assert.deepEqual(lcsScript([], [], 10), []);
  assert.deepEqual(lcsScript(["a"], [], 10), ["del"]);
  assert.deepEqual(lcsScript([], ["a", "b"], 10), ["add", "add"]);
  assert.deepEqual(lcsScript(["a", "b", "c"], ["a", "x", "c"], 100), [
    "same",
    "del",
    "add",
    "same",
  ]);
  assert.deepEqual(lcsScript(["a", "b"], ["b", "a"], 100), ["del", "same", "add"]);
  // Over the cell limit: no script.
  assert.equal(lcsScript(["a", "b", "c"], ["a", "b", "c", "d"], 11), null);
  assert.notEqual(lcsScript(["a", "b", "c"], ["a", "b", "c", "d"], 12), null);
});

Deno.test("text diff: identical, added, removed, empty texts", () => {
  const same = diffText("a\nb", "a\nb");
  assert.deepEqual(same.lines.map((l) => l.op), ["same", "same"]);
  assert.equal(same.added + same.removed, 0);
  assert.deepEqual(show("", "x\ny"), ["+ x", "+ y"]);
  assert.deepEqual(show("x\ny", ""), ["- x", "- y"]);
  assert.deepEqual(show("", ""), []);
  const d = diffText("a\nb\nc", "a\nc\nd");
  assert.deepEqual(d.lines.map((l) => [l.op, l.text, l.oldNo, l.newNo]), [
    ["same", "a", 1, 1],
    ["del", "b", 2, undefined],
    ["same", "c", 3, 2],
    ["add", "d", undefined, 3],
  ]);
  assert.equal(d.added, 1);
  assert.equal(d.removed, 1);
  assert.equal(d.truncated, false);
  // A trailing newline is a line of its own.
  assert.deepEqual(show("a", "a\n"), ["  a", "+ "]);
});

Deno.test("text diff: changed lines are paired and compared word by word", () => {
  assert.deepEqual(
    show("Hello {{name}}!\nBye now", "Hello {{name}}, welcome!\nBye now"),
    ["- Hello {{name}}!", "+ Hello {{name}}[, welcome]!", "  Bye now"],
  );
  assert.deepEqual(show("one two three", "one 2 three"), ["- one [two] three", "+ one [2] three"]);
  // Two removed, one added: the first pair is compared, the extra line is removed whole.
  assert.deepEqual(show("keep\nred fox\nold line\nend", "keep\nred cat\nend"), [
    "  keep",
    "- red [fox]",
    "- old line",
    "+ red [cat]",
    "  end",
  ]);
  const w = diffWords("a b", "a c");
  assert.deepEqual(w, {
    old: [{ text: "a ", changed: false }, { text: "b", changed: true }],
    new: [{ text: "a ", changed: false }, { text: "c", changed: true }],
    cells: 1,
  });
  // Lines added or removed without a counterpart carry no word parts.
  assert.equal(diffText("", "x").lines[0].parts, undefined);
});

Deno.test("text diff: markup is kept as text, unchanged", () => {
  const xss = "<script>alert(1)</script><img src=x onerror=alert(2)>";
  const d = diffText("Hi", `Hi ${xss}`);
  assert.equal(d.lines[1].text, `Hi ${xss}`);
  assert.equal(d.lines[1].parts?.map((p) => p.text).join(""), `Hi ${xss}`);
});

Deno.test("text diff: over the cell limit, the changed block is removed and added whole", () => {
  const a = Array.from({ length: 50 }, (_, i) => `line ${i}`);
  const b = a.map((l, i) => i % 2 ? `${l}!` : l);
  // Common head and tail lines are set aside before the limit applies.
  const withEnds = diffText(
    ["top", ...a, "bottom"].join("\n"),
    ["top", ...b, "bottom"].join("\n"),
    {
      maxCells: 48 * 48,
    },
  );
  assert.equal(withEnds.truncated, true);
  assert.deepEqual(withEnds.lines.slice(0, 2).map((l) => [l.op, l.text]), [
    ["same", "top"],
    ["same", "line 0"],
  ]);
  const ops = withEnds.lines.map((l) => l.op);
  // line 1 … line 49 (49 lines) removed, then their replacements added; no word parts.
  assert.equal(ops.filter((o) => o === "del").length, 49);
  assert.equal(ops.filter((o) => o === "add").length, 49);
  assert.equal(ops.indexOf("add"), ops.lastIndexOf("del") + 1);
  assert.ok(withEnds.lines.every((l) => l.parts === undefined));
  assert.equal(withEnds.lines.at(-1)?.text, "bottom");
  // Under the limit the same texts get a real line diff.
  const fine = diffText(a.join("\n"), b.join("\n"));
  assert.equal(fine.truncated, false);
  assert.equal(fine.removed, 25);
  assert.equal(fine.lines.filter((l) => l.parts).length, 50);
});

Deno.test("text diff: a line pair over the word limit is shown whole", () => {
  const long = Array.from({ length: 600 }, (_, i) => `w${i}`).join(" ");
  // Common first and last words are set aside: one changed word in a long line is cheap.
  const one = diffText(long, long.replace("w300 ", "x300 "));
  assert.deepEqual(one.lines[1].parts?.filter((p) => p.changed), [{ text: "x300", changed: true }]);
  // Changed at both ends: 1201 × 1201 words > 1,000,000 cells, so no word parts.
  const both = diffText(`a ${long} z`, `b ${long} y`);
  assert.equal(both.truncated, false, "the line diff itself is fine");
  assert.deepEqual(both.lines.map((l) => [l.op, l.parts]), [["del", undefined], [
    "add",
    undefined,
  ]]);
  // The word budget is shared by the whole diff.
  assert.equal(diffText("a b c", "a x c", { maxWordCells: 0 }).lines[0].parts, undefined);
  assert.ok(diffText("a b c", "a x c", { maxWordCells: 1 }).lines[0].parts);
  const budget = diffText("a b\nc d", "a x\nc y", { maxWordCells: 1 });
  assert.deepEqual(budget.lines.map((l) => l.parts !== undefined), [true, false, true, false]);
  assert.deepEqual(diffWords("a b", "a c")?.cells, 1);
});

Deno.test("text diff: a large diff stays within its bounds quickly", () => {
  const a = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n");
  const b = Array.from({ length: 5000 }, (_, i) => `line ${i * 7}`).join("\n");
  const t0 = performance.now();
  const d = diffText(a, b);
  assert.equal(d.truncated, true, "5000 × 5000 lines is over the limit");
  assert.ok(performance.now() - t0 < 1000);
});
