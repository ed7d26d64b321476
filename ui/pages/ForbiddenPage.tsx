import { Layout } from "../components/Layout.tsx";

/** Props of {@linkcode ForbiddenPage}. */
export interface ForbiddenPageProps {
  /** Why, in a sentence: "You do not have permission to read this experiment." */
  message: string;
  /** Where "Back to …" leads; the experiments list by default. */
  back?: { href: string; label: string };
  /** The header's section to mark current, as the refused page's would. */
  active?: string;
}

/**
 * A page-level 403: MLflow's "Permission denied", the reason, and a way back. It names nothing
 * about the refused entity beyond what the viewer typed into the URL.
 */
export function ForbiddenPage(
  { message, back = { href: "/", label: "experiments" }, active }: ForbiddenPageProps,
) {
  return (
    <Layout active={active}>
      <div class="page-head">
        <h1>Permission denied</h1>
      </div>
      <p>{message}</p>
      <p class="muted">Ask someone who manages it, or an administrator, to grant you access.</p>
      <p>
        <a href={back.href}>Back to {back.label}</a>
      </p>
    </Layout>
  );
}
