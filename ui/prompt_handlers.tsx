/**
 * The prompt pages (MLflow 3's prompt registry): `/prompts`, the prompts list, and
 * `/prompts/:name`, one prompt with its versions and, with `?diff=<a>&to=<b>`, a diff of two
 * versions' templates. A prompt is a registered model tagged `mlflow.prompt.is_prompt = true`, so
 * reading one takes what reading a registered model takes (`access.registeredModel(name)`).
 * Read-only: prompts are written by the MLflow client.
 *
 * @module
 */
import type { Context, Handler } from "hono";
import type { ModelVersion } from "../store/registry/types.ts";
import type { Page, TrackingStore } from "../store/types.ts";
import {
  forbidden,
  isCallersError,
  orNotFound,
  registeredModelsListing,
  versionsOf,
} from "./handlers.tsx";
import { NotFoundPage, type NotFoundPageProps } from "./pages/NotFoundPage.tsx";
import type { ForbiddenPageProps } from "./pages/ForbiddenPage.tsx";
import { type PromptDiffProps, PromptPage } from "./pages/PromptPage.tsx";
import { PromptsPage } from "./pages/PromptsPage.tsx";
import { renderPage, type UiEnv } from "./render.tsx";
import {
  isPrompt,
  promptTemplate,
  promptVersionsFilter,
  toPromptFilter,
} from "./shared/prompts.ts";
import { diffText } from "./shared/text_diff.ts";

/** Prompts per page of `/prompts`. */
export const PROMPTS_PAGE_SIZE = 100;
/** Versions shown on a prompt's page (newest first). */
export const PROMPT_VERSIONS_LIMIT = 1000;

const PROMPT_FORBIDDEN: ForbiddenPageProps = {
  message: "You do not have permission to read this prompt.",
  back: { href: "/prompts", label: "prompts" },
  active: "prompts",
};

/**
 * `GET /prompts`: the prompts in name order, `?q=` searched as `/models` is (plain words by
 * name, or the filter grammar), `?page_token=` paged; only those the viewer may read. A bad
 * filter or token shows the API's message by the search box.
 */
export const promptsPage: Handler<UiEnv> = async (c) => {
  const listing = await registeredModelsListing(c, toPromptFilter, PROMPTS_PAGE_SIZE);
  return renderPage(
    c,
    <PromptsPage
      prompts={listing.items}
      query={listing.query}
      pageToken={listing.pageToken}
      nextPageToken={listing.nextPageToken}
      error={listing.error}
      trackingUri={new URL(c.req.url).origin}
    />,
    { title: "Prompts" },
  );
};

/** The prompt versions of prompt `name`, newest first (the model-version search hides them). */
async function promptVersionsOf(store: TrackingStore, name: string): Promise<Page<ModelVersion>> {
  const { filter, exact } = promptVersionsFilter(name);
  const page = await store.searchModelVersions({
    filter,
    orderBy: ["version_number DESC"],
    maxResults: PROMPT_VERSIONS_LIMIT,
  });
  return exact ? page : { ...page, items: page.items.filter((v) => v.name === name) };
}

const VERSION_NUMBER = /^[1-9][0-9]{0,9}$/;

/**
 * The comparison `?diff=<from>&to=<to>` asks for (`to` defaults to the newest version), or
 * undefined without `diff`. Versions beyond the page's list are read one by one.
 */
async function promptDiff(
  c: Context<UiEnv>,
  name: string,
  versions: ModelVersion[],
): Promise<PromptDiffProps | undefined> {
  const from = c.req.query("diff")?.trim();
  if (from === undefined) return undefined;
  const to = c.req.query("to")?.trim() || versions[0]?.version || "";
  // A version's template, or why there is none to compare.
  const read = async (n: string): Promise<{ template: string } | { error: string }> => {
    if (!VERSION_NUMBER.test(n)) return { error: `“${n}” is not a version number.` };
    const v = versions.find((x) => x.version === n) ??
      await c.var.store.getModelVersion(name, n).catch((err) => {
        if (!isCallersError(err)) throw err;
        return undefined;
      });
    if (!v || !isPrompt(v.tags)) return { error: `Prompt “${name}” has no version ${n}.` };
    const template = promptTemplate(v.tags);
    if (template === undefined) {
      return { error: `Version ${n} of prompt “${name}” has no template.` };
    }
    return { template };
  };
  const [a, b] = await Promise.all([read(from), read(to)]);
  if ("error" in a) return { from, to, result: null, error: a.error };
  if ("error" in b) return { from, to, result: null, error: b.error };
  return { from, to, result: diffText(a.template, b.template) };
}

/**
 * `GET /prompts/:name`: one prompt and its versions, and the comparison `?diff=` asks for; the
 * 404 page for an unknown name or a registered model that is not a prompt. The route takes the
 * rest of the path, so names with `/` work encoded or not.
 */
export const promptPage: Handler<UiEnv> = async (c) => {
  const name = c.req.param("name") ?? "";
  const store = c.var.store;
  const access = await c.var.access();
  if (!access.registeredModel(name)) return forbidden(c, PROMPT_FORBIDDEN);
  const notFound: NotFoundPageProps = {
    message: `There is no prompt named “${name}”.`,
    back: { href: "/prompts", label: "prompts" },
    active: "prompts",
  };
  // The prompt and its versions are read together, so the store shares their round trips;
  // versions without the prompt tag (a model source under a prompt's name) are listed apart.
  const versionsRead = Promise.all([promptVersionsOf(store, name), versionsOf(store, name)]);
  versionsRead.catch(() => {}); // awaited below, unless the prompt does not exist
  const prompt = await orNotFound(c, () => store.getRegisteredModel(name), notFound);
  if (prompt instanceof Response) return prompt;
  if (!isPrompt(prompt.tags)) {
    return renderPage(c, <NotFoundPage {...notFound} />, { title: "Not found", status: 404 });
  }
  const [versions, others] = await versionsRead;
  const diff = await promptDiff(c, prompt.name, versions.items);
  return renderPage(
    c,
    <PromptPage
      prompt={prompt}
      versions={versions.items}
      versionsLimit={PROMPT_VERSIONS_LIMIT}
      moreVersions={versions.nextPageToken !== undefined}
      otherVersions={others.items}
      diff={diff}
    />,
    { title: diff ? `${prompt.name}: v${diff.from} → v${diff.to}` : prompt.name },
  );
};
