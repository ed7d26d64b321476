/**
 * The model-registry search grammars (mlflow-rest.md §7): AND-only filters and `order_by` for
 * `registered-models/search` and `model-versions/search`, with offset paging bound to the query.
 * Shares the lexer, clause readers, comparisons and paging with the other grammars.
 *
 * The evaluators are generic over the fields they read, so a backend can filter, order and page
 * light records and build full entities for the returned page only.
 *
 * Prompts (MLflow 3 stores them as registered models tagged `mlflow.prompt.is_prompt = 'true'`)
 * are left out of every search unless the filter asks for them with
 * `` tags.`mlflow.prompt.is_prompt` = 'true' `` (or `!= 'false'`), as MLflow's SQL store does;
 * other clauses on that tag are dropped. A tag clause, `!=` included, requires the tag to exist.
 *
 * @module
 */

import { invalidParam } from "../errors.ts";
import { IS_PROMPT_TAG, isPrompt } from "../registry/prompts.ts";
import type { Page, Tag } from "../types.ts";
import { describe, keywordOf, quotedString, type TokenStream } from "./_tokenizer.ts";
import type { Token } from "./_tokenizer.ts";
import { splitName } from "./_identifier.ts";
import {
  NUMERIC_OPS,
  parseAndList,
  parseOrderClause,
  readAllowedComparator,
  readString,
  readValuePredicate,
  STRING_OPS,
} from "./_grammar.ts";
import { compareCodePoints, compareNumbers, matchesString } from "./_compare.ts";
import { fingerprint, readOffset, visiblePageSteps } from "./_paging.ts";
import { checkOrderBy } from "./limits.ts";
import { filterSteps, runToEnd, runYielding, type Steps, WorkBudget } from "./budget.ts";
import type { NumericOp, ValuePredicate } from "./filter.ts";

/**
 * `= != LIKE ILIKE IN NOT IN` on a string; `like` is the compiled LIKE pattern. The runs
 * grammar's value predicate: registry filters have no `IS NULL`.
 */
export type RegistryStringPredicate = ValuePredicate;

/** One registered-model filter clause; a filter is the AND of a list of these. */
export type RegisteredModelClause =
  | { kind: "name" } & RegistryStringPredicate
  | { kind: "tag"; key: string } & RegistryStringPredicate;

/** String attributes of a model version a filter may test. */
export type ModelVersionStringKey = "name" | "run_id" | "source_path";

/** One model-version filter clause. */
export type ModelVersionClause =
  | { kind: "attribute"; key: ModelVersionStringKey } & RegistryStringPredicate
  | { kind: "version_number"; op: NumericOp; value: number }
  | { kind: "tag"; key: string } & RegistryStringPredicate;

/** What the registered-model evaluator reads. */
export interface RegisteredModelFields {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  tags: Tag[];
}

/** What the model-version evaluator reads. */
export interface ModelVersionFields {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  source: string;
  run_id?: string;
  tags: Tag[];
}

/** Fields `order_by` accepts (`timestamp` is read as `last_updated_timestamp`). */
export type RegistryOrderKey =
  | "name"
  | "version_number"
  | "creation_timestamp"
  | "last_updated_timestamp";

/** One ordering clause. */
export interface RegistryOrderClause {
  key: RegistryOrderKey;
  ascending: boolean;
}

/** MLflow's `SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT` and `…_THRESHOLD`. */
export const REGISTERED_MODELS_MAX_RESULTS = { default: 100, limit: 1000 } as const;
/** MLflow's `SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT` and `…_THRESHOLD`. */
export const MODEL_VERSIONS_MAX_RESULTS = { default: 10000, limit: 200000 } as const;

const RUN_ID_OPS: readonly string[] = ["=", "!=", "IN", "NOT IN"];
const ATTRIBUTE_TYPES = new Set(["attribute", "attributes", "attr"]);
const TAG_TYPES = new Set(["tag", "tags"]);

type Target =
  | { kind: "attribute"; key: string }
  | { kind: "tag"; key: string };

function resolve(ts: TokenStream, tok: Token, attributes: readonly string[]): Target {
  if (tok.type !== "name" || keywordOf(tok) === "NOT" || keywordOf(tok) === "AND") {
    throw ts.error(`expected an identifier such as 'name' but found ${describe(tok)}`, tok);
  }
  const { type, key } = splitName(ts, tok);
  if (type !== undefined && TAG_TYPES.has(type)) return { kind: "tag", key };
  if (type !== undefined && !ATTRIBUTE_TYPES.has(type)) {
    throw ts.error(
      `invalid entity type '${type}'; valid types are 'attribute', 'tag' and 'tags'`,
      tok,
    );
  }
  if (!attributes.includes(key)) {
    throw ts.error(
      `invalid attribute key '${key}'; valid keys are ${
        attributes.map((k) => `'${k}'`).join(", ")
      }`,
      tok,
    );
  }
  return { kind: "attribute", key };
}

/**
 * Reads what `op` applies to. A list item that is not a quoted string is reported like a single
 * value (`expected a quoted string for <field> (e.g. 'value')`), the registry grammar's message.
 */
function readPredicate(ts: TokenStream, label: string, op: string): RegistryStringPredicate {
  return readValuePredicate(ts, label, op, (t) => readString(t, label));
}

/**
 * Parses a registered-models filter: `name` and `tags.<key>` with `= != LIKE ILIKE`, joined by
 * AND. Throws `INVALID_PARAMETER_VALUE` naming the offending token otherwise.
 *
 * @example
 * ```ts
 * parseRegisteredModelFilter("name LIKE 'churn-%' AND tags.team = 'ml'");
 * ```
 */
export function parseRegisteredModelFilter(
  filter: string | null | undefined,
): RegisteredModelClause[] {
  return parseAndList(filter, "the model registry", (ts) => {
    const tok = ts.next();
    const target = resolve(ts, tok, ["name"]);
    const label = target.kind === "tag" ? `tag '${target.key}'` : `attribute 'name'`;
    const pred = readPredicate(ts, label, readAllowedComparator(ts, label, STRING_OPS));
    return target.kind === "tag"
      ? { kind: "tag", key: target.key, ...pred }
      : { kind: "name", ...pred };
  });
}

/**
 * Parses a model-versions filter: `name`, `source_path` (`= != LIKE ILIKE`), `run_id`
 * (`= != IN NOT IN`), `version_number` (numeric comparators) and `tags.<key>`, joined by AND.
 *
 * @example
 * ```ts
 * parseModelVersionFilter("run_id IN ('a', 'b') AND version_number > 2");
 * ```
 */
export function parseModelVersionFilter(filter: string | null | undefined): ModelVersionClause[] {
  return parseAndList(filter, "the model registry", (ts) => {
    const tok = ts.next();
    const target = resolve(ts, tok, ["name", "run_id", "source_path", "version_number"]);
    const label = target.kind === "tag" ? `tag '${target.key}'` : `attribute '${target.key}'`;
    if (target.kind === "tag") {
      return {
        kind: "tag",
        key: target.key,
        ...readPredicate(ts, label, readAllowedComparator(ts, label, STRING_OPS)),
      };
    }
    if (target.key === "version_number") {
      const op = readAllowedComparator(ts, label, NUMERIC_OPS) as NumericOp;
      const v = ts.next();
      const text = v.type === "number" ? v.raw : quotedString(v);
      if (text === undefined || !/^-?\d+$/.test(text.trim())) {
        throw ts.error(`expected an integer for ${label} but found ${describe(v)}`, v);
      }
      return { kind: "version_number", op, value: Number(text) };
    }
    const ops = target.key === "run_id" ? RUN_ID_OPS : STRING_OPS;
    const pred = readPredicate(ts, label, readAllowedComparator(ts, label, ops));
    return { kind: "attribute", key: target.key as ModelVersionStringKey, ...pred };
  });
}

/**
 * MLflow's `_is_querying_prompt`: the first clause on the prompt tag decides; without one the
 * search hides prompts. When hiding them, clauses on the prompt tag are dropped (MLflow pops them).
 */
function promptScope<C extends { kind: string }>(
  clauses: C[],
): { clauses: C[]; hidePrompts: boolean } {
  const onPrompt = (c: C) =>
    c.kind === "tag" && (c as unknown as { key: string }).key === IS_PROMPT_TAG;
  const first = clauses.find(onPrompt) as { op: string; value?: unknown } | undefined;
  const v = typeof first?.value === "string" ? first.value.toLowerCase() : undefined;
  const querying = first !== undefined &&
    ((first.op === "=" && v === "true") || (first.op === "!=" && v === "false"));
  if (querying) return { clauses, hidePrompts: false };
  return { clauses: clauses.filter((c) => !onPrompt(c)), hidePrompts: true };
}

const tagValue = (tags: readonly Tag[], key: string) => tags.find((t) => t.key === key)?.value;

/** True when the model satisfies every clause (an empty list matches all). */
export function matchesRegisteredModelFilter(
  clauses: readonly RegisteredModelClause[],
  rm: RegisteredModelFields,
): boolean {
  return clauses.every((c) =>
    c.kind === "name" ? matchesString(rm.name, c) : matchesString(tagValue(rm.tags, c.key), c)
  );
}

/** True when the version satisfies every clause (an empty list matches all). */
export function matchesModelVersionFilter(
  clauses: readonly ModelVersionClause[],
  mv: ModelVersionFields,
): boolean {
  return clauses.every((c) => {
    switch (c.kind) {
      case "version_number":
        return compareNumbers(Number(mv.version), c.op, c.value);
      case "tag":
        return matchesString(tagValue(mv.tags, c.key), c);
      case "attribute":
        return matchesString(
          c.key === "name" ? mv.name : c.key === "run_id" ? mv.run_id : mv.source,
          c,
        );
    }
  });
}

function parseOrderBy(
  clauses: readonly string[] | undefined,
  keys: readonly RegistryOrderKey[],
  tiebreak: readonly RegistryOrderClause[],
): RegistryOrderClause[] {
  checkOrderBy(clauses);
  const out: RegistryOrderClause[] = [];
  for (const clause of clauses ?? []) {
    const { key, ascending } = parseOrderClause(clause, "name", (ts, tok) => {
      const { type, key: raw } = splitName(ts, tok);
      if (type !== undefined && !ATTRIBUTE_TYPES.has(type)) {
        throw ts.error(`invalid order_by field '${tok.raw}'; tags cannot be ordered on`, tok);
      }
      const key = raw === "timestamp" ? "last_updated_timestamp" : raw;
      if (!(keys as readonly string[]).includes(key)) {
        throw ts.error(
          `invalid order_by key '${raw}'; valid keys are ${keys.map((k) => `'${k}'`).join(", ")}`,
          tok,
        );
      }
      return { key: key as RegistryOrderKey };
    });
    if (out.some((c) => c.key === key)) {
      throw invalidParam(
        `Invalid order_by clause '${clause}': '${key}' is already ordered on by an earlier clause`,
      );
    }
    out.push({ key, ascending });
  }
  for (const t of tiebreak) if (!out.some((c) => c.key === t.key)) out.push(t);
  return out;
}

/**
 * Parses registered-models `order_by` (`name`, `creation_timestamp`, `last_updated_timestamp` or
 * its alias `timestamp`; ASC by default) and appends MLflow's tiebreak `name ASC`. Throws
 * `INVALID_PARAMETER_VALUE` for other keys, tags, bad directions and repeated fields.
 */
export function parseRegisteredModelOrderBy(
  clauses: readonly string[] | undefined,
): RegistryOrder {
  return parseOrderBy(
    clauses,
    ["name", "creation_timestamp", "last_updated_timestamp"],
    [{ key: "name", ascending: true }],
  );
}

/**
 * Parses model-versions `order_by` (`name`, `version_number`, `creation_timestamp`,
 * `last_updated_timestamp` / `timestamp`). Without clauses the order is MLflow's
 * `last_updated_timestamp DESC, name ASC, version_number DESC`; otherwise `name ASC` and
 * `version_number DESC` break ties unless already given.
 */
export function parseModelVersionOrderBy(
  clauses: readonly string[] | undefined,
): RegistryOrder {
  const keys: RegistryOrderKey[] = [
    "name",
    "version_number",
    "creation_timestamp",
    "last_updated_timestamp",
  ];
  const tiebreak: RegistryOrderClause[] = [
    { key: "name", ascending: true },
    { key: "version_number", ascending: false },
  ];
  if (clauses === undefined || clauses.length === 0) {
    return [{ key: "last_updated_timestamp", ascending: false }, ...tiebreak];
  }
  return parseOrderBy(clauses, keys, tiebreak);
}

/** A parsed, complete ordering. */
export type RegistryOrder = readonly RegistryOrderClause[];

type Orderable = {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  version?: string;
};

/** Compares two registry entities under `order`. */
export function compareRegistryEntities(
  a: Orderable,
  b: Orderable,
  order: RegistryOrder,
): number {
  for (const { key, ascending } of order) {
    let c: number;
    if (key === "name") c = compareCodePoints(a.name, b.name);
    else if (key === "version_number") c = Number(a.version ?? 0) - Number(b.version ?? 0);
    else c = a[key] - b[key];
    if (c !== 0) return ascending ? c : -c;
  }
  return 0;
}

/**
 * Validates `max_results` against MLflow's registry limits: an integer in 1..`limit`, `dflt`
 * when absent. Throws `INVALID_PARAMETER_VALUE` with MLflow's wording otherwise.
 */
export function validateRegistryMaxResults(
  maxResults: number | undefined,
  limits: { default: number; limit: number },
): number {
  if (maxResults === undefined) return limits.default;
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw invalidParam(
      "Invalid value for request parameter max_results. It must be a positive integer, " +
        `but got value ${maxResults}`,
    );
  }
  if (maxResults > limits.limit) {
    throw invalidParam(
      `Invalid value for request parameter max_results. It must be at most ${limits.limit}, ` +
        `but got value ${maxResults}`,
    );
  }
  return maxResults;
}

/** A parsed registry query with clauses `C`, validated before any data is read. */
export interface PreparedRegistrySearch<C> {
  filter: C[];
  /** Leave out prompts (see the module doc). */
  hidePrompts: boolean;
  order: RegistryOrder;
  max: number;
  offset: number;
  fp: string;
  /** The caller's readable set by registered-model name; absent: everything. */
  visible?: (registeredModelName: string) => boolean;
}

/** A parsed registered-models query, validated before any data is read. */
export type PreparedRegisteredModelSearch = PreparedRegistrySearch<RegisteredModelClause>;

/** A parsed model-versions query, validated before any data is read. */
export type PreparedModelVersionSearch = PreparedRegistrySearch<ModelVersionClause>;

/** The arguments of a registry search. */
interface RegistrySearchOptions {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  visible?: (registeredModelName: string) => boolean;
}

/**
 * Validates and parses a registry search of `kind` with its grammar and page limits. The page
 * token's fingerprint covers kind, filter and order, so a token only resumes the query it came
 * from.
 */
function prepare<C extends { kind: string }>(
  kind: string,
  opts: RegistrySearchOptions,
  limits: { default: number; limit: number },
  parseFilter: (filter: string | undefined) => C[],
  parseOrder: (orderBy: string[] | undefined) => RegistryOrder,
): PreparedRegistrySearch<C> {
  const max = validateRegistryMaxResults(opts.maxResults, limits);
  const { clauses: filter, hidePrompts } = promptScope(parseFilter(opts.filter));
  const order = parseOrder(opts.orderBy);
  const fp = fingerprint([kind, opts.filter?.trim() ?? "", opts.orderBy ?? []]);
  const offset = readOffset(opts.pageToken, fp);
  return { filter, hidePrompts, order, max, offset, fp, visible: opts.visible };
}

/**
 * Validates and parses a registered-models search (filter, order, page size, token). The page
 * token's fingerprint covers filter and order, so a token only resumes the query it came from.
 */
export function prepareRegisteredModelSearch(
  opts: RegistrySearchOptions,
): PreparedRegisteredModelSearch {
  return prepare(
    "registered_models",
    opts,
    REGISTERED_MODELS_MAX_RESULTS,
    parseRegisteredModelFilter,
    parseRegisteredModelOrderBy,
  );
}

/** Validates and parses a model-versions search, like {@linkcode prepareRegisteredModelSearch}. */
export function prepareModelVersionSearch(opts: RegistrySearchOptions): PreparedModelVersionSearch {
  return prepare(
    "model_versions",
    opts,
    MODEL_VERSIONS_MAX_RESULTS,
    parseModelVersionFilter,
    parseModelVersionOrderBy,
  );
}

/**
 * Prompt scope, filter, order, then the page at the token's offset of what `q.visible` accepts:
 * both searches' steps.
 */
function* searchSteps<T extends Orderable & { tags: Tag[] }>(
  all: Iterable<T>,
  q: PreparedRegistrySearch<unknown>,
  matches: (entity: T) => boolean,
  budget: WorkBudget,
): Steps<Page<T>> {
  const matched = yield* filterSteps(
    all,
    (x) => !(q.hidePrompts && isPrompt(x.tags)) && matches(x),
    budget,
  );
  matched.sort((a, b) => compareRegistryEntities(a, b, q.order));
  const visible = q.visible;
  const readable = visible && ((x: T) => visible(x.name));
  return yield* visiblePageSteps(matched, q.offset, q.max, q.fp, readable, budget);
}

/**
 * One page of registered models: filter, order, then the page at the token's offset. A token is
 * returned only when more models exist.
 *
 * @example
 * ```ts
 * const q = prepareRegisteredModelSearch({ filter: "name LIKE 'a%'", maxResults: 10 });
 * const page = searchRegisteredModelsIn(models, q);
 * ```
 */
export function searchRegisteredModelsIn<T extends RegisteredModelFields>(
  all: Iterable<T>,
  q: PreparedRegisteredModelSearch,
  budget: WorkBudget = new WorkBudget(),
): Page<T> {
  return runToEnd(searchSteps(all, q, (rm) => matchesRegisteredModelFilter(q.filter, rm), budget));
}

/** {@linkcode searchRegisteredModelsIn} pausing for the event loop as its budget asks. */
export function searchRegisteredModelsYielding<T extends RegisteredModelFields>(
  all: Iterable<T>,
  q: PreparedRegisteredModelSearch,
  budget: WorkBudget = new WorkBudget(),
): Promise<Page<T>> {
  const steps = searchSteps(all, q, (rm) => matchesRegisteredModelFilter(q.filter, rm), budget);
  return runYielding(steps, budget);
}

/** One page of model versions, like {@linkcode searchRegisteredModelsIn}. */
export function searchModelVersionsIn<T extends ModelVersionFields>(
  all: Iterable<T>,
  q: PreparedModelVersionSearch,
  budget: WorkBudget = new WorkBudget(),
): Page<T> {
  return runToEnd(searchSteps(all, q, (mv) => matchesModelVersionFilter(q.filter, mv), budget));
}

/** {@linkcode searchModelVersionsIn} pausing for the event loop as its budget asks. */
export function searchModelVersionsYielding<T extends ModelVersionFields>(
  all: Iterable<T>,
  q: PreparedModelVersionSearch,
  budget: WorkBudget = new WorkBudget(),
): Promise<Page<T>> {
  return runYielding(
    searchSteps(all, q, (mv) => matchesModelVersionFilter(q.filter, mv), budget),
    budget,
  );
}

/** A page of versions without their tags (`SearchModelVersionsOptions.omitTags`). */
export function withoutTags<T extends { tags: Tag[] }>(page: Page<T>): Page<T> {
  return { ...page, items: page.items.map((v) => ({ ...v, tags: [] })) };
}
