/**
 * A tiny, safe Markdown renderer for run descriptions (`mlflow.note.content`). It builds Preact
 * VNodes — never HTML strings — so every character of the input ends up as text: raw HTML in the
 * note shows literally. Supported: paragraphs, `#`–`######` headings, `*em*`/`_em_`,
 * `**strong**`/`__strong__` (nestable), `` `code` ``, fenced code blocks, `-`/`*`/`+` and `1.`
 * lists, and `[text](url)` links whose URL is `http:` or `https:` (anything else is shown as
 * text). Shared by the run page (SSR) and the description editor island (preview after save).
 *
 * @example
 * ```ts
 * renderMarkdown("# Hi\n\n**bold** [docs](https://mlflow.org)"); // VNodes: <h3>, <p><strong>…
 * ```
 *
 * @module
 */
import { type ComponentChild, h } from "preact";

/** Whether `url` may become a link: absolute `http(s)://` only. */
export function isSafeUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === "http:" || u.protocol === "https:") && /^https?:\/\//i.test(url);
  } catch {
    return false;
  }
}

/** Inline Markdown → children. `depth` bounds recursion on pathological input. */
export function renderInline(text: string, depth = 0): ComponentChild[] {
  const out: ComponentChild[] = [];
  let plain = "";
  const flush = () => {
    if (plain) out.push(plain);
    plain = "";
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text[i];
    if (ch === "\\" && i + 1 < text.length && /[\\`*_[\]()#+\-.!]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "`") {
      const end = text.indexOf("`", i + 1);
      if (end > i + 1) {
        flush();
        out.push(h("code", null, text.slice(i + 1, end)));
        i = end + 1;
        continue;
      }
    }
    if (depth < 8 && (rest.startsWith("**") || rest.startsWith("__"))) {
      const mark = rest.slice(0, 2);
      const end = text.indexOf(mark, i + 2);
      if (end > i + 2) {
        flush();
        out.push(h("strong", null, renderInline(text.slice(i + 2, end), depth + 1)));
        i = end + 2;
        continue;
      }
    }
    // `_` inside a word (snake_case) is not emphasis, as in CommonMark.
    const wordBefore = i > 0 && /[\p{L}\p{N}]/u.test(text[i - 1]);
    if (
      depth < 8 && (ch === "*" || (ch === "_" && !wordBefore)) && text[i + 1] !== ch &&
      text[i + 1] !== " "
    ) {
      // Find the closing single marker, skipping doubled ones (nested strong).
      let j = i + 1;
      let end = -1;
      while (j < text.length) {
        if (text[j] === ch) {
          if (text[j + 1] === ch) {
            j += 2;
            continue;
          }
          if (text[j - 1] !== " ") {
            end = j;
            break;
          }
        }
        j++;
      }
      if (end > i + 1) {
        flush();
        out.push(h("em", null, renderInline(text.slice(i + 1, end), depth + 1)));
        i = end + 1;
        continue;
      }
    }
    if (ch === "[") {
      const m = /^\[([^\]]*)\]\(([^)\s]*)\)/.exec(rest);
      if (m) {
        flush();
        const label = renderInline(m[1], depth + 1);
        if (isSafeUrl(m[2])) {
          out.push(h("a", { href: m[2], rel: "noopener noreferrer nofollow" }, label));
        } else {
          out.push(m[0]);
        }
        i += m[0].length;
        continue;
      }
    }
    plain += ch;
    i++;
  }
  flush();
  return out;
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const ORDERED = /^\s*\d{1,9}[.)]\s+(.*)$/;

/** Block-level Markdown → VNodes (headings render two levels down: `#` is an `<h3>`). */
export function renderMarkdown(source: string): ComponentChild[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: ComponentChild[] = [];
  let para: string[] = [];
  const endPara = () => {
    if (para.length) blocks.push(h("p", { key: blocks.length }, renderInline(para.join("\n"))));
    para = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      endPara();
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i])) body.push(lines[i++]);
      i++;
      blocks.push(h("pre", { key: blocks.length }, h("code", null, body.join("\n"))));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      endPara();
      const level = Math.min(6, heading[1].length + 2);
      blocks.push(h(`h${level}`, { key: blocks.length }, renderInline(heading[2])));
      i++;
      continue;
    }
    const listRe = BULLET.test(line) ? BULLET : ORDERED.test(line) ? ORDERED : null;
    if (listRe) {
      endPara();
      const items: ComponentChild[] = [];
      while (i < lines.length && listRe.test(lines[i])) {
        const m = listRe.exec(lines[i])!;
        items.push(h("li", { key: items.length }, renderInline(m[1])));
        i++;
      }
      blocks.push(h(listRe === BULLET ? "ul" : "ol", { key: blocks.length }, items));
      continue;
    }
    if (line.trim() === "") endPara();
    else para.push(line);
    i++;
  }
  endPara();
  return blocks;
}
