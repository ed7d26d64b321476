/**
 * Length limits on client strings that more than one module enforces. Each keeps a string within
 * what MLflow accepts and within Deno KV's limits (a key ≤ 2048 bytes of UTF-8 once encoded, a
 * value ≤ 65536 bytes once V8-serialised, which stores a string as 1 or 2 bytes per UTF-16 unit),
 * so that an oversized input is a 400 up front instead of a database error.
 *
 * @module
 */
import { invalidParam, type MlflowError } from "./errors.ts";

/**
 * MLflow's limit on metric, param and tag keys, in code points (mlflow-rest.md §3). A key longer
 * than this cannot exist, so reads and searches that name one are refused too.
 */
export const MAX_KEY_LENGTH = 250;

/**
 * The longest run id MLflow's `^[a-zA-Z0-9][\w\-]{0,255}$` admits; a longer one names no run.
 */
export const MAX_RUN_ID_LENGTH = 256;

/**
 * `user_id` of a run, in code points: MLflow's SQL column width (`String(256)`). Stored in the
 * run record, which must fit one KV value together with the run name and search summary.
 */
export const MAX_USER_ID_LENGTH = 256;

/**
 * A dataset name in UTF-8 bytes (on top of MLflow's 500 characters): the name is part of the
 * experiment's `(name, digest)` dedup key, which must stay under KV's 2048-byte key limit with the
 * experiment id and a 36-character digest beside it. 500 characters of the Basic Multilingual
 * Plane (at most 3 bytes each) always fit; 500 emoji (4 bytes each) do not.
 */
export const MAX_DATASET_NAME_BYTES = 1500;

/** A dataset's `source_type` in code points (MLflow has none; its SQL column holds 36). */
export const MAX_DATASET_SOURCE_TYPE_LENGTH = 256;

/**
 * The input tags of one dataset input, keys and values together, in UTF-16 units (MLflow limits
 * each key to 255 and each value to 500, but not their number): they are stored in one KV value
 * (the run↔dataset edge), at up to 2 bytes per unit. Clients send one or two tags.
 */
export const MAX_INPUT_TAGS_CHARS = 16_000;

/**
 * The `mlflow.log-model.history` tag, in UTF-16 units: each `log-model` appends to it, and it is
 * one KV value (≤ 64 KiB at up to 2 bytes per unit). Past it, `log-model` is 400.
 */
export const MAX_MODEL_HISTORY_CHARS = 32_000;

/** The error for a `log-model` that would grow the history past {@linkcode MAX_MODEL_HISTORY_CHARS}. */
export function modelHistoryTooLong(runId: string): MlflowError {
  return invalidParam(
    `The model history of run ${runId} is too long to log another model (the ` +
      `'mlflow.log-model.history' tag holds at most ${MAX_MODEL_HISTORY_CHARS} characters)`,
  );
}

/**
 * The UTF-8 length of a string, without encoding it: what `TextEncoder` (and Deno KV, which stores
 * a lone surrogate as U+FFFD) would produce.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** The bytes `s` takes in a KV key: its UTF-8 length, plus one per NUL (KV escapes `\0` as two). */
export function keyBytes(s: string): number {
  let nuls = 0;
  for (let i = s.indexOf("\0"); i >= 0; i = s.indexOf("\0", i + 1)) nuls++;
  return utf8Length(s) + nuls;
}
