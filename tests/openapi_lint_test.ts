/**
 * openapi.yaml passes Redocly's linter with redocly.yaml (the recommended rules) and
 * .redocly.lint-ignore.yaml: no error, no warning. `@redocly/cli` runs under Node from the shared
 * tools directory (tests/helpers/node_tool.ts; `.ci/run` installs it ahead of the tests).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureNodePackage, toolsDir } from "./helpers/node_tool.ts";

const PACKAGE = "@redocly/cli";
/** Pinned: a new release may add rules to `recommended`; bump it on purpose, with `.ci/run`. */
const REDOCLY_VERSION = "2.77.0";

const root = new URL("../", import.meta.url);

/** One problem of `redocly lint --format json`. */
interface LintProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location?: { pointer?: string }[];
}

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  version: string;
  problems: LintProblem[];
}

/** Runs `redocly lint` on openapi.yaml from the repository root, where redocly.yaml is. */
async function lint(): Promise<LintReport> {
  const tools = toolsDir();
  await ensureNodePackage(tools, PACKAGE, REDOCLY_VERSION);
  const cli = join(tools, "node_modules", "@redocly", "cli", "bin", "cli.js");
  const out = await new Deno.Command("node", {
    args: [cli, "lint", "openapi.yaml", "--format", "json", "--max-problems", "10000"],
    cwd: root,
    env: {
      NO_COLOR: "1",
      // No usage report and no update check: neither is this test's business (and both would
      // wait on the network).
      REDOCLY_TELEMETRY: "off",
      REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  try {
    return JSON.parse(stdout);
  } catch {
    const stderr = new TextDecoder().decode(out.stderr);
    throw new Error(`redocly lint printed no JSON report (exit ${out.code}):\n${stdout}${stderr}`);
  }
}

Deno.test("openapi.yaml: redocly lint (recommended rules) reports no error and no warning", async () => {
  const report = await lint();
  assert.equal(report.version, REDOCLY_VERSION);
  const problems = report.problems.map((p) =>
    `${p.severity} ${p.ruleId} at ${p.location?.[0]?.pointer ?? "?"}: ${p.message}`
  );
  assert.deepEqual(
    { errors: report.totals.errors, warnings: report.totals.warnings, problems },
    { errors: 0, warnings: 0, problems: [] },
    "openapi.yaml has lint problems: fix the route specs and run `deno task openapi`",
  );
  assert.equal(
    report.totals.ignored,
    1,
    "only GET /health's lack of a 4xx is ignored: a new entry in .redocly.lint-ignore.yaml " +
      "needs its reason there and a new count here",
  );
});
