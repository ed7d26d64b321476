import { Layout } from "../components/Layout.tsx";
import { Island } from "../island.tsx";
import type { ApiTokensProps } from "../islands/ApiTokens.tsx";

/** Props of {@linkcode TokensPage}. */
export interface TokensPageProps {
  /** The `ApiTokens` island's props: the viewer's tokens, as the server read them. */
  tokens: ApiTokensProps;
}

/** `/settings/tokens`: the viewer's API tokens, interactive as the `ApiTokens` island. */
export function TokensPage({ tokens }: TokensPageProps) {
  return (
    <Layout crumbs={[{ label: "Settings" }, { label: "API tokens" }]}>
      <div class="page-head">
        <h1>API tokens</h1>
      </div>
      <p class="muted">
        A token lets a client act as you without your password: set it as{" "}
        <code>MLFLOW_TRACKING_TOKEN</code>. It has the same access as you. Revoke any you no longer
        use.
      </p>
      <Island name="ApiTokens" props={tokens} />
    </Layout>
  );
}
