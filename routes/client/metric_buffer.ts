/**
 * Buffered metric logging, as MLflow's asynchronous logging does it: points queue per run and go
 * out with `log-batch` when `maxBufferedPoints` have gathered or `flushIntervalMs` after the first
 * one, and on `flush()` (which `endRun` calls). One flush runs at a time, so points reach the
 * server in the order they were logged.
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
   * Past this many unsent points, `logMetric` waits for the flush in flight before it returns,
   * so a program logging faster than the server takes points cannot grow memory without bound
   * (default 100,000).
   */
  maxQueuedPoints?: number;
}

/** Background flush rounds in a row that may fail before the buffer stops retrying on its own. */
const MAX_BACKGROUND_ROUNDS = 3;
/** Errors kept for the next `flush()` (the first ones; later ones repeat them). */
const MAX_KEPT_ERRORS = 10;

/** Sends one run's points (the client splits them into log-batch requests). */
export type SendPoints = (runId: string, points: MetricPoint[]) => Promise<void>;

/** Whether a failed send may succeed later unchanged: no answer, throttled, or a server error. */
function isTransient(err: unknown): boolean {
  return err instanceof MlflowRestError && (err.status === 0 || err.status === 429 ||
    err.status >= 500);
}

/** A queue of metric points per run, flushed in the background. */
export class MetricBuffer {
  readonly #send: SendPoints;
  readonly #intervalMs: number;
  readonly #maxBuffered: number;
  readonly #maxQueued: number;
  #queues = new Map<string, MetricPoint[]>();
  #count = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #drainPending = false;
  #errors: unknown[] = [];
  #failedDrains = 0;

  constructor(send: SendPoints, opts: BufferOptions = {}) {
    this.#send = send;
    this.#intervalMs = opts.flushIntervalMs ?? 1000;
    this.#maxBuffered = Math.max(1, opts.maxBufferedPoints ?? 1000);
    this.#maxQueued = Math.max(this.#maxBuffered, opts.maxQueuedPoints ?? 100_000);
  }

  /** Points waiting to be sent. */
  get pending(): number {
    return this.#count;
  }

  /**
   * Queues points for `runId`. Resolves at once, or, when more than `maxQueuedPoints` wait, once
   * the flush in flight has finished.
   */
  async add(runId: string, points: readonly MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const queue = this.#queues.get(runId);
    if (queue === undefined) this.#queues.set(runId, [...points]);
    else for (const p of points) queue.push(p);
    this.#count += points.length;
    if (this.#count >= this.#maxBuffered || this.#intervalMs <= 0) this.#scheduleDrain();
    else this.#timer ??= setTimeout(() => this.#scheduleDrain(), this.#intervalMs);
    if (this.#count >= this.#maxQueued) await this.#chain;
  }

  /**
   * Sends everything queued now, and throws the first error of any flush since the last call (the
   * points of a transient failure stay queued, so calling again retries them).
   */
  async flush(): Promise<void> {
    this.#scheduleDrain();
    await this.#chain;
    const errors = this.#errors;
    this.#errors = [];
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} flushes failed`);
  }

  /** Queues one drain after the one in flight, unless one is already waiting. */
  #scheduleDrain(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#drainPending) return;
    this.#drainPending = true;
    this.#chain = this.#chain.then(() => {
      this.#drainPending = false;
      return this.#drain();
    });
  }

  /** Sends each run's queue as it stands; never rejects (errors are kept for `flush`). */
  async #drain(): Promise<void> {
    const taken = this.#queues;
    this.#queues = new Map();
    for (const [runId, points] of taken) {
      try {
        await this.#send(runId, points);
        this.#count -= points.length;
        taken.delete(runId);
      } catch (err) {
        if (this.#errors.length < MAX_KEPT_ERRORS) this.#errors.push(err);
        if (isTransient(err)) break;
        this.#count -= points.length;
        taken.delete(runId);
      }
    }
    if (taken.size === 0) {
      this.#failedDrains = 0;
      return;
    }
    // Put back what was not sent, ahead of anything logged meanwhile, and try again later.
    for (const [runId, later] of this.#queues) {
      const head = taken.get(runId);
      if (head === undefined) taken.set(runId, later);
      else for (const p of later) head.push(p);
    }
    this.#queues = taken;
    // A server gone for good must not keep the process alive forever: after a few failed rounds
    // the points wait for the next log call or flush().
    if (++this.#failedDrains < MAX_BACKGROUND_ROUNDS) {
      this.#timer ??= setTimeout(() => this.#scheduleDrain(), Math.max(this.#intervalMs, 1000));
    }
  }
}
