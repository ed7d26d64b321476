import type { RegisteredModel } from "../../store/registry/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { EmptyRegistryState } from "../components/EmptyRegistryState.tsx";
import { Layout } from "../components/Layout.tsx";
import { PagerFoot } from "../components/PagerFoot.tsx";
import { SearchForm } from "../components/SearchForm.tsx";
import { AliasLinks } from "../components/ModelBadges.tsx";
import { latestOf, oneLine, promptHref, promptsHref } from "../shared/prompts.ts";

/** Props of {@linkcode PromptsPage}. */
export interface PromptsPageProps {
  /** This page of prompts (registered models tagged as prompts), in name order. */
  prompts: RegisteredModel[];
  /** The search box's text (`?q=`). */
  query: string;
  /** The token this page was read with (`?page_token=`); null on the first page. */
  pageToken: string | null;
  /** The next page's token; null on the last page. */
  nextPageToken: string | null;
  /** The API's message when the search failed (a bad `?q=` filter or page token). */
  error: string | null;
  /** This server's URL, for the "register a prompt" example. */
  trackingUri: string;
}

function Aliases({ prompt }: { prompt: RegisteredModel }) {
  if (prompt.aliases.length === 0) return <span class="muted">—</span>;
  return <AliasLinks aliases={prompt.aliases} href={(v) => promptHref(prompt.name, v)} />;
}

/** No prompts yet: what a prompt is and how MLflow's client registers one. */
function EmptyPrompts({ trackingUri }: { trackingUri: string }) {
  return (
    <EmptyRegistryState
      title="No prompts yet"
      code={[
        "import mlflow",
        `mlflow.set_tracking_uri("${trackingUri}")`,
        "",
        "# MLflow 3:",
        "mlflow.genai.register_prompt(",
        '    name="greeting",',
        '    template="Hello {{name}}! How can I help you today?",',
        '    commit_message="First version",',
        ")",
        'prompt = mlflow.genai.load_prompt("prompts:/greeting/1")',
      ]}
    >
      The prompt registry keeps named prompt templates and their numbered versions, each with a
      commit message, tags and aliases. Register a prompt from the MLflow client and it appears
      here.
    </EmptyRegistryState>
  );
}

/**
 * `/prompts`: MLflow 3's prompt registry — the prompts, searched on the server (`?q=` by name or
 * the filter grammar), in name order, paged with the store's page tokens; each with its latest
 * version, aliases and the latest version's commit message.
 */
export function PromptsPage(props: PromptsPageProps) {
  const { prompts, query, pageToken, nextPageToken, error, trackingUri } = props;
  const firstPage = pageToken === null;
  const empty = prompts.length === 0 && !query.trim() && firstPage && !error;
  return (
    <Layout active="prompts">
      <div class="page-head">
        <h1>Prompts</h1>
      </div>
      {empty ? <EmptyPrompts trackingUri={trackingUri} /> : (
        <>
          <SearchForm
            action="/prompts"
            id="prompt-search"
            label="Search prompts"
            query={query}
            error={error}
          />
          <div class="table-wrap">
            <table class="table prompts-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Latest version</th>
                  <th scope="col">Aliases</th>
                  <th scope="col" class="col-description">Commit message</th>
                  <th scope="col" class="col-time">Last updated</th>
                </tr>
              </thead>
              <tbody>
                {prompts.length === 0 && (
                  <tr>
                    <td colSpan={5} class="empty">
                      {error
                        ? "—"
                        : query.trim()
                        ? `No prompts match “${query.trim()}”.`
                        : "No more prompts."}
                    </td>
                  </tr>
                )}
                {prompts.map((p) => {
                  const latest = latestOf(p.latest_versions);
                  return (
                    <tr key={p.name}>
                      <td class="cell-name">
                        <a href={promptHref(p.name)}>{p.name}</a>
                      </td>
                      <td>
                        {latest
                          ? (
                            <a href={promptHref(p.name, latest.version)}>
                              Version {latest.version}
                            </a>
                          )
                          : <span class="muted">—</span>}
                      </td>
                      <td>
                        <Aliases prompt={p} />
                      </td>
                      <td class="col-description" title={latest?.description || undefined}>
                        {latest?.description
                          ? oneLine(latest.description)
                          : <span class="muted">—</span>}
                      </td>
                      <td class="col-time">
                        <DateTime ms={p.last_updated_timestamp} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <PagerFoot
            count={prompts.length}
            noun="prompt"
            label="Pages of prompts"
            firstPage={firstPage}
            firstHref={promptsHref(query)}
            nextHref={nextPageToken ? promptsHref(query, nextPageToken) : null}
          />
        </>
      )}
    </Layout>
  );
}
