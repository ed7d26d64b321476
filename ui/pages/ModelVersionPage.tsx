import type { ModelVersion, RegisteredModel } from "../../store/registry/types.ts";
import { DateTime } from "../components/DateTime.tsx";
import { Layout } from "../components/Layout.tsx";
import { MetaItem } from "../components/MetaItem.tsx";
import { RefLink } from "../components/RefLink.tsx";
import { Section } from "../components/Section.tsx";
import { Island } from "../island.tsx";
import type { ModelSignature, SignatureColumn } from "../model_signature.ts";
import { loggedModelHref, registeredModelHref, runHref } from "../shared/models.ts";
import type { RegistryMay } from "./RegisteredModelPage.tsx";

/** Props of {@linkcode ModelVersionPage}. */
export interface ModelVersionPageProps {
  model: RegisteredModel;
  version: ModelVersion;
  /** The source run's name by id (null: not found or not readable), as the model page has it. */
  runNames: Record<string, string | null>;
  /** The logged model it was made from, by id (null: not found or not readable). */
  loggedModelId?: string;
  loggedModelNames: Record<string, string | null>;
  /** The model's signature from its MLmodel file; null when there is none to read. */
  signature: ModelSignature | null;
  may?: RegistryMay;
}

function SignatureTable(
  { id, title, cols }: { id: string; title: string; cols: SignatureColumn[] | null },
) {
  return (
    <div class="signature">
      <h3 id={`${id}-heading`}>{title}</h3>
      {cols === null || cols.length === 0 ? <p class="muted">Not specified.</p> : (
        <div class="table-wrap">
          <table class="table table--kv" id={id} aria-labelledby={`${id}-heading`}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
              </tr>
            </thead>
            <tbody>
              {cols.map((c, i) => (
                <tr key={i}>
                  <th scope="row" class="mono">
                    {c.name || <span class="muted">(unnamed)</span>}
                    {!c.required && <span class="muted">{" "}(optional)</span>}
                  </th>
                  <td class="mono">{c.type}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/**
 * `/models/:name/versions/:version`: one registered version — stage and aliases (editable), its
 * source URI, source run and logged model, description and tags (editable), and the model's
 * signature when its MLmodel file is readable here; delete for viewers who may.
 */
export function ModelVersionPage(props: ModelVersionPageProps) {
  const { model, version: v, runNames, loggedModelId, loggedModelNames, signature } = props;
  const may = props.may ?? { edit: true, delete: true };
  const title = `Version ${v.version}`;
  return (
    <Layout
      active="models"
      crumbs={[
        { label: "Models", href: "/models" },
        { label: model.name, href: registeredModelHref(model.name) },
        { label: title },
      ]}
    >
      <div class="page-head">
        <h1>
          {model.name} <span class="page-head__sub">{title}</span>
        </h1>
        {may.delete && (
          <Island
            name="RegistryDelete"
            props={{
              name: model.name,
              version: v.version,
              what: `version ${v.version} of “${model.name}”`,
              then: registeredModelHref(model.name),
            }}
          />
        )}
      </div>
      <dl class="meta">
        <MetaItem label="Registered model">
          <a href={registeredModelHref(model.name)}>{model.name}</a>
        </MetaItem>
        <MetaItem label="Version" class="num">{v.version}</MetaItem>
        <MetaItem label="Status">
          <span class="badge badge--finished">
            <span class="badge__dot" aria-hidden="true" />
            {v.status === "READY" ? "Ready" : v.status}
          </span>
        </MetaItem>
        <MetaItem label="Created">
          <DateTime ms={v.creation_timestamp} />
        </MetaItem>
        <MetaItem label="Last updated">
          <DateTime ms={v.last_updated_timestamp} />
        </MetaItem>
        {v.user_id && <MetaItem label="User">{v.user_id}</MetaItem>}
        <MetaItem label="Source run">
          <RefLink id={v.run_id || undefined} names={runNames} href={runHref} what="Run" />
        </MetaItem>
        <MetaItem label="Logged model">
          <RefLink
            id={loggedModelId}
            names={loggedModelNames}
            href={loggedModelHref}
            what="Logged model"
          />
        </MetaItem>
        <MetaItem label="Source" class="mono cell-source">{v.source}</MetaItem>
      </dl>

      <Section headingId="version-state-heading" title="Stage and aliases">
        <Island
          name="VersionPanel"
          props={{
            name: model.name,
            version: v.version,
            stage: v.current_stage,
            aliases: model.aliases,
            canEdit: may.edit,
            canDelete: may.delete,
          }}
        />
      </Section>

      <Island
        name="RegistryDescription"
        props={{
          name: model.name,
          version: v.version,
          description: v.description ?? "",
          canEdit: may.edit,
        }}
      />

      <div class="run-grid">
        <Section headingId="version-tags-heading" title="Tags">
          <Island
            name="RegistryTags"
            props={{
              name: model.name,
              version: v.version,
              tags: v.tags ?? [],
              canEdit: may.edit,
              canDelete: may.delete,
            }}
          />
        </Section>
        <Section headingId="version-signature-heading" title="Signature" note="from MLmodel">
          {signature
            ? (
              <>
                <SignatureTable id="signature-inputs" title="Inputs" cols={signature.inputs} />
                <SignatureTable id="signature-outputs" title="Outputs" cols={signature.outputs} />
              </>
            )
            : (
              <p class="muted">
                No signature: the model's MLmodel file has none, or is not stored on this server.
              </p>
            )}
        </Section>
      </div>
    </Layout>
  );
}
