/**
 * `deno task fuzz [--seconds N] [--seed S] [--filter TEXT]`: runs every property-based test file
 * (`*_fuzz_test.ts` under tests/ and beside the code) for about N seconds in all, one file after
 * another so each gets both cores, and prints the seed of any failure (tests/helpers/fuzz.ts).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { relative } from "node:path";

const ROOT = new URL("../../", import.meta.url);

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) yield* walk(url);
    else if (e.name.endsWith("_fuzz_test.ts")) yield url;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string", default: "60" },
      seed: { type: "string" },
      filter: { type: "string" },
    },
  });
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);
  const files: URL[] = [];
  for await (const f of walk(ROOT)) files.push(f);
  files.sort((a, b) => a.href.localeCompare(b.href));
  if (files.length === 0) throw new Error("no *_fuzz_test.ts files found");
  const share = seconds / files.length;
  console.log(`fuzz: ${files.length} files, ${share.toFixed(0)} s each`);
  const failed: string[] = [];
  for (const file of files) {
    const name = relative(ROOT.pathname, file.pathname);
    const env: Record<string, string> = { KVFLOW_FUZZ_SECONDS: String(share) };
    if (values.seed) env.KVFLOW_FUZZ_SEED = values.seed;
    const args = ["test", "-A", file.pathname];
    if (values.filter) args.push("--filter", values.filter);
    const { code } = await new Deno.Command(Deno.execPath(), { args, env, cwd: ROOT.pathname })
      .spawn().status;
    if (code !== 0) failed.push(name);
  }
  console.log(
    failed.length === 0
      ? `fuzz: ${seconds} s, nothing found`
      : `fuzz: failures in ${failed.join(", ")} (replay commands above)`,
  );
  return failed.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
