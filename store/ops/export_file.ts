/**
 * The export file: gzip'd JSONL, one {@linkcode ExportRecord} per line. Written and read as
 * streams (CompressionStream / DecompressionStream and a line splitter of our own, bounded by
 * {@linkcode MAX_EXPORT_LINE_CHARS}), so neither side ever holds more than a line.
 *
 * @module
 */
import { MlflowError } from "../errors.ts";
import type { ExportRecord } from "./export_format.ts";

/**
 * Longest line a reader accepts, in characters: far above any record kvflow writes (a run with
 * a thousand 6000-character params is ~6 MB), and a stop for a file that is not JSONL at all.
 */
export const MAX_EXPORT_LINE_CHARS = 64 * 1024 * 1024;

function bad(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}

/**
 * Writes `records` to `path` as gzip'd JSONL (the file is replaced); returns how many lines.
 *
 * @example
 * ```ts
 * await writeExportFile("backup.jsonl.gz", exportRecords(store));
 * ```
 */
export async function writeExportFile(
  path: string,
  records: AsyncIterable<ExportRecord>,
): Promise<number> {
  let lines = 0;
  const iterator = records[Symbol.asyncIterator]();
  const source = new ReadableStream<string>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else {
        lines++;
        controller.enqueue(`${JSON.stringify(next.value)}\n`);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  }, { highWaterMark: 0 });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  await source
    .pipeThrough(new TextEncoderStream())
    .pipeThrough(new CompressionStream("gzip"))
    .pipeTo(file.writable);
  return lines;
}

/**
 * The lines of `stream` (UTF-8), without their `\n`; a line longer than `maxChars` is an error
 * naming its number. A last line without `\n` is still a line.
 */
export async function* splitLines(
  stream: ReadableStream<Uint8Array>,
  maxChars = MAX_EXPORT_LINE_CHARS,
): AsyncGenerator<string> {
  let buffer = "";
  let lineNo = 0;
  for await (const chunk of stream.pipeThrough(new TextDecoderStream("utf-8", { fatal: true }))) {
    buffer += chunk;
    let start = 0;
    for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n", start)) {
      lineNo++;
      if (nl - start > maxChars) throw bad(`Line ${lineNo} is longer than ${maxChars} characters`);
      yield buffer.slice(start, nl);
      start = nl + 1;
    }
    buffer = buffer.slice(start);
    if (buffer.length > maxChars) {
      throw bad(`Line ${lineNo + 1} is longer than ${maxChars} characters`);
    }
  }
  if (buffer.length > 0) yield buffer;
}

/**
 * The records of the export file at `path`. A file that is not gzip, is cut short, or holds a
 * line that is not a JSON object with a `type` throws `INVALID_PARAMETER_VALUE` naming the file
 * and the line.
 *
 * @example
 * ```ts
 * for await (const rec of readExportFile("backup.jsonl.gz")) console.log(rec.type);
 * ```
 */
export async function* readExportFile(path: string): AsyncGenerator<ExportRecord> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    throw bad(`Cannot open ${path}: ${err instanceof Error ? err.message : err}`);
  }
  let lineNo = 0;
  const lines = splitLines(file.readable.pipeThrough(new DecompressionStream("gzip")));
  try {
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await lines.next();
      } catch (err) {
        if (err instanceof MlflowError) throw bad(`${path}: ${err.message}`);
        throw bad(
          `${path} is not a complete gzip'd export (after line ${lineNo}): ${
            err instanceof Error ? err.message : err
          }`,
        );
      }
      if (next.done) break;
      lineNo++;
      if (next.value.trim() === "") continue;
      let rec: unknown;
      try {
        rec = JSON.parse(next.value);
      } catch (err) {
        throw bad(
          `${path}, line ${lineNo}: not JSON (${err instanceof Error ? err.message : err})`,
        );
      }
      if (
        typeof rec !== "object" || rec === null ||
        typeof (rec as { type?: unknown }).type !== "string"
      ) {
        throw bad(`${path}, line ${lineNo}: not an export record (no "type")`);
      }
      yield rec as ExportRecord;
    }
  } finally {
    await lines.return(undefined);
  }
}
