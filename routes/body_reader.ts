/**
 * Reading a request body under a byte cap and two timeouts (issue 10 #3, #7): one reader for the
 * JSON decoder and for the early-error drain in close_connection.ts, so both bound a body the
 * same way.
 *
 * @module
 */

/** How long a body read may wait: for the next byte, and for the whole body. */
export interface ReadTimeouts {
  idleMs: number;
  totalMs: number;
}

/** The body stopped arriving (idle), or took too long in all. */
export type TimedOut = { timedOut: "idle" | "total" };

/** Resolves with `value` after `ms`; `clear()` cancels the timer. */
function after<T>(ms: number, value: T): { promise: Promise<T>; clear: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(value), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/** A body read in progress, as the shared watchdog sees it. */
interface Watch {
  /** When the read goes idle unless another byte comes (moved on by each chunk). */
  idleAt: number;
  deadline: number;
  expire: (why: TimedOut) => void;
}

/**
 * Every body read in progress, watched by one timer set for the earliest expiry. A timer per
 * read cost more than reading a small body (Node-compatible timers, set and cleared per
 * request); with many requests in flight the timer now only moves when one of them expires, or
 * when none is left, so that no timer outlives the reads.
 */
const watches = new Set<Watch>();
let watchdog: ReturnType<typeof setTimeout> | undefined;
let watchdogAt = Infinity;

const expiryOf = (w: Watch) => Math.min(w.idleAt, w.deadline);

function armWatchdog(at: number): void {
  if (watchdog !== undefined && watchdogAt <= at) return;
  clearTimeout(watchdog);
  watchdogAt = at;
  watchdog = setTimeout(checkWatches, Math.max(0, at - Date.now()));
}

function checkWatches(): void {
  watchdog = undefined;
  watchdogAt = Infinity;
  const now = Date.now();
  let next = Infinity;
  for (const w of watches) {
    const at = expiryOf(w);
    if (now < at) {
      next = Math.min(next, at);
      continue;
    }
    watches.delete(w);
    // "idle" when the idle time ran out before the deadline would have.
    w.expire({ timedOut: w.idleAt < w.deadline ? "idle" : "total" });
  }
  if (next < Infinity) armWatchdog(next);
}

function unwatch(w: Watch): void {
  watches.delete(w);
  if (watches.size === 0 && watchdog !== undefined) {
    clearTimeout(watchdog);
    watchdog = undefined;
    watchdogAt = Infinity;
  }
}

/**
 * Reads the body, or returns `null` once it exceeds `limit` bytes (checked while reading), or
 * {@linkcode TimedOut} once no byte came for `idleMs` or the whole body took over `totalMs`.
 * Either way the rest of the body is cancelled.
 *
 * A timed-out read is given up to one more idle period to settle before the body is cancelled:
 * measured on Deno 2.9.6, a body cancelled while a read is pending leaves the connection open
 * after the reply (routes/close_connection.ts), so a trickling client's next byte is awaited and
 * its connection then closes; a silent one gets its 408 after twice the idle timeout.
 */
export async function readBytes(
  req: Request,
  limit: number,
  timeouts: ReadTimeouts,
): Promise<Uint8Array<ArrayBuffer> | null | TimedOut> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await req.body?.cancel().catch(() => {});
    return null;
  }
  if (req.body === null) return new Uint8Array(0);
  const reader = req.body.getReader();
  let expire!: (why: TimedOut) => void;
  const expired = new Promise<TimedOut>((resolve) => expire = resolve);
  const now = Date.now();
  const watch: Watch = { idleAt: now + timeouts.idleMs, deadline: now + timeouts.totalMs, expire };
  watches.add(watch);
  armWatchdog(expiryOf(watch));
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const read = reader.read();
      // A read that loses to the timeout settles later; its outcome no longer matters.
      read.catch(() => {});
      const got = await Promise.race([read, expired]);
      if ("timedOut" in got) {
        const grace = after(timeouts.idleMs, undefined);
        await Promise.race([read.catch(() => {}), grace.promise]);
        grace.clear();
        await reader.cancel().catch(() => {});
        return got;
      }
      if (got.done) break;
      watch.idleAt = Date.now() + timeouts.idleMs;
      size += got.value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(got.value);
    }
  } finally {
    unwatch(watch);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}
