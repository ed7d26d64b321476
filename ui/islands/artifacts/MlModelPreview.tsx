import type { MlModelView, SignaturePart } from "./mlmodel.ts";

/** Props of {@linkcode MlModelPreview}: the file read, and its text for the raw view. */
export interface MlModelPreviewProps {
  view: MlModelView;
  text: string;
}

function SignatureTable(props: { title: string; part?: SignaturePart; noteLabel: string }) {
  const { part } = props;
  if (!part) return null;
  return (
    <div class="mlmodel__sig">
      <h5>{props.title}</h5>
      {"raw" in part ? <pre class="artifacts__text">{part.raw}</pre> : (
        <div class="table-wrap">
          <table class="table table--compact">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">{props.noteLabel}</th>
              </tr>
            </thead>
            <tbody>
              {part.rows.map((r, i) => (
                <tr key={i}>
                  <td class="mono">{r.name || <span class="muted">(unnamed)</span>}</td>
                  <td class="mono">{r.type}</td>
                  <td>{r.note}</td>
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
 * An MLmodel file rendered: its facts, a card per flavor with its fields, the signature's
 * inputs, outputs and params as tables, the Python that loads the model, and the raw file in a
 * disclosure. Every value is text (Preact escapes it).
 */
export function MlModelPreview({ view, text }: MlModelPreviewProps) {
  const sig = view.signature;
  return (
    <div class="mlmodel">
      {view.facts.length > 0 && (
        <dl class="meta mlmodel__facts">
          {view.facts.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd class="mono">{v}</dd>
            </div>
          ))}
        </dl>
      )}
      <h4>Flavors</h4>
      <ul class="mlmodel__flavors">
        {view.flavors.map((f) => (
          <li key={f.name} class="mlmodel__flavor">
            <span class="badge">{f.name}</span>
            {f.fields.length > 0 && (
              <dl>
                {f.fields.map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd class="mono">{v}</dd>
                  </div>
                ))}
              </dl>
            )}
          </li>
        ))}
      </ul>
      <h4>Signature</h4>
      {sig && (sig.inputs || sig.outputs || sig.params)
        ? (
          <>
            <SignatureTable title="Inputs" part={sig.inputs} noteLabel="Required" />
            <SignatureTable title="Outputs" part={sig.outputs} noteLabel="Required" />
            <SignatureTable title="Params" part={sig.params} noteLabel="Default" />
          </>
        )
        : <p class="muted">This model was logged without a signature.</p>}
      {view.load.length > 0 && (
        <>
          <h4>Load the model</h4>
          {view.load.map((l) => (
            <div key={l.label} class="mlmodel__load">
              <p class="muted">{l.label}</p>
              <pre class="artifacts__text"><code>{l.code}</code></pre>
            </div>
          ))}
        </>
      )}
      <details class="mlmodel__raw">
        <summary>MLmodel file</summary>
        <pre class="artifacts__text">{text}</pre>
      </details>
    </div>
  );
}
