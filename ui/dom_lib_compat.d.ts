/**
 * Type-only shim. Preact's typings reference the DOM lib (`/// <reference lib="dom" />`), and
 * `main.ts` imports the UI, so every `deno check` of the server (and of `tests/`) sees the DOM lib
 * next to Deno's. There, DOM's `TextDecoderStream` accepts only `BufferSource`, which rejects
 * Deno's `ReadableStream<Uint8Array<ArrayBufferLike>>` (a child process's stdout, a request body):
 * `stream.pipeThrough(new TextDecoderStream())` stops type-checking although it is correct at
 * runtime. This overload restores what Deno's own lib allows. Referenced from ui/mod.ts.
 */
// The default must repeat the lib's own (`any`) for the declarations to merge.
// deno-lint-ignore no-explicit-any
interface ReadableStream<R = any> {
  pipeThrough<T>(
    transform: { writable: WritableStream<BufferSource>; readable: ReadableStream<T> },
    options?: StreamPipeOptions,
  ): ReadableStream<T>;
}
