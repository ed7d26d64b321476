import { Layout } from "../components/Layout.tsx";
import { Section } from "../components/Section.tsx";
import { Island } from "../island.tsx";
import type { RunsTableProps } from "../islands/RunsTable.tsx";

/** Props of {@linkcode ExperimentsComparePage}. */
export interface ExperimentsComparePageProps {
  /** The experiments, in the URL's order. */
  experiments: { experiment_id: string; name: string }[];
  /** The `RunsTable` island over all of them; null with `error`. */
  table: RunsTableProps | null;
  /** Why there is no table (no ids, a malformed one, too many). */
  error?: string;
}

/**
 * `/experiments/compare/<id>,<id>`: the runs of several experiments in one `RunsTable` (with an
 * Experiment column), ticked in the experiments list. Filter, order, view, columns and the run
 * selection live in the query string as on one experiment's page.
 */
export function ExperimentsComparePage({ experiments, table, error }: ExperimentsComparePageProps) {
  const title = `Compare ${experiments.length} experiment${experiments.length === 1 ? "" : "s"}`;
  return (
    <Layout
      active="experiments"
      wide
      crumbs={[{ label: "Experiments", href: "/" }, { label: error ? "Compare" : title }]}
    >
      <div class="page-head">
        <h1>{error ? "Compare experiments" : title}</h1>
      </div>
      {error
        ? (
          <>
            <p class="notice notice--error" role="alert">
              <span>{error}</span>
            </p>
            <p>
              <a href="/">Back to experiments</a>
            </p>
          </>
        )
        : (
          <ul class="exp-compare-list" aria-label="Experiments compared">
            {experiments.map((e) => (
              <li key={e.experiment_id}>
                <a href={`/experiments/${encodeURIComponent(e.experiment_id)}`}>{e.name}</a>
                <span class="muted num">#{e.experiment_id}</span>
              </li>
            ))}
          </ul>
        )}
      {table && (
        <Section headingId="runs-heading" title="Runs">
          <Island name="RunsTable" props={table} />
        </Section>
      )}
    </Layout>
  );
}
