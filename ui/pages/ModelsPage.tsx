import {
  MODEL_VERSION_STAGES,
  type ModelVersion,
  type RegisteredModel,
} from "../../store/registry/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { EmptyRegistryState } from "../components/EmptyRegistryState.tsx";
import { Layout } from "../components/Layout.tsx";
import { PagerFoot } from "../components/PagerFoot.tsx";
import { SearchForm } from "../components/SearchForm.tsx";
import { AliasLinks, StageBadge } from "../components/ModelBadges.tsx";
import { Island } from "../island.tsx";
import { excerpt, modelsHref, modelVersionHref, registeredModelHref } from "../shared/models.ts";

/** Props of {@linkcode ModelsPage}. */
export interface ModelsPageProps {
  /** This page of registered models, in name order. */
  models: RegisteredModel[];
  /** The search box's text (`?q=`). */
  query: string;
  /** The token this page was read with (`?page_token=`); null on the first page. */
  pageToken: string | null;
  /** The next page's token; null on the last page. */
  nextPageToken: string | null;
  /** The API's message when the search failed (a bad `?q=` filter or page token). */
  error: string | null;
  /** This server's URL, for the "register a model" example. */
  trackingUri: string;
}

/** Stages in the order the list shows a model's latest versions: deployed ones first. */
const STAGE_ORDER = ["Production", "Staging", "None", "Archived"] as const;

function byStage(a: ModelVersion, b: ModelVersion): number {
  return STAGE_ORDER.indexOf(a.current_stage) - STAGE_ORDER.indexOf(b.current_stage) ||
    Number(b.version) - Number(a.version);
}

function LatestVersions({ model }: { model: RegisteredModel }) {
  const versions = model.latest_versions.filter((v) =>
    MODEL_VERSION_STAGES.includes(v.current_stage)
  ).sort(byStage);
  if (versions.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="model-versions-inline">
      {versions.map((v) => (
        <li key={v.version}>
          <a href={modelVersionHref(model.name, v.version)}>Version {v.version}</a>
          {v.current_stage !== "None" && <StageBadge stage={v.current_stage} />}
        </li>
      ))}
    </ul>
  );
}

function Aliases({ model }: { model: RegisteredModel }) {
  if (model.aliases.length === 0) return <span class="muted">—</span>;
  return <AliasLinks aliases={model.aliases} href={(v) => modelVersionHref(model.name, v)} />;
}

/** The empty registry: what a registered model is and how the MLflow client makes one. */
function EmptyRegistry({ trackingUri }: { trackingUri: string }) {
  return (
    <EmptyRegistryState
      title="No registered models yet"
      code={[
        "import mlflow",
        `mlflow.set_tracking_uri("${trackingUri}")`,
        "",
        "# A model a run logged (MLflow 2 and 3):",
        'mlflow.register_model("runs:/<run_id>/model", "my-model")',
        "# A logged model (MLflow 3):",
        'mlflow.register_model("models:/<model_id>", "my-model")',
        "# Or while logging it:",
        'mlflow.sklearn.log_model(clf, "model", registered_model_name="my-model")',
      ]}
    >
      The model registry keeps named models and their numbered versions, with stages, aliases and
      tags. Create one here and register versions from a run or logged model page, or register a
      model from the MLflow client and it appears here.
    </EmptyRegistryState>
  );
}

/**
 * `/models`: the registered models, searched on the server (`?q=` by name or the filter grammar),
 * in name order, paged with the store's page tokens; "Create model" (an island) opens a form.
 */
export function ModelsPage(props: ModelsPageProps) {
  const { models, query, pageToken, nextPageToken, error, trackingUri } = props;
  const firstPage = pageToken === null;
  const emptyRegistry = models.length === 0 && !query.trim() && firstPage && !error;
  return (
    <Layout active="models">
      <div class="page-head">
        <h1>Registered models</h1>
        <Island name="CreateModel" props={{}} />
      </div>
      {emptyRegistry ? <EmptyRegistry trackingUri={trackingUri} /> : (
        <>
          <SearchForm
            action="/models"
            id="model-search"
            label="Search registered models"
            query={query}
            error={error}
          />
          <div class="table-wrap">
            <table class="table models-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Latest versions</th>
                  <th scope="col">Aliases</th>
                  <th scope="col" class="col-time">Last updated</th>
                  <th scope="col" class="col-description">Description</th>
                </tr>
              </thead>
              <tbody>
                {models.length === 0 && (
                  <tr>
                    <td colSpan={5} class="empty">
                      {error
                        ? "—"
                        : query.trim()
                        ? `No registered models match “${query.trim()}”.`
                        : "No more registered models."}
                    </td>
                  </tr>
                )}
                {models.map((m) => (
                  <tr key={m.name}>
                    <td class="cell-name">
                      <a href={registeredModelHref(m.name)}>{m.name}</a>
                    </td>
                    <td>
                      <LatestVersions model={m} />
                    </td>
                    <td>
                      <Aliases model={m} />
                    </td>
                    <td class="col-time">
                      <DateTime ms={m.last_updated_timestamp} />
                    </td>
                    <td class="col-description" title={m.description || undefined}>
                      {m.description ? excerpt(m.description) : <span class="muted">—</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <PagerFoot
            count={models.length}
            noun="model"
            label="Pages of registered models"
            firstPage={firstPage}
            firstHref={modelsHref(query)}
            nextHref={nextPageToken ? modelsHref(query, nextPageToken) : null}
          />
        </>
      )}
    </Layout>
  );
}
