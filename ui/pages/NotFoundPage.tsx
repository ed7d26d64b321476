import { Layout } from "../components/Layout.tsx";

/** Props of {@linkcode NotFoundPage}. */
export interface NotFoundPageProps {
  message: string;
  /** Where "Back to …" leads; the experiments list by default. */
  back?: { href: string; label: string };
  /** The header's section to mark current, as the missing page's would. */
  active?: string;
}

/** A page-level 404 with the reason and a way back. */
export function NotFoundPage(
  { message, back = { href: "/", label: "experiments" }, active }: NotFoundPageProps,
) {
  return (
    <Layout active={active}>
      <div class="page-head">
        <h1>Not found</h1>
      </div>
      <p>{message}</p>
      <p>
        <a href={back.href}>Back to {back.label}</a>
      </p>
    </Layout>
  );
}
