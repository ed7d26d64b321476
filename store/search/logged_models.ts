/**
 * The logged-models search (§6.5): an AND-only filter on attributes, `metrics.`, `params.` and
 * `tags.`, `datasets` restricting which metrics count, structured `order_by` entries, and the
 * reference evaluator both backends run over the candidate models they load. Shares the lexer,
 * clause readers, comparisons, ordering and paging with the other grammars.
 *
 * Differences from MLflow's SQL store, all in the caller's favour: `status` compares against the
 * wire name (`LOGGED_MODEL_READY`, and `READY` is accepted for `=`, `!=`, `IN`, `NOT IN`), where
 * MLflow compares its integer column with the string; a metric filter is evaluated on the model's
 * latest values (`data.metrics`), the values a client sees, rather than on every point ever logged.
 *
 * @module
 */

import { invalidParam } from "../errors.ts";
import { inDatasets, latestOf } from "../logged_models/common.ts";
import type {
  LoggedModel,
  LoggedModelDatasetFilter,
  LoggedModelOrderBy,
  SearchLoggedModelsOptions,
} from "../logged_models/types.ts";
import type { Page } from "../types.ts";
import { compareNumbers, matchesString, sortByClauses, type SortValue } from "./_compare.ts";
import {
  NUMERIC_OPS,
  parseAndList,
  readAllowedComparator,
  readNumber,
  readValuePredicate,
  VALUE_OPS,
} from "./_grammar.ts";
import { splitName } from "./_identifier.ts";
import { fingerprint, MAX_RESULTS_LIMIT, pageOf, readOffset } from "./_paging.ts";
import {
  checkListParam,
  MAX_ORDER_BY_CLAUSES,
  MAX_SEARCH_DATASETS,
  MAX_SEARCH_EXPERIMENT_IDS,
} from "./limits.ts";
import { filterSteps, runToEnd, runYielding, type Steps, WorkBudget } from "./budget.ts";
import { describe, keywordOf, type TokenStream } from "./_tokenizer.ts";
import type { NumericOp, ValuePredicate } from "./filter.ts";

/** String attributes of a logged model a filter or order_by may name. */
export type LoggedModelStringAttribute =
  | "name"
  | "model_id"
  | "model_type"
  | "status"
  | "source_run_id";
/** Numeric attributes, by their `info` field names. */
export type LoggedModelTimeAttribute = "creation_timestamp_ms" | "last_updated_timestamp_ms";

/** One filter comparison; a filter is the AND of a list of these. */
export type LoggedModelClause =
  | { kind: "attribute"; key: LoggedModelStringAttribute } & ValuePredicate
  | { kind: "time"; key: LoggedModelTimeAttribute; op: NumericOp; value: number }
  /** True when one of the model's latest values of the key (within `datasets`) compares true. */
  | { kind: "metric"; key: string; op: NumericOp; value: number }
  /** `!=` and the rest require the param / tag to exist, as MLflow's joins do. */
  | { kind: "param"; key: string } & ValuePredicate
  | { kind: "tag"; key: string } & ValuePredicate;

/** One parsed ordering clause. */
export type LoggedModelOrderClause =
  & { ascending: boolean }
  & (
    | { kind: "attribute"; key: LoggedModelStringAttribute }
    | { kind: "time"; key: LoggedModelTimeAttribute }
    | { kind: "metric"; key: string; dataset_name?: string; dataset_digest?: string }
  );

/** MLflow's default page size for logged-model search (the proto default). */
export const DEFAULT_LOGGED_MODELS_MAX_RESULTS = 50;

const STRING_ATTRIBUTES: ReadonlySet<string> = new Set([
  "name",
  "model_id",
  "model_type",
  "status",
  "source_run_id",
]);
const TIME_ATTRIBUTES = new Map<string, LoggedModelTimeAttribute>([
  ["creation_time", "creation_timestamp_ms"],
  ["creation_timestamp", "creation_timestamp_ms"],
  ["last_updated_timestamp", "last_updated_timestamp_ms"],
  ["last_updated_time", "last_updated_timestamp_ms"],
]);
const ATTRIBUTE_NAMES = [...STRING_ATTRIBUTES, ...TIME_ATTRIBUTES.keys()];
const ENTITIES = new Map<string, "attribute" | "metric" | "param" | "tag">([
  ["attributes", "attribute"],
  ["attribute", "attribute"],
  ["metrics", "metric"],
  ["metric", "metric"],
  ["params", "param"],
  ["param", "param"],
  ["tags", "tag"],
  ["tag", "tag"],
]);
const SHORT_STATUSES: ReadonlySet<string> = new Set(["PENDING", "READY", "UPLOAD_FAILED"]);

/**
 * Parses a logged-model filter into its AND-ed clauses (`[]` for an empty filter). Throws
 * `INVALID_PARAMETER_VALUE` for OR, NOT, parentheses, unknown entity types or attributes,
 * comparators the field does not support (`LIKE` on a metric, `IS NULL`, …), an unquoted string
 * or a non-numeric value for a numeric field. A trailing `AND` is accepted, as elsewhere.
 *
 * @example
 * ```ts
 * parseLoggedModelFilter("name LIKE 'clf-%' AND metrics.acc >= 0.9 AND params.C = '1.0'");
 * ```
 */
export function parseLoggedModelFilter(filter: string | null | undefined): LoggedModelClause[] {
  return parseAndList(filter, "logged models", parseClause);
}

function parseClause(ts: TokenStream): LoggedModelClause {
  const tok = ts.next();
  const kw = keywordOf(tok);
  if (tok.type !== "name" || kw === "NOT" || kw === "AND" || kw === "OR") {
    throw ts.error(
      `expected an identifier such as 'name' or 'metrics.<key>' but found ${describe(tok)}`,
      tok,
    );
  }
  const { type, key } = splitName(ts, tok);
  const entity = type === undefined ? "attribute" : ENTITIES.get(type);
  if (entity === undefined) {
    throw ts.error(
      `invalid entity type '${type}'; valid types are 'attributes', 'metrics', 'params' and 'tags'`,
      tok,
    );
  }
  if (entity === "attribute" && !STRING_ATTRIBUTES.has(key) && !TIME_ATTRIBUTES.has(key)) {
    throw ts.error(
      `invalid attribute key '${key}'; valid keys are ${
        ATTRIBUTE_NAMES.map((k) => `'${k}'`).join(", ")
      }`,
      tok,
    );
  }
  const numeric = entity === "metric" || (entity === "attribute" && TIME_ATTRIBUTES.has(key));
  const label = `${entity} '${key}'`;
  const op = readAllowedComparator(ts, label, numeric ? NUMERIC_OPS : VALUE_OPS);
  if (numeric) {
    const value = readNumber(ts, label);
    return entity === "metric"
      ? { kind: "metric", key, op: op as NumericOp, value }
      : { kind: "time", key: TIME_ATTRIBUTES.get(key)!, op: op as NumericOp, value };
  }
  let pred = readValuePredicate(ts, label, op);
  if (entity === "attribute" && key === "status") pred = withLongStatus(pred);
  if (entity === "attribute") {
    return { kind: "attribute", key: key as LoggedModelStringAttribute, ...pred };
  }
  return { kind: entity as "param" | "tag", key, ...pred };
}

/** `READY` means `LOGGED_MODEL_READY` for exact comparisons. */
function withLongStatus(p: ValuePredicate): ValuePredicate {
  const long = (v: string) => SHORT_STATUSES.has(v) ? `LOGGED_MODEL_${v}` : v;
  switch (p.op) {
    case "=":
    case "!=":
      return { op: p.op, value: long(p.value) };
    case "IN":
    case "NOT IN":
      return { op: p.op, values: p.values.map(long) };
    default:
      return p;
  }
}

/**
 * Checks `datasets` entries: each needs a `dataset_name` (MLflow's message). Returns them.
 */
export function parseLoggedModelDatasets(
  datasets: readonly LoggedModelDatasetFilter[] | undefined,
): LoggedModelDatasetFilter[] {
  const out = [...(datasets ?? [])];
  if (out.some((d) => typeof d?.dataset_name !== "string" || d.dataset_name === "")) {
    throw invalidParam("`dataset_name` in the `datasets` clause must be specified.");
  }
  return out.map((d) =>
    d.dataset_digest
      ? { dataset_name: d.dataset_name, dataset_digest: d.dataset_digest }
      : { dataset_name: d.dataset_name }
  );
}

/**
 * Parses `order_by` entries (MLflow's checks and messages) and appends the tiebreak: creation
 * time DESC unless creation time is already ordered on, then model id ASC so pages are stable.
 */
export function parseLoggedModelOrderBy(
  orderBy: readonly LoggedModelOrderBy[] | undefined,
): LoggedModelOrderClause[] {
  checkListParam("order_by", orderBy, MAX_ORDER_BY_CLAUSES);
  const out: LoggedModelOrderClause[] = [];
  for (const ob of orderBy ?? []) {
    const field = typeof ob?.field_name === "string" ? ob.field_name.trim() : "";
    if (field === "") {
      throw invalidParam("`field_name` in the `order_by` clause must be specified.");
    }
    const ascending = ob.ascending ?? true;
    if (typeof ascending !== "boolean") {
      throw invalidParam(
        `Value of \`ascending\` in the \`order_by\` clause must be a boolean, got ` +
          `'${String(ascending)}' for field ${field}.`,
      );
    }
    if (ob.dataset_digest && !ob.dataset_name) {
      throw invalidParam(
        "`dataset_digest` can only be specified if `dataset_name` is also specified.",
      );
    }
    const dot = field.indexOf(".");
    if (dot >= 0) {
      const entity = field.slice(0, dot);
      const key = field.slice(dot + 1);
      if (entity !== "metrics" || key === "") {
        throw invalidParam(
          `Invalid order by field name: ${entity}, only \`metrics.<name>\` is allowed.`,
        );
      }
      const clause: LoggedModelOrderClause = { kind: "metric", key, ascending };
      if (ob.dataset_name) clause.dataset_name = ob.dataset_name;
      if (ob.dataset_digest) clause.dataset_digest = ob.dataset_digest;
      out.push(clause);
    } else if (STRING_ATTRIBUTES.has(field)) {
      out.push({ kind: "attribute", key: field as LoggedModelStringAttribute, ascending });
    } else if (TIME_ATTRIBUTES.has(field)) {
      out.push({ kind: "time", key: TIME_ATTRIBUTES.get(field)!, ascending });
    } else {
      throw invalidParam(`Invalid order by field name: ${field}.`);
    }
  }
  if (!out.some((c) => c.kind === "time" && c.key === "creation_timestamp_ms")) {
    out.push({ kind: "time", key: "creation_timestamp_ms", ascending: false });
  }
  out.push({ kind: "attribute", key: "model_id", ascending: true });
  return out;
}

/** `max_results`: default 50; an integer in 1..50000. */
export function validateLoggedModelsMaxResults(maxResults: number | undefined): number {
  if (maxResults === undefined) return DEFAULT_LOGGED_MODELS_MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS_LIMIT) {
    throw invalidParam(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be an integer ` +
        `between 1 and ${MAX_RESULTS_LIMIT}`,
    );
  }
  return maxResults;
}

/** A parsed, validated logged-model query. */
export interface LoggedModelQuery {
  experimentIds: string[];
  filter: LoggedModelClause[];
  datasets: LoggedModelDatasetFilter[];
  order: LoggedModelOrderClause[];
  maxResults: number;
  offset: number;
  fingerprint: string;
}

/**
 * Validates every argument of a search (before any model is read) and returns the parsed query.
 * Throws `INVALID_PARAMETER_VALUE` for anything malformed, a missing `experiment_ids`, or a page
 * token issued for another query.
 */
export function parseLoggedModelQuery(opts: SearchLoggedModelsOptions): LoggedModelQuery {
  checkListParam("experiment_ids", opts.experimentIds, MAX_SEARCH_EXPERIMENT_IDS);
  checkListParam("datasets", opts.datasets, MAX_SEARCH_DATASETS);
  const experimentIds = [...new Set(opts.experimentIds ?? [])];
  if (experimentIds.length === 0 || experimentIds.some((id) => typeof id !== "string")) {
    throw invalidParam(
      "Missing value for required parameter 'experiment_ids'. " +
        "See the API docs for more information about request parameters.",
    );
  }
  const maxResults = validateLoggedModelsMaxResults(opts.maxResults);
  const filter = parseLoggedModelFilter(opts.filter);
  const datasets = parseLoggedModelDatasets(opts.datasets);
  const order = parseLoggedModelOrderBy(opts.orderBy);
  const fp = fingerprint([
    "logged_models",
    [...experimentIds].sort(),
    opts.filter?.trim() ?? "",
    datasets,
    order,
  ]);
  return {
    experimentIds,
    filter,
    datasets,
    order,
    maxResults,
    offset: readOffset(opts.pageToken, fp),
    fingerprint: fp,
  };
}

const nanAsZero = (v: number) => Number.isNaN(v) ? 0 : v;

function metricsFor(
  model: LoggedModel,
  key: string,
  datasets: readonly LoggedModelDatasetFilter[],
) {
  return model.data.metrics.filter((m) =>
    m.key === key && (datasets.length === 0 || inDatasets(m, datasets))
  );
}

/** Whether a model matches every clause and, when given, the `datasets` restriction. */
export function matchesLoggedModel(
  model: LoggedModel,
  filter: readonly LoggedModelClause[],
  datasets: readonly LoggedModelDatasetFilter[],
): boolean {
  let sawMetric = false;
  for (const c of filter) {
    let ok: boolean;
    switch (c.kind) {
      case "attribute":
        ok = matchesString(model.info[c.key], c);
        break;
      case "time":
        ok = compareNumbers(model.info[c.key], c.op, c.value);
        break;
      case "metric":
        sawMetric = true;
        ok = metricsFor(model, c.key, datasets).some((m) =>
          compareNumbers(nanAsZero(m.value), c.op, c.value)
        );
        break;
      case "param":
        ok = matchesString(model.data.params.find((p) => p.key === c.key)?.value, c);
        break;
      case "tag":
        ok = matchesString(model.info.tags.find((t) => t.key === c.key)?.value, c);
        break;
    }
    if (!ok) return false;
  }
  // As in MLflow: `datasets` without a metric filter keeps models with a metric on one of them.
  if (datasets.length > 0 && !sawMetric) {
    return model.data.metrics.some((m) => inDatasets(m, datasets));
  }
  return true;
}

/** The value a clause sorts a model by; `undefined` (absent) sorts last either way. */
function sortValue(model: LoggedModel, c: LoggedModelOrderClause): SortValue {
  switch (c.kind) {
    case "attribute":
      return model.info[c.key];
    case "time":
      return model.info[c.key];
    case "metric": {
      const scope = c.dataset_name === undefined
        ? []
        : [{ dataset_name: c.dataset_name, dataset_digest: c.dataset_digest }];
      // The latest value across the datasets in scope.
      return latestOf(metricsFor(model, c.key, scope))?.value;
    }
  }
}

/**
 * Orders models by parsed clauses (which always end with unique `model_id`): absent values last
 * and NaN after numbers in both directions, as run search orders metrics.
 */
export function sortLoggedModels(
  models: readonly LoggedModel[],
  order: readonly LoggedModelOrderClause[],
): LoggedModel[] {
  return sortByClauses(models, order, sortValue);
}

/**
 * The reference logged-model search over candidate models (live models of any experiment; those
 * outside `experimentIds` are skipped): validate, filter, order, then one page. A token is
 * returned only when more models exist, and is rejected by any other query.
 *
 * @example
 * ```ts
 * const page = searchLoggedModelsIn(models, { experimentIds: ["1"], filter: "name = 'clf'" });
 * ```
 */
export function searchLoggedModelsIn(
  models: Iterable<LoggedModel>,
  opts: SearchLoggedModelsOptions | LoggedModelQuery,
  budget: WorkBudget = new WorkBudget(),
): Page<LoggedModel> {
  return runToEnd(loggedModelsSearch(models, opts, budget));
}

/** {@linkcode searchLoggedModelsIn} pausing for the event loop as its budget asks (the stores'). */
export function searchLoggedModelsYielding(
  models: Iterable<LoggedModel>,
  opts: SearchLoggedModelsOptions | LoggedModelQuery,
  budget: WorkBudget = new WorkBudget(),
): Promise<Page<LoggedModel>> {
  return runYielding(loggedModelsSearch(models, opts, budget), budget);
}

function* loggedModelsSearch(
  models: Iterable<LoggedModel>,
  opts: SearchLoggedModelsOptions | LoggedModelQuery,
  budget: WorkBudget,
): Steps<Page<LoggedModel>> {
  const q = "fingerprint" in opts ? opts : parseLoggedModelQuery(opts);
  const scope = new Set(q.experimentIds);
  const matched = yield* filterSteps(
    models,
    (m) => scope.has(m.info.experiment_id) && matchesLoggedModel(m, q.filter, q.datasets),
    budget,
  );
  return pageOf(sortLoggedModels(matched, q.order), q.offset, q.maxResults, q.fingerprint);
}

/** The `source_run_id` every match must have (a top-level `source_run_id = '…'`), if any. */
export function requiredSourceRun(filter: readonly LoggedModelClause[]): string | undefined {
  for (const c of filter) {
    if (c.kind === "attribute" && c.key === "source_run_id" && c.op === "=") return c.value;
  }
  return undefined;
}

/**
 * The exact `name = '…'` values a filter requires (the AND of its clauses), for an index lookup;
 * `undefined` when it has no such clause.
 */
export function requiredName(filter: readonly LoggedModelClause[]): string | undefined {
  for (const c of filter) {
    if (c.kind === "attribute" && c.key === "name" && c.op === "=") return c.value;
  }
  return undefined;
}
