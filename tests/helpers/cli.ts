/**
 * Runs kvflow's commands as processes, for the CLI tests: `deno <args>` from the repo root with
 * no stdin and no colours, output collected as text.
 *
 * @module
 */
import { MAIN_TS, REPO_ROOT } from "../server_helpers.ts";

/** What a finished process printed, and its exit code. */
export interface ProcessOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno <args>` (e.g. `["task", "start", …]`) and waits for it: from the repo root, or from
 * `cwd` (with the repo's deno.json) for relative paths.
 */
export async function runDeno(args: string[], cwd: string = REPO_ROOT): Promise<ProcessOutput> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Runs `main.ts <command> <flags…>` (e.g. `["gc", "--dry-run"]`) as a process. */
export function runMain(args: string[], cwd: string = REPO_ROOT): Promise<ProcessOutput> {
  return runDeno(["run", "-A", "--config", `${REPO_ROOT}/deno.json`, MAIN_TS, ...args], cwd);
}
