import { Layout } from "../components/Layout.tsx";
import { Island } from "../island.tsx";
import type { ExperimentsListProps } from "../islands/ExperimentsList.tsx";

/** Props of {@linkcode ExperimentsPage}. */
export interface ExperimentsPageProps {
  /** The first page of the list, as the server searched it. */
  list: ExperimentsListProps;
}

/** `/`: the experiments list, interactive as the `ExperimentsList` island. */
export function ExperimentsPage({ list }: ExperimentsPageProps) {
  return (
    <Layout active="experiments">
      <div class="page-head">
        <h1>Experiments</h1>
      </div>
      <Island name="ExperimentsList" props={list} />
    </Layout>
  );
}
