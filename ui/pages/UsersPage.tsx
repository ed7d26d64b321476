import { Layout } from "../components/Layout.tsx";
import { Island } from "../island.tsx";
import type { UsersAdminProps } from "../islands/UsersAdmin.tsx";

/** Props of {@linkcode UsersPage}. */
export interface UsersPageProps {
  /** The `UsersAdmin` island's first page, as the server read it. */
  admin: UsersAdminProps;
}

/** `/admin/users` (admins only): the users, interactive as the `UsersAdmin` island. */
export function UsersPage({ admin }: UsersPageProps) {
  return (
    <Layout crumbs={[{ label: "Administration" }, { label: "Users" }]}>
      <div class="page-head">
        <h1>Users</h1>
      </div>
      <p class="muted">
        Administrators see and change everything. Other users get the server's default permission on
        what they hold no grant for; grants are set in each experiment's and model's Access panel.
      </p>
      <Island name="UsersAdmin" props={admin} />
    </Layout>
  );
}
