import { Layout } from "../components/Layout.tsx";

/** A page-level 404 with the reason and a way back. */
export function NotFoundPage({ message }: { message: string }) {
  return (
    <Layout>
      <div class="page-head">
        <h1>Not found</h1>
      </div>
      <p>{message}</p>
      <p>
        <a href="/">Back to experiments</a>
      </p>
    </Layout>
  );
}
