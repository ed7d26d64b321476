/**
 * Buffered metric logging, as MLflow's asynchronous logging does it: points queue per run and go
 * out with `log-batch` when `maxBufferedPoints` have gathered or `flushIntervalMs` after the first
 * one, and on `flush()` (which `endRun` calls). One sender runs at a time, one batch of at most
 * 1000 points (the protocol's limit) per request, so each run's points reach the server in the
 * order they were logged; while more than a full batch waits it keeps sending full batches.
 *
 * Nothing queued is dropped because the server is briefly away: a batch whose request failed
 * after its retries (no answer, 429, 5xx) goes back to the head of its queue for the next flush.
 * A batch the server refuses (4xx) would be refused again, so it is dropped; either error is
 * thrown by the next `flush()`. A pending flush timer keeps the process alive, so a program that
 * simply ends still sends its points.
 *
 * @module
 */
import { MlflowRestError } from "./http.ts";
import type { MetricPoint } from "./mlflow_client.ts";

/** When buffered points are sent. */
export interface BufferOptions {
  /** Send at most this long after a point is logged (default 1000 ms; 0 sends at once). */
  flushIntervalMs?: number;
  /** Send as soon as this many points are waiting (default 1000, one full log-batch). */
  maxBufferedPoints?: number;
  /**
   * Past this many unsent points, `logMetric` waits until the sender has brought them below it,
   * so a program logging faster than the server takes points cannot grow memory without bound
   * (default 100,000).
   */
  maxQueuedPoints?: number;
}

/** Background flush rounds in a row that may fail before the buffer stops retrying on its own. */
const MAX_BACKGROUND_ROUNDS = 3;
/** Points per log-batch request: the protocol's limit. */
const MAX_BATCH_METRICS = 1000;
/** Refusals kept for the next `flush()` (the first ones; later ones repeat them). */
const MAX_KEPT_ERRORS = 10;

/** Sends one run's points (the client splits them into log-batch requests). */
export type SendPoints = (runId: string, points: MetricPoint[]) => Promise<void>;

/** Whether a failed send may succeed later unchanged: no answer, throttled, or a server error. */
function isTransient(err: unknown): boolean {
  return err instanceof MlflowRestError && (err.status === 0 || err.status === 429 ||
    err.status >= 500);
}

/** A queue of metric points per run, sent in the background. */
export class MetricBuffer {
  readonly #send: SendPoints;
  readonly #intervalMs: number;
  readonly #maxBuffered: number;
  readonly #maxQueued: number;
  readonly #queues = new Map<string, MetricPoint[]>();
  /** Points not yet sent: in the queues or in flight. */
  #count = 0;
  /** Points in the queues (not in flight). */
  #queued = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The sender's run, while one runs. */
  #sender: Promise<void> | undefined;
  /** Set by `flush()` and the timer: send partial batches too, until the queues are empty. */
  #force = false;
  /** Callers of `add` waiting for room. */
  #waiters: Array<() => void> = [];
  /** Errors of batches the server refused (dropped), for the next `flush()`. */
  #refusals: unknown[] = [];
  /** The error that stopped the sender with points still queued; cleared by a send that works. */
  #transient: unknown;
  #failedRounds = 0;

  constructor(send: SendPoints, opts: BufferOptions = {}) {
    this.#send = send;
    this.#intervalMs = opts.flushIntervalMs ?? 1000;
    this.#maxBuffered = Math.max(1, Math.min(MAX_BATCH_METRICS, opts.maxBufferedPoints ?? 1000));
    this.#maxQueued = Math.max(this.#maxBuffered, opts.maxQueuedPoints ?? 100_000);
  }

  /** Points waiting to be sent. */
  get pending(): number {
    return this.#count;
  }

  /**
   * Queues points for `runId`. Resolves at once, or, when more than `maxQueuedPoints` wait, once
   * the sender has made room.
   */
  async add(runId: string, points: readonly MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const queue = this.#queues.get(runId);
    if (queue === undefined) this.#queues.set(runId, [...points]);
    else for (const p of points) queue.push(p);
    this.#count += points.length;
    this.#queued += points.length;
    if (this.#intervalMs <= 0) this.#start(true);
    else if (this.#queued >= this.#maxBuffered) {
      const started = this.#sender === undefined;
      this.#start(false);
      // A loop awaiting only resolved promises never lets the network run: step out to the event
      // loop when a batch is ready, so sending overlaps logging.
      if (started) await new Promise((resolve) => setTimeout(resolve, 0));
    } else this.#timer ??= setTimeout(() => this.#start(true), this.#intervalMs);
    while (this.#count >= this.#maxQueued && this.#sender !== undefined) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /**
   * Sends everything queued now. Throws the errors of batches the server refused since the last
   * call (those points are gone), else the error that left points unsent (they stay queued, so
   * calling again retries them).
   */
  async flush(): Promise<void> {
    this.#start(true);
    while (this.#sender !== undefined) await this.#sender;
    const refusals = this.#refusals;
    this.#refusals = [];
    if (refusals.length === 1) throw refusals[0];
    if (refusals.length > 1) {
      throw new AggregateError(refusals, `the server refused ${refusals.length} metric batches`);
    }
    if (this.#count > 0 && this.#transient !== undefined) throw this.#transient;
  }

  /** Starts the sender unless it runs; `force` makes it send partial batches too. */
  #start(force: boolean): void {
    this.#force ||= force;
    if (this.#timer !== undefined && this.#force) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#sender !== undefined) return;
    this.#sender = this.#run().finally(() => {
      this.#sender = undefined;
      this.#wake();
    });
  }

  /** Sends batch after batch while there is a full one, or anything at all when forced. */
  async #run(): Promise<void> {
    for (;;) {
      const batch = this.#take();
      if (batch === undefined) break;
      try {
        await this.#send(batch.runId, batch.points);
        this.#failedRounds = 0;
        this.#transient = undefined;
      } catch (err) {
        if (isTransient(err)) {
          this.#transient = err;
          this.#putBack(batch.runId, batch.points);
          this.#force = false;
          // A server gone for good must not keep the process alive forever: after a few failed
          // rounds the points wait for the next log call or flush().
          if (++this.#failedRounds < MAX_BACKGROUND_ROUNDS) {
            this.#timer ??= setTimeout(
              () => this.#start(true),
              Math.max(this.#intervalMs, 1000),
            );
          }
          return;
        }
        if (this.#refusals.length < MAX_KEPT_ERRORS) this.#refusals.push(err);
      }
      this.#count -= batch.points.length;
      this.#wake();
    }
    if (this.#queued === 0) this.#force = false;
  }

  /** The next batch: up to 1000 points from the head of the oldest run's queue. */
  #take(): { runId: string; points: MetricPoint[] } | undefined {
    if (this.#queued === 0 || (!this.#force && this.#queued < this.#maxBuffered)) return undefined;
    const [runId, queue] = this.#queues.entries().next().value!;
    const points = queue.splice(0, MAX_BATCH_METRICS);
    if (queue.length === 0) this.#queues.delete(runId);
    this.#queued -= points.length;
    return { runId, points };
  }

  /** Returns a failed batch to the head of its run's queue, ahead of points logged since. */
  #putBack(runId: string, points: MetricPoint[]): void {
    const queue = this.#queues.get(runId);
    if (queue === undefined) this.#queues.set(runId, points);
    else queue.unshift(...points);
    this.#queued += points.length;
  }

  #wake(): void {
    if (this.#count >= this.#maxQueued && this.#sender !== undefined) return;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
