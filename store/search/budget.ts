/**
 * The CPU-time guard of a search (issue 10): work that user input drives (filters, LIKE, IN
 * lists) is counted against a per-request budget, so one request can neither hold the event loop
 * for long nor run for ever.
 *
 * Evaluation loops call {@linkcode WorkBudget.tick} once per item. The clock is read only every so
 * many items, the stride adapting so that reads come about every {@linkcode CHECK_INTERVAL_MS}
 * whatever one item costs. Once a slice has run for {@linkcode SEARCH_SLICE_MS}, `tick` asks the
 * caller to pause, which gives the event loop a macrotask (other requests, `/health`). Once the
 * evaluation time of the whole request passes {@linkcode SEARCH_TIME_BUDGET_MS}, `tick` throws
 * `INVALID_PARAMETER_VALUE` (400): MLflow's clients retry a 5xx, which would only repeat the work.
 *
 * Evaluators are written once as generators ({@linkcode Steps}) that yield where a pause is due;
 * {@linkcode runToEnd} drives one synchronously (tests, tiny inputs) and {@linkcode runYielding}
 * drives it with real pauses (the stores).
 *
 * @module
 */
import { invalidParam } from "../errors.ts";

/** Evaluation time one search request may spend (pauses excluded) before it gets a 400. */
export const SEARCH_TIME_BUDGET_MS = 10_000;
/** Longest stretch of evaluation between two pauses that let the event loop run. */
export const SEARCH_SLICE_MS = 20;
/** Target time between two clock reads (reading the clock costs ~0.2 µs). */
const CHECK_INTERVAL_MS = 2;
/** Most items between two clock reads. */
const MAX_STRIDE = 4096;

/** The message of the 400 a search gets once a budget of `limitMs` is spent. */
export function tooMuchWork(limitMs: number): string {
  return `The search needs too much work (over ${limitMs / 1000} s of evaluation); ` +
    "narrow the filter (fewer or shorter LIKE patterns and IN lists) or search fewer experiments";
}

/** {@linkcode tooMuchWork} for the default budget. */
export const TOO_MUCH_WORK = tooMuchWork(SEARCH_TIME_BUDGET_MS);

/** The work budget of one request; see the module comment. */
export class WorkBudget {
  #spent = 0;
  #sliceStart = performance.now();
  #lastCheck = this.#sliceStart;
  #stride = 1;
  #countdown = 1;

  /** `limitMs` and `sliceMs` default to the exported constants; tests pass smaller ones. */
  constructor(
    readonly limitMs: number = SEARCH_TIME_BUDGET_MS,
    readonly sliceMs: number = SEARCH_SLICE_MS,
  ) {}

  /**
   * Counts one item of work. Returns true when the caller should {@linkcode pause}; throws
   * `INVALID_PARAMETER_VALUE` once the request's evaluation time exceeds `limitMs`.
   */
  tick(): boolean {
    if (--this.#countdown > 0) return false;
    const now = performance.now();
    const dt = now - this.#lastCheck;
    this.#lastCheck = now;
    // Aim the next read CHECK_INTERVAL_MS ahead, at the cost per item just seen.
    this.#stride = dt <= 0
      ? Math.min(this.#stride * 2, MAX_STRIDE)
      : Math.max(1, Math.min(MAX_STRIDE, Math.floor(this.#stride * CHECK_INTERVAL_MS / dt)));
    this.#countdown = this.#stride;
    const slice = now - this.#sliceStart;
    if (this.#spent + slice > this.limitMs) throw invalidParam(tooMuchWork(this.limitMs));
    return slice > this.sliceMs;
  }

  /** Lets the event loop run (one macrotask), then starts a new slice. */
  async pause(): Promise<void> {
    this.#spent += performance.now() - this.#sliceStart;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.#sliceStart = this.#lastCheck = performance.now();
  }

  /**
   * Awaits `io` (a store read) without counting the wait as evaluation: awaiting I/O lets the
   * event loop run anyway, so a new slice starts after it.
   */
  async wait<T>(io: Promise<T>): Promise<T> {
    this.#spent += performance.now() - this.#sliceStart;
    try {
      return await io;
    } finally {
      this.#sliceStart = this.#lastCheck = performance.now();
    }
  }

  /** Pauses when a pause is due; for async loops: `await budget.step()` once per item. */
  async step(): Promise<void> {
    if (this.tick()) await this.pause();
  }
}

/** An evaluation written as a generator: it yields where a pause is due and returns `R`. */
export type Steps<R> = Generator<void, R, void>;

/** Drives `steps` to the end without pausing (the budget's time limit still applies). */
export function runToEnd<R>(steps: Steps<R>): R {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Drives `steps` to the end, pausing `budget` at every yield so the event loop runs. */
export async function runYielding<R>(steps: Steps<R>, budget: WorkBudget): Promise<R> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await budget.pause();
  }
}

/** The items `keep` accepts, in order; each is counted against `budget`. */
export function* filterSteps<T>(
  items: Iterable<T>,
  keep: (item: T) => boolean,
  budget: WorkBudget,
): Steps<T[]> {
  const out: T[] = [];
  for (const item of items) {
    if (budget.tick()) yield;
    if (keep(item)) out.push(item);
  }
  return out;
}
