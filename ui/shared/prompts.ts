/**
 * Helpers of the prompt pages (`/prompts`, `/prompts/:name`): MLflow 3's prompt registry keeps a
 * prompt as a registered model tagged `mlflow.prompt.is_prompt = true`, each version's template
 * in its `mlflow.prompt.text` tag and its commit message as its description. URLs, the search
 * box's filter, and what a page shows of the tags. Pure functions; no I/O.
 *
 * @module
 */
import { IS_PROMPT_TAG, PROMPT_TEXT_TAG } from "../../store/registry/prompts.ts";
import type { RegisteredModelAlias } from "../../store/registry/types.ts";
import type { Tag } from "../../store/types.ts";
import { filterLiteral, toModelFilter } from "./models.ts";

export { IS_PROMPT_TAG, isPrompt, PROMPT_TEXT_TAG } from "../../store/registry/prompts.ts";

const TAG = `tags.\`${IS_PROMPT_TAG}\``;

/**
 * The filter that asks the registry searches for prompts (without a clause on the prompt tag they
 * leave prompts out, as MLflow's do): `= 'true'` both asks for them and matches exactly what
 * `isPrompt` counts as one.
 */
export const PROMPTS_FILTER = `${TAG} = 'true'`;

/**
 * The `/models` search for what a user typed, never listing prompts: a filter that names the
 * prompt tag (which could ask for prompts) gets a first clause that leaves them out, and the
 * store then drops the clauses on that tag; any other filter leaves prompts out already.
 *
 * @example
 * ```ts
 * modelsOnlyFilter("name LIKE 'a%'"); // "name LIKE 'a%'"
 * modelsOnlyFilter("tags.`mlflow.prompt.is_prompt` = 'true'");
 * // "tags.`mlflow.prompt.is_prompt` != 'true' AND tags.`mlflow.prompt.is_prompt` = 'true'"
 * ```
 */
export function modelsOnlyFilter(filter: string): string {
  return filter.includes(IS_PROMPT_TAG) ? `${TAG} != 'true' AND ${filter}` : filter;
}

/**
 * The page of a prompt, its name one encoded segment (as `/models/:name`); with `version`, that
 * version's entry on it.
 *
 * @example
 * ```ts
 * promptHref("team/greeting");      // "/prompts/team%2Fgreeting"
 * promptHref("greeting", "2");      // "/prompts/greeting#version-2"
 * ```
 */
export function promptHref(name: string, version?: string): string {
  const base = `/prompts/${encodeURIComponent(name)}`;
  return version === undefined ? base : `${base}#${promptVersionAnchor(version)}`;
}

/** The `id` of a version's entry on its prompt's page. */
export function promptVersionAnchor(version: string): string {
  return `version-${version}`;
}

/**
 * The prompt page comparing the templates of versions `from` and `to` (`?diff=<from>&to=<to>`),
 * scrolled to the comparison.
 *
 * @example
 * ```ts
 * promptDiffHref("greeting", "1", "2"); // "/prompts/greeting?diff=1&to=2#prompt-diff"
 * ```
 */
export function promptDiffHref(name: string, from: string, to: string): string {
  const qs = new URLSearchParams({ diff: from, to });
  return `${promptHref(name)}?${qs}#${PROMPT_DIFF_ID}`;
}

/** The `id` of the comparison on a prompt's page. */
export const PROMPT_DIFF_ID = "prompt-diff";

/**
 * The prompts list URL for a search and page, like `modelsHref`.
 *
 * @example
 * ```ts
 * promptsHref("greet");   // "/prompts?q=greet"
 * promptsHref("", "tok"); // "/prompts?page_token=tok"
 * ```
 */
export function promptsHref(query: string, pageToken?: string): string {
  const qs = new URLSearchParams();
  if (query.trim()) qs.set("q", query.trim());
  if (pageToken) qs.set("page_token", pageToken);
  return qs.size ? `/prompts?${qs}` : "/prompts";
}

/**
 * The registered-models filter of the prompts list for what a user typed: {@linkcode
 * PROMPTS_FILTER}, and the search box's filter as on `/models` (plain words: a case-insensitive
 * substring of the name; filter grammar passes through).
 *
 * @example
 * ```ts
 * toPromptFilter("greet"); // `${PROMPTS_FILTER} AND name ILIKE '%greet%'`
 * ```
 */
export function toPromptFilter(query: string): string {
  const q = toModelFilter(query);
  return q === "" ? PROMPTS_FILTER : `${PROMPTS_FILTER} AND ${q}`;
}

/**
 * The model-versions filter for the prompt versions of prompt `name`. A backslash before a quote
 * embeds it in a filter literal, so a name with a backslash is matched with `LIKE` (`\` → `_`):
 * `exact` is then false, and the caller keeps only versions of exactly `name`.
 */
export function promptVersionsFilter(name: string): { filter: string; exact: boolean } {
  const exact = !name.includes("\\");
  const byName = exact
    ? `name = ${filterLiteral(name)}`
    : `name LIKE ${filterLiteral(name.replaceAll("\\", "_"))}`;
  return { filter: `${PROMPTS_FILTER} AND ${byName}`, exact };
}

/** A prompt version's template (its `mlflow.prompt.text` tag), or undefined when it has none. */
export function promptTemplate(tags: readonly Tag[] | undefined): string | undefined {
  return (tags ?? []).find((t) => t.key === PROMPT_TEXT_TAG)?.value;
}

/**
 * The tags a prompt page lists: all but the prompt tag and the template, which the page shows
 * in their own places.
 */
export function promptTags(tags: readonly Tag[] | undefined): Tag[] {
  return (tags ?? []).filter((t) => t.key !== IS_PROMPT_TAG && t.key !== PROMPT_TEXT_TAG);
}

/** The aliases of `aliases` that point at `version`, sorted. */
export function aliasesOf(aliases: readonly RegisteredModelAlias[], version: string): string[] {
  return aliases.filter((a) => a.version === version).map((a) => a.alias).sort();
}

/** The highest-numbered of `versions`, or undefined when there are none. */
export function latestOf<T extends { version: string }>(versions: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const v of versions) if (!best || Number(v.version) > Number(best.version)) best = v;
  return best;
}

/**
 * A commit message on one line for a list: white space collapsed, cut at `max` characters (code
 * points). Plain text, not Markdown: nothing else is dropped.
 *
 * @example
 * ```ts
 * oneLine("Fix typo\n\n* in greeting"); // "Fix typo * in greeting"
 * ```
 */
export function oneLine(text: string | undefined, max = 120): string {
  const chars = [...(text ?? "").replace(/\s+/g, " ").trim()];
  if (chars.length <= max) return chars.join("");
  return `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}
