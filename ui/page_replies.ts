/**
 * API replies sent inside a page. The chart view's cards each need one bulk history read before
 * they can draw; fetched by the island, that read waits for the script to load and hydrate, and
 * then for a round trip. Instead the page's shell goes out first and each reply follows it, as
 * `<script type="application/json" data-reply="<url>">`, while the browser lays out the shell
 * and loads the script; the island takes a reply by its URL (ui/islands/api.ts `takePageReply`)
 * instead of asking for it.
 *
 * @module
 */
import { logError } from "../routes/log.ts";
import { statusForCode } from "../routes/errors.ts";
import { MlflowError } from "../store/errors.ts";

/** A GET an island makes as soon as it hydrates, answered by the server inside the page. */
export interface PageReply {
  /** The request's URL, exactly as the island builds it (path and query). */
  url: string;
  /** The reply the API would give. A reply that is not a 200 is left out: the island asks. */
  reply: () => Promise<Response>;
}

/** Longest the page waits for its replies; a later one is left out (the island asks for it). */
export const PAGE_REPLIES_WAIT_MS = 3000;

/** Largest reply sent inside a page; a larger one is left out. */
export const MAX_PAGE_REPLY_BYTES = 4 * 1024 * 1024;

/** The replies of a page being sent: see {@linkcode startPageReplies}. */
export interface PageReplies {
  /** The next reply's `<script>` element, as soon as one is complete; null once all are out. */
  next(): Promise<string | null>;
  /** Stops the reads still in flight (the browser went away). */
  cancel(): void;
}

/**
 * Starts reading `replies` at once, so the reads overlap whatever the caller does next
 * (rendering and sending the shell), and hands out their `<script>` elements in the order they
 * finish. A reply that fails, is not a 200, is larger than {@linkcode MAX_PAGE_REPLY_BYTES} or
 * has not finished within `waitMs` gives nothing.
 */
export function startPageReplies(
  replies: readonly PageReply[],
  waitMs = PAGE_REPLIES_WAIT_MS,
): PageReplies {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), waitMs);
  const cancel = () => {
    clearTimeout(timer);
    stop.abort();
  };
  const pending = new Map(
    replies.map((r, i) => [i, readReply(r, stop.signal).then((html) => ({ i, html }))]),
  );
  return {
    async next() {
      while (pending.size > 0) {
        const { i, html } = await Promise.race(pending.values());
        pending.delete(i);
        if (html !== null) return html;
      }
      cancel();
      return null;
    },
    cancel,
  };
}

/** One reply as its `<script>` element, or null when it is to be left out. */
async function readReply(r: PageReply, signal: AbortSignal): Promise<string | null> {
  try {
    const res = await r.reply();
    const text = await readBody(res, signal);
    return text === null ? null : replyScript(r.url, text);
  } catch (err) {
    if (!(err instanceof MlflowError && statusForCode(err.code) < 500)) {
      logError(["page reply", r.url, "failed"], err);
    }
    return null;
  }
}

/** A 200 reply's body as text; null when not a 200, too large, or `signal` aborts first. */
async function readBody(res: Response, signal: AbortSignal): Promise<string | null> {
  if (res.status !== 200 || res.body === null) {
    await res.body?.cancel();
    return null;
  }
  const reader = res.body.getReader();
  const aborted = new Promise<null>((resolve) => {
    if (signal.aborted) resolve(null);
    signal.addEventListener("abort", () => resolve(null), { once: true });
  });
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), aborted]);
      if (next === null) return null;
      if (next.done) break;
      size += next.value.byteLength;
      if (size > MAX_PAGE_REPLY_BYTES) return null;
      parts.push(next.value);
    }
  } finally {
    // Left early: stop the read (and the store work behind it); a no-op once it is done.
    reader.cancel().catch(() => {});
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    whole.set(p, at);
    at += p.byteLength;
  }
  return new TextDecoder().decode(whole);
}

/**
 * `json` (a JSON text) as an inert script element carrying `url`. JSON has `<` only inside
 * strings, where `\u003c` means the same: with none left, nothing in a run name or metric key can
 * close the element or open a comment.
 */
export function replyScript(url: string, json: string): string {
  const attr = url.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
  return `<script type="application/json" data-reply="${attr}">${
    json.replaceAll("<", "\\u003c")
  }</script>`;
}
